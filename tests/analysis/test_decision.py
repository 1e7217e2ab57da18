"""Specification of the decision on synthetic summaries: paired differences decide what
the replications show, hard failures come first, limits exclude, the organisation's
priorities order the criteria, and the Decision is JSON whose numbers the text repeats."""

from __future__ import annotations

import json
from typing import get_args

import pytest

from simulator.analysis.criteria import BY_NAME, DEFAULT_ORDER, HARD_FAILURES
from simulator.analysis.decision import decide
from simulator.analysis.explain import paragraph
from simulator.analysis.metrics import BY_KEY
from simulator.scenario import DecisionSettings
from simulator.scenario.decision import CriterionName
from tests.analysis.helpers import runs

SEEDS = [11, 12]


def test_two_replications_of_0_against_over_100_lost_is_decided() -> None:
    """0 lost against 104 and 131 lost with 2 replications: the criterion is decided for
    imap, not tied, and imap is recommended without reservation."""
    d = decide({"pop3": runs(SEEDS, lost=[104, 131]), "imap": runs(SEEDS, lost=[0, 0])})
    lost = d.criterion("lost")
    assert (lost.status, lost.winners, lost.deciding) == ("decided", ["imap"], True)
    assert lost.pairs[0].low is not None and lost.pairs[0].low > 1
    assert d.recommended == "imap" and not d.provisional and d.undecided == []


def test_two_replications_too_far_apart_stay_undecided() -> None:
    """0 against 101 and 400 lost: the spread of two replications is too wide to call."""
    d = decide({"pop3": runs(SEEDS, lost=[101, 400]), "imap": runs(SEEDS, lost=[0, 0])})
    assert d.criterion("lost").status == "undecided" and d.provisional


def test_small_differences_within_the_zone_are_equivalent_not_wins() -> None:
    """Agreement 99.5 % against 99.9 % on every seed is within the 1 % zone: equivalent,
    so the next criterion (device failure) chooses."""
    d = decide({"pop3": runs(SEEDS, agreement=[0.995, 0.996], local_only=[50, 60]),
                "imap": runs(SEEDS, agreement=[0.999, 0.9995], local_only=[0, 0])})
    assert d.criterion("single_device").status == "equivalent"
    assert d.criterion("device_failure").status == "decided"
    assert d.recommended == "imap"


def test_a_wide_interval_is_undecided_and_the_recommendation_provisional() -> None:
    """Bounces 10 and 300 against 0: the 95 % paired interval includes 0, so the
    criterion is undecided; the choice follows the means and says it is provisional."""
    d = decide({"pop3": runs(SEEDS, bounced=[0, 0]), "imap": runs(SEEDS, bounced=[10, 300])})
    assert d.criterion("bounced").status == "undecided"
    assert d.recommended == "pop3" and d.provisional and d.undecided == ["bounced"]
    assert "Provisional: H3" in paragraph(d)


def test_hard_failures_come_before_the_organisations_criteria() -> None:
    """imap bounces mail on every seed but is better on agreement by far: pop3 is
    recommended, and the paragraph leads with the bounces and their numbers."""
    d = decide({"pop3": runs(SEEDS, agreement=[0.5, 0.5], devices=[2, 2]),
                "imap": runs(SEEDS, bounced=[284, 290], agreement=[0.99, 0.99],
                             devices=[2, 2])})
    assert d.recommended == "pop3"
    assert d.criterion("several_devices").winners == ["imap"]
    text = paragraph(d)
    assert text.startswith("Hard failure, messages bounced for lack of room (mean per run "
                           "over 2 replications): pop3 0, imap 287.")
    assert "It gives up G4 several devices (imap: 99.0 % against 50.0 %)" in text


