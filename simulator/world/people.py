"""People in time: mail arriving for them, the mail they send, and their mail checks on a
device chosen by its ``uses`` share. Every draw comes from streams keyed by user and
message, so each variant of a scenario sees the same mail and the same intentions."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Final

from simulator.clients.local import State, shared_state
from simulator.mail.message import Message
from simulator.mail.store import ANSWERED, FLAGGED, SEEN
from simulator.observe.records import Intent, ReadAttempt
from simulator.world.streams import Draws, stream
from simulator.world.timing import DAY, RETRY_EVERY, SLEEP, WAKE

if TYPE_CHECKING:
    from simulator.scenario import Size, User
    from simulator.world.device import Device
    from simulator.world.world import World

MIN_SIZE: Final = 600
_NO_FLAGS: Final[frozenset[str]] = frozenset()
_SEEN: Final = frozenset({SEEN})


def draw_size(rng: random.Random, size: Size) -> int:
    """A message size from the scenario's size model (fixed or lognormal around a median)."""
    if size.kind == "fixed" or size.sigma == 0:
        return int(size.median)
    return max(MIN_SIZE, int(size.median * math.exp(rng.gauss(0.0, size.sigma))))


class Person:
    """One user: what they expect to see (intent) and what they do about their mail."""

    def __init__(self, world: World, spec: User) -> None:
        self.world, self.env, self.spec = world, world.env, spec
        self.name: str = spec.name
        self.seed: int = world.scenario.seed
        self.offset = world.scenario.start_weekday_offset_s  # fixed: a property computes it
        self.devices: list[Device] = []
        self.intent: dict[str, State] = {}
        self.unread: dict[str, float] = {}  # INBOX mail not read yet -> when it arrived
        self.checks = 0
        self.sent = 0
        self.accounts: list[str] = [spec.name, *(spec.account_id(a) for a in spec.accounts)]
        self.mail_of = {spec.name: spec.mail} | {
            spec.account_id(a): a.mail for a in spec.accounts
        }
        self.seq: dict[str, int] = dict.fromkeys(self.accounts, 0)  # sent per account
        seed = self.seed  # each decision about a message: a draw named by its kind, the
        # person and the message (and for reading, the check)
        self._reads, self._acts = Draws(seed, "read", self.name), Draws(seed, "act", self.name)
        self._flags, self._replies = Draws(seed, "flag", self.name), Draws(seed, "reply", self.name)

    def start(self) -> None:
        """Start mail arriving and being written for every account, and the mail checks."""
        for account in self.accounts:
            self.env.process(self.arrivals(account))
        for account in self.accounts:
            self.env.process(self.sending(account))
        self.env.process(self.checking())

    # -- intent ------------------------------------------------------------------------------
    def _intend(self, mid: str, state: State | None, device: str, cause: str) -> None:
        if state is None:
            self.intent.pop(mid, None)
        else:
            self.intent[mid] = state
        self.world.history.emit(Intent(self.env.now, self.name, mid, state, device, cause))

    def _change(self, mid: str, device: str, cause: str, folder: str = "", flag: str = "") -> None:
        if mid not in self.intent:
            return  # acting on a copy the person had already deleted elsewhere
        old_folder, flags = self.intent[mid]
        state = shared_state(folder or old_folder, flags | {flag} if flag else flags)
        self._intend(mid, state, device, cause)

    # -- arrivals and sending ---------------------------------------------------------------
    def arrivals(self, account: str = "") -> Generator[Any, Any, None]:
        """Poisson arrivals at the account's receive rate, sizes from the size model."""
        account = account or self.name
        mail = self.mail_of[account]
        if mail.receive <= 0:
            return
        rng = stream(self.seed, "mail", account)
        n = 0
        wait = self.env.timeout(rng.expovariate(mail.receive))
        while True:
            yield wait
            if self._quiet():
                return
            n += 1
            msg = Message(f"m{n}@{account}", draw_size(rng, mail.size), self.env.now)
            wait = self.env.timeout(rng.expovariate(mail.receive))
            self._arrive(msg, account)

    def _arrive(self, msg: Message, account: str) -> None:
        """Deliver ``msg`` in this step; only a deferred delivery goes on as a process (the
        sender's retries). Exact: a process started here would run next and alone (its
        first step is urgent, and no urgent event is pending while a timeout resumes
        arrivals), after the next arrival's timeout was scheduled, as it is here."""
        server = self.world.home[account]
        first = self.env.now
        outcome = server.attempt(account, msg, first)
        if outcome == "deferred":
            self.env.process(self._retry(msg, account, first))
        else:
            self._delivered(msg, outcome)

    def _retry(self, msg: Message, account: str, first: float) -> Generator[Any, Any, None]:
        """The sender's retries of a deferred delivery (the rest of :meth:`deliver`)."""
        server = self.world.home[account]
        outcome = "deferred"
        while outcome == "deferred":
            yield self.env.timeout(RETRY_EVERY)
            outcome = server.attempt(account, msg, first)
        self._delivered(msg, outcome)

    def deliver(self, msg: Message, account: str = "") -> Generator[Any, Any, None]:
        """Hand ``msg`` to the account's server; once in the mailbox the person expects it."""
        account = account or self.name
        outcome = yield from self.world.home[account].deliver(account, msg)
        self._delivered(msg, outcome)

    def _delivered(self, msg: Message, outcome: str) -> None:
        """Once ``msg`` is in the mailbox, the person expects it (unread)."""
        if outcome == "delivered":
            self.unread[msg.mid] = self.env.now
            self._intend(msg.mid, shared_state("INBOX", _NO_FLAGS), "", "deliver")

    def sending(self, account: str = "") -> Generator[Any, Any, None]:
        """New mail written from ``account`` at its send rate on a device chosen by ``uses``."""
        account = account or self.name
        rng = stream(self.seed, "send", account)
        mail = self.mail_of[account]
        while mail.send > 0:
            yield self.env.timeout(rng.expovariate(mail.send))
            if self._quiet():
                return
            device = self._pick(rng.random())
            size = draw_size(rng, mail.size)
            if device is not None:
                device.request(lambda d, s=size, a=account: _now(self.send, d, s, a))  # type: ignore[misc]

    def send(self, device: Device, size: int, account: str = "") -> None:
        """Write and send a message from ``account`` on ``device``; the person expects it in
        Sent everywhere."""
        account = account or self.name
        self.sent += 1
        self.seq[account] += 1
        msg = Message(f"s{self.seq[account]}@{account}", size, self.env.now)
        self.world.history.add("sent", self.env.now, self.name, msg.mid, size, device.id)
        device.owner(msg.mid).client.send(msg)
        self._intend(msg.mid, shared_state("Sent", _SEEN), device.id, "send")

    # -- mail checks -------------------------------------------------------------------------
    def checking(self) -> Generator[Any, Any, None]:
        """Checks every ``check_every`` on average, while awake, on a device by ``uses``."""
        rng = stream(self.seed, "checks", self.name)
        every = self.spec.habits.check_every
        while True:
            yield self.env.timeout(rng.expovariate(1.0 / every))
            if self._quiet():
                return
            pick = rng.random()
            self.checks += 1
            if not self._awake():
                continue
            device = self._pick(pick)
            if device is not None:
                device.request(lambda d, n=self.checks: self.check(d, n))  # type: ignore[misc]

    def _quiet(self) -> bool:
        """Whether the run has reached its quiet stretch (no new mail, nobody acts)."""
        return self.env.now >= self.world.scenario.active_until

    def _awake(self) -> bool:
        clock = (self.offset + self.env.now) % DAY
        return WAKE <= clock < SLEEP

    def _pick(self, u: float) -> Device | None:
        """The device at ``u`` of the cumulative ``uses`` shares (relative weights)."""
        total = sum(d.spec.uses for d in self.devices)
        acc = 0.0
        for device in self.devices:
            acc += device.spec.uses / total
            if u < acc:
                return device
        return self.devices[-1] if self.devices else None

    def check(self, device: Device, n: int, read_all: bool = False) -> Generator[Any, Any, None]:
        """Open the mail app: sync if online, then try to read what should be there."""
        if device.online:
            yield from device.sync_all()
        seen = {line.account: line.connected_at() for line in device.lines}
        cutoff = {a: t - device.grace for a, t in seen.items() if t is not None}
        if not cutoff:
            return
        latest = max(cutoff.values())
        for mid, arrived in list(self.unread.items()):
            if arrived > latest:
                break
            if mid not in self.unread or arrived > cutoff.get(device.owner(mid).account, -1.0):
                continue
            if not read_all and self._reads.uniform(mid, n) >= self._p("read"):
                continue
            if (yield from self._read(device, mid)):
                self._act(device, mid)

    def _read(self, device: Device, mid: str) -> Generator[Any, Any, bool]:
        store, online, line = device.store, device.online, device.owner(mid)
        shown = store.shown(mid) is not None
        start = self.env.now
        ok = store.has_body(mid)
        if not ok and online and shown:
            ok = yield from device.on(line, lambda d: d.fetch(mid))
        self.world.history.emit(
            ReadAttempt(self.env.now, device.id, mid, ok, not online, shown, self.env.now - start))
        if ok and line.client.read(mid):
            self.unread.pop(mid, None)
            self._change(mid, device.id, "read", flag=SEEN)
            return True
        return False

    def _p(self, habit: str) -> float:
        return float(getattr(self.spec.habits, habit))

    def _act(self, device: Device, mid: str) -> None:
        """What the person does after reading: delete or archive, flag, reply."""
        u = self._acts.uniform(mid)
        if self._flags.uniform(mid) < self._p("flag"):
            self.flag(device, mid)
        if self._replies.uniform(mid) < self._p("reply"):
            self.answer(device, mid)
        if u < self._p("delete"):
            self.delete(device, mid)
        elif u < self._p("delete") + self._p("archive"):
            self.archive(device, mid)

    def delete(self, device: Device, mid: str) -> None:
        """Delete on ``device``; the person no longer expects the message anywhere."""
        if device.owner(mid).client.delete(mid):
            self.unread.pop(mid, None)
            self._intend(mid, None, device.id, "delete")

    def archive(self, device: Device, mid: str) -> None:
        """File the message in Archive."""
        if device.owner(mid).client.archive(mid):
            self._change(mid, device.id, "archive", folder="Archive")

    def flag(self, device: Device, mid: str) -> None:
        """Flag the message."""
        if device.owner(mid).client.flag(mid):
            self._change(mid, device.id, "flag", flag=FLAGGED)

    def answer(self, device: Device, mid: str) -> None:
        """Reply: mark \\Answered and send a reply of a typical size."""
        line = device.owner(mid)
        if line.client.answered(mid):
            self._change(mid, device.id, "reply", flag=ANSWERED)
            size = int(self.mail_of[line.account].size.median)
            self.send(device, size, line.account)


def _now(action: Callable[..., None], *args: Any) -> Generator[Any, Any, None]:
    """A device request that acts at once and takes no simulated time."""
    action(*args)
    return
    yield  # pragma: no cover - makes this a generator
