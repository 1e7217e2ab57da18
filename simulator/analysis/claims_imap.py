"""Claims about IMAP (I1–I10), the guide's reasons to choose it (G4–G7), the related
article on server storage (R1) and the ports (T1–T3), as tests. Thresholds are written
out in each judge so that a reader sees what "holds" means."""

from __future__ import annotations

from simulator.analysis import fmt
from simulator.analysis import measures as m
from simulator.analysis.claimkit import (
    AGREEMENT,
    DEVICE_PEAK,
    LOCAL_ONLY,
    LOST,
    OFFLINE,
    OFFLINE_N,
    SERVER_FINAL,
    UNPROPAGATED,
    n,
    pct,
    runs,
    size,
)
from simulator.analysis.claims import Claim, ClaimRun, Measure, Ruling
from simulator.analysis.claims_pop3 import LOSS_RUNS, OFFLINE_RUNS, QUOTA_RUNS
from simulator.analysis.finding import Numbers
from simulator.mail.connect import port


def judge_sync(x: Numbers) -> Ruling:
    """Holds when IMAP agrees ≥ 95% and leaves ≤ 1% of POP3's unpropagated changes."""
    agree, pending = x[AGREEMENT.name], x[UNPROPAGATED.name]
    ok = n(agree["imap"]) >= 0.95 and n(pending["imap"]) <= 0.01 * max(n(pending["pop3"]), 1)
    why = (f"two devices under imap agree {pct(agree['imap'])} and leave "
           f"{n(pending['imap']):g} changes unpropagated (pop3: {pct(agree['pop3'])}, "
           f"{n(pending['pop3']):g}); reads, flags, deletes and moves go through the server")
    return ("holds" if ok else "refuted"), why


SYNC = Claim(
    "I3, I4, I5, G4, G5",
    "IMAP processes read marks and deletes on the server; several devices can manage one "
    "mailbox and all folders stay synchronised — choose IMAP for several devices and sync.",
    runs("p3-p9-two-devices.yaml", "pop3", "imap"), (AGREEMENT, UNPROPAGATED, LOCAL_ONLY),
    judge_sync,
)

VISIBLE_P50 = Measure("time to visible, p50", "s", m.visible_after(50))
VISIBLE_P90 = Measure("time to visible, p90", "s", m.visible_after(90))
FETCH = Measure("wait to open a message, p50", "s", m.metric("reads.fetch_latency_s.p50"))


def judge_i6(x: Numbers) -> Ruling:
    """Holds partly when header-only IMAP lists new mail in ≤ half POP3's p90 but opening waits
    > 1 s."""
    p90, fetch = x[VISIBLE_P90.name], x[FETCH.name]
    faster = n(p90["imap-light"]) <= 0.5 * n(p90["pop3"])
    why = (f"on a 1 Mbit link, 90% of new mail (~1 MB messages and a burst of 15 × 3 MB) "
           f"was listed within {fmt.value('s', p90['imap-light'])} by header-only imap, "
           f"{fmt.value('s', p90['imap'])} by full-cache imap and "
           f"{fmt.value('s', p90['pop3'])} by pop3, which download whole messages first; "
           f"but header-only imap then waits {fmt.value('s', fetch['imap-light'])} (p50) to "
           "open a message, where the others open it at once")
    if not faster:
        return "refuted", why
    return ("holds partly" if n(fetch["imap-light"]) > 1 else "holds"), why


I1_I6 = Claim(
    "I1, I6",
    "With IMAP, mail is read from the server without downloading and keeping it first, so "
    "it can be viewed faster.",
    runs("i6-time-to-visible.yaml", "pop3", "imap-light", "imap"),
    (VISIBLE_P50, VISIBLE_P90, FETCH), judge_i6,
)

STORAGE_RUNS = runs("i7-g6-device-storage.yaml", "pop3", "pop3-keep", "imap", "imap-light",
                    "imap-online")


