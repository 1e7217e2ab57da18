"""The story file: the records stories are told from, streamed to a gzip JSON Lines file
as the run goes, read back exactly, the same bytes for the same run, and nothing left on
disk when no file was asked for."""

from __future__ import annotations

import ast
import gzip
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.observe import storyfile
from simulator.observe.history import (
    Deferred,
    Delivered,
    Drop,
    Intent,
    Record,
    StoreChange,
    ViewChange,
)
from simulator.observe.narrative import ABOUT_A_MESSAGE, CONTEXT
from simulator.observe.storyfile import LINES, StoryWriter, decode, encode, line, records
from simulator.runs import run

FAULTS = Path(__file__).parents[2] / "scenarios" / "faults.yaml"


def test_story_file_holds_exactly_the_story_records_of_the_history(tmp_path: Path) -> None:
    """Read back, the file gives the history's message and context records, equal field
    for field (states included), in the order the run produced them."""
    path = tmp_path / "stories.jsonl.gz"
    results = run(FAULTS, story_file=path)
    expected = [e for e in results.history.events if isinstance(e, (*ABOUT_A_MESSAGE, *CONTEXT))]
    got = list(records(path))
    assert len(got) == len(expected) > 1000
    assert got == expected
    assert any(getattr(e, "state", None) for e in got)


def test_story_file_is_deterministic_and_plain_json_lines(tmp_path: Path) -> None:
    """Two runs of the same scenario and seed write the same bytes; each line is a JSON
    object naming its kind and time."""
    first, second = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    summary = run(FAULTS, keep_history=False, story_file=first).summary_json()
    assert run(FAULTS, keep_history=False, story_file=second).summary_json() == summary
    assert first.read_bytes() == second.read_bytes()
    with gzip.open(first, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    assert all({"kind", "t"} <= set(row) for row in rows)
    assert {"deliver", "view", "intent"} <= {row["kind"] for row in rows}


def test_stories_are_the_same_without_history_and_nothing_stays_on_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a kept history and without a named file, the stories in summary.json are
    the kept history's, and the temporary story file leaves nothing behind."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    kept = run(FAULTS).summary_json()
    assert run(FAULTS, keep_history=False).summary_json() == kept
    assert '"story": "' in kept
    assert list(tmp_path.iterdir()) == []


def test_a_writer_reads_back_what_it_buffered() -> None:
    """Records still in the writer's buffer are written before it is read."""
    run_records = [e for e in run(FAULTS).history.events if isinstance(e, ABOUT_A_MESSAGE)][:5]
    writer = StoryWriter()
    writer.extend(run_records)
    assert list(writer) == run_records
    writer.close()


def test_pyarrow_reads_the_story_file(tmp_path: Path) -> None:
    """A columnar tool reads the file as it is (pyarrow infers one table from the lines)."""
    pa_json = pytest.importorskip("pyarrow.json")
    path = tmp_path / "stories.jsonl.gz"
    run(FAULTS, keep_history=False, story_file=path)
    table = pa_json.read_json(path)
    assert table.num_rows == sum(1 for _ in records(path))
    assert {"kind", "t", "mid", "device", "state"} <= set(table.column_names)


def test_each_story_kind_has_a_fast_line() -> None:
    """Every kind a story reads has its own fast line (none falls back to the generic one)."""
    assert set(LINES) == {*ABOUT_A_MESSAGE, *CONTEXT}


def test_fast_lines_are_the_generic_encoding_on_a_whole_run() -> None:
    """For every story record of a run with faults, the fast line is the generic JSON text."""
    story = [e for e in run(FAULTS).history.events if isinstance(e, (*ABOUT_A_MESSAGE, *CONTEXT))]
    assert {type(e) for e in story} >= {ViewChange, Intent, StoreChange, Drop}
    assert [line(e) for e in story] == [encode(e) for e in story]


def test_a_buffer_of_records_is_written_line_by_line_whatever_times_they_share() -> None:
    """The buffered path, which writes a time's text once for records holding the same time
    object, gives each record's own line: with times shared, equal but distinct, an int
    0 beside a float 0.0 and 0.0 beside -0.0 (equal values, different texts)."""
    t = 12.5
    same = [ViewChange(t, "d", "m1", None, 0, 0), Deferred(t, "u", "m1"),
            Delivered(float("12.5"), "u", "m2", 3), Deferred(0, "u", "m3"),
            Deferred(0.0, "u", "m3"), Deferred(-0.0, "u", "m3"), Deferred(12.5, "u", "m4"),
            Drop(0.0, "d", "select", "before", "random")]
    run_story = [e for e in run(FAULTS).history.events
                 if isinstance(e, (*ABOUT_A_MESSAGE, *CONTEXT))]
    for batch in (same, run_story):
        assert storyfile._lines(batch) == [line(e) for e in batch]


_TEXT = st.text(max_size=8)  # any code point: quotes, backslashes, controls, non-ASCII
_STATE = st.none() | st.tuples(_TEXT, st.frozensets(_TEXT, max_size=3))
_FIELD = {"float": st.floats(allow_nan=False, allow_infinity=False) | st.integers(0, 10**9),
          "str": _TEXT, "int": st.integers(-(2**40), 2**40), "State | None": _STATE}


def _field_types() -> dict[str, list[str]]:
    """Each record class's ``__init__`` annotations, as written (a compiled class keeps
    none at run time)."""
    source = Path(__file__).resolve().parents[2] / "simulator" / "observe" / "records.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    return {node.name: [ast.unparse(a.annotation) for a in init.args.args[1:] if a.annotation]
            for node in tree.body if isinstance(node, ast.ClassDef)
            for init in node.body if isinstance(init, ast.FunctionDef)}


