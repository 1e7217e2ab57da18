"""The classes built per message or per command (plain classes with their own ``__init__``,
so that the compiled build does not run a dataclass's interpreted one) compare and print by
value, as the dataclasses they replaced did."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.clients.imap_state import Action
from simulator.clients.local import LocalMsg
from simulator.mail.imap import SelectInfo
from simulator.mail.message import Cost, Message
from simulator.mail.reply import Reply
from simulator.mail.store import Entry

MSG = Message("m1@x", 1_000, 5.0)


@pytest.mark.parametrize(("make", "other"), [
    (lambda: LocalMsg("k", MSG, "INBOX", frozenset({"\\Seen"}), True),
     lambda: LocalMsg("k", MSG, "INBOX", frozenset({"\\Seen"}), False)),
    (lambda: Action("move", "k", arg="Trash"), lambda: Action("move", "k", arg="Archive")),
    (lambda: Entry(7, MSG, frozenset(), 3, 1), lambda: Entry(7, MSG, frozenset(), 4, 1)),
    (lambda: Message("m1@x", 1_000, 5.0), lambda: Message("m1@x", 1_000, 6.0)),
    (lambda: Reply(True, [1, 2], Cost(1, 10, 20)), lambda: Reply(True, [1, 2], Cost(1, 10, 21))),
])
def test_equal_fields_make_equal_objects(make: Any, other: Any) -> None:
    """Two built from the same fields are equal; one field apart, they are not."""
    assert make() == make() and make() is not make()
    assert make() != other()
    assert make() != object()


def test_the_immutable_ones_hash_by_value() -> None:
    """A message, a local copy and a queued action hash by value (a frozen dataclass did:
    the hash of the tuple of its fields)."""
    assert hash(MSG) == hash(("m1@x", 1_000, 5.0)) == hash(Message("m1@x", 1_000, 5.0))
    assert hash(LocalMsg("k", MSG, "INBOX", frozenset(), True)) == hash(
        LocalMsg("k", MSG, "INBOX", frozenset(), True))
    assert len({Action("flag", "k", "+", "\\Seen"), Action("flag", "k", "+", "\\Seen")}) == 1


def test_defaults_and_repr() -> None:
    """Defaults are those of the dataclasses, each list its own, and repr names every
    field."""
    reply = Reply(False, code="NO")
    assert (reply.value, reply.cost, reply.text, reply.updates) == (None, Cost(), "", None)
    a, b = SelectInfo(1, 2, 3, 4), SelectInfo(1, 2, 3, 4)
    a.vanished.append(9)
    assert b.vanished == [] and b.changed == []
    assert repr(Action("expunge", "k")) == (
        "Action(kind='expunge', key='k', op='+', arg='', msg=None)")
    assert repr(Entry(1, MSG, frozenset(), 2)) == (
        f"Entry(uid=1, msg={MSG!r}, flags=frozenset(), modseq=2, stored=0)")
    assert repr(SelectInfo(1, 2, 3, 4)) == (
        "SelectInfo(uidvalidity=1, uidnext=2, exists=3, highestmodseq=4, vanished=[], "
        "changed=[])")
    assert repr(reply).startswith("Reply(ok=False, value=None, cost=Cost(")
    assert repr(Message("m", 1)) == "Message(mid='m', size=1, date=0.0)"
