"""IMAP resynchronisation against Dovecot: concurrent sessions, CONDSTORE and QRESYNC.

SEMANTICS rules 13 and 16 as named traces (RFC 3501 §5.2, RFC 2177 IDLE, RFC 7162).
MODSEQs are compared as "the step that last changed the message" (see runner.py).
"""

from __future__ import annotations

import pytest

from simulator.conformance import Outcome, Trace, at, deliver, open_, trace
from simulator.conformance import cmd as c

SEEN, FLAGGED, DELETED = "\\Seen", "\\Flagged", "\\Deleted"


def imap_in(k: int, folder: str = "INBOX") -> list:
    """Open IMAP session ``k``, log in and select ``folder`` (three steps)."""
    return [open_(k, "imap"), c(k, "login"), c(k, "select", folder)]


TRACES: list[Trace] = [
    trace(
        "rule13_other_session_learns_changes_at_its_next_command", (13,),
        "A session without IDLE hears of new mail, flag changes and expunges only in replies.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1), *imap_in(2),  # 0-7
        c(1, "store", [1], "+", [FLAGGED]), c(1, "store", [2], "+", [DELETED]),  # 8-9
        c(1, "expunge"), deliver("m3", 400), c(2, "noop"), c(2, "noop"),  # 10-13
        expect=[(12, "updates.new", [(3, "m3", 400, (), "step11")]),
                (12, "updates.expunged", [2]),
                (12, "updates.flags", [(1, (FLAGGED,), "step8")]),
                (13, "updates", {"new": [], "expunged": [], "flags": []})],
    ),
    trace(
        "rule13_idle_reports_what_happened_meanwhile", (13,),
        "IDLE delivers the pending news at once (here: a delivery and a flag change).",
        deliver("m1", 300), *imap_in(1), *imap_in(2),                # 0-6
        deliver("m2", 300), c(2, "store", [1], "+", [SEEN]), c(1, "idle"),  # 7-9
        expect=[(9, "updates.new", [(2, "m2", 300, (), "step7")]),
                (9, "updates.flags", [(1, (SEEN,), "step8")])],
    ),
    trace(
        "rule13_any_command_carries_the_news", (13,),
        "News rides on the reply to any command, e.g. a FETCH of unrelated messages.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1), *imap_in(2),  # 0-7
        c(2, "store", [2], "+", [FLAGGED]), c(1, "fetch_flags", uids=[1]),  # 8-9
        expect=[(9, "value", [(1, (), "step0")]),
                (9, "updates.flags", [(2, (FLAGGED,), "step8")])],
    ),
    trace(
        "rule13_three_sessions_see_one_mailbox", (13, 10),
        "Three sessions on one mailbox converge on the same UIDs and flags.",
        deliver("m1", 300), *imap_in(1), *imap_in(2), *imap_in(3),   # 0-9
        c(1, "store", [1], "+", [SEEN]), c(2, "append", "INBOX", "a1", 350, [FLAGGED]),  # 10-11
        c(3, "fetch_flags"), c(1, "fetch_new", 1), c(2, "search_all"),  # 12-14
        expect=[(12, "value", [(1, (SEEN,), "step10"), (2, (FLAGGED,), "step11")]),
                (13, "value", [(2, "a1", 350, (FLAGGED,), "step11")]), (14, "value", [1, 2])],
    ),
    trace(
        "rule16_modseq_rises_only_on_real_changes", (16,),
        "Peeking, fetching flags and no-op stores leave MODSEQ and HIGHESTMODSEQ alone.",
        deliver("m1", 300), *imap_in(1), c(1, "fetch_body", 1, peek=True),  # 0-4
        c(1, "store", [1], "-", [SEEN]), c(1, "fetch_flags"), c(1, "noop"),  # 5-7
        c(1, "select", "INBOX"),                                      # 8
        expect=[(6, "value", [(1, (), "step0")]), (8, "value.highestmodseq", "step0")],
    ),
    trace(
        "rule16_changedsince_returns_only_changed_messages", (16,),
        "FETCH FLAGS (CHANGEDSINCE m) lists only the messages changed after m.",
        deliver("m1", 300), deliver("m2", 300), deliver("m3", 300), *imap_in(1),  # 0-5
        c(1, "store", [2], "+", [FLAGGED]), c(1, "fetch_flags", changedsince=at(5)),  # 6-7
        c(1, "fetch_flags", changedsince=at(6)),                      # 8
        expect=[(7, "value", [(2, (FLAGGED,), "step6")]), (8, "value", [])],
    ),
    trace(
        "rule16_qresync_select_returns_vanished_and_changed", (16,),
        "SELECT (QRESYNC) from an old state reports expunged UIDs and changed/new messages.",
        deliver("m1", 300), deliver("m2", 300), deliver("m3", 300), *imap_in(1),  # 0-5
        open_(2, "imap"), c(2, "login"),                              # 6-7
        c(1, "store", [1], "+", [SEEN]), c(1, "store", [2], "+", [DELETED]),  # 8-9
        c(1, "expunge"), deliver("m4", 300), c(1, "close"),           # 10-12
        c(2, "select", "INBOX", qresync=at(5)),                       # 13
        expect=[(13, "value.vanished", [2]),
                (13, "value.changed", [(1, (SEEN,), "step8"), (4, (), "step11")])],
    ),
    trace(
        "rule16_qresync_of_an_unchanged_mailbox_is_empty", (16,),
        "QRESYNC from the current HIGHESTMODSEQ reports nothing.",
        deliver("m1", 300), *imap_in(1), c(1, "store", [1], "+", [SEEN]),  # 0-4
        c(1, "select", "Trash"), c(1, "select", "INBOX", qresync=at(4)),  # 5-6
        expect=[(6, "value.vanished", []), (6, "value.changed", [])],
    ),
    trace(
        "rule16_qresync_and_messages_added_then_expunged", (16,),
        "A message added and expunged after the client's state is reported as vanished.",
        deliver("m1", 300), *imap_in(1), c(1, "close"),              # 0-4
        deliver("m2", 300), c(1, "select", "INBOX"), c(1, "store", [2], "+", [DELETED]),  # 5-7
        c(1, "expunge"), c(1, "close"), c(1, "select", "INBOX", qresync=at(4)),  # 8-10
        expect=[(10, "value.changed", [])],
    ),
    trace(
        "rule16_flag_change_then_expunge_reports_only_the_expunge", (16, 19),
        "A message changed then expunged after the client's state is only reported vanished.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1), c(1, "close"),  # 0-5
        c(1, "select", "INBOX"), c(1, "store", [1], "+", [FLAGGED, DELETED]),  # 6-7
        c(1, "uid_expunge", [1]), c(1, "select", "Trash"),            # 8-9
        c(1, "select", "INBOX", qresync=at(5)),                       # 10
        expect=[(10, "value.vanished", [1]), (10, "value.changed", [])],
    ),
    trace(
        "rule13_a_failed_command_carries_no_news", (13, 17),
        "A command that fails (APPEND over quota) reports no news; the next command does.",
        deliver("m1", 500), *imap_in(1), *imap_in(2),                # 0-6
        c(2, "store", [1], "+", [FLAGGED]), deliver("m2", 400),      # 7-8
        c(1, "append", "INBOX", "a1", 300), c(1, "noop"),            # 9-10
        quota=1000,
        expect=[(9, "code", "OVERQUOTA"), (9, "updates", {"new": [], "expunged": [], "flags": []}),
                (10, "updates.new", [(2, "m2", 400, (), "step8")]),
                (10, "updates.flags", [(1, (FLAGGED,), "step7")])],
    ),
    trace(
        "rule13_mail_added_and_moved_before_being_announced_is_no_news", (13, 15),
        "A message that arrives and leaves between two commands is neither new nor expunged.",
        deliver("m1", 300), *imap_in(1), deliver("m2", 300), deliver("m3", 300),  # 0-5
        c(1, "move", [1, 2], "Trash"), c(1, "noop"),                 # 6-7
        expect=[(6, "value", [(1, 1), (2, 2)]), (6, "updates.expunged", [1]),
                (6, "updates.new", [(3, "m3", 300, (), "step5")])],
    ),
]  # fmt: skip


@pytest.mark.dovecot
@pytest.mark.parametrize("named", TRACES, ids=lambda t: t.name)
def test_sync_trace_agrees_with_dovecot(named: Trace, outcome_of) -> None:
    """The trace's resynchronisation behaviour is the same on the model and on Dovecot."""
    outcome: Outcome = outcome_of(named)
    assert outcome.agree and not outcome.unmet(), outcome.report()