_TYPES = _field_types()


@st.composite
def _story_records(draw: st.DrawFn) -> Record:
    """A record of any story kind with arbitrary field values of its fields' types."""
    cls = draw(st.sampled_from(sorted(LINES, key=lambda c: c.kind)))
    return cls(*(draw(_FIELD[kind]) for kind in _TYPES[cls.__name__]))


@given(_story_records())
def test_fast_lines_are_the_generic_encoding_for_any_values(record: Record) -> None:
    """Whatever the strings, numbers and states, the fast line is the generic JSON text, and
    decodes back to the record."""
    assert line(record) == encode(record)
    assert decode(line(record)) == record


@pytest.mark.parametrize("block", [64, 1000, 1 << 20])
def test_about_gives_exactly_the_records_of_the_wanted_messages_and_kinds(
        block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Searching blocks of lines (of any size, lines cut between blocks) finds the same
    records, in the same order, as decoding every line and keeping the wanted ones; a
    message whose id starts another's (m1@x, m10@x) brings only its own."""
    monkeypatch.setattr(storyfile, "READ_BLOCK", block)
    story = [e for e in run(FAULTS).history.events if isinstance(e, (*ABOUT_A_MESSAGE, *CONTEXT))]
    mids = sorted({e.mid for e in story if isinstance(e, ABOUT_A_MESSAGE)})
    wanted = {mids[0], mids[len(mids) // 2], mids[-1]}
    kinds = ["drop", "lost"]
    writer = StoryWriter()
    writer.extend(story)
    expected = [e for e in story if e.kind in kinds or getattr(e, "mid", None) in wanted]
    assert list(writer.about(wanted, kinds)) == expected
    assert list(writer.about({"m1@nobody"}, [])) == []
    writer.close()


def test_about_does_not_confuse_a_message_with_one_whose_id_it_starts() -> None:
    """Asked for m1@x, the reader gives m1@x's records and not m10@x's."""
    writer = StoryWriter()
    writer.extend([Delivered(1.0, "x", "m10@x", 10), Delivered(2.0, "x", "m1@x", 20),
                   Deferred(3.0, "x", "m1@x")])
    assert [e.t for e in writer.about({"m1@x"}, [])] == [2.0, 3.0]
    writer.close()
