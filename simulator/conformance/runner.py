"""What both sides of a trace share: normal forms of observations and step bookkeeping.

Implementations may number things differently and still be right, so each side reports
observations in a normal form that keeps only what a client can rely on:

- UIDs are relative to the first UID of their mailbox (1 = the first message stored);
- UIDVALIDITY values become their index among the values seen for that mailbox (0, 1, ..);
- a MODSEQ becomes the trace step after which the mailbox's HIGHESTMODSEQ first reached it
  ("this message last changed at step 7"): the order of changes, not the counter's values
  (Dovecot gives one MODSEQ per command, the model one per message);
- flags keep the five system flags only (``\\Recent`` is session-local and not modelled).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from simulator.conformance.trace import At, Step, Trace
from simulator.mail.store import FOLDERS, SYSTEM_FLAGS

Obs = dict[str, Any]


@dataclass(frozen=True)
class ModSeq:
    """A raw MODSEQ value of ``folder``, resolved to a step number after the step ends."""

    folder: str
    value: int


def flags(raw: Iterable[str]) -> tuple[str, ...]:
    """System flags only, sorted (keywords and ``\\Recent`` are dropped)."""
    return tuple(sorted(f for f in raw if f in SYSTEM_FLAGS))


@dataclass
class Observations:
    """One side's observations: one per step, plus the final mailbox state."""

    side: str
    steps: list[Obs] = field(default_factory=list)
    final: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    log: str = ""


class Runner(ABC):
    """Applies a trace step by step; subclasses talk to the model or to Dovecot."""

    side = "?"

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.settings = trace.settings
        self.first_uid: dict[str, int] = {}
        self._validities: dict[str, list[int]] = {f: [] for f in FOLDERS}
        self._state: dict[str, list[tuple[int, int]]] = {f: [] for f in FOLDERS}  # after -1, 0..

    # -- what subclasses provide ---------------------------------------------------------
    @abstractmethod
    def mailbox_state(self, folder: str) -> tuple[int, int]:
        """(UIDVALIDITY, HIGHESTMODSEQ) of ``folder`` right now, as the server knows them."""

    @abstractmethod
    def apply(self, index: int, step: Step) -> Obs:
        """Perform one step and return its raw observation."""

    @abstractmethod
    def finish(self) -> dict[str, list[tuple[Any, ...]]]:
        """End every open session as autologout would; return the final state per folder."""

    def close(self) -> None:
        """Release resources (processes, temp dirs)."""

    # -- driving -------------------------------------------------------------------------
    def run(self) -> Observations:
        """Apply every step, normalise, and collect the final state."""
        result = Observations(self.side)
        try:
            self._record()
            for index, step in enumerate(self.trace.steps):
                raw = self.apply(index, step)
                self._record()
                result.steps.append(self._resolve(raw))
            final = self.finish()
            self._record()
            result.final = {f: self._resolve(rows) for f, rows in final.items()}
        finally:
            result.log = self.diagnostics()
            self.close()
        return result

    def diagnostics(self) -> str:
        """Extra text shown when the trace fails (e.g. the server log)."""
        return ""

    def _record(self) -> None:
        """Remember every folder's (UIDVALIDITY, HIGHESTMODSEQ) after a step."""
        for folder in FOLDERS:
            validity, hms = self.mailbox_state(folder)
            self._state[folder].append((validity, hms))
            if validity not in self._validities[folder]:
                self._validities[folder].append(validity)

    # -- normal forms --------------------------------------------------------------------
    def rel(self, folder: str, uid: int) -> int:
        """A UID relative to the first UID of ``folder`` (1 = the first message)."""
        return uid - self.first_uid[folder] + 1

    def absolute(self, folder: str, rel: int) -> int:
        """The server's UID for a trace's relative UID."""
        return rel + self.first_uid[folder] - 1

    def validity_index(self, folder: str, validity: int) -> int:
        """0 for the first UIDVALIDITY seen in ``folder``, 1 for the next, ..."""
        known = self._validities[folder]
        if validity not in known:
            known.append(validity)
        return known.index(validity)

    def reference(self, folder: str, ref: At) -> tuple[int, int]:
        """(UIDVALIDITY, HIGHESTMODSEQ) of ``folder`` right after step ``ref.step``."""
        return self._state[folder][ref.step + 1]

    def _step_of(self, mod: ModSeq) -> int:
        """The first step after which the folder's HIGHESTMODSEQ reached ``mod.value``.

        Only steps under the folder's current UIDVALIDITY count: a reset restarts MODSEQs.
        """
        states = self._state[mod.folder]
        current = states[-1][0]
        for index, (validity, hms) in enumerate(states):
            if validity == current and hms >= mod.value:
                return index - 1
        return len(states) - 2

    def _resolve(self, value: Any) -> Any:
        """Replace every :class:`ModSeq` in an observation by its step."""
        if isinstance(value, ModSeq):
            return f"step{self._step_of(value)}"
        if isinstance(value, dict):
            return {k: self._resolve(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._resolve(v) for v in value)
        return value
