"""The history: one typed record per kind, built by ``add`` or given to ``emit``, kept in
order and fed to the subscribers of its class."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

import simulator.observe.records as records_module
from simulator.observe.history import (
    RECORDS,
    Delivered,
    History,
    Partition,
    Record,
    StoreChange,
    ViewChange,
)

INBOX = ("INBOX", frozenset())


def test_every_kind_has_one_record_class_with_named_fields() -> None:
    """Each record class carries its kind and names its fields (time first); no two
    classes share a kind."""
    classes = [c for c in vars(records_module).values()
               if isinstance(c, type) and issubclass(c, Record) and c is not Record]
    assert len(RECORDS) == len(classes) == len(set(RECORDS.values()))
    for kind, cls in RECORDS.items():
        assert cls.kind == kind
        assert cls.FIELDS[0] == "t", cls


def test_each_record_class_names_as_fields_what_its_init_takes_and_sets() -> None:
    """``FIELDS`` (what story files, shards and equality read) is, in order, what the
    class's ``__init__`` takes and sets, and a one-line docstring says what the record is:
    read from the source, since a compiled class keeps neither its docstring nor its
    ``__init__``'s signature."""
    source = Path(__file__).resolve().parents[2] / "simulator" / "observe" / "records.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    checked = 0
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name == "Record":
            continue
        [init] = [f for f in node.body if isinstance(f, ast.FunctionDef)]
        params = tuple(a.arg for a in init.args.args[1:])
        assigned = tuple(s.targets[0].attr for s in init.body if isinstance(s, ast.Assign))
        assert params == assigned == RECORDS[getattr(records_module, node.name).kind].FIELDS
        doc = ast.get_docstring(node)
        assert doc and "\n" not in doc, node.name
        checked += 1
    assert checked == len(RECORDS)


def test_records_compare_print_and_pickle_by_their_fields() -> None:
    """Two records of one class with equal fields are equal; another class with the same
    values is not; ``repr`` names the fields; a pickled record comes back equal."""
    view = ViewChange(2.0, "ann/phone", "m1", None, 1, 1)
    assert view == ViewChange(2.0, "ann/phone", "m1", None, 1, 1)
    assert view != ViewChange(2.0, "ann/phone", "m1", None, 1, 0)
    assert Delivered(1.0, "ann", "m1", 5) != StoreChange(1.0, "ann", "m1", "x", 1, 1, "m", "c")
    assert repr(Partition(3.0, ("office",), True)) == (
        "Partition(t=3.0, targets=('office',), active=True)")
    assert pickle.loads(pickle.dumps(view)) == view
    assert view.values() == (2.0, "ann/phone", "m1", None, 1, 1)


def test_add_builds_the_kinds_record_from_its_fields_in_order() -> None:
    """``add("store", ...)`` gives a StoreChange whose fields read by name."""
    history = History()
    history.add("store", 5.0, "ann", "add", "INBOX", 1000, 17, "m1", "deliver")
    [record] = history.events
    assert isinstance(record, StoreChange)
    assert (record.t, record.user, record.change, record.mailbox) == (5.0, "ann", "add", "INBOX")
    assert (record.uidvalidity, record.uid, record.mid, record.cause) == (1000, 17, "m1",
                                                                          "deliver")


def test_add_refuses_a_record_with_missing_fields_or_an_unknown_kind() -> None:
    """An emitter that forgets a field, or names no known kind, fails at once."""
    history = History()
    with pytest.raises(TypeError, match="size"):
        history.add("deliver", 1.0, "ann", "m1")
    with pytest.raises(KeyError, match="delivered"):
        history.add("delivered", 1.0, "ann", "m1", 100)
    assert history.events == []


def test_subscribers_get_only_their_class_and_emit_feeds_them_like_add() -> None:
    """A subscriber of Delivered sees deliveries, whether added by kind or emitted as a
    record, and nothing else."""
    history = History()
    seen: list[Delivered] = []
    history.subscribe(Delivered, seen.append)
    history.add("deliver", 1.0, "ann", "m1", 100)
    history.add("view", 2.0, "ann/phone", "m1", INBOX, 1, 1)
    history.emit(Delivered(3.0, "ann", "m2", 200))
    assert [(d.t, d.mid) for d in seen] == [(1.0, "m1"), (3.0, "m2")]
    assert [e.kind for e in history.events] == ["deliver", "view", "deliver"]
    assert [e.t for e in history.of("deliver")] == [1.0, 3.0]
    assert [e.mid for e in history.every(Delivered)] == ["m1", "m2"]


def test_a_history_that_keeps_nothing_still_feeds_its_subscribers() -> None:
    """With ``keep=False`` (compare, sweep) the checkers are fed all the same."""
    history = History(keep=False)
    seen: list[Delivered] = []
    history.subscribe(Delivered, seen.append)
    history.add("deliver", 1.0, "ann", "m1", 100)
    history.emit(Delivered(2.0, "ann", "m2", 100))
    assert len(seen) == 2 and history.events == []


def test_a_record_nobody_keeps_or_reads_is_not_built() -> None:
    """With ``keep=False`` and no subscriber of a kind, ``add`` of that kind builds nothing
    (a wrong field count goes unnoticed); a subscriber or ``keep`` gets it built."""
    history = History(keep=False)
    history.add("deliver", 1.0, "ann", "m1")  # one field short: never built
    seen: list[Delivered] = []
    history.subscribe(Delivered, seen.append)
    with pytest.raises(TypeError, match="size"):
        history.add("deliver", 1.0, "ann", "m1")
    with pytest.raises(TypeError, match="size"):
        History(keep=True).add("deliver", 1.0, "ann", "m1")
    assert seen == []