def test_the_text_says_so_when_the_choice_has_a_hard_failure_another_has_not() -> None:
    """Every variant but one is outside a limit; the one left bounces mail: the text names
    the variant without bounces before recommending."""
    settings = DecisionSettings.model_validate({"limits": {"max_traffic": "15MB"}})
    d = decide({"pop3": runs(SEEDS, down=[30e6, 30e6]),
                "imap": runs(SEEDS, bounced=[5, 7])}, settings)
    assert d.recommended == "imap" and d.violations["pop3"] == ["max_traffic"]
    assert ("The recommended variant imap has messages bounced for lack of room (6 per "
            "run) where pop3 has none.") in paragraph(d)


def test_a_variant_outside_a_limit_is_not_recommended() -> None:
    """min_offline_availability 0.99: imap-online reads 0 % offline, so it is out even
    though it is better on everything else."""
    settings = DecisionSettings.model_validate(
        {"limits": {"min_offline_availability": 0.99}})
    d = decide({"pop3": runs(SEEDS, offline=[(10, 1.0), (10, 1.0)], local_only=[9, 9]),
                "imap-online": runs(SEEDS, offline=[(10, 0.0), (10, 0.0)])}, settings)
    assert d.eligible == ["pop3"] and d.recommended == "pop3"
    assert d.violations == {"pop3": [], "imap-online": ["min_offline_availability"]}
    assert "Outside the limit min_offline_availability (at least 99.0 %): imap-online 0.0 %" \
        in paragraph(d)


def test_every_variant_outside_a_limit_gives_no_recommendation() -> None:
    """max_bounced 0 and max_lost 0 with one variant bouncing and the other losing mail:
    no variant is recommended, and the text says why."""
    settings = DecisionSettings.model_validate({"limits": {"max_bounced": 0, "max_lost": 0}})
    d = decide({"pop3": runs(SEEDS, lost=[3, 4]), "imap": runs(SEEDS, bounced=[1, 0])},
               settings)
    assert d.recommended is None and d.eligible == [] and not d.provisional
    assert d.violations == {"pop3": ["max_lost"], "imap": ["max_bounced"]}
    assert "No variant can be recommended" in paragraph(d)


def test_the_organisations_order_puts_its_criterion_first() -> None:
    """pop3 costs less traffic, imap keeps no mail on one device only: by default device
    failure decides (imap); with traffic first, pop3."""
    variants = {"pop3": runs(SEEDS, down=[5e6, 6e6], local_only=[40, 45]),
                "imap": runs(SEEDS, down=[50e6, 52e6])}
    assert decide(variants).recommended == "imap"
    first = DecisionSettings.model_validate({"priorities": ["traffic"]})
    d = decide(variants, first)
    assert d.recommended == "pop3" and d.criteria[len(HARD_FAILURES)].name == "traffic"


def test_weights_count_only_the_criteria_named() -> None:
    """Weights traffic 1, device_failure 3: imap's device failure outweighs pop3's traffic;
    criteria not named are reported but do not count."""
    variants = {"pop3": runs(SEEDS, down=[5e6, 6e6], local_only=[40, 45]),
                "imap": runs(SEEDS, down=[50e6, 52e6])}
    weights = DecisionSettings.model_validate(
        {"priorities": {"traffic": 1, "device_failure": 3}})
    d = decide(variants, weights)
    assert d.recommended == "imap"
    assert d.criterion("traffic").weight == 1 and d.criterion("traffic").deciding
    assert not d.criterion("single_device").deciding
    light = DecisionSettings.model_validate({"priorities": {"traffic": 3, "device_failure": 1}})
    assert decide(variants, light).recommended == "pop3"


def test_a_broken_verdict_is_the_first_hard_failure() -> None:
    """A variant whose runs broke a simulator invariant loses to one whose runs did not."""
    d = decide({"pop3": runs(SEEDS, valid=[False, False]), "imap": runs(SEEDS, lost=[1, 1])})
    assert d.criterion("broken_verdict").status == "decided" and d.recommended == "imap"


