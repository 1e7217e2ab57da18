"""POP3 against Dovecot: SEMANTICS rules 1-9 as named traces (RFC 1939, RFC 2449).

Each trace runs on the functional core and on a real Dovecot; the test passes when every
observable agrees and the behaviour the trace is named after shows on both sides.
Dovecot's defaults are pinned per trace: ``pop3_lock`` (``pop3_lock_session``) and
``seen_on_retr`` (``pop3_no_flag_updates``).
"""

from __future__ import annotations

import pytest

from simulator.conformance import (
    Outcome,
    Trace,
    autologout,
    deliver,
    drop,
    open_,
    quit,
    reset_uidvalidity,
    trace,
)
from simulator.conformance import cmd as c

SEEN = "\\Seen"


def pop3_session(k: int) -> list:
    """Open POP3 session ``k`` and log in (two steps)."""
    return [open_(k, "pop3"), c(k, "login")]


def imap_inbox(k: int) -> list:
    """Open IMAP session ``k``, log in and select INBOX (three steps)."""
    return [open_(k, "imap"), c(k, "login"), c(k, "select", "INBOX")]


TRACES: list[Trace] = [
    trace(
        "rule1_quit_enters_update_and_removes_marked", (1, 3),
        "Only QUIT from TRANSACTION enters UPDATE; the next session no longer lists the message.",
        deliver("m1", 300), deliver("m2", 320),                     # 0-1
        *pop3_session(1), c(1, "dele", 1), quit(1),                 # 2-5
        *pop3_session(2), c(2, "stat"), c(2, "uidl"), quit(2),      # 6-10
        expect=[(5, "ok", True), (8, "value", (1, 320)), (9, "value", [(1, 2, 0, "lower")])],
    ),
    trace(
        "rule2_snapshot_hides_mail_arriving_during_session", (2,),
        "Mail delivered during a session is invisible until the next session.",
        deliver("m1", 300),                                          # 0
        *pop3_session(1), deliver("m2", 310),                        # 1-3
        c(1, "stat"), c(1, "list"), c(1, "uidl"), c(1, "retr", 2), c(1, "noop"),  # 4-8
        c(1, "stat"), quit(1),                                       # 9-10
        *pop3_session(2), c(2, "stat"), c(2, "list"),                # 11-14
        expect=[(4, "value", (1, 300)), (7, "ok", False), (9, "value", (1, 300)),
                (13, "value", (2, 610))],
    ),
    trace(
        "rule2_numbers_survive_an_imap_expunge_without_lock", (2, 4, 13),
        "Without the lock, an IMAP expunge does not renumber a POP3 session; RETR of it fails.",
        deliver("m1", 300), deliver("m2", 330),                     # 0-1
        *pop3_session(1), *imap_inbox(2),                            # 2-6
        c(2, "store", [1], "+", ["\\Deleted"]), c(2, "expunge"),    # 7-8
        c(1, "stat"), c(1, "list"), c(1, "retr", 1), c(1, "retr", 2), quit(1),  # 9-13
        expect=[(9, "value", (2, 630)), (11, "ok", False), (12, "value", ("m2", 330))],
    ),
    trace(
        "rule3_dele_only_marks_and_drop_removes_nothing", (3,),
        "DELE hides the message from this session only; a drop before QUIT removes nothing.",
        deliver("m1", 300), deliver("m2", 340),                     # 0-1
        *pop3_session(1), c(1, "dele", 1), c(1, "stat"), c(1, "list"),  # 2-6
        c(1, "retr", 1), c(1, "dele", 1), c(1, "top", 1, 0), drop(1),     # 7-10
        *pop3_session(2), c(2, "stat"), quit(2),                     # 11-14
        expect=[(5, "value", (1, 340)), (7, "ok", False), (8, "ok", False),
                (13, "value", (2, 640))],
    ),
    trace(
        "rule3_rset_unmarks_everything", (3,),
        "RSET unmarks every message marked in the session; QUIT then removes nothing.",
        deliver("m1", 300), deliver("m2", 300),                     # 0-1
        *pop3_session(1), c(1, "dele", 1), c(1, "dele", 2), c(1, "stat"),  # 2-6
        c(1, "rset"), c(1, "stat"), c(1, "retr", 1), quit(1),       # 7-10
        expect=[(6, "value", (0, 0)), (8, "value", (2, 600)),
                ("final", "INBOX", [(1, "m1", 300, (SEEN,)), (2, "m2", 300, ())])],
    ),
    trace(
        "rule3_seen_after_retr_is_written_at_quit", (3,),
        "Dovecot notes RETR's \\Seen and writes it at QUIT; an IMAP session learns it then.",
        deliver("m1", 300), *imap_inbox(1), *pop3_session(2),        # 0-5
        c(2, "retr", 1), c(1, "noop"), c(1, "fetch_flags"), quit(2), c(1, "noop"),  # 6-10
        expect=[(7, "updates.flags", []), (10, "updates.flags", [(1, (SEEN,), "step9")])],
    ),
    trace(
        "rule3_drop_without_lock_keeps_mail_and_sets_seen", (3,),
        "A dropped session (server notices) removes nothing but Dovecot still writes \\Seen.",
        deliver("m1", 300), deliver("m2", 300),                     # 0-1
        *pop3_session(1), c(1, "retr", 1), c(1, "dele", 2), drop(1),  # 2-6
        *imap_inbox(2), c(2, "fetch_flags"),                         # 7-10
        expect=[(10, "value", [(1, (SEEN,), "step6"), (2, (), "step1")])],
    ),
    trace(
        "rule3_rset_forgets_pending_seen", (3,),
        "RSET also forgets RETR's pending \\Seen: QUIT then changes no flag.",
        deliver("m1", 300), *pop3_session(1), c(1, "retr", 1), c(1, "rset"), quit(1),  # 0-5
        expect=[("final", "INBOX", [(1, "m1", 300, ())])],
    ),
    trace(
        "rule3_retr_sets_no_seen_when_pinned_off", (3,),
        "With pop3_no_flag_updates (seen_on_retr off) RETR leaves the message unread.",
        deliver("m1", 300), *pop3_session(1), c(1, "retr", 1), quit(1),  # 0-4
        seen_on_retr=False,
        expect=[("final", "INBOX", [(1, "m1", 300, ())])],
    ),
    trace(
        "rule3_retrieved_and_deleted_is_expunged_not_flagged", (3,),
        "A message both RETR'd and DELE'd is removed at QUIT (no \\Seen on a ghost).",
        deliver("m1", 300), deliver("m2", 300),                     # 0-1
        *pop3_session(1), c(1, "retr", 1), c(1, "retr", 2), c(1, "dele", 1), quit(1),  # 2-7
        expect=[("final", "INBOX", [(2, "m2", 300, (SEEN,))])],
    ),
    trace(
        "rule4_lock_refuses_second_login_with_in_use", (4,),
        "With the RFC 1939 lock, a second login gets -ERR [IN-USE] until the first QUITs.",
        deliver("m1", 300), *pop3_session(1), *pop3_session(2),     # 0-4
        c(1, "dele", 1), quit(1), *pop3_session(3), c(3, "stat"),   # 5-9
        pop3_lock=True,
        expect=[(4, "ok", False), (4, "code", "IN-USE"), (8, "ok", True), (9, "value", (0, 0))],
    ),
    trace(
        "rule4_no_lock_lets_sessions_overlap", (4, 8),
        "Dovecot's default (no lock): two sessions overlap; each QUIT removes what it marked.",
        deliver("m1", 300), deliver("m2", 300),                     # 0-1
        *pop3_session(1), *pop3_session(2),                          # 2-5
        c(1, "dele", 1), c(2, "dele", 1), c(2, "dele", 2), quit(1), c(2, "stat"), quit(2),  # 6-11
        expect=[(3, "ok", True), (5, "ok", True), (10, "value", (0, 0)), ("final", "INBOX", [])],
    ),
    trace(
        "rule9_abandoned_session_holds_lock_until_autologout", (9, 4, 3),
        "A silently dropped lock holder keeps the lock until autologout, which removes nothing.",
        deliver("m1", 300), *pop3_session(1), c(1, "retr", 1), c(1, "dele", 1), drop(1),  # 0-5
        *pop3_session(2), autologout(1), *pop3_session(3), c(3, "stat"), quit(3),  # 6-12
        pop3_lock=True,
        expect=[(7, "code", "IN-USE"), (10, "ok", True), (11, "value", (1, 300)),
                ("final", "INBOX", [(1, "m1", 300, (SEEN,))])],
    ),
    trace(
        "rule5_uidl_is_stable_across_sessions", (5,),
        "The same message keeps its UIDL in every session, whatever its message number.",
        deliver("m1", 300), deliver("m2", 300), deliver("m3", 300),  # 0-2
        *pop3_session(1), c(1, "uidl"), c(1, "dele", 1), c(1, "uidl"), quit(1),  # 3-8
        *pop3_session(2), c(2, "uidl"),                              # 9-11
        expect=[(11, "value", [(1, 2, 0, "lower"), (2, 3, 0, "lower")])],
    ),
    trace(
        "rule5_uidl_is_never_reused", (5, 10),
        "A UIDL freed by deletion is never given to a later message (it follows the IMAP UID).",
        deliver("m1", 300), *pop3_session(1), c(1, "dele", 1), quit(1),  # 0-4
        deliver("m2", 300), *pop3_session(2), c(2, "uidl"),          # 5-8
        *imap_inbox(3), c(3, "fetch_new", 0),                        # 9-12
        expect=[(8, "value", [(1, 2, 0, "lower")])],
    ),
    trace(
        "rule5_uidvalidity_reset_changes_every_uidl", (5, 10),
        "After a UIDVALIDITY reset every UIDL is new: POP3 clients download everything again.",
        deliver("m1", 300), deliver("m2", 300), deliver("m3", 300),  # 0-2
        *pop3_session(1), c(1, "dele", 2), quit(1),                  # 3-6
        *pop3_session(2), c(2, "uidl"), quit(2),                     # 7-10
        reset_uidvalidity("INBOX"), *pop3_session(3), c(3, "uidl"), c(3, "list"),  # 11-15
        expect=[(9, "value", [(1, 1, 0, "lower"), (2, 3, 0, "lower")]),
                (14, "value", [(1, 1, 1, "lower"), (2, 2, 1, "lower")])],
    ),
    trace(
        "rule6_top_gives_headers_and_k_body_lines", (6,),
        "TOP n k returns the headers and the first k body lines (all of them if fewer).",
        deliver("m1", 700), *pop3_session(1),                        # 0-2
        c(1, "top", 1, 0), c(1, "top", 1, 2), c(1, "top", 1, 500), c(1, "top", 2, 1),  # 3-6
        expect=[(3, "value", ("m1", 0)), (4, "value", ("m1", 2)), (6, "ok", False)],
    ),
    trace(
        "rule6_top_does_not_set_seen", (6, 3),
        "Reading headers with TOP leaves the message unread.",
        deliver("m1", 300), *pop3_session(1), c(1, "top", 1, 3), quit(1),  # 0-4
        expect=[("final", "INBOX", [(1, "m1", 300, ())])],
    ),
    trace(
        "rule7_pop3_sees_only_the_inbox", (7,),
        "POP3 sees INBOX only: mail filed or appended elsewhere over IMAP is not listed.",
        deliver("m1", 300), deliver("m2", 300), *imap_inbox(1),     # 0-4
        c(1, "move", [1], "Archive"), c(1, "append", "Sent", "s1", 400, [SEEN]),  # 5-6
        *pop3_session(2), c(2, "stat"), c(2, "uidl"), c(2, "dele", 1), quit(2),  # 7-12
        expect=[(9, "value", (1, 300)), ("final", "Archive", [(1, "m1", 300, ())]),
                ("final", "Sent", [(1, "s1", 400, (SEEN,))]), ("final", "INBOX", [])],
    ),
    trace(
        "rule8_earliest_deletion_wins_for_every_device", (8, 22),
        "When one device deletes (DELE+QUIT), the message is gone for every other device.",
        deliver("m1", 300), deliver("m2", 300),                     # 0-1
        *pop3_session(1), c(1, "uidl"), c(1, "dele", 2), quit(1),   # 2-6
        *pop3_session(2), c(2, "uidl"), c(2, "retr", 1), quit(2),   # 7-11
        expect=[(9, "value", [(1, 1, 0, "lower")]), ("final", "INBOX", [(1, "m1", 300, (SEEN,))])],
    ),
]  # fmt: skip


@pytest.mark.dovecot
@pytest.mark.parametrize("named", TRACES, ids=lambda t: t.name)
def test_pop3_trace_agrees_with_dovecot(named: Trace, outcome_of) -> None:
    """The trace's POP3 behaviour is the same on the model and on Dovecot, as named."""
    outcome: Outcome = outcome_of(named)
    assert outcome.agree and not outcome.unmet(), outcome.report()
