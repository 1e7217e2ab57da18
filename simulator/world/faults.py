"""Connection faults decided command by command, and who removed what from the server.

:class:`Drops` answers, for each command a line is about to send and has just sent,
whether its connection breaks there: at random (its path's ``drop_probability``, half of
the drops before the command reaches the server and half after the server carried it out
but before the reply arrived), by a scripted ``drop`` event, or because the device moved to
another network. Every drop is recorded in the history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from simulator.external.program import Cut
from simulator.mail.store import StoreEvent
from simulator.world.streams import stream

if TYPE_CHECKING:
    from simulator.clients.base import Cmd
    from simulator.world.world import World


CUT_HORIZON: Final = 10_000
"""Commands of one run of a real program beyond which no drop is drawn."""


class Drops:
    """Drop decisions for one line of a device, from a seeded stream of its own."""

    def __init__(self, line: Any) -> None:
        """The drops of ``line``: a Line, or a test's stand-in with the parts read here
        (typed Any, so compiled code does not insist on a Line)."""
        self.line = line
        self.rng = stream(line.world.scenario.seed, "drops", line.key)
        self.scripted: list[tuple[str, str]] = []  # (before | after, command or "" for any)
        self.due_after = ""  # why the connection breaks once the current command is sent

    def script(self, when: str, command: str) -> None:
        """Arm a one-shot drop at the device's next matching command."""
        self.scripted.append((when, command))

    def _take(self, when: str, command: str) -> bool:
        """Use up the first scripted drop armed for this moment and command, if any."""
        for i, (moment, name) in enumerate(self.scripted):
            if moment == when and name in ("", command):
                del self.scripted[i]
                return True
        return False

    def before(self, cmd: Cmd) -> bool:
        """Whether the connection breaks before ``cmd`` reaches the server (``Line.drive``
        makes the common case's test itself, to skip the call: nothing armed, nothing due
        after, no chance of a drop)."""
        self.due_after = ""
        chance = self.line.device.link.drop_probability
        if chance <= 0 and not self.scripted:
            return False  # the common case, kept cheap
        cause = "scripted" if self._take("before", cmd.name) else ""
        if not cause and self._random():
            cause = "random"
        return self._dropped(cmd.name, "before", cause)

    def after(self, cmd: Cmd) -> bool:
        """Whether the connection breaks after the server carried out ``cmd``, before the
        reply reached the device (``Line.drive`` makes the first test itself, to skip the call)."""
        if not (self.due_after or self.scripted):
            return False
        cause = self.due_after or ("scripted" if self._take("after", cmd.name) else "")
        self.due_after = ""
        return self._dropped(cmd.name, "after", cause)

    def cut(self, limit: int = CUT_HORIZON) -> tuple[Cut, str] | None:
        """Where a real program's next run breaks: ("before" | "after", n) for its n-th
        command and the drop's cause, or None. Drawn command by command as :meth:`before`
        and :meth:`after` draw (a scripted drop, whatever command it names, takes the run's
        first command: the program's commands are not the model's). Nothing is recorded
        here: the run records the drop if the program got that far."""
        if self.line.device.link.drop_probability <= 0 and not self.scripted:
            return None
        for n in range(limit):
            self.due_after = ""
            if self._take_any("before"):
                return ("before", n), "scripted"
            if self._random():
                return ("before", n), "random"
            if self.due_after:
                self.due_after = ""
                return ("after", n), "random"
            if self._take_any("after"):
                return ("after", n), "scripted"
        return None

    def _random(self) -> bool:
        """One command's random draw: a drop before it (True), or after it (due_after set);
        no draw without a chance of a drop."""
        chance = self.line.device.link.drop_probability
        if chance <= 0:
            return False
        u = self.rng.random()
        if u >= chance / 2 and u < chance:
            self.due_after = "random"
        return u < chance / 2

    def _take_any(self, when: str) -> bool:
        """Use up the first scripted drop armed for this moment, whatever its command."""
        for i, (moment, _) in enumerate(self.scripted):
            if moment == when:
                del self.scripted[i]
                return True
        return False

    def roamed(self) -> None:
        """The device changed networks: an open connection cannot survive that."""
        if self.line.busy:
            self.due_after = "roam"
            return
        self._dropped("", "between", "roam")
        self.line.lose_session()
        self.line.signal()

    def _dropped(self, command: str, when: str, cause: str) -> bool:
        """Record a drop (when there is a cause) and say whether there was one."""
        if cause:
            line = self.line
            line.world.history.add("drop", line.env.now, line.id, command, when, cause)
        return bool(cause)


def watch_removals(world: World) -> None:
    """Record which device's command removed a message from the server (for narratives)."""

    def removed(user: str, event: StoreEvent) -> None:
        """A server watcher: note the device whose command expunged a message."""
        if event.kind == "expunge" and event.by:
            world.history.add(
                "expunged_by", world.env.now, user, event.mid, event.by, event.mailbox,
                event.cause,
            )

    for server in world.servers.values():
        server.watchers.append(removed)
