"""The end of an unsharded run: its world is let go before the summary, and a Ctrl-C that
arrives meanwhile still stops the command."""

from __future__ import annotations

import gc
import os
import signal
import time
from collections.abc import Iterator

import pytest

from simulator.runs.one import collect


class _Node:
    """An object in a reference cycle, holding a suspended generator (as a SimPy process)."""

    def __init__(self, gen: Iterator[int]) -> None:
        self.gen = gen
        self.me = self


def test_ctrl_c_while_the_world_is_collected_is_not_lost() -> None:
    """A Ctrl-C that arrives while the finished world's cycles are collected (its SimPy
    processes' generators are finalized then) raises KeyboardInterrupt once the pass is
    done, not inside a finalizer, where Python would print it and carry on."""

    def process() -> Iterator[int]:
        try:
            yield 1
        finally:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the signal is handled here, inside the finalizer

    gc.disable()  # no automatic pass may finalize the cycle before collect() does
    try:
        node = _Node(process())
        next(node.gen)
        del node
        with pytest.raises(KeyboardInterrupt):
            collect()
    finally:
        gc.enable()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
