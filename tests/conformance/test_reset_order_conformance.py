"""The order in which a folder is renumbered at a UIDVALIDITY reset, against Dovecot.

Dovecot (Maildir) rebuilds a lost UID list from the folder's files sorted by file name,
whose leading part is the time the file was written (seconds, then microseconds); a COPY or
MOVE hard-links the source file under its own base name. So after a reset a folder is
numbered in the order its files were written (delivery or APPEND, or a COPY that could not
keep the name), not in the order they reached the folder (rule 10).
"""

from __future__ import annotations

import pytest

from simulator.conformance import Outcome, Trace, deliver, quit, reset_uidvalidity, trace
from simulator.conformance import cmd as c
from tests.conformance.test_recovery_conformance import imap_in

SEEN, DELETED = "\\Seen", "\\Deleted"


TRACES: list[Trace] = [
    trace(
        "rule10_reset_numbers_a_copy_by_its_first_store", (10,),
        "r1 is delivered, r2 appended to Trash, then r1 copied there (Trash UIDs: r2=1, "
        "r1=2). After Trash's reset r1 comes first: the copy keeps its delivery time.",
        deliver("r1", 300), *imap_in(1),                                # 0-3
        c(1, "append", "Trash", "r2", 400, [SEEN]), c(1, "copy", [1], "Trash"),  # 4-5
        quit(1), reset_uidvalidity("Trash"),                             # 6-7
        expect=[("final", "Trash", [(1, "r1", 300, ()), (2, "r2", 400, (SEEN,))])],
    ),
    trace(
        "rule10_reset_numbers_a_moved_message_by_its_first_store", (10,),
        "The same with MOVE, and through a second folder: r1 moved to Archive after r2 was "
        "appended there, then both copied to Trash newest first; Archive and Trash are "
        "renumbered r1 first.",
        deliver("r1", 300), *imap_in(1),                                # 0-3
        c(1, "append", "Archive", "r2", 400), c(1, "move", [1], "Archive"),  # 4-5
        c(1, "select", "Archive"), c(1, "copy", [1], "Trash"), c(1, "copy", [2], "Trash"),  # 6-8
        quit(1), reset_uidvalidity("Archive"), reset_uidvalidity("Trash"),  # 9-11
        expect=[("final", "Archive", [(1, "r1", 300, ()), (2, "r2", 400, ())]),
                ("final", "Trash", [(1, "r1", 300, ()), (2, "r2", 400, ())])],
    ),
    trace(
        "rule10_reset_keeps_store_order_of_unmoved_messages", (10,),
        "Messages delivered or appended straight into a folder keep their relative order "
        "across a reset (here after an expunge left a gap).",
        deliver("m1", 300), deliver("m2", 300), deliver("m3", 300), *imap_in(1),  # 0-5
        c(1, "append", "INBOX", "a4", 300), c(1, "store", [2], "+", [DELETED]),  # 6-7
        c(1, "uid_expunge", [2]), quit(1), reset_uidvalidity("INBOX"),   # 8-10
        expect=[("final", "INBOX", [(1, "m1", 300, ()), (2, "m3", 300, ()),
                                    (3, "a4", 300, ())])],
    ),
    trace(
        "rule10_reset_numbers_a_second_copy_by_the_copy", (10,),
        "A second copy of r1 into a folder already holding its file cannot keep the name "
        "(Dovecot falls back to writing a new file): it is numbered by the time of that "
        "copy, after r2 and before r3; the same for a copy of r1 into INBOX after r4 arrived.",
        deliver("r1", 300), *imap_in(1),                                # 0-3
        c(1, "append", "Trash", "r2", 400), c(1, "copy", [1], "Trash"),  # 4-5
        c(1, "copy", [1], "Trash"), c(1, "append", "Trash", "r3", 400),  # 6-7
        deliver("r4", 300), c(1, "copy", [1], "INBOX"),                 # 8-9
        quit(1), reset_uidvalidity("Trash"), reset_uidvalidity("INBOX"),  # 10-12
        expect=[("final", "Trash", [(1, "r1", 300, ()), (2, "r2", 400, ()),
                                    (3, "r1", 300, ()), (4, "r3", 400, ())]),
                ("final", "INBOX", [(1, "r1", 300, ()), (2, "r4", 300, ()),
                                    (3, "r1", 300, ())])],
    ),
]  # fmt: skip


@pytest.mark.dovecot
@pytest.mark.parametrize("named", TRACES, ids=lambda t: t.name)
def test_reset_order_agrees_with_dovecot(named: Trace, outcome_of) -> None:
    """After a reset the folder is numbered in first-store order on both sides, as named."""
    outcome: Outcome = outcome_of(named)
    assert outcome.agree and not outcome.unmet(), outcome.report()
