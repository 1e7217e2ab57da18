"""Quota and delivery against Dovecot: SEMANTICS rules 12 (quota part), 17, 21 and 22.

Dovecot runs with the quota plugin (``quota = maildir``, ``quota_rule = *:storage=NB``)
and ``quota_grace = 0``: Dovecot's default grace lets the last message overshoot by 10 %,
the model's quota is strict, so the suite pins the strict limit (see docs/fidelity.md).
"""

from __future__ import annotations

import pytest

from simulator.conformance import Outcome, Trace, deliver, open_, quit, trace
from simulator.conformance import cmd as c

SEEN, DELETED = "\\Seen", "\\Deleted"


def imap_in(k: int, folder: str = "INBOX") -> list:
    """Open IMAP session ``k``, log in and select ``folder`` (three steps)."""
    return [open_(k, "imap"), c(k, "login"), c(k, "select", folder)]


def pop3_session(k: int) -> list:
    """Open POP3 session ``k`` and log in (two steps)."""
    return [open_(k, "pop3"), c(k, "login")]


TRACES: list[Trace] = [
    trace(
        "rule17_append_over_quota_is_refused_with_overquota", (17, 14),
        "APPEND that would exceed the quota gets NO [OVERQUOTA]; no server copy exists.",
        deliver("m1", 600), *imap_in(1, "Sent"),                     # 0-3
        c(1, "append", "Sent", "s1", 500, [SEEN]), c(1, "append", "Sent", "s2", 300, [SEEN]),  # 4-5
        quota=1000,
        expect=[(4, "code", "OVERQUOTA"), (5, "value", 1),
                ("final", "Sent", [(1, "s2", 300, (SEEN,))])],
    ),
    trace(
        "rule17_a_message_may_fill_the_quota_exactly", (17,),
        "The limit is inclusive: a message that brings usage to exactly the quota is stored.",
        deliver("m1", 600), deliver("m2", 400), deliver("m3", 250),  # 0-2
        quota=1000,
        expect=[(1, "outcome", "delivered"), (2, "outcome", "bounced")],
    ),
    trace(
        "rule17_copy_over_quota_copies_nothing", (17, 15),
        "COPY of several messages over quota fails as a whole: no partial copy.",
        deliver("m1", 300), deliver("m2", 300), deliver("m3", 300), *imap_in(1),  # 0-5
        c(1, "copy", [1], "Archive"), c(1, "copy", [2, 3], "Archive"),  # 6-7
        quota=1300,
        expect=[(6, "ok", True), (7, "code", "OVERQUOTA"),
                ("final", "Archive", [(1, "m1", 300, ())])],
    ),
    trace(
        "rule17_move_never_needs_more_quota", (17, 15),
        "MOVE at a full quota still works: the message leaves the source.",
        deliver("m1", 500), deliver("m2", 500), *imap_in(1),         # 0-4
        c(1, "move", [1, 2], "Trash"),                                # 5
        quota=1000,
        expect=[(5, "value", [(1, 1), (2, 2)]), ("final", "INBOX", [])],
    ),
    trace(
        "rule21_delivery_over_quota_bounces", (21,),
        "By default a delivery over quota is rejected (552): it bounces, the mailbox is unchanged.",
        deliver("m1", 700), deliver("m2", 400), deliver("m3", 300),  # 0-2
        quota=1000,
        expect=[(1, "outcome", "bounced"), (2, "outcome", "delivered"),
                ("final", "INBOX", [(1, "m1", 700, ()), (2, "m3", 300, ())])],
    ),
    trace(
        "rule21_delivery_over_quota_is_deferred_with_tempfail", (21,),
        "With quota_full_tempfail the delivery fails temporarily (452): deferred, not stored.",
        deliver("m1", 700), deliver("m2", 400),                      # 0-1
        quota=1000, tempfail=True,
        expect=[(1, "outcome", "deferred"), ("final", "INBOX", [(1, "m1", 700, ())])],
    ),
    trace(
        "rule12_deleted_messages_still_use_quota", (12, 17, 22),
        "\\Deleted messages count against the quota until EXPUNGE frees them.",
        deliver("m1", 600), *imap_in(1), c(1, "store", [1], "+", [DELETED]),  # 0-4
        deliver("m2", 600), c(1, "expunge"), deliver("m3", 600),      # 5-7
        quota=1000,
        expect=[(5, "outcome", "bounced"), (7, "outcome", "delivered")],
    ),
    trace(
        "rule22_logout_and_close_of_other_mailbox_free_nothing", (22, 12),
        "LOGOUT and selecting another mailbox free no space; only an expunge does.",
        deliver("m1", 600), *imap_in(1), c(1, "store", [1], "+", [DELETED]),  # 0-4
        c(1, "select", "Trash"), quit(1), deliver("m2", 600),         # 5-7
        *imap_in(2), c(2, "close"), deliver("m3", 600),               # 8-12
        quota=1000,
        expect=[(7, "outcome", "bounced"), (12, "outcome", "delivered")],
    ),
    trace(
        "rule22_pop3_dele_frees_space_only_at_quit", (22, 3),
        "POP3 DELE frees nothing until QUIT: delivery bounces before, succeeds after.",
        deliver("m1", 800), *pop3_session(1), c(1, "dele", 1), deliver("m2", 800),  # 0-4
        quit(1), deliver("m3", 800),                                  # 5-6
        quota=1000,
        expect=[(4, "outcome", "bounced"), (6, "outcome", "delivered")],
    ),
    trace(
        "rule22_moving_to_trash_frees_nothing", (22, 15),
        "Moving to Trash keeps the bytes on the server: quota is account-wide.",
        deliver("m1", 600), *imap_in(1), c(1, "move", [1], "Trash"), deliver("m2", 600),  # 0-5
        quota=1000,
        expect=[(5, "outcome", "bounced")],
    ),
]  # fmt: skip


@pytest.mark.dovecot
@pytest.mark.parametrize("named", TRACES, ids=lambda t: t.name)
def test_quota_trace_agrees_with_dovecot(named: Trace, outcome_of) -> None:
    """The trace's quota behaviour is the same on the model and on Dovecot, as named."""
    outcome: Outcome = outcome_of(named)
    assert outcome.agree and not outcome.unmet(), outcome.report()
