"""The decision guide (claims G1–G7) on a comparison: each criterion asks whether its
situation arises here and whether its limit bites; its winner is the decision's (paired
differences against the metric's zone), and the recommendation follows the numbers, not a
fixed answer."""

from __future__ import annotations

from dataclasses import replace

from simulator.analysis.comparison import Comparison
from simulator.analysis.decision import Pair
from simulator.analysis.explain import paragraph
from simulator.analysis.finding import Finding
from simulator.analysis.guide import agrees, evaluate
from tests.analysis.fake import fake

MULTI_DEVICE_WIN_FOR_IMAP = {
    "consistency.agreement": {"pop3": 0.45, "imap": 0.93},
    "consistency.unpropagated": {"pop3": 2700, "imap": 240},
    "consistency.anomalies.local_only": {"pop3": 1400, "imap": 15},
    "offline_availability.ratio": {"pop3": 0.5, "imap": 1.0},
    "offline_availability.attempts": {"pop3": 90, "imap": 30},
    "server_storage.fullest_account_peak_bytes": {"pop3": 9e6, "imap": 7e7},
    "device_storage.peak_bytes": {"pop3": 4e7, "imap": 6e7},
}


def by_code(c: Comparison) -> dict[str, Finding]:
    """Findings by criterion code."""
    return {f.code: f for f in evaluate(c)}


def test_each_criterion_is_evaluated_once() -> None:
    """G1 to G7, in order."""
    assert [f.code for f in evaluate(fake(MULTI_DEVICE_WIN_FOR_IMAP))] == [
        "G1", "G2", "G3", "G4", "G5", "G6", "G7"]


def test_multi_device_office_picks_imap() -> None:
    """Everyone has two devices and IMAP keeps them in step: IMAP wins G4, G5, G7 and,
    with its cache, G2 as well; it is recommended."""
    c = fake(MULTI_DEVICE_WIN_FOR_IMAP)
    f = by_code(c)
    assert not f["G1"].applies
    assert f["G4"].winners == ["imap"] and agrees(c, f["G4"]) == "agrees"
    assert f["G2"].winners == ["imap"] and agrees(c, f["G2"]) == "disagrees"
    assert c.decision is not None and c.decision.recommended == "imap"
    text = paragraph(c.decision)
    assert text.startswith("Recommended: imap (IMAP), because G2 (offline reading) rules out "
                           "pop3.")
    assert "G1 single device (all 4 accounts are used from two or more devices)" in text


def test_limits_far_away_do_not_weigh() -> None:
    """Server peaks at 7% of the quota and devices at 0.4% of their storage: G3 and G6
    are evaluated but marked as not binding, and the decision does not judge them."""
    c = fake(MULTI_DEVICE_WIN_FOR_IMAP)
    f = by_code(c)
    assert not f["G3"].bites and f["G3"].winners == [] and f["G3"].status == "—"
    assert not f["G6"].bites
    assert c.decision is not None
    assert c.decision.criterion("server_storage").why_not == "no account comes near its quota"


def test_a_full_server_makes_storage_count_for_pop3() -> None:
    """When IMAP accounts fill up and bounce mail, G3 bites and POP3 wins it."""
    means = {**MULTI_DEVICE_WIN_FOR_IMAP,
             "server_storage.fullest_account_peak_bytes": {"pop3": 1e8, "imap": 9.9e8},
             "server_storage.bounced": {"pop3": 0, "imap": 120}}
    f = by_code(fake(means))
    assert f["G3"].bites and f["G3"].winners == ["pop3"]
    assert "Mail bounced for lack of room: pop3 0, imap 120" in f["G3"].why


def test_the_recommendation_follows_the_numbers() -> None:
    """Single-device accounts that read offline, with a tight quota and devices that never
    fail: IMAP bounces mail, so POP3 is recommended and the paragraph leads with the
    bounces."""
    means = {
        "offline_availability.ratio": {"pop3": 1.0, "imap": 0.2},
        "offline_availability.attempts": {"pop3": 50, "imap": 50},
        "server_storage.fullest_account_peak_bytes": {"pop3": 1e8, "imap": 9.9e8},
        "server_storage.bounced": {"pop3": 0, "imap": 40},
        "consistency.agreement": {"pop3": 0.99, "imap": 0.99},
    }
    c = fake(means, context={"single_device_accounts": 4, "multi_device_accounts": 0})
    f = by_code(c)
    assert not f["G4"].applies and not f["G5"].applies
    assert c.decision is not None and c.decision.recommended == "pop3"
    assert paragraph(c.decision).startswith(
        "Hard failure, messages bounced for lack of room (mean per run over 3 replications): "
        "pop3 0, imap 40.")


