"""report.md: one run's results as a short, readable Markdown page."""

from __future__ import annotations

from typing import Any

from simulator.analysis.fmt import human_bytes, human_seconds, pct
from simulator.observe.consistency import ANOMALIES


def headline(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The handful of numbers a person reads first, as (label, value) rows."""
    c, s, o = summary["consistency"], summary["server_storage"], summary["offline_availability"]
    return [
        ("Verdict", "valid" if summary["verdict"]["valid"] else "INVALID"),
        ("Agreement (time-weighted)", pct(c["agreement"])),
        ("Final agreement", pct(c["final_agreement"])),
        ("Divergent messages at end", str(c["divergent_messages"])),
        ("Missing reads", str(c["missing_reads"])),
        ("Propagation p50 / p95", f"{human_seconds(c['propagation_s']['p50'])} / "
                                  f"{human_seconds(c['propagation_s']['p95'])}"),
        ("Unpropagated changes", str(c["unpropagated"])),
        ("Server storage peak / final", f"{human_bytes(s['peak_bytes'])} / "
                                        f"{human_bytes(s['final_bytes'])}"),
        ("Bounced / deferred", f"{s['bounced']} / {s['deferred']}"),
        ("Offline availability", f"{pct(o['ratio'])} of {o['attempts']} offline reads"),
        ("Device storage peak", human_bytes(summary["device_storage"]["peak_bytes"])),
        ("Lost messages", str(summary["durability"]["lost"])),
        ("Traffic down / up", f"{human_bytes(summary['traffic']['bytes_down'])} / "
                              f"{human_bytes(summary['traffic']['bytes_up'])}"),
        ("Plaintext logins", str(summary["security"]["plaintext_logins"])),
    ]


def canonical(kinds: dict[str, Any]) -> list[str]:
    """Anomaly kinds in the contract's order, then any others sorted: the same order
    whether the summary comes from a run or from summary.json (written with sorted keys)."""
    known = [k for k in ANOMALIES if k in kinds]
    return known + sorted(k for k in kinds if k not in ANOMALIES)


Table = tuple[list[str], list[list[str]]]


def account_tables(block: dict[str, Any]) -> list[Table]:
    """The accounts tables (claim P8): each account's server and bytes; then, per device,
    how many Inboxes its new mail went to and the busiest one's share."""
    accounts = [[name, a["person"], a["server"], str(a["delivered"]),
                 human_bytes(a["server_peak_bytes"]), human_bytes(a["server_final_bytes"])]
                for name, a in block["per_account"].items()]
    devices = [[device, str(d["inboxes"]), pct(d["merged_share"])]
               for device, d in block["per_device"].items()]
    return [(["account", "person", "server", "delivered", "server peak", "server at end"],
             accounts),
            (["device", "Inboxes new mail went to", "in the busiest Inbox"], devices)]


def run_report(summary: dict[str, Any]) -> str:
    """The whole report.md for one run."""
    sc = summary["scenario"]
    lines = [
        f"# {sc['name']} — variant {sc['variant']}, seed {sc['seed']}",
        "",
        f"Simulated {human_seconds(sc['duration_s'])} with mailsim {summary['mailsim_version']}"
        f" (scenario sha256 {sc['sha256'][:12]}).",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in headline(summary)),
        "",
    ]
    verdict = summary["verdict"]
    if not verdict["valid"]:
        lines += ["## Violations", "", *(f"- {v}" for v in verdict["violations"]), ""]
    anomalies = summary["consistency"]["anomalies"]
    witnesses = summary["consistency"].get("anomaly_witnesses", {})
    lines += ["## Anomalies", "", "| kind | count |", "|---|---|"]
    lines += [f"| {k} | {anomalies[k]} |" for k in canonical(anomalies)]
    for kind in canonical(witnesses):
        rows = witnesses[kind]
        for w in rows:
            lines.append(f"- {kind}: {w['mid']} on {w['device']} at "
                         f"{human_seconds(w['t'])}: {w.get('story') or w['what']}")
    lines += ["", "## Devices", "",
              "| device | agreement | offline avail. | missing reads | storage peak | down |",
              "|---|---|---|---|---|---|"]
    for name, d in summary["devices"].items():
        lines.append(f"| {name} | {pct(d['agreement'])} | {pct(d['offline_availability'])} | "
                     f"{d['missing_reads']} | {human_bytes(d['storage_peak_bytes'])} | "
                     f"{human_bytes(d['bytes_down'])} |")
    if summary.get("accounts"):
        lines += ["", "## Accounts"]
        for head, rows in account_tables(summary["accounts"]):
            lines += ["", f"| {' | '.join(head)} |", "|" + "---|" * len(head)]
            lines += [f"| {' | '.join(row)} |" for row in rows]
    lost = summary["durability"]["lost_examples"]
    if lost:
        lines += ["", "## Lost mail (examples)", ""]
        lines += [f"- {x['mid']} ({x['user']}): {x.get('story') or 'last seen ' + x['last_seen']}"
                  for x in lost]
    return "\n".join(lines) + "\n"
