"""The story merge: shards' story files become one file in time order (equal times in shard
order, each shared reset once), whatever the size of the blocks it reads them in."""

from __future__ import annotations

import errno
import gzip
import io
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.observe import storymerge
from simulator.observe.storymerge import StoryMismatch, merge_story_files

RESET = b'{"kind":"uidvalidity_reset","t":%r,"user":"u0","mailbox":"INBOX"}\n'


def _line(t: float, shard: int, n: int) -> bytes:
    """A record line that says where it came from (its times are in JSON's float form)."""
    return b'{"kind":"view","t":%r,"device":"s%d/phone","mid":"m%d@x","note":"{\\"t\\":1}"}\n' % (
        t, shard, n)


def _segments(draw: st.DrawFn, shards: int, resets: list[float]) -> list[list[bytes]]:
    """Each shard's lines: sorted times (often equal, within and across shards), with the
    shared resets in place at their times."""
    files: list[list[bytes]] = []
    for k in range(shards):
        times = sorted(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.25, 7.0]),
                                     max_size=40)))
        lines: list[bytes] = []
        n = 0
        for reset in [*resets, None]:
            while n < len(times) and (reset is None or times[n] <= reset):
                lines.append(_line(times[n], k, n))
                n += 1
            if reset is not None:
                lines.append(RESET % reset)
        files.append(lines)
    return files


@st.composite
def story_files(draw: st.DrawFn) -> list[list[bytes]]:
    """A few shards' story files, some empty, with zero to two shared resets."""
    resets = sorted(draw(st.lists(st.sampled_from([0.5, 1.0, 2.5]), max_size=2, unique=True)))
    return _segments(draw, draw(st.integers(1, 5)), resets)


def _expected(files: list[list[bytes]]) -> bytes:
    """The merge by definition: each segment's lines sorted by (time, shard, place), then
    its reset once."""
    out: list[bytes] = []
    segments = [_split(lines) for lines in files]
    for s in range(len(segments[0])):
        keyed = [(storymerge.line_time(line), k, i, line)
                 for k, parts in enumerate(segments) for i, line in enumerate(parts[s][0])]
        out += [line for *_, line in sorted(keyed)]
        if segments[0][s][1] is not None:
            out.append(segments[0][s][1])
    return b"".join(out)


def _split(lines: list[bytes]) -> list[tuple[list[bytes], bytes | None]]:
    """A file's segments: its own lines up to each reset, and the reset."""
    parts: list[tuple[list[bytes], bytes | None]] = []
    own: list[bytes] = []
    for line in lines:
        if line.startswith(storymerge.SHARED):
            parts.append((own, line))
            own = []
        else:
            own.append(line)
    parts.append((own, None))
    return parts


def _write(folder: Path, files: list[list[bytes]], ragged: bool = False) -> list[Path]:
    """The files, gzipped; ``ragged``: the last line of each has no newline."""
    paths = []
    for k, lines in enumerate(files):
        path = folder / f"{k}.jsonl.gz"
        text = b"".join(lines)
        path.write_bytes(gzip.compress(text[:-1] if ragged else text, mtime=0))
        paths.append(path)
    return paths


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=story_files(), read=st.sampled_from([1, 60, 200, 1 << 15]),
       fan_in=st.sampled_from([2, 3, 512]), ragged=st.booleans(),
       write=st.sampled_from([1, 300, 1 << 20]))
def test_blocks_of_any_size_merge_into_the_definitions_order(
        tmp_path_factory: pytest.TempPathFactory, files: list[list[bytes]], read: int,
        fan_in: int, ragged: bool, write: int, monkeypatch_module: pytest.MonkeyPatch) -> None:
    """Read a byte at a time or many lines, in one round or several, the merged file holds
    every line once, by time, equal times in shard order and in each file's order, each
    reset once at its place (a string holding ``"t":`` does not confuse it; a file's last
    line may lack its newline). However the lines are handed to the compressing thread,
    the file's bytes are those of compressing the merged lines in one go."""
    monkeypatch_module.setattr(storymerge, "READ", read)
    monkeypatch_module.setattr(storymerge, "FAN_IN", fan_in)
    monkeypatch_module.setattr(storymerge, "WRITE", write)
    folder = tmp_path_factory.mktemp("stories")
    merge_story_files(_write(folder, files, ragged), folder / "out.jsonl.gz")
    expected = _expected(files)
    assert gzip.decompress((folder / "out.jsonl.gz").read_bytes()) == expected
    whole = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=whole, compresslevel=1, mtime=0) as out:
        out.write(expected)
    assert (folder / "out.jsonl.gz").read_bytes() == whole.getvalue()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    """A monkeypatch that hypothesis's examples share (undone after the module)."""
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def test_a_reset_one_shard_lacks_is_refused_even_in_the_middle_of_a_block(
        tmp_path: Path) -> None:
    """Shards that disagree about a shared reset are a bug: the merge stops."""
    files = [[_line(1.0, 0, 0), RESET % 2.0, _line(3.0, 0, 1)], [_line(1.0, 1, 0)]]
    with pytest.raises(StoryMismatch, match="disagree"):
        merge_story_files(_write(tmp_path, files), tmp_path / "out.jsonl.gz")


@pytest.mark.parametrize("fan_in", [2, 512])
def test_the_merge_tells_how_many_of_the_shards_bytes_it_has_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fan_in: int) -> None:
    """Now and then, and once at the end, the merge tells the bytes of the shards' own
    files read so far (scratch files merged ahead do not count), never going back (gzip
    reads a file 128 KB at a time)."""
    monkeypatch.setattr(storymerge, "READ", 64)
    monkeypatch.setattr(storymerge, "TELL_EVERY", 3)
    monkeypatch.setattr(storymerge, "FAN_IN", fan_in)
    noise = random.Random(1)  # lines that compress badly: files of several reads each
    files = [[_line(float(t), k, noise.getrandbits(256)) for t in range(5000)]
             for k in range(4)]
    paths = _write(tmp_path, files)
    total = sum(p.stat().st_size for p in paths)
    told: list[tuple[int, int]] = []
    merge_story_files(paths, tmp_path / "out.jsonl.gz", lambda done, of: told.append((done, of)))
    assert len(told) > 3 and told[-1] == (total, total)
    assert all(of == total for _, of in told)
    assert [d for d, _ in told] == sorted(d for d, _ in told) and told[0][0] < total


def test_a_write_that_fails_on_the_compressing_thread_stops_the_merge(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while the merged file is compressed (on a thread of its own) is raised
    by the merge, which does not hang, and the thread ends."""
    monkeypatch.setattr(storymerge, "WRITE", 64)
    writes = 0
    real = gzip.GzipFile.write

    def full_disk(self: gzip.GzipFile, data: bytes) -> int:
        nonlocal writes
        writes += 1
        if writes > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(gzip.GzipFile, "write", full_disk)
    files = [[_line(float(t), k, t) for t in range(300)] for k in range(3)]
    with pytest.raises(OSError, match="No space left"):
        merge_story_files(_write(tmp_path, files), tmp_path / "out.jsonl.gz")
    assert not [t for t in threading.enumerate() if t.name == "story-compressor"]