def test_paired_differences_decide_where_marginal_intervals_overlap() -> None:
    """Agreement moves a lot from seed to seed but alike in every variant (common random
    numbers): b is 3 points above a on every seed, so b wins G4 although the marginal 95 %
    intervals overlap widely; c, 50 points below, is beaten too."""
    means = {"consistency.agreement": {"a": 0.45, "b": 0.48, "c": 0.0}}
    c = fake(means, protocols={"a": "imap", "b": "imap", "c": "pop3"},
             wobble=(-0.3, 0.0, 0.3))
    row = c.row("consistency.agreement")
    a, b = row.stats["a"], row.stats["b"]
    assert a.mean is not None and b.mean is not None and a.ci95 and b.ci95
    assert b.mean - b.ci95 < a.mean + a.ci95
    assert by_code(c)["G4"].winners == ["b"]
    assert c.decision is not None and c.decision.criterion("several_devices").status == "decided"


def test_device_failures_decide_on_lost_mail() -> None:
    """With scripted device losses, G7 is about messages lost for good: a hard failure,
    decided for IMAP before any other criterion."""
    means = {"durability.lost": {"pop3": 35, "imap": 0}}
    c = fake(means, context={"device_losses": 1})
    f = by_code(c)
    assert f["G7"].key == "durability.lost"
    assert "Messages lost for good: pop3 35, imap 0" in f["G7"].why
    assert c.decision is not None and c.decision.recommended == "imap"
    assert c.decision.criterion("lost").winners == ["imap"]


def test_nothing_to_decide_says_so() -> None:
    """When no criterion separates the variants, the recommendation does not pretend."""
    c = fake({}, context={"single_device_accounts": 4, "multi_device_accounts": 0})
    assert c.decision is not None
    assert ("because the variants pop3, imap are equivalent on every criterion"
            in paragraph(c.decision))
    assert {f.status for f in evaluate(c)} <= {"equivalent", "—"}


def test_a_tie_between_protocols_agrees_only_partly() -> None:
    """When a POP3 and an IMAP variant share the best offline availability, the document's
    'choose POP3' is only partly borne out."""
    means = {**MULTI_DEVICE_WIN_FOR_IMAP,
             "offline_availability.ratio": {"pop3-keep": 1.0, "imap": 1.0, "pop3": 0.5}}
    c = fake(means, protocols={"pop3": "pop3", "pop3-keep": "pop3", "imap": "imap"})
    f = by_code(c)["G2"]
    assert f.winners == ["pop3-keep", "imap"] and agrees(c, f) == "partly"


def test_undecided_among_variants_of_one_protocol_still_agrees() -> None:
    """G7 undecided between two IMAP variants, both shown better than POP3: the variants
    that may still be best are all IMAP, so the document's 'choose IMAP' agrees."""
    c = fake(MULTI_DEVICE_WIN_FOR_IMAP, protocols={"pop3": "pop3", "imap": "imap",
                                                   "imap-light": "imap"})
    assert c.decision is not None
    g7 = c.decision.criterion("device_failure")
    pairs = [Pair("imap", "pop3", 1385.0, 1300.0, 1470.0, 0.975, False, "better"),
             Pair("imap", "imap-light", 2.0, -1.0, 5.0, 0.975, False, "unclear")]
    undecided = replace(g7, status="undecided", winners=["imap"], pairs=pairs,
                        compared=["pop3", "imap", "imap-light"])
    c.decision = replace(c.decision, criteria=[undecided if r is g7 else r
                                               for r in c.decision.criteria])
    f = by_code(c)["G7"]
    assert f.winners == ["imap", "imap-light"] and f.status == "agrees"
    mixed = replace(undecided, pairs=[replace(p, shows="unclear") for p in pairs])
    c.decision = replace(c.decision, criteria=[mixed if r.code == "G7" else r
                                               for r in c.decision.criteria])
    assert by_code(c)["G7"].status == "undecided"
