"""Files written whole or not at all: through a temporary file in the same folder and a
rename, so an interrupted write never leaves half a file where a whole one was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8, newlines as given) via a temporary file and a
    rename."""
    write_atomic(path, text.encode("utf-8"))


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write text (UTF-8) or bytes to ``path`` via a temporary file and a rename."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException as problem:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(problem, OSError) and problem.filename is None:
            problem.filename = str(path)  # a failed write names no file: say which
        raise


__all__ = ["write_atomic", "write_text_atomic"]
