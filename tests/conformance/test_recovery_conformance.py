"""What a careful client's recovery relies on, against Dovecot: ``UID SEARCH HEADER
Message-ID`` finds a stored copy (RFC 3501 §6.4.4, used after a lost APPEND reply as
RFC 4549 §4.3 suggests), and a UID from before a UIDVALIDITY reset never acts on another
message on a session that was open across the reset (rule 10)."""

from __future__ import annotations

import pytest

from simulator.conformance import Outcome, Trace, deliver, drop, open_, reset_uidvalidity, trace
from simulator.conformance import cmd as c

SEEN, FLAGGED, DELETED = "\\Seen", "\\Flagged", "\\Deleted"


def imap_in(k: int, folder: str = "INBOX") -> list:
    """Open IMAP session ``k``, log in and select ``folder`` (three steps)."""
    return [open_(k, "imap"), c(k, "login"), c(k, "select", folder)]


TRACES: list[Trace] = [
    trace(
        "rfc4549_search_message_id_finds_an_appended_copy", (14,),
        "After an APPEND (whose reply a client may have lost), UID SEARCH HEADER Message-ID "
        "finds the stored copy; a message elsewhere or never stored is not found.",
        deliver("m1", 300), *imap_in(1, "Sent"),                        # 0-3
        c(1, "append", "Sent", "s1", 400, [SEEN]),                      # 4
        c(1, "search_message_id", "s1"), c(1, "search_message_id", "m1"),  # 5-6
        c(1, "search_message_id", "s2"),                                # 7
        c(1, "append", "Sent", "s1", 400, [SEEN]), c(1, "search_message_id", "s1"),  # 8-9
        expect=[(5, "value", [1]), (6, "value", []), (7, "value", []), (9, "value", [1, 2])],
    ),
    trace(
        "rfc4549_search_message_id_is_exact_not_a_prefix", (14,),
        "Searching for s1 does not find s11 (the angle brackets make Dovecot's substring "
        "match an exact one).",
        *imap_in(1, "Sent"), c(1, "append", "Sent", "s11", 400, [SEEN]),  # 0-3
        c(1, "search_message_id", "s1"), c(1, "search_message_id", "s11"),  # 4-5
        expect=[(4, "value", []), (5, "value", [1])],
    ),
]  # fmt: skip

ACROSS_RESET = trace(
    "rule10_selected_session_at_a_uidvalidity_reset", (10,),
    "A session selected across a reset: its STORE naming UID 2 (m2 before, m3 after) is "
    "refused and changes nothing; a new session sees the new UIDVALIDITY, where UID 2 is m3.",
    deliver("m1", 300), deliver("m2", 300), deliver("m3", 300), *imap_in(1),  # 0-5
    c(1, "store", [1], "+", [DELETED]), c(1, "expunge"),            # 6-7
    reset_uidvalidity("INBOX"), c(1, "store", [2], "+", [FLAGGED]), drop(1),  # 8-10
    *imap_in(2), c(2, "fetch_new", 0),                              # 11-14
    expect=[(9, "ok", False), (13, "value.uidvalidity", 1),
            (14, "value", [(1, "m2", 300, (), "step8"), (2, "m3", 300, (), "step8")])],
)  # fmt: skip


@pytest.mark.dovecot
@pytest.mark.parametrize("named", TRACES, ids=lambda t: t.name)
def test_recovery_trace_agrees_with_dovecot(named: Trace, outcome_of) -> None:
    """The trace's IMAP behaviour is the same on the model and on Dovecot, as named."""
    outcome: Outcome = outcome_of(named)
    assert outcome.agree and not outcome.unmet(), outcome.report()


@pytest.mark.dovecot
@pytest.mark.parametrize("named", [ACROSS_RESET], ids=lambda t: t.name)
def test_a_stale_uid_on_a_session_open_across_a_reset_acts_on_nothing(
    named: Trace, outcome_of
) -> None:
    """Both sides refuse the stale STORE and no flag changes anywhere. They differ only in
    how they refuse it: the model answers BAD (the selection is gone); Dovecot, whose index
    was deleted under the running process, either answers NO [SERVERBUG] or ends the
    session ("* BYE IMAP session state is inconsistent, please relogin"), depending on
    when it notices. In the simulator a reset ends every session first (a restore from
    backup restarts the server), so only new sessions, which must compare UIDVALIDITY,
    ever meet the new numbering."""
    outcome: Outcome = outcome_of(named)
    assert not outcome.unmet(), outcome.report()
    assert len(outcome.differences) == 1, outcome.report()
    [difference] = outcome.differences
    assert difference.where == f"step 9 {named.steps[9]}"
    assert (difference.what, difference.model) == ("code", "BAD")
    assert difference.dovecot in ("SERVERBUG", "BYE")
