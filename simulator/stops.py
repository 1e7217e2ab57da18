"""How a command stops on Ctrl-C (SIGINT) or SIGTERM, even when Python loses the stop.

Python raises a signal's KeyboardInterrupt in whatever Python code runs next. When that is a
finalizer (a weakref callback or a ``__del__`` that the garbage collector runs at any
allocation), Python prints "Exception ignored" and carries on, and a comparison would go on
to finish as if nobody had pressed Ctrl-C. So the handlers here also remember each stop
signal, and a command asks :func:`check` at each step of its progress and before it writes
its results: a stop that Python lost is raised again there.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType

Progress = Callable[[int, int, str], None]


class Terminated(KeyboardInterrupt):
    """SIGTERM (a batch system's time limit, ``kill``): stops a command as Ctrl-C does."""


_CAME: list[int] = []
"""The stop signals that came, in order (kept for the rest of the process: it is stopping)."""


def _stop(signum: int, frame: FrameType | None) -> None:
    _CAME.append(signum)
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


def install() -> None:
    """Handle SIGTERM, and SIGINT unless it is ignored (a job started in the background)."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)


def terminated() -> bool:
    """Whether SIGTERM came."""
    return signal.SIGTERM in _CAME


def check() -> None:
    """Stop now (KeyboardInterrupt, or Terminated after SIGTERM) if a stop signal came."""
    if _CAME:
        raise Terminated if terminated() else KeyboardInterrupt


def checked(progress: Progress) -> Progress:
    """``progress`` that first stops the command if a stop signal came."""

    def step(done: int, total: int, label: str) -> None:
        check()
        progress(done, total, label)

    return step


__all__ = ["Terminated", "check", "checked", "install", "terminated"]
