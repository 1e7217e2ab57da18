"""Specification of the decision on real runs of small scenarios whose right answer is known
by construction, each run over 2-3 seeds shared by the variants (common random numbers)."""

from __future__ import annotations

from typing import Any

from simulator import run
from simulator.analysis.decision import Decision, decide, replications_to_add
from simulator.analysis.explain import paragraph
from simulator.scenario import Scenario, parse_scenario

VARIANTS = """
variants:
  pop3:        {protocol: pop3, client: {leave_on_server: false}}
  imap:        {protocol: imap, client: {cache: full, idle: true}}
  imap-online: {protocol: imap, client: {cache: none, idle: true}}
"""
QUOTA = """mailsim: 1
name: tight-quota
duration: 4d
server: {quota: 30MB, over_quota: bounce}
users:
  - name: dan
    mail: {receive: 60/d, size: 200KB}
    habits: {check_every: 1h, delete: 0.3, archive: 0.3}
    devices:
      - {name: desktop, protocol: imap, uses: 1.0}
"""
LOST = """mailsim: 1
name: lost-laptop
duration: 3d
users:
  - name: eve
    mail: {receive: 40/d, send: 5/d, size: 60KB}
    habits: {check_every: 1h, delete: 0.2, archive: 0.3}
    devices:
      - {name: laptop, protocol: imap, uses: 1.0}
events:
  - {at: 2d 12:00, lose: eve/laptop}
"""
ONE = """mailsim: 1
name: one-device
duration: 3d
users:
  - name: ann
    mail: {receive: 40/d, send: 4/d, size: 60KB}
    habits: {check_every: 1h, delete: 0.2, archive: 0.3}
    devices:
      - {name: desktop, protocol: imap, uses: 1.0}
"""
OFFLINE = """mailsim: 1
name: offline-reading
duration: 4d
users:
  - name: cat
    mail: {receive: 40/d, size: 75KB}
    habits: {check_every: 1h, read: 0.3}
    devices:
      - {name: laptop, protocol: imap, uses: 1.0, online: {weekly: "Mon-Sun 09:00-17:00"}}
decision:
  limits: {min_offline_availability: 0.99}
"""


def decision_of(text: str, seeds: list[int], variants: list[str],
                extra: str = "") -> tuple[Decision, Scenario]:
    """Run the scenario under each variant on the same seeds and decide."""
    scenario = parse_scenario(text + extra + VARIANTS, "test.yaml")
    runs: dict[str, list[dict[str, Any]]] = {
        v: [run(scenario, seed=s, variant=v).summary for s in seeds] for v in variants}
    protocols = {v: [v.split("-")[0]] for v in variants}
    return decide(runs, scenario.decision, protocols=protocols), scenario


def test_a_quota_only_pop3_respects_recommends_pop3_and_leads_with_the_bounces() -> None:
    """30 MB quota, about 12 MB of new mail a day: IMAP keeps it all on the server and
    bounces, POP3 empties the server; POP3 is recommended on the bounces (decided with
    3 replications), and the paragraph starts with them."""
    d, _ = decision_of(QUOTA, [1, 2, 3], ["pop3", "imap"])
    bounced = d.criterion("bounced")
    assert d.recommended == "pop3" and not d.provisional
    assert (bounced.status, bounced.winners) == ("decided", ["pop3"])
    assert bounced.means["pop3"] == 0 and bounced.means["imap"] > 50
    text = paragraph(d)
    assert text.startswith("Hard failure, messages bounced for lack of room (mean per run "
                           "over 3 replications): pop3 0, imap ")
    assert ("Recommended: pop3 (POP3), because H3 (messages bounced for lack of room) "
            "rules out imap.") in text


def test_a_lost_device_with_pop3_losing_mail_recommends_imap_decided_in_2() -> None:
    """The only laptop is wiped on day 2: POP3 had deleted the mail from the server and it
    is lost for good (over 100 messages), IMAP loses none; with 2 replications the
    criterion is decided, not tied."""
    d, _ = decision_of(LOST, [1, 2], ["pop3", "imap"])
    lost = d.criterion("lost")
    assert lost.means["pop3"] > 100 and lost.means["imap"] == 0
    assert (lost.status, lost.winners, lost.replications_used) == ("decided", ["imap"], 2)
    assert d.recommended == "imap" and d.hard_failures["pop3"]["lost"] > 100
    assert paragraph(d).startswith("Hard failure, messages lost for good")


