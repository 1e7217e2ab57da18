"""The device's Maildir as a view, and a mail reader's edits to it (no program involved)."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.conformance import messages
from simulator.conformance.messages import render
from simulator.external.maildir import DOMAIN, Maildir, flags_of, mid_of, rfc822_size
from simulator.mail.store import ANSWERED, DELETED, FLAGGED, SEEN


def _file(root: Path, folder: str, sub: str, name: str, mid: str, size: int = 700) -> Path:
    """A message file as a sync program would leave it."""
    for s in ("cur", "new", "tmp"):
        (root / folder / s).mkdir(parents=True, exist_ok=True)
    path = root / folder / sub / name
    path.write_bytes(render(mid, size))
    return path


def test_view_lists_folders_messages_flags_and_sizes(tmp_path: Path) -> None:
    """Every folder (nested ones by their '/' path) is listed, each message with the mid from
    its Message-ID, the flags of its ':2,' suffix, and its size with CRLF line ends."""
    _file(tmp_path, "INBOX", "new", "1.host,U=1:2,", "a")
    _file(tmp_path, "INBOX", "cur", "2.host,U=2:2,FRS", "b")
    _file(tmp_path, "Lists/python", "cur", "3.host,U=1:2,T", "c")
    (tmp_path / "Sent" / "cur").mkdir(parents=True)
    (tmp_path / "Sent" / "new").mkdir()
    (tmp_path / "Sent" / "tmp").mkdir()
    view = Maildir(tmp_path).view()
    assert list(view) == ["INBOX", "Lists/python", "Sent"]
    assert [(m.mid, m.flags, m.size) for m in view["INBOX"]] == [
        ("a", frozenset(), 700), ("b", frozenset({FLAGGED, ANSWERED, SEEN}), 700)]
    assert view["Lists/python"][0].flags == {DELETED}
    assert view["Sent"] == []


def test_set_flags_renames_into_cur_keeping_the_base_name(tmp_path: Path) -> None:
    """Marking read moves the file from new/ to cur/ with the letters in ASCII order, keeps
    the part before ':2,' (the program's UID) and any letter mailsim does not model."""
    _file(tmp_path, "INBOX", "new", "1.host,U=7:2,P", "a")
    box = Maildir(tmp_path)
    mail = box.set_flags(box.find("a")[0], {SEEN, FLAGGED})
    assert mail.path == tmp_path / "INBOX" / "cur" / "1.host,U=7:2,FPS"
    assert box.find("a") == [mail]
    with pytest.raises(ValueError, match="unknown flags"):
        box.set_flags(mail, {"\\Recent"})


def test_move_writes_a_new_file_name_without_the_old_uid(tmp_path: Path) -> None:
    """A move is a new file in the target folder (no ',U=' of the old folder) with the same
    flags and bytes, and the old file is gone."""
    old = _file(tmp_path, "INBOX", "cur", "1.host,U=7:2,S", "a")
    box = Maildir(tmp_path)
    moved = box.move(box.find("a")[0], "Archive")
    assert moved.folder == "Archive" and moved.flags == {SEEN}
    assert moved.path.name == "1.mailsim:2,S"
    assert not old.exists()
    assert box.find("a") == [moved]


def test_add_and_delete(tmp_path: Path) -> None:
    """A sent copy is written through tmp/ into cur/ under a name no other file has; a
    delete removes the file."""
    _file(tmp_path, "Sent", "cur", "1.mailsim,U=1:2,S", "old")
    box = Maildir(tmp_path)
    sent = box.add("Sent", render("s", 900), {SEEN})
    assert sent.path.name == "2.mailsim:2,S" and sent.size == 900 and sent.mid == "s"
    assert not any((tmp_path / "Sent" / "tmp").iterdir())
    box.delete(sent)
    assert box.find("s") == []


def test_duplicates_show_as_two_copies(tmp_path: Path) -> None:
    """Two files with one Message-ID are two copies (a duplicate the checkers must see)."""
    _file(tmp_path, "INBOX", "cur", "1.a:2,", "x")
    _file(tmp_path, "INBOX", "cur", "2.b:2,S", "x")
    assert len(Maildir(tmp_path).find("x")) == 2


def test_helpers() -> None:
    """No info suffix means no flags; LF-only files count one more byte per line."""
    assert flags_of("1.host") == frozenset()
    assert flags_of("1.host:2,ST") == {SEEN, DELETED}
    assert rfc822_size(b"a\nb\r\n") == 6
    assert Maildir(Path("/nonexistent/mailsim")).view() == {}


def test_message_ids_read_as_conformance_renders_them() -> None:
    """The Maildir reader's Message-ID convention is the renderer's (same domain, same mid
    back, a foreign Message-ID kept whole, none without the header)."""
    assert DOMAIN == messages.DOMAIN
    for mid in ("m1", "x@example.org"):
        data = render(mid, 700)
        assert mid_of(data) == messages.mid_of(data) == mid
    assert mid_of(b"Subject: x\n\nMessage-ID: <body@x>\n") is None
