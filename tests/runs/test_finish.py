"""The end of an unsharded run: its world is let go before the summary, and a Ctrl-C that
arrives meanwhile still stops the command."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
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

    had = signal.signal(signal.SIGINT, signal.default_int_handler)  # also under `pytest &`
    gc.disable()  # no automatic pass may finalize the cycle before collect() does
    try:
        node = _Node(process())
        next(node.gen)
        del node
        with pytest.raises(KeyboardInterrupt):
            collect()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        gc.enable()
        signal.signal(signal.SIGINT, had)


_CHILD = """
import gc, os, signal, sys, time
from simulator.runs.one import collect

class Node:
    def __init__(self, gen):
        self.gen, self.me = gen, self

def process():
    try:
        yield 1
    finally:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)

signal.signal(signal.SIGINT, getattr(signal, sys.argv[1]))
gc.disable()
node = Node(process())
next(node.gen)
del node
collect()
print("carried on", flush=True)
"""


@pytest.mark.parametrize(("handler", "code", "out"),
                         [("SIG_DFL", -signal.SIGINT, ""), ("SIG_IGN", 0, "carried on\n")])
def test_ctrl_c_while_collecting_goes_to_the_handler_there_was(handler: str, code: int,
                                                               out: str) -> None:
    """Under the system's default action a Ctrl-C held during the pass still ends the
    process once it is done; one the process ignores stays ignored."""
    child = subprocess.run([sys.executable, "-c", _CHILD, handler], capture_output=True,
                           text=True, timeout=60)
    assert (child.returncode, child.stdout) == (code, out), child.stderr
