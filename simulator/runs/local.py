"""Local parallel runs: this process works through a batch itself while spawned helper
processes start, and each helper takes a run only once it is ready.

Why: a spawned process needs about a second to start (Python and the simulator's imports),
so handing runs to processes still starting made short batches slower with two workers
than with one. Here ``workers`` processes run at once (this one and ``workers - 1``
helpers, started only if the batch outlasts GRACE_S); a batch of short runs finishes in
this process before any helper is up, and no run waits in a helper's queue while this
process is idle.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

GRACE_S = 0.25
"""How long this process works alone before the helpers are started: a batch done sooner
never pays for starting them (nor shares the CPU with their start-up)."""


class HelperDied(BrokenProcessPool):
    """A helper process died (the pool is broken) while item ``index`` was outstanding."""

    def __init__(self, index: int) -> None:
        super().__init__(f"a worker process died running item {index} of the batch")
        self.index = index


def _result(i: int, future: Future[R]) -> R:
    """A finished item's result; a broken pool is told with the item it broke on."""
    try:
        return future.result()
    except BrokenProcessPool as problem:
        raise HelperDied(i) from problem


class Helpers(Generic[T, R]):
    """``workers - 1`` spawned helper processes, started with the first batch and kept for
    every later one until :meth:`close`, working alongside this process."""

    def __init__(self, workers: int, fn: Callable[[T], R], warm: Callable[[], object]) -> None:
        """Helpers that will run ``fn``; ``warm`` (top-level, picklable) is what a helper
        runs first to show it is ready: it should import what ``fn`` needs."""
        self.size = max(1, workers - 1)
        self.fn = fn
        self.warm = warm
        self.pool: ProcessPoolExecutor | None = None
        self._ready: list[Future[object]] = []
        self._used = False

    def __enter__(self) -> Helpers[T, R]:
        """The helpers themselves, closed at the end of the block."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the helpers."""
        self.close()

    def start(self) -> ProcessPoolExecutor:
        """The pool (spawned: no fork of a threaded parent), starting it if need be."""
        if self.pool is None:
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=self.size, mp_context=context)
            self._ready = [self.pool.submit(self.warm) for _ in range(self.size)]
        return self.pool

    def close(self, abort: bool = False) -> None:
        """Stop the helpers: wait for them if they ran anything, else let them go (a helper
        still starting up does not hold the batch's end). With ``abort`` (this process is
        stopping on an error or a signal only it received, e.g. SIGTERM) they are ended
        first: nothing they are running is wanted any more."""
        if self.pool is not None:
            if abort:  # the pool has no public way to end its processes before Python 3.14
                for process in list(getattr(self.pool, "_processes", {}).values()):
                    process.terminate()
            self.pool.shutdown(wait=self._used or abort, cancel_futures=True)
            self.pool = None

    def map(self, items: Sequence[T]) -> Iterator[tuple[int, R]]:
        """(index into ``items``, ``fn(item)``) as each finishes, here or in a helper; the
        helpers start after GRACE_S if the batch is not done by then."""
        todo = deque(enumerate(items))
        lock = threading.Lock()
        finished: queue.SimpleQueue[tuple[int, Future[R]]] = queue.SimpleQueue()
        handed = 0

        def feed(_: object = None) -> None:
            """Give the next run to a helper that is ready or just finished one."""
            nonlocal handed
            with lock:
                pool = self.pool
                if not todo or pool is None:
                    return
                i, item = todo.popleft()
                handed += 1
                self._used = True
            try:
                future = pool.submit(self.fn, item)
            except Exception as problem:  # the pool broke (a helper died): tell the batch
                future = Future()
                future.set_exception(problem)
                finished.put((i, future))
                return
            future.add_done_callback(lambda f: (finished.put((i, f)), feed()))

        def start() -> None:
            """Start the helpers (unless the batch is done) and feed each once it is ready."""
            with lock:
                if not todo:
                    return
                self.start()
            for started in self._ready:
                started.add_done_callback(feed)

        timer = threading.Timer(GRACE_S if self.pool is None else 0.0, start)
        timer.daemon = True
        timer.start()
        received = 0
        try:
            while True:
                while not finished.empty():
                    i, future = finished.get()
                    received += 1
                    yield i, _result(i, future)
                with lock:
                    mine = todo.popleft() if todo else None
                if mine is None:
                    break
                yield mine[0], self.fn(mine[1])
            while received < handed:
                i, future = finished.get()
                received += 1
                yield i, _result(i, future)
        finally:
            with lock:
                todo.clear()  # a helper finishing later finds nothing more to take
            timer.cancel()
            timer.join()
