"""Claims about POP3 (P1–P9) and the guide's reasons to choose it (G1–G3), as tests.
Thresholds are written out in each judge so that a reader sees what "holds" means."""

from __future__ import annotations

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
from simulator.analysis.claims import Claim, Measure, Ruling
from simulator.analysis.finding import Numbers


# -- POP3: how it works ----------------------------------------------------------------------
def judge_p1_p2(x: Numbers) -> Ruling:
    """Holds when pop3 downloads ≥ 95% of new mail and leaves ≤ 5% of pop3-keep's bytes."""
    dl, srv = x["delivered mail downloaded"], x[SERVER_FINAL.name]
    ok = n(dl["pop3"]) >= 0.95 and n(srv["pop3"]) <= 0.05 * n(srv["pop3-keep"])
    why = (f"pop3 downloaded {pct(dl['pop3'])} of new mail and left {size(srv['pop3'])} on "
           f"the server; with 'keep a copy' (pop3-keep) {size(srv['pop3-keep'])} stayed")
    return ("holds" if ok else "refuted"), why


P1_P2 = Claim(
    "P1, P2",
    "POP3 downloads all new Inbox mail to the device and by default deletes it from the "
    "server, unless 'keep a copy on the server' is set.",
    runs("p3-p9-two-devices.yaml", "pop3", "pop3-keep"),
    (Measure("delivered mail downloaded", "ratio", m.downloaded), SERVER_FINAL),
    judge_p1_p2,
)


def judge_p3_p9(x: Numbers) -> Ruling:
    """Holds when both POP3 variants agree ≤ 70%, ≥ 50% of pop3's mail is on one device only,
    and IMAP agrees ≥ 95%."""
    agree, alone = x[AGREEMENT.name], x[LOCAL_ONLY.name]
    split = max(n(agree["pop3"]), n(agree["pop3-keep"])) <= 0.7 and n(alone["pop3"]) >= 0.5
    ok = split and n(agree["imap"]) >= 0.95
    why = (f"two devices agree {pct(agree['pop3'])} (pop3) and {pct(agree['pop3-keep'])} "
           f"(pop3-keep) of the time-weighted mailbox against {pct(agree['imap'])} for imap; "
           f"{pct(alone['pop3'])} of pop3's mail ends up on one device only")
    return ("holds" if ok else "refuted"), why


P3_P9 = Claim(
    "P3, P9",
    "A downloaded message may then be reachable from one device only; POP3 works "
    "independently per device, so several devices cannot manage one account consistently.",
    runs("p3-p9-two-devices.yaml", "pop3", "pop3-keep", "imap"),
    (AGREEMENT, LOCAL_ONLY, UNPROPAGATED),
    judge_p3_p9,
)


def judge_p4(x: Numbers) -> Ruling:
    """Holds when ≤ 5% of POP3's sent mail reaches the server and ≥ 95% of IMAP's does."""
    share = x["sent mail stored on the server"]
    ok = n(share["pop3"]) <= 0.05 and n(share["imap"]) >= 0.95
    why = (f"{pct(share['pop3'])} of the mail sent under pop3 ever reached the server, "
           f"{pct(share['imap'])} under imap (Sent folder)")
    return ("holds" if ok else "refuted"), why


P4 = Claim(
    "P4",
    "Under POP3, sent messages are stored locally on the sending device, not on the server.",
    runs("p4-sent-mail.yaml", "pop3", "imap"),
    (Measure("sent mail stored on the server", "ratio", m.sent_on_server),),
    judge_p4,
)


# -- POP3: advantages, and the guide's POP3 side ----------------------------------------------
OFFLINE_RUNS = runs("p5-offline-reading.yaml", "pop3", "imap", "imap-light", "imap-online")


def judge_p5(x: Numbers) -> Ruling:
    """Holds when POP3 reads ≥ 95% of mail offline."""
    off = x[OFFLINE.name]
    ok = n(off["pop3"]) >= 0.95
    why = (f"reading on the laptop while it was offline succeeded {pct(off['pop3'])} of the "
           f"time under pop3 (mail downloaded at the last connection is on the device)")
    return ("holds" if ok else "refuted"), why


P5 = Claim(
    "P5",
    "Mail stored on the device can be read at any time, even without an internet connection.",
    OFFLINE_RUNS, (OFFLINE, OFFLINE_N), judge_p5,
)


def judge_g2(x: Numbers) -> Ruling:
    """Holds partly when POP3 reads ≥ 95% offline but full-cache IMAP does too."""
    off = x[OFFLINE.name]
    if n(off["pop3"]) < 0.95:
        return "refuted", f"pop3 read only {pct(off['pop3'])} of mail offline"
    why = (f"pop3 reads {pct(off['pop3'])} offline, but so does imap with a full cache "
           f"({pct(off['imap'])}); only header-only or cache-less IMAP fails "
           f"({pct(off['imap-light'])}, {pct(off['imap-online'])})")
    return ("holds partly" if n(off["imap"]) >= 0.95 else "holds"), why


