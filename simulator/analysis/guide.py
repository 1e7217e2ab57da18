"""The source document's decision guide (claims G1–G7) judged on a comparison's numbers.

Each criterion says when the document recommends POP3 or IMAP; here it becomes a question
to this organisation's numbers: does the situation arise (e.g. are accounts used from one
device?), does it bite (e.g. does any account come near its quota?), and which variant
is best on it. Which variant is best is the comparison's decision (analysis/decision:
paired differences against the metric's indifference zone), so a criterion has a winner
only when the decision shows one; nothing here is a canned verdict: every sentence is built
from the measured means.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from simulator.analysis import fmt
from simulator.analysis.decision import CriterionResult
from simulator.analysis.finding import Finding

if TYPE_CHECKING:
    from simulator.analysis.comparison import Comparison

BITES = 0.5
"""A limit bites once usage reaches this share of it (quota, device storage)."""


def listing(c: Comparison, key: str) -> str:
    """'pop3 48.7 %, imap 93.0 %' for one metric's means."""
    unit = c.row(key).metric.unit
    return ", ".join(f"{v} {fmt.value(unit, c.mean(key, v))}" for v in c.variants)


def names(variants: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return variants[0] if len(variants) == 1 else ", ".join(variants[:-1]) + f" and {variants[-1]}"


def single_device_agreement(c: Comparison) -> dict[str, float | None]:
    """Per variant, mean agreement of accounts used from one device: the decision's mean
    over replications, else (a comparison saved without a decision) the first one's."""
    if c.decision is not None:
        return dict(c.decision.criterion("single_device").means)
    out: dict[str, float | None] = {}
    for v in c.variants:
        users = c.summaries[v].get("users", {})
        values = [u["agreement"] for u in users.values()
                  if len(u.get("devices", [])) == 1 and u.get("agreement") is not None]
        out[v] = sum(values) / len(values) if values else None
    return out


def g1(c: Comparison) -> Finding:
    """POP3 when the account is used from a single device only."""
    f = Finding("G1", "Use POP3 when the account is used from a single device only",
                favours="pop3", short="single device", key="consistency.agreement")
    ctx = c.context
    single, total = ctx["single_device_accounts"], ctx["accounts"]
    if single == 0:
        f.applies = False
        every = "the only account is" if total == 1 else f"all {total} accounts are"
        f.why = (f"Does not arise: {every} used from two or more "
                      "devices, so the document's first reason for POP3 is absent here.")
        return f
    agree = single_device_agreement(c)
    present = {v: a for v, a in agree.items() if a is not None}
    if single == total or not present:
        f.why = (f"{single} of {total} accounts use one device. Agreement: "
                      f"{listing(c, f.key)}.")
        return f
    shown = ", ".join(f"{v} {fmt.value('ratio', a)}" for v, a in agree.items())
    where = "mean per run" if c.decision is not None else "first replication"
    f.why = (f"{single} of {total} accounts use one device; their agreement "
             f"({where}): {shown}.")
    return f


def g2(c: Comparison) -> Finding:
    """POP3 when mail must be readable with or without a connection."""
    key = "offline_availability.ratio"
    f = Finding("G2", "Use POP3 when mail must be readable with or without a connection",
                favours="pop3", short="offline reading", key=key)
    attempts = [c.mean("offline_availability.attempts", v) or 0 for v in c.variants]
    if max(attempts) == 0:
        f.applies = False
        f.why = "Does not arise: nobody tried to read mail while offline in this scenario."
        return f
    f.why = (f"People opened mail without a connection {fmt.count(round(max(attempts)))} "
                  f"times per run (most in any variant). Share of those reads that "
                  f"succeeded: {listing(c, key)}.")
    return f


def g3(c: Comparison) -> Finding:
    """POP3 when server storage is limited."""
    key = "server_storage.fullest_account_peak_bytes"
    f = Finding("G3", "Use POP3 when server storage is limited",
                favours="pop3", short="server storage", key=key)
    quota = c.context["quota_bytes"]
    bounced = {v: c.mean("server_storage.bounced", v) or 0 for v in c.variants}
    peaks = {v: c.mean(key, v) or 0 for v in c.variants}
    if quota is None:
        f.bites = False
        f.why = f"No quota is set. The fullest account peaked at: {listing(c, key)}."
        return f
    worst = max(peaks, key=lambda v: peaks[v])
    share = peaks[worst] / quota
    f.bites = share >= BITES or any(bounced.values())
    bounces = (f"Mail bounced for lack of room: {listing(c, 'server_storage.bounced')}."
               if any(bounced.values()) else "No mail bounced in any variant.")
    f.why = (f"The quota is {fmt.value('bytes', quota)} per account. The fullest "
                  f"account peaked at {listing(c, key)} — at most {fmt.value('ratio', share)} "
                  f"of the quota (under {worst}). {bounces}")
    return f


def g4(c: Comparison) -> Finding:
    """IMAP when the account is used from several devices and places."""
    key = "consistency.agreement"
    f = Finding("G4", "Use IMAP when the account is used from several devices and places",
                favours="imap", short="several devices", key=key)
    multi, total = c.context["multi_device_accounts"], c.context["accounts"]
    if multi == 0:
        f.applies = False
        each = "the only account" if total == 1 else f"each of the {total} accounts"
        f.why = f"Does not arise: {each} is used from one device."
        return f
    f.why = (f"{multi} of {total} accounts are used from several devices. Agreement "
                  f"(how much of each device's view matches what the person expects, "
                  f"time-weighted): {listing(c, key)}. Messages out of step at the end: "
                  f"{listing(c, 'consistency.divergent_messages')}.")
    return f


def g5(c: Comparison) -> Finding:
    """IMAP when changes should be synchronised across all devices."""
    key = "consistency.unpropagated"
    f = Finding("G5", "Use IMAP when changes should be synchronised across all devices",
                favours="imap", short="synchronised changes", key=key)
    if c.context["multi_device_accounts"] == 0:
        f.applies = False
        f.why = "Does not arise: no account has a second device to synchronise with."
        return f
    f.why = (f"Changes (new mail, reads, flags, deletes, moves, sent mail) that never "
                  f"reached another device of the same person: {listing(c, key)}. "
                  f"Delay until the others showed a change, p50: "
                  f"{listing(c, 'consistency.propagation_s.p50')}; p95: "
                  f"{listing(c, 'consistency.propagation_s.p95')}.")
    return f


def g6(c: Comparison) -> Finding:
    """IMAP when local storage is limited."""
    key = "device_storage.peak_bytes"
    f = Finding("G6", "Use IMAP when local storage (disk, phone) is limited",
                favours="imap", short="device storage", key=key)
    smallest = c.context["smallest_device_storage_bytes"]
    peaks = [c.mean(key, v) or 0 for v in c.variants]
    text = f"The fullest device held at its peak: {listing(c, key)}."
    if smallest is None:
        f.bites = False
        f.why = text + " No device has a storage limit in this scenario."
        return f
    share = max(peaks) / smallest
    f.bites = share >= BITES
    f.why = (text + f" The smallest device has {fmt.value('bytes', smallest)}, so mail "
                  f"takes at most {fmt.value('ratio', share)} of it.")
    return f


def g7(c: Comparison) -> Finding:
    """IMAP when a device may fail and the mail must survive it."""
    lost, alone = "durability.lost", "consistency.anomalies.local_only"
    f = Finding("G7", "Use IMAP when a device may fail and the mail must survive it",
                favours="imap", short="surviving a device failure", key=lost)
    losses = c.context["device_losses"]
    if losses:
        f.why = (f"{losses} device(s) are lost during the scenario. Messages lost for "
                      f"good: {listing(c, lost)}. Messages left on one device only: "
                      f"{listing(c, alone)}.")
        return f
    f.key = alone
    f.why = (f"No device fails in this scenario; what one failure would cost is the "
                  f"mail that exists on one device only and not on the server: "
                  f"{listing(c, alone)}.")
    return f


CRITERIA: tuple[Callable[[Comparison], Finding], ...] = (g1, g2, g3, g4, g5, g6, g7)


def evaluate(c: Comparison) -> list[Finding]:
    """Every criterion of the guide on this comparison, with the decision's winners and a
    status saying how they compare with the document (see ``agrees``)."""
    findings = [criterion(c) for criterion in CRITERIA]
    for f in findings:
        f.winners = contenders(judged_by(c, f.code))
        f.status = agrees(c, f)
    return findings


def contenders(judged: CriterionResult | None) -> list[str]:
    """The variants that may be best on a judged criterion: the winners when decided,
    those not shown worse than the best when undecided, none when all are equivalent."""
    if judged is None or judged.status == "equivalent":
        return []
    if judged.status == "decided":
        return list(judged.winners)
    beaten = {p.other for p in judged.pairs if p.shows == "better"}
    return [v for v in judged.compared if v not in beaten]


def judged_by(c: Comparison, code: str) -> CriterionResult | None:
    """The decision's result for the criterion with this code (None: no decision, or the
    criterion was not judged because it does not bear or one variant was left)."""
    if c.decision is None:
        return None
    found = next((r for r in c.decision.criteria if r.code == code), None)
    return found if found is not None and found.status is not None else None


def agrees(c: Comparison, f: Finding) -> str:
    """How the decision's winners compare with the protocol the document favours:
    'agrees' (only that protocol wins, or may still win), 'disagrees' (only the other),
    'partly' (a winner of each protocol), 'undecided' (variants of both protocols may still
    be best), 'equivalent' (all within the zone), or '—' when not judged here."""
    judged = judged_by(c, f.code)
    if judged is None:
        return "—"
    if judged.status == "equivalent":
        return "equivalent"
    hits = [f.favours in c.protocols[v] for v in f.winners]
    if all(hits):
        return "agrees"
    if not any(hits):
        return "disagrees"
    return "partly" if judged.status == "decided" else "undecided"