def test_variants_must_share_their_seeds() -> None:
    """Paired differences need common random numbers: other seeds are refused."""
    with pytest.raises(ValueError, match="same seeds"):
        decide({"pop3": runs([1, 2]), "imap": runs([1, 3])})


def test_the_decision_is_json_and_the_text_repeats_its_numbers() -> None:
    """as_dict() survives json.dumps; the deciding pair's mean and interval ends in the
    paragraph are the JSON's, rounded."""
    d = decide({"pop3": runs(SEEDS, lost=[109, 106]), "imap": runs(SEEDS, lost=[0, 0])},
               protocols={"pop3": ["pop3"], "imap": ["imap"]})
    data = json.loads(json.dumps(d.as_dict(), allow_nan=False))
    assert data["recommended"] == "imap" and data["replications"] == 2
    lost = next(c for c in data["criteria"] if c["name"] == "lost")
    pair = lost["pairs"][0]
    assert (lost["means"], pair["advantage"]) == ({"pop3": 107.5, "imap": 0.0}, 107.5)
    text = paragraph(d)
    assert "Recommended: imap (IMAP)" in text
    assert (f"107.5 fewer than pop3 (95 % confidence bounds {pair['low']:,.1f} and "
            f"{pair['high']:,.1f})") in text


def test_one_replication_decides_nothing_that_differs() -> None:
    """A single replication has no variance: differing criteria are undecided."""
    d = decide({"pop3": runs([1], lost=[100]), "imap": runs([1], lost=[0])})
    assert d.criterion("lost").status == "undecided" and d.provisional
    assert json.dumps(d.as_dict(), allow_nan=False)


def test_kn_waits_for_its_first_stage_then_decides() -> None:
    """With --replications auto (KN, n0 = 5), 3 replications leave lost undecided; 5
    clearly different ones decide it, and the stopping stage is recorded."""
    few = decide({"pop3": runs([1, 2, 3], lost=[100, 120, 110]),
                  "imap": runs([1, 2, 3], lost=[0, 0, 0])}, procedure="kn")
    assert few.undecided == ["lost"]
    seeds = [1, 2, 3, 4, 5]
    enough = decide({"pop3": runs(seeds, lost=[100, 120, 110, 105, 115]),
                     "imap": runs(seeds, lost=[0] * 5)}, procedure="kn")
    lost = enough.criterion("lost")
    assert (lost.status, lost.winners, lost.kn_stage) == ("decided", ["imap"], 5)
    assert enough.undecided == [] and enough.recommended == "imap"
    assert ("Replications were added until each criterion was settled: 5 replications, "
            "judged by Kim & Nelson's procedure (first stage 5") in paragraph(enough)


def test_every_criterion_has_a_zone_and_the_scenario_knows_its_name() -> None:
    """The scenario's criterion names are exactly the orderable criteria; every criterion's
    metric is in the one metric registry with an indifference zone."""
    assert set(get_args(CriterionName)) == set(DEFAULT_ORDER)
    assert all((BY_KEY[c.key].zone or 0) > 0 and c.zone == BY_KEY[c.key].zone
               for c in BY_NAME.values())


def test_an_undecided_criterion_does_not_rule_out_a_variant_within_the_zone() -> None:
    """One replication shows nothing with confidence: equal hard failures (none) leave
    both variants in the running, and the first criterion whose means differ by more than
    the zone (traffic, 5 MB apart) chooses, provisionally; it says so."""
    d = decide({"pop3": runs([11], down=[15e6]), "imap": runs([11], down=[10e6])})
    lost = d.criterion("lost")
    assert lost.status == "undecided" and set(lost.winners) == {"pop3", "imap"}
    assert d.recommended == "imap" and d.provisional
    assert d.reason == ("it has the best mean on C1 (network traffic), the first criterion "
                        "still undecided between the variants left")
    same = decide({"pop3": runs([11]), "imap": runs([11])})
    assert same.recommended == "pop3" and same.reason.startswith(
        "the means of pop3, imap are within the zone on every criterion")