def judge_i7(x: Numbers) -> Ruling:
    """Holds partly when no-cache IMAP keeps ≤ 10% of pop3-keep's bytes but full-cache IMAP ≥
    50%."""
    peak = x[DEVICE_PEAK.name]
    ref = n(peak["pop3-keep"])
    online_small = n(peak["imap-online"]) <= 0.1 * ref
    full_large = n(peak["imap"]) >= 0.5 * ref
    why = (f"largest device at its peak: pop3 {size(peak['pop3'])}, pop3-keep "
           f"{size(peak['pop3-keep'])}, imap full cache {size(peak['imap'])}, headers "
           f"{size(peak['imap-light'])}, no cache {size(peak['imap-online'])}: the saving "
           "comes from the cache setting, not from IMAP itself")
    if online_small and full_large:
        return "holds partly", why
    return ("holds" if online_small else "refuted"), why


I2_I7_G6 = Claim(
    "I2, I7, G6",
    "An IMAP client caches what the user asks for; IMAP saves storage on the device, so "
    "choose it when local storage is limited.",
    STORAGE_RUNS, (DEVICE_PEAK,), judge_i7,
)


def judge_i8(x: Numbers) -> Ruling:
    """Holds when IMAP bounces mail over the quota."""
    bounced = x["bounced (over quota)"]
    ok = n(bounced["imap"]) > 0
    why = (f"with a 30 MB quota and ~12 MB of mail a day, {n(bounced['imap']):g} messages "
           f"bounced under imap and {n(bounced['pop3']):g} under pop3")
    return ("holds" if ok else "refuted"), why


I8 = Claim(
    "I8",
    "IMAP mailboxes are limited by the provider's quota; with a lot of mail it fills up and "
    "receiving runs into problems.",
    QUOTA_RUNS,
    (Measure("bounced (over quota)", "count", m.metric("server_storage.bounced")),
     Measure("time the account was full", "s", m.metric("server_storage.time_over_quota_s"))),
    judge_i8,
)


def judge_i9(x: Numbers) -> Ruling:
    """Holds partly when only the cache-less IMAP client keeps ≤ 10% of POP3's bytes."""
    peak = x[DEVICE_PEAK.name]
    why = (f"imap with a full cache kept {size(peak['imap'])} on the device (pop3 "
           f"{size(peak['pop3'])}); only the cache-less client kept almost nothing "
           f"({size(peak['imap-online'])})")
    if n(peak["imap-online"]) <= 0.1 * n(peak["pop3"]) <= n(peak["imap"]):
        return "holds partly", why
    return ("holds" if n(peak["imap"]) <= 0.1 * n(peak["pop3"]) else "refuted"), why


I9 = Claim(
    "I9",
    "IMAP does not keep the user's data on the local computer (no local copy to fall back on).",
    LOSS_RUNS, (DEVICE_PEAK,), judge_i9,
)


def judge_i10(x: Numbers) -> Ruling:
    """Holds partly when cache-less IMAP reads ≤ 5% offline but full-cache IMAP ≥ 95%."""
    off = x[OFFLINE.name]
    why = (f"offline reads succeeded {pct(off['imap-online'])} without a cache and "
           f"{pct(off['imap-light'])} with headers only, but {pct(off['imap'])} with a full "
           "cache (the usual default)")
    if n(off["imap-online"]) <= 0.05 and n(off["imap"]) >= 0.95:
        return "holds partly", why
    return ("holds" if n(off["imap"]) <= 0.05 else "refuted"), why


I10 = Claim(
    "I10",
    "IMAP needs an internet connection to view mail.",
    OFFLINE_RUNS, (OFFLINE, OFFLINE_N), judge_i10,
)


def judge_g7(x: Numbers) -> Ruling:
    """Holds when no IMAP variant loses mail with the device and POP3 does."""
    lost = x[LOST.name]
    ok = n(lost["imap"]) == 0 and n(lost["imap-online"]) == 0 and n(lost["pop3"]) > 0
    why = (f"after the device was wiped, imap lost {n(lost['imap']):g} messages and pop3 "
           f"{n(lost['pop3']):g}: IMAP's copy on the server survives the device")
    return ("holds" if ok else "refuted"), why


