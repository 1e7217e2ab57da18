"""IMAP against Dovecot: identity, flags, two-step delete, APPEND, COPY and MOVE.

SEMANTICS rules 10, 11, 12, 14 and 15 as named traces (RFC 3501/9051, RFC 4315 UIDPLUS,
RFC 6851 MOVE). Each must agree with Dovecot on every observable and show its behaviour.
"""

from __future__ import annotations

import pytest

from simulator.conformance import (
    Outcome,
    Trace,
    at,
    deliver,
    drop,
    open_,
    quit,
    reset_uidvalidity,
    trace,
)
from simulator.conformance import cmd as c

SEEN, FLAGGED, ANSWERED = "\\Seen", "\\Flagged", "\\Answered"
DELETED, DRAFT = "\\Deleted", "\\Draft"
NO_NEWS = {"new": [], "expunged": [], "flags": []}


def imap_in(k: int, folder: str = "INBOX") -> list:
    """Open IMAP session ``k``, log in and select ``folder`` (three steps)."""
    return [open_(k, "imap"), c(k, "login"), c(k, "select", folder)]


TRACES: list[Trace] = [
    trace(
        "rule10_uidnext_grows_past_expunged_messages", (10,),
        "UIDs strictly increase: a UID freed by EXPUNGE is never reused, UIDNEXT keeps growing.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1),        # 0-4
        c(1, "store", [2], "+", [DELETED]), c(1, "expunge"),         # 5-6
        deliver("m3", 300), c(1, "noop"), c(1, "fetch_new", 1), c(1, "select", "INBOX"),  # 7-10
        expect=[(8, "updates.new", [(3, "m3", 300, (), "step7")]),
                (10, "value.uidnext", 4), (10, "value.exists", 2)],
    ),
    trace(
        "rule10_uidvalidity_is_the_same_for_every_session", (10,),
        "Two sessions see the same UIDVALIDITY and the same UIDs for the same messages.",
        deliver("m1", 300), *imap_in(1), *imap_in(2),               # 0-6
        c(1, "fetch_new", 0), c(2, "fetch_new", 0), c(2, "search_all"),  # 7-9
        expect=[(3, "value.uidvalidity", 0), (6, "value.uidvalidity", 0), (9, "value", [1])],
    ),
    trace(
        "rule10_append_uids_never_reuse_an_expunged_one", (10, 14),
        "APPEND after an expunge in the same mailbox gets a new, higher UID.",
        *imap_in(1, "Drafts"), c(1, "append", "Drafts", "d1", 300, [DRAFT]),  # 0-3
        c(1, "store", [1], "+", [DELETED]), c(1, "expunge"),         # 4-5
        c(1, "append", "Drafts", "d2", 300, [DRAFT]),                # 6
        expect=[(3, "value", 1), (6, "value", 2)],
    ),
    trace(
        "rule10_uidvalidity_reset_renumbers_and_keeps_flags", (10, 16),
        "A server that loses its UIDs renumbers under a new UIDVALIDITY; old QRESYNC state "
        "gives no delta, so clients must drop their cache for that mailbox.",
        deliver("m1", 300), deliver("m2", 300), deliver("m3", 300), *imap_in(1),  # 0-5
        c(1, "store", [1], "+", [FLAGGED]), c(1, "store", [2], "+", [DELETED]),  # 6-7
        c(1, "expunge"), quit(1), reset_uidvalidity("INBOX"),         # 8-10
        open_(2, "imap"), c(2, "login"), c(2, "select", "INBOX", qresync=at(8)),  # 11-13
        c(2, "fetch_new", 0),                                         # 14
        expect=[(13, "value.uidvalidity", 1), (13, "value.vanished", []),
                (13, "value.changed", []), (13, "value.uidnext", 3),
                (14, "value", [(1, "m1", 300, (FLAGGED,), "step10"),
                               (2, "m3", 300, (), "step10")])],
    ),
    trace(
        "rule11_body_fetch_sets_seen_and_peek_does_not", (11,),
        "FETCH BODY[] sets \\Seen (reported as news); BODY.PEEK[] does not.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1),        # 0-4
        c(1, "fetch_body", 1, peek=True), c(1, "fetch_body", 2, peek=False),  # 5-6
        c(1, "fetch_body", 2, peek=False), c(1, "fetch_flags"),      # 7-8
        expect=[(5, "updates", NO_NEWS), (6, "updates.flags", [(2, (SEEN,), "step6")]),
                (7, "updates", NO_NEWS), (8, "value", [(1, (), "step0"), (2, (SEEN,), "step6")])],
    ),
    trace(
        "rule11_store_adds_removes_and_replaces_system_flags", (11,),
        "+FLAGS adds, -FLAGS removes, FLAGS replaces; every system flag is kept.",
        deliver("m1", 300), *imap_in(1),                              # 0-3
        c(1, "store", [1], "+", [FLAGGED, ANSWERED, SEEN]),          # 4
        c(1, "store", [1], "-", [FLAGGED]), c(1, "store", [1], "=", [DRAFT, DELETED]),  # 5-6
        c(1, "fetch_flags", uids=[1]),                                # 7
        expect=[(7, "value", [(1, (DELETED, DRAFT), "step6")])],
    ),
    trace(
        "rule11_store_without_change_reports_nothing", (11, 16),
        "Setting a flag a message already has changes nothing: no FETCH, no MODSEQ rise.",
        deliver("m1", 300), *imap_in(1), c(1, "store", [1], "+", [SEEN]),  # 0-4
        c(1, "store", [1], "+", [SEEN]), c(1, "fetch_flags"),        # 5-6
        expect=[(5, "value", []), (6, "value", [(1, (SEEN,), "step4")])],
    ),
    trace(
        "rule12_deleted_then_expunge_removes_the_message", (12,),
        "\\Deleted alone keeps the message (others still see it); EXPUNGE removes it.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1), *imap_in(2),  # 0-7
        c(1, "store", [1], "+", [DELETED]), c(2, "fetch_flags"),     # 8-9
        c(1, "expunge"), c(2, "noop"), c(2, "search_all"),           # 10-12
        expect=[(9, "updates.flags", [(1, (DELETED,), "step8")]), (10, "value", [1]),
                (11, "updates.expunged", [1]), (12, "value", [2])],
    ),
    trace(
        "rule12_logout_does_not_expunge", (12,),
        "LOGOUT leaves \\Deleted messages in place.",
        deliver("m1", 300), *imap_in(1), c(1, "store", [1], "+", [DELETED]), quit(1),  # 0-5
        expect=[("final", "INBOX", [(1, "m1", 300, (DELETED,))])],
    ),
    trace(
        "rule12_selecting_another_mailbox_does_not_expunge", (12,),
        "SELECT of another mailbox leaves the previous mailbox's \\Deleted messages in place.",
        deliver("m1", 300), *imap_in(1), c(1, "store", [1], "+", [DELETED]),  # 0-4
        c(1, "select", "Trash"), c(1, "select", "INBOX"),            # 5-6
        expect=[(6, "value.exists", 1)],
    ),
    trace(
        "rule12_dropped_connection_does_not_expunge", (12,),
        "A dropped connection expunges nothing.",
        deliver("m1", 300), *imap_in(1), c(1, "store", [1], "+", [DELETED]), drop(1),  # 0-5
        *imap_in(2),                                                  # 6-8
        expect=[(8, "value.exists", 1)],
    ),
    trace(
        "rule12_close_expunges_silently", (12,),
        "CLOSE expunges \\Deleted messages without reporting; others learn through VANISHED.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1), *imap_in(2),  # 0-7
        c(1, "store", [2], "+", [DELETED]), c(1, "close"), c(2, "noop"),  # 8-10
        expect=[(9, "ok", True), (10, "updates.expunged", [2])],
    ),
    trace(
        "rule12_close_keeps_deleted_mail_the_session_was_never_told_about", (12, 13, 14),
        "CLOSE acts on the session's view as of its last command: a \\Deleted message another "
        "session APPENDed since then stays (Dovecot's CLOSE does not sync the view first).",
        deliver("r1", 300), deliver("r2", 300), *imap_in(1), open_(2, "imap"),  # 0-5
        c(2, "login"), c(1, "expunge"), c(2, "append", "INBOX", "r3", 300, [SEEN, DELETED]),  # 6-8
        c(2, "noop"), c(1, "close"),                                  # 9-10
        expect=[(10, "ok", True),
                ("final", "INBOX", [(1, "r1", 300, ()), (2, "r2", 300, ()),
                                    (3, "r3", 300, (DELETED, SEEN))])],
    ),
    trace(
        "rule12_close_expunges_what_the_session_knows_with_current_flags", (12, 13),
        "CLOSE removes a known message another session marked \\Deleted without telling this "
        "one, and a message APPENDed before this session's last command.",
        deliver("r1", 300), deliver("r2", 300), *imap_in(1), *imap_in(2),  # 0-7
        c(2, "store", [1], "+", [DELETED]),                           # 8
        c(2, "append", "INBOX", "r3", 300, [DELETED]), c(1, "noop"), c(1, "close"),  # 9-11
        expect=[(10, "updates.new", [(3, "r3", 300, (DELETED,), "step9")]), (11, "ok", True),
                ("final", "INBOX", [(2, "r2", 300, ())])],
    ),
    trace(
        "rule12_uid_expunge_removes_only_the_named_uids", (12, 19),
        "UID EXPUNGE removes only the named \\Deleted UIDs, not other sessions' \\Deleted mail.",
        deliver("m1", 300), deliver("m2", 300), deliver("m3", 300),  # 0-2
        *imap_in(1), *imap_in(2),                                     # 3-8
        c(2, "store", [1], "+", [DELETED]), c(1, "store", [2, 3], "+", [DELETED]),  # 9-10
        c(1, "uid_expunge", [1, 2]), c(1, "search_all"),              # 11-12
        expect=[(11, "value", [1, 2]), (12, "value", [3])],
    ),
    trace(
        "rule12_expunge_removes_everyones_deleted", (12,),
        "Plain EXPUNGE removes every \\Deleted message, whoever marked it.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1), *imap_in(2),  # 0-7
        c(2, "store", [1], "+", [DELETED]), c(1, "expunge"),         # 8-9
        expect=[(9, "value", [1]), (9, "updates.expunged", [1])],
    ),
    trace(
        "rule12_expunge_takes_deleted_mail_another_session_just_appended", (12, 13, 14),
        "EXPUNGE removes a \\Deleted message APPENDed by another session a moment ago; "
        "it was never reported as new, and is not reported as expunged news either.",
        deliver("m1", 300), *imap_in(1), open_(2, "imap"), c(2, "login"),  # 0-5
        c(2, "append", "INBOX", "d1", 300, [DELETED]), c(1, "expunge"), c(1, "noop"),  # 6-8
        expect=[(7, "value", [2]), (7, "updates", NO_NEWS), (8, "updates", NO_NEWS),
                ("final", "INBOX", [(1, "m1", 300, ())])],
    ),
    trace(
        "rule14_append_assigns_new_uids_with_appenduid", (14,),
        "APPEND returns the new UID (APPENDUID) and keeps the given flags.",
        *imap_in(1, "Sent"), c(1, "append", "Sent", "s1", 500, [SEEN]),  # 0-3
        c(1, "append", "Sent", "s2", 600, [SEEN, ANSWERED]), c(1, "fetch_new", 0),  # 4-5
        expect=[(3, "value", 1), (4, "value", 2),
                (5, "value", [(1, "s1", 500, (SEEN,), "step3"),
                              (2, "s2", 600, (ANSWERED, SEEN), "step4")])],
    ),
    trace(
        "rule14_append_is_news_for_sessions_on_that_mailbox", (14, 13),
        "A message APPENDed by one session is reported as new to another on the same mailbox.",
        *imap_in(1, "Sent"), open_(2, "imap"), c(2, "login"),        # 0-4
        c(2, "append", "Sent", "s1", 500, [SEEN]), c(1, "noop"),     # 5-6
        expect=[(6, "updates.new", [(1, "s1", 500, (SEEN,), "step5")])],
    ),
    trace(
        "rule15_copy_keeps_flags_and_gives_new_uids", (15,),
        "COPY leaves the source alone and gives the copies new UIDs with the same flags.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1),        # 0-4
        c(1, "store", [1], "+", [FLAGGED, DELETED]), c(1, "copy", [1, 2], "Archive"),  # 5-6
        c(1, "copy", [2], "Archive"),                                 # 7
        expect=[(6, "value", [(1, 1), (2, 2)]), (7, "value", [(2, 3)]),
                ("final", "Archive", [(1, "m1", 300, (DELETED, FLAGGED)), (2, "m2", 300, ()),
                                      (3, "m2", 300, ())])],
    ),
    trace(
        "rule15_move_takes_the_message_out_of_the_source", (15,),
        "MOVE puts the message in the target (new UID, same flags) and expunges the source.",
        deliver("m1", 300), deliver("m2", 300), *imap_in(1), *imap_in(2, "Trash"),  # 0-7
        c(1, "store", [1], "+", [SEEN]), c(1, "move", [1], "Trash"),  # 8-9
        c(2, "noop"), c(1, "search_all"),                             # 10-11
        expect=[(9, "value", [(1, 1)]), (9, "updates.expunged", [1]),
                (10, "updates.new", [(1, "m1", 300, (SEEN,), "step9")]), (11, "value", [2])],
    ),
    trace(
        "rule15_move_of_a_vanished_uid_moves_nothing", (15, 19),
        "MOVE of a UID another session already expunged moves nothing and loses nothing.",
        deliver("m1", 300), *imap_in(1), *imap_in(2),                # 0-6
        c(2, "store", [1], "+", [DELETED]), c(2, "expunge"),         # 7-8
        c(1, "move", [1], "Trash"), c(1, "copy", [1], "Trash"),      # 9-10
        expect=[(9, "value", []), (9, "updates.expunged", [1]), ("final", "Trash", [])],
    ),
    trace(
        "rule15_copy_to_a_missing_mailbox_asks_to_create_it", (15,),
        "COPY, MOVE and APPEND to a mailbox that does not exist fail with [TRYCREATE].",
        deliver("m1", 300), *imap_in(1),                              # 0-3
        c(1, "copy", [1], "Nowhere"), c(1, "move", [1], "Nowhere"),  # 4-5
        c(1, "append", "Nowhere", "x1", 300),                         # 6
        expect=[(4, "code", "TRYCREATE"), (5, "code", "TRYCREATE"), (6, "code", "TRYCREATE"),
                ("final", "INBOX", [(1, "m1", 300, ())])],
    ),
    trace(
        "rule10_failed_select_leaves_no_mailbox_selected", (10,),
        "A failed SELECT deselects the current mailbox: the next FETCH is a protocol error.",
        deliver("m1", 300), *imap_in(1), c(1, "select", "Nowhere"), c(1, "fetch_flags"),  # 0-5
        expect=[(4, "ok", False), (5, "ok", False), (5, "code", "BAD")],
    ),
]  # fmt: skip


@pytest.mark.dovecot
@pytest.mark.parametrize("named", TRACES, ids=lambda t: t.name)
def test_imap_trace_agrees_with_dovecot(named: Trace, outcome_of) -> None:
    """The trace's IMAP behaviour is the same on the model and on Dovecot, as named."""
    outcome: Outcome = outcome_of(named)
    assert outcome.agree and not outcome.unmet(), outcome.report()
