"""The world's SimPy environment, with one shortcut: a process may advance the clock at
once, instead of through a timeout, when no other event is due before the timeout would
fire. Nothing else could run in between, so the run is the same event for event (SimPy
orders events by time, then priority, then a rising id; skipping a timeout's id shifts the
ids of every later event by one and keeps their order)."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

import simpy
from simpy.core import BoundClass
from simpy.events import PENDING


class Clock(simpy.Environment):
    """A SimPy environment whose processes may skip a timeout nothing could interrupt."""

    __slots__ = ("_now",)
    """SimPy's clock, kept in a slot (the rest of SimPy's state stays in the instance's
    dict) so that ``now`` can name the same slot, below."""

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        for name, attr in vars(simpy.Environment).items():  # SimPy binds only the
            if type(attr) is BoundClass:  # environment's own class; a subclass's
                setattr(self, name, getattr(self, name))  # env.timeout paid a call each

    def run(self, until: Any = None) -> Any:
        """SimPy's ``run``, with Python's cycle collector called less often meanwhile: a
        run allocates millions of small, long-lived objects, and the default thresholds
        rescan them all over and over."""
        before = gc.get_threshold()
        gc.set_threshold(50_000, 20, 100)
        try:
            return super().run(until)
        finally:
            gc.set_threshold(*before)

    def skip(self, delay: float) -> bool:
        """Advance the clock by ``delay`` now, and say so, if the next scheduled event is
        strictly later than ``now + delay``; else leave the clock and say no (the caller
        yields a timeout). Exact only for the sole waiter of the event that resumed it
        (a process resumed by its own timeout, condition or event), as every Line is: a
        further callback of that event would otherwise see the later time."""
        at = self._now + delay
        queue = self._queue
        if not delay >= 0 or (queue and queue[0][0] <= at):
            return False  # a negative delay: the timeout raises SimPy's error
        self._now = at
        return True


Clock.now = Clock._now  # type: ignore[assignment,misc]
"""SimPy's ``now`` is a property calling a Python function; here it reads the slot that
SimPy's ``_now`` writes, in C (compiled code reads the clock millions of times a run)."""


class FirstOf(simpy.Event):
    """Triggered by the first of ``events`` to be processed: SimPy's ``AnyOf`` for events
    that never fail and whose values nobody reads, without the ConditionValue it builds.

    It takes AnyOf's steps (an event's processing schedules this one, now; this one's
    processing unhooks it from the others, then resumes the waiter), but for one shortcut,
    like :meth:`Clock.skip`'s: when nothing else is due now, this one's step would be the
    very next, so it is taken at once, inside the step of the event that met it. A run with
    it is the run with AnyOf, event for event (less those steps, whose ids it leaves to the
    events after). Exact for the sole waiter of its events, as a line is of its wake and
    its poll's timeout: a further callback of the event that met it would otherwise run
    after the waiter instead of before."""

    def __init__(self, env: simpy.Environment, events: Sequence[simpy.Event]) -> None:
        super().__init__(env)
        self._events = events
        check = self._check
        for event in events:
            if event.callbacks is None:  # already processed: met at once, like AnyOf
                if self._value is PENDING:  # (scheduled: its waiter is running)
                    self.succeed()
            else:
                event.callbacks.append(check)
        self.callbacks.append(self._unhook)

    def _check(self, event: simpy.Event) -> None:
        """One of the events happened: trigger, unless another did first; processed at
        once when nothing else is due now (see the class)."""
        if self._value is not PENDING:  # triggered (SimPy's property costs a call)
            return
        env: Any = self.env
        queue = env._queue
        if queue and queue[0][0] <= env._now:
            self.succeed()  # something else is due now, and goes first
            return
        self._ok, self._value = True, None  # succeed() and SimPy's step of this event
        callbacks, self.callbacks = self.callbacks, None
        for callback in callbacks:
            callback(self)

    def _unhook(self, event: simpy.Event) -> None:
        """Leave the events that did not happen (a line's wake outlives many waits)."""
        check = self._check
        for other in self._events:
            if other.callbacks and check in other.callbacks:
                other.callbacks.remove(check)