def test_one_device_only_has_no_hard_failure_and_no_multi_device_criterion() -> None:
    """One desktop, no fault, no quota: neither protocol loses, bounces or misses mail,
    the several-device criteria do not arise, and the single-device criterion bears; the
    protocols keep that one device within about one point of agreement."""
    d, _ = decision_of(ONE, [1, 2], ["pop3", "imap"])
    assert all(d.criterion(h).status == "equivalent"
               for h in ("broken_verdict", "lost", "bounced", "missing_reads"))
    for name in ("several_devices", "synchronised_changes"):
        assert d.criterion(name).why_not == "the only account is used from one device"
    single = d.criterion("single_device")
    assert single.bears and single.deciding
    assert abs(single.pairs[0].advantage) < 0.015
    assert d.recommended in ("pop3", "imap") and not any(d.hard_failures["pop3"].values())


def test_offline_reading_required_excludes_the_variant_that_cannot_read_offline() -> None:
    """The laptop is online 9-17 but read from morning to night: a client that keeps no
    mail (imap-online) reads nothing offline and is outside min_offline_availability; the
    two that keep mail locally stay in the running, and one of them is recommended."""
    d, _ = decision_of(OFFLINE, [1, 2], ["pop3", "imap", "imap-online"])
    assert d.violations == {"pop3": [], "imap": [], "imap-online": ["min_offline_availability"]}
    assert d.recommended in ("pop3", "imap")
    alone, _ = decision_of(OFFLINE, [1, 2], ["pop3", "imap-online"])
    assert alone.recommended == "pop3" and alone.eligible == ["pop3"]
    assert d.criterion("offline_reading").bears


def test_every_variant_outside_a_limit_is_no_recommendation() -> None:
    """With max_bounced 0 and max_lost 0 on the lost laptop behind a tight quota, POP3
    loses mail and IMAP bounces it: no variant can be recommended."""
    text = LOST.replace("duration: 3d", "duration: 3d\nserver: {quota: 4MB}")
    d, _ = decision_of(text, [1, 2], ["pop3", "imap"],
                       "decision:\n  limits: {max_bounced: 0, max_lost: 0}\n")
    assert d.recommended is None and d.eligible == []
    assert "max_lost" in d.violations["pop3"] and "max_bounced" in d.violations["imap"]
    assert "No variant can be recommended" in paragraph(d)


def test_replications_until_decided_stops_once_kn_selects() -> None:
    """--replications auto with Kim & Nelson's procedure on the tight quota: batches of 2
    are added until the bounces are decided; the choice is pop3 and not provisional, well
    before the maximum of 30."""
    scenario = parse_scenario(QUOTA + VARIANTS, "test.yaml")
    runs: dict[str, list[dict[str, Any]]] = {"pop3": [], "imap": []}
    seed = 100
    while True:
        d = decide(runs, scenario.decision, procedure="kn") if runs["pop3"] else None
        more = 2 if d is None else replications_to_add(d, maximum=30, batch=2)
        if not more:
            break
        for s in range(seed, seed + more):
            for v in runs:
                runs[v].append(run(scenario, seed=s, variant=v).summary)
        seed += more
    assert d is not None and d.procedure == "kn" and d.first_stage == 5
    bounced = d.criterion("bounced")
    assert (d.recommended, d.provisional, bounced.status) == ("pop3", False, "decided")
    assert bounced.kn_stage is not None and 5 <= bounced.kn_stage <= d.replications < 30


def test_replications_to_add_respects_the_first_stage_and_the_maximum() -> None:
    """Below KN's first stage a batch grows to reach it; nothing beyond the maximum."""
    scenario = parse_scenario(LOST + VARIANTS, "test.yaml")
    runs = {v: [run(scenario, seed=s, variant=v).summary for s in (1, 2)]
            for v in ("pop3", "imap")}
    kn = decide(runs, procedure="kn")
    assert kn.undecided and replications_to_add(kn, maximum=10, batch=1) == 3
    assert replications_to_add(kn, maximum=4, batch=5) == 2
    assert replications_to_add(kn, maximum=2) == 0
    assert replications_to_add(decide(runs), maximum=10) == 0