G7 = Claim(
    "G7",
    "Choose IMAP when a device may fail and the mail must survive it.",
    LOSS_RUNS, (LOST,), judge_g7,
)


R1_RUNS = (ClaimRun("imap, delete to Trash", "r1-no-retention.yaml", "imap"),
           ClaimRun("imap, delete expunges", "r1-no-retention.yaml", "imap-expunge"),
           ClaimRun("imap, Trash + 1-day retention", "r1-retention.yaml", "imap"))


def judge_r1(x: Numbers) -> Ruling:
    """Holds (partly, if retention loses kept mail) when Trash keeps ≥ 1.5× the expunged
    storage and retention brings it to ≤ 60%."""
    final, lost = x[SERVER_FINAL.name], x[LOST.name]
    trash, expunge, kept = (n(final[r.label]) for r in R1_RUNS)
    grows = trash >= 1.5 * expunge
    fixed = kept <= 0.6 * trash
    why = (f"deleting half the mail in the client left {size(trash)} on the server (Trash "
           f"counts) against {size(expunge)} when deletes expunge; retention cut it to "
           f"{size(kept)} but also removed {n(lost[R1_RUNS[2].label]):g} messages the person "
           "had kept")
    if grows and fixed:
        return ("holds partly" if n(lost[R1_RUNS[2].label]) > 0 else "holds"), why
    return "refuted", why


R1 = Claim(
    "R1",
    "Deleting or filing mail in the client does not free the server, whose capacity fills "
    "up; server-side retention (auto-delete after a period) is the remedy.",
    R1_RUNS, (SERVER_FINAL, Measure("server storage peak", "bytes",
                                    m.metric("server_storage.peak_bytes")), LOST),
    judge_r1,
)

T_RUNS = (ClaimRun("pop3, no TLS", "t1-t2-plaintext.yaml", "pop3"),
          ClaimRun("imap, no TLS", "t1-t2-plaintext.yaml", "imap"),
          ClaimRun("pop3, implicit TLS", "t1-t2-tls.yaml", "pop3"),
          ClaimRun("imap, implicit TLS", "t1-t2-tls.yaml", "imap"))
PORTS = {("pop3", "none"): 110, ("pop3", "implicit"): 995, ("imap", "none"): 143,
         ("imap", "implicit"): 993}


def judge_t1_t2(x: Numbers) -> Ruling:
    """Holds when the ports are 110/995/143/993 and only TLS-less logins are in clear."""
    share = x["plaintext logins per connection"]
    plain = [n(share[r.label]) for r in T_RUNS[:2]]
    tls = [n(share[r.label]) for r in T_RUNS[2:]]
    ports_ok = all(port(p, t) == want for (p, t), want in PORTS.items())
    ok = ports_ok and min(plain) == 1.0 and max(tls) == 0.0
    why = (f"ports in the model: POP3 {port('pop3', 'none')}/{port('pop3', 'implicit')}, IMAP "
           f"{port('imap', 'none')}/{port('imap', 'implicit')}; without TLS "
           f"{pct(min(plain))} of logins were in clear, with implicit TLS {pct(max(tls))}")
    return ("holds" if ok else "refuted"), why


T1_T2 = Claim(
    "T1, T2",
    "POP3 uses port 110 unencrypted and 995 with SSL/TLS; IMAP uses 143 and 993.",
    T_RUNS,
    (Measure("plaintext logins per connection", "ratio", m.plaintext_share),
     Measure("connections", "count", m.metric("traffic.connections"))),
    judge_t1_t2,
)

T3 = Claim(
    "T3",
    "The provider offers both protocols with SSL.",
    untestable="a statement about one provider's service, not about the protocols",
    not_protocol=True,
)

IMAP_CLAIMS = (I1_I6, I2_I7_G6, SYNC, I8, I9, I10, G7, R1, T1_T2, T3)
