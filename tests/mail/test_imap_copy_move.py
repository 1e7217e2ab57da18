"""Rule 15: COPY keeps flags and gives new UIDs (COPYUID); MOVE is atomic per message, the
message is always in the source or the target, never lost (RFC 6851)."""

from __future__ import annotations

from simulator.mail import imap
from simulator.mail.store import DELETED, FLAGGED, SEEN, Account, StoreEvent

from .conftest import deliver, flags_of, imap_select, mids


def test_rule15_copy_gives_new_uids_and_keeps_the_source(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 15: COPY maps source UIDs to new target UIDs; the source is untouched."""
    deliver(account, "m1", "m2")
    deliver(account, "a1", folder="Archive")
    reply = imap_select(server).copy([1, 2], "Archive")
    assert reply.value == {1: 2, 2: 3}
    assert mids(account) == ["m1", "m2"]
    assert mids(account, "Archive") == ["a1", "m1", "m2"]


def test_rule15_copy_keeps_every_flag(account: Account, server: imap.ImapServer) -> None:
    """Rule 15 (RFC 3501 §6.4.7): the copy carries the flags, \\Deleted included."""
    deliver(account, "m1")
    session = imap_select(server)
    session.store([1], "+", [SEEN, FLAGGED, DELETED])
    session.copy([1], "Archive")
    assert flags_of(account, "m1", "Archive") == {SEEN, FLAGGED, DELETED}


def test_rule15_move_puts_the_message_in_the_target_only(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 15: MOVE adds to the target with the same flags and expunges the source."""
    deliver(account, "m1")
    session = imap_select(server)
    session.store([1], "+", [SEEN])
    assert session.move([1], "Trash").value == {1: 1}
    assert mids(account) == [] and mids(account, "Trash") == ["m1"]
    assert flags_of(account, "m1", "Trash") == {SEEN}


def test_rule15_move_never_leaves_a_message_in_neither_folder(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 15: at every store event of a MOVE the message exists in source or target."""
    deliver(account, "m1", "m2")
    seen_missing = []

    def check(acc: Account, event: StoreEvent) -> None:
        """Record any moment at which a message is in no folder at all."""
        for mid in ("m1", "m2"):
            if not acc.find(mid):
                seen_missing.append((event.kind, mid))

    account.listeners.append(check)
    imap_select(server).move([1, 2], "Trash")
    assert seen_missing == []
    assert mids(account, "Trash") == ["m1", "m2"]


def test_rule15_move_of_an_expunged_uid_moves_nothing(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 15/19: MOVE of a UID already expunged elsewhere is a no-op, not an error."""
    deliver(account, "m1")
    session = imap_select(server)
    account.expunge("INBOX", [1], cause="elsewhere")
    reply = session.move([1], "Trash")
    assert reply.ok and reply.value == {} and mids(account, "Trash") == []


def test_rule15_copy_or_move_to_a_missing_mailbox_is_trycreate(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 15 (RFC 3501 §6.4.7): the target must exist; NO [TRYCREATE] otherwise."""
    deliver(account, "m1")
    session = imap_select(server)
    assert session.copy([1], "Nowhere").code == "TRYCREATE"
    assert session.move([1], "Nowhere").code == "TRYCREATE"
    assert mids(account) == ["m1"]