G2 = Claim(
    "G2",
    "Choose POP3 when mail must be readable continuously, with or without a connection.",
    OFFLINE_RUNS, (OFFLINE, OFFLINE_N), judge_g2,
)


def judge_g1(x: Numbers) -> Ruling:
    """Holds when one-device POP3 is within 2 points of IMAP on agreement and offline reads."""
    agree, off = x[AGREEMENT.name], x[OFFLINE.name]
    gap = n(agree["imap"]) - n(agree["pop3"])
    ok = gap <= 0.02 and n(off["pop3"]) >= n(off["imap"]) - 0.02
    why = (f"with a single device pop3 agrees {pct(agree['pop3'])} vs imap "
           f"{pct(agree['imap'])} and reads {pct(off['pop3'])} offline vs "
           f"{pct(off['imap'])}: POP3 costs nothing here (but see G7: its copy is the only one)")
    return ("holds" if ok else "refuted"), why


G1 = Claim(
    "G1",
    "Choose POP3 when the account is used from a single device only.",
    runs("p5-offline-reading.yaml", "pop3", "imap"), (AGREEMENT, OFFLINE), judge_g1,
)

QUOTA_RUNS = runs("p6-i8-quota.yaml", "pop3", "imap")
FULLEST = Measure("account peak on the server", "bytes",
                  m.metric("server_storage.peak_bytes"))
BOUNCED = Measure("bounced (over quota)", "count", m.metric("server_storage.bounced"))


def judge_p6_g3(x: Numbers) -> Ruling:
    """Holds when POP3's account peaks at ≤ 20% of IMAP's and bounces nothing."""
    peak, bounced = x[FULLEST.name], x[BOUNCED.name]
    ok = n(peak["pop3"]) <= 0.2 * n(peak["imap"]) and n(bounced["pop3"]) == 0
    why = (f"with a 30 MB quota the account peaked at {size(peak['pop3'])} under pop3 and "
           f"{size(peak['imap'])} under imap; bounced: {n(bounced['pop3']):g} vs "
           f"{n(bounced['imap']):g}")
    return ("holds" if ok else "refuted"), why


P6_G3 = Claim(
    "P6, G3",
    "POP3 saves storage space on the server; choose it when server storage is limited.",
    QUOTA_RUNS, (FULLEST, BOUNCED), judge_p6_g3,
)

LOSS_RUNS = runs("p7-g7-device-loss.yaml", "pop3", "pop3-keep", "imap", "imap-online")


def judge_p7(x: Numbers) -> Ruling:
    """Holds partly when POP3 loses mail with its device but 'keep a copy' loses less."""
    lost = x[LOST.name]
    why = (f"when the only device was wiped, pop3 lost {n(lost['pop3']):g} messages for good "
           f"and pop3-keep {n(lost['pop3-keep']):g} (its sent mail); imap lost "
           f"{n(lost['imap']):g}. The local copy is the only copy by default; a backup only with "
           "'keep a copy', and the model has no server data loss to show its benefit")
    if n(lost["pop3"]) > 0 and n(lost["pop3-keep"]) < n(lost["pop3"]):
        return "holds partly", why
    return ("refuted" if n(lost["pop3"]) > 0 else "holds"), why


P7 = Claim(
    "P7",
    "POP3 serves as a local backup of mail.",
    LOSS_RUNS, (LOST, DEVICE_PEAK), judge_p7,
)

MERGED = Measure("new mail in the device's busiest Inbox", "ratio",
                 m.metric("accounts.merged_inbox_share"))
INBOXES = Measure("Inboxes new mail went to, per device", "count",
                  m.metric("accounts.inboxes_per_device"))


def judge_p8(x: Numbers) -> Ruling:
    """Holds when both POP3 variants file ≥ 99% of both accounts' mail into one Inbox while
    IMAP keeps ≥ 2 Inboxes, its busiest holding ≤ 90%."""
    merged, inboxes = x[MERGED.name], x[INBOXES.name]
    pop3 = all(n(merged[v]) >= 0.99 and n(inboxes[v]) == 1 for v in ("pop3", "pop3-keep"))
    ok = pop3 and n(inboxes["imap"]) >= 2 and n(merged["imap"]) <= 0.9
    why = (f"with a work account on the organisation's server and a private one at an ISP, "
           f"pop3 put {pct(merged['pop3'])} of both accounts' new mail into the laptop's one "
           f"local Inbox; imap kept {n(inboxes['imap']):g} Inboxes, one per server, the busiest "
           f"holding {pct(merged['imap'])} (a unified view would show them together, but they "
           "stay separate mailboxes)")
    return ("holds" if ok else "refuted"), why


P8 = Claim(
    "P8",
    "Mail from several accounts on several servers can be combined into one local Inbox.",
    runs("p8-merged-inbox.yaml", "pop3", "pop3-keep", "imap"),
    (MERGED, INBOXES, SERVER_FINAL),
    judge_p8,
)

POP3_CLAIMS = (P1_P2, P3_P9, P4, P5, P6_G3, P7, P8, G1, G2)
