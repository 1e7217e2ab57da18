"""The world's clock may skip a timeout that nothing could interrupt: the run it gives is
the run the timeout gives, in time and in the order every process acts."""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import Any

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.world.clock import Clock, FirstOf


def test_skips_when_nothing_is_scheduled_before() -> None:
    """With the next event strictly later than now + delay, the clock moves at once."""
    env = Clock()
    env.timeout(5.0)
    assert env.skip(2.5)
    assert env.now == 2.5


def test_no_skip_on_a_tie() -> None:
    """An event due exactly at now + delay was scheduled first, so it runs first: no skip."""
    env = Clock()
    env.timeout(2.5)
    assert not env.skip(2.5)
    assert env.now == 0.0


def test_no_skip_over_an_event_due_now() -> None:
    """An event triggered now (delay 0) is still pending: the caller must yield to it."""
    env = Clock()
    env.event().succeed()
    assert not env.skip(0.0)
    assert not env.skip(1.0)
    assert env.now == 0.0


def test_no_skip_past_the_runs_end() -> None:
    """``run(until=T)`` stops at T: a delay reaching T is left to the timeout, which the
    run's end (urgent, at T) pre-empts."""
    env = Clock()
    seen: list[tuple[str, float]] = []

    def proc() -> Generator[Any, Any, None]:
        seen.append(("early", env.skip(1.0)))
        seen.append(("at end", env.skip(9.0)))
        yield env.timeout(9.0)
        seen.append(("never", True))  # pragma: no cover - the run ends first

    env.process(proc())
    env.run(until=10.0)
    assert seen == [("early", True), ("at end", False)]
    assert env.now == 10.0


def test_negative_delay_is_left_to_simpy() -> None:
    """A negative delay is not skipped; the timeout then raises SimPy's own error."""
    env = Clock()
    assert not env.skip(-1.0)
    with pytest.raises(ValueError):
        env.timeout(-1.0)


def _world(env: simpy.Environment, seed: int, skipping: bool,
           first_of: bool = False) -> list[tuple[float, int, int]]:
    """Several processes that wait random (often tied) delays, signal each other and log
    every step; with ``skipping`` they skip every timeout the clock allows, with
    ``first_of`` they sleep on FirstOf instead of AnyOf."""
    log: list[tuple[float, int, int]] = []
    wakes = [env.event() for _ in range(4)]

    def worker(i: int) -> Generator[Any, Any, None]:
        rng = random.Random(seed * 31 + i)
        for step in range(40):
            log.append((env.now, i, step))
            roll = rng.random()
            if roll < 0.15:  # wake another worker (an event due now)
                target = wakes[rng.randrange(4)]
                if not target.triggered:
                    target.succeed()
            elif roll < 0.35:  # sleep on a wake or a timeout, like a Line
                if wakes[i].triggered and rng.random() < 0.5:
                    wakes[i] = env.event()  # else an old wake may be met at once
                waits = [wakes[i], env.timeout(rng.choice([0.0, 0.5, 1.0]))]
                yield FirstOf(env, waits) if first_of else env.any_of(waits)
                continue
            delay = rng.choice([0.0, 0.25, 0.5, 1.0, 1.5, rng.random()])
            if not (skipping and isinstance(env, Clock) and env.skip(delay)):
                yield env.timeout(delay)

    for i in range(4):
        env.process(worker(i))
    env.run(until=30.0)
    log.append((env.now, -1, -1))
    return log


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_skipping_gives_the_same_run(seed: int) -> None:
    """Processes that skip what the clock allows act at the same times and in the same
    order as processes that always yield the timeout (ties, wakes and the run's end)."""
    assert _world(Clock(), seed, skipping=True) == _world(simpy.Environment(), seed, False)


def test_skipping_happens_in_the_comparison() -> None:
    """The comparison above is not vacuous: some timeouts are skipped."""
    env = Clock()
    calls: list[bool] = []
    original = env.skip

    def counting(delay: float) -> bool:
        calls.append(original(delay))
        return calls[-1]

    env.skip = counting  # type: ignore[method-assign]
    _world(env, 7, skipping=True)
    assert any(calls) and not all(calls)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_first_of_gives_the_same_run_as_any_of(seed: int) -> None:
    """Processes sleeping on FirstOf act at the same times and in the same order as the
    same processes sleeping on SimPy's AnyOf (wakes due now, already processed, tied with
    the timeout, or outliving the wait), with and without skipping."""
    for skipping in (False, True):
        assert (_world(Clock(), seed, skipping, first_of=True)
                == _world(Clock(), seed, skipping, first_of=False))


def test_first_of_leaves_the_events_that_did_not_happen() -> None:
    """A wake that outlives many timed-out waits does not collect their callbacks."""
    env = Clock()
    wake = env.event()

    def sleeper() -> Generator[Any, Any, None]:
        for _ in range(50):
            yield FirstOf(env, [wake, env.timeout(1.0)])

    env.process(sleeper())
    env.run(until=100.0)
    assert wake.callbacks == []


def test_first_of_is_met_by_an_event_already_processed() -> None:
    """An event processed before the wait starts meets it at once (in the same instant)."""
    env = Clock()
    done = env.event()
    done.succeed()
    times: list[float] = []

    def sleeper() -> Generator[Any, Any, None]:
        yield env.timeout(1.0)  # ``done`` is processed meanwhile
        yield FirstOf(env, [done, env.timeout(5.0)])
        times.append(env.now)

    env.process(sleeper())
    env.run(until=10.0)
    assert times == [1.0]


def _steps(waiting: type) -> tuple[int, list[float]]:
    """SimPy steps of a run where one process sleeps ten times on a wake or a timeout, on
    ``waiting`` (FirstOf or AnyOf); another wakes it at 2.5 and 6.75; and when it woke."""
    env = Clock()
    wake = [env.event()]
    times: list[float] = []

    def sleeper() -> Generator[Any, Any, None]:
        for _ in range(10):
            yield waiting(env, [wake[0], env.timeout(1.0)])
            times.append(env.now)
            if wake[0].triggered:
                wake[0] = env.event()

    def waker() -> Generator[Any, Any, None]:
        for delay in (2.5, 4.25):
            yield env.timeout(delay)
            wake[0].succeed()
        yield env.timeout(50.0)  # ending at once would schedule its process's end now

    env.process(sleeper())
    env.process(waker())
    steps = 0
    while env.peek() < float("inf"):
        env.step()
        steps += 1
    return steps, times


def test_first_of_takes_its_step_at_once_when_nothing_else_is_due() -> None:
    """When nothing else is due at the instant the wait is met, FirstOf's own step is the
    next one anyway: it is taken inside the step that met it, so the run has one step
    fewer per such wait, and the sleeper wakes at the same times as on AnyOf."""
    first_steps, first_times = _steps(FirstOf)
    any_steps, any_times = _steps(simpy.AnyOf)
    assert first_times == any_times == [1.0, 2.0, 2.5, 3.5, 4.5, 5.5, 6.5, 6.75, 7.75, 8.75]
    assert first_steps == any_steps - 10
