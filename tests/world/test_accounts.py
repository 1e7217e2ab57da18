"""Specification of people with several mail accounts (claim P8): each further account is a
mailbox of its own on its own server, every device of the person syncs all of them into its
one local store, and the person's actions reach the account that holds the message."""

from __future__ import annotations

from typing import Any

from simulator.runs import Results, run
from tests.scenarios import load

DAY, HOUR = 86_400.0, 3600.0
IMAP = "{cache: full, idle: true, poll: 10m}"
POP3 = "{leave_on_server: false, poll: 10m}"


def accounts(protocol: str, client: str, habits: str = "{check_every: 1h}",
             isp: str = "{}", home: str = "{receive: 20/d}", events: str = "",
             devices: int = 1) -> str:
    """Ann: work mail on the organisation's server, home mail at an ISP, on a laptop (and a
    phone when ``devices`` is 2)."""
    uses = 1.0 / devices
    rows = "\n".join(
        f"      - {{name: {name}, protocol: {protocol}, client: {client}, uses: {uses}}}"
        for name in ("laptop", "phone")[:devices])
    return f"""\
mailsim: 1
name: accounts
seed: 3
duration: 3d
servers:
  isp: {isp}
users:
  - name: ann
    mail: {{receive: 30/d, size: 50KB}}
    habits: {habits}
    accounts:
      - {{name: home, server: isp, mail: {home}}}
    devices:
{rows}
{events}"""


def go(text: str) -> Results:
    """Run a scenario text with its history kept."""
    return run(load(text))


def of(results: Results, kind: str) -> list[Any]:
    """The history's events of one kind."""
    return list(results.history.of(kind))


def home_mail(results: Results) -> set[str]:
    """Message ids delivered to Ann's home account."""
    return {e.mid for e in of(results, "deliver") if e.user == "ann+home"}


def test_pop3_files_both_accounts_into_one_local_inbox() -> None:
    """A POP3 laptop downloads both accounts' mail into one local Inbox and empties both
    servers; the accounts block says one Inbox, all mail in it."""
    results = go(accounts("pop3", POP3))
    assert home_mail(results) and len(home_mail(results)) < len(of(results, "deliver"))
    assert {e.tree for e in of(results, "filed")} == {""}
    block = results.summary["accounts"]
    assert block["inboxes_per_device"] == 1 and block["merged_inbox_share"] == 1
    assert block["per_account"]["ann+home"]["server"] == "isp"
    assert block["per_account"]["ann"]["server"] == "(organisation)"
    assert all(a["server_final_bytes"] <= 50_000 for a in block["per_account"].values())
    assert results.valid


def test_imap_keeps_an_inbox_per_account_on_its_own_server() -> None:
    """An IMAP laptop shows each account's mail in that account's own folders; the
    messages are stored in the account they were delivered to, and none is counted lost or
    as held by the laptop alone (the home account's server copies are the person's too)."""
    results = go(accounts("imap", IMAP))
    assert results.summary["consistency"]["anomalies"]["local_only"] == 0
    trees = {e.tree for e in of(results, "filed")}
    assert trees == {"ann", "ann+home"}
    homes = home_mail(results)
    stored = {(e.user, e.mid) for e in of(results, "store") if e.change == "add"}
    assert {account for account, mid in stored if mid in homes} == {"ann+home"}
    assert results.summary["accounts"]["inboxes_per_device"] == 2
    assert results.summary["durability"]["lost"] == 0
    assert results.summary["consistency"]["agreement"] >= 0.95
    assert results.valid


def test_deleting_home_mail_moves_it_to_the_home_accounts_trash() -> None:
    """Every deletion of a home message under IMAP (delete to Trash) happens in the home
    account on the ISP's server, never in the work account."""
    results = go(accounts("imap", IMAP, habits="{check_every: 1h, delete: 1.0, archive: 0}"))
    homes = home_mail(results)
    trashed = {(e.user, e.mid) for e in of(results, "store")
               if e.change == "add" and e.mailbox == "Trash" and e.mid in homes}
    assert len(trashed) >= 0.8 * len(homes)
    assert {account for account, _ in trashed} == {"ann+home"}
    assert results.valid


def test_replies_go_out_from_the_account_that_received_the_mail() -> None:
    """Replies to home mail are sent from the home account: under IMAP they land in its
    Sent folder on the ISP's server, with ids ending in @ann+home."""
    results = go(accounts("imap", IMAP, habits="{check_every: 1h, reply: 1.0}"))
    sent = {e.mid for e in of(results, "sent")}
    from_home = {mid for mid in sent if mid.endswith("@ann+home")}
    assert from_home and len(from_home) < len(sent)
    stored = {(e.user, e.mailbox, e.mid) for e in of(results, "store") if e.change == "add"}
    assert {(a, box) for a, box, mid in stored if mid in from_home} == {("ann+home", "Sent")}


def test_an_isp_outage_defers_home_mail_and_leaves_work_mail_flowing() -> None:
    """While the ISP's server is down, home mail is deferred and work mail still arrives on
    the laptop; the organisation's server records no outage."""
    isp = "{outages: [{at: 1d 10:00, for: 6h}]}"
    results = go(accounts("imap", IMAP, isp=isp, home="{receive: 60/d}"))
    start, end = DAY + 10 * HOUR, DAY + 16 * HOUR
    assert [(e.server, e.down) for e in of(results, "server_outage")] == [
        ("isp", True), ("isp", False)]
    deferred = {e.user for e in of(results, "defer")}
    assert deferred == {"ann+home"}
    work = {e.mid for e in of(results, "deliver") if e.user == "ann" and start < e.t < end - HOUR}
    seen = {e.mid for e in of(results, "view") if e.device == "ann/laptop" and e.t < end}
    assert work and work <= seen
    assert results.summary["faults"]["outages"]["count"] == 0
    assert results.summary["faults"]["other_servers"] == {"isp": {"outages": 1,
                                                                  "down_s": 6 * HOUR}}
    assert results.valid


def test_each_server_applies_its_own_quota() -> None:
    """A 1 MB quota at the ISP bounces home mail, and the checker counts the time that
    account was full; the organisation's server (no quota) bounces nothing."""
    results = go(accounts("imap", IMAP, isp="{quota: 1MB}", home="{receive: 60/d}"))
    bounced = {e.user for e in of(results, "bounce")}
    assert bounced == {"ann+home"}
    assert results.summary["accounts"]["per_account"]["ann+home"]["server_peak_bytes"] <= 1e6
    assert results.summary["server_storage"]["time_over_quota_s"] > 0, "the ISP account filled"
    assert results.valid


def test_a_lost_pop3_laptop_loses_both_accounts_mail() -> None:
    """Wiping a POP3 laptop that emptied both servers loses work and home mail alike: the
    lost count is every message whose only copy was on the laptop, home mail included."""
    events = "events:\n  - {at: 2d 12:00, lose: ann/laptop}"
    results = go(accounts("pop3", POP3, habits="{check_every: 1h, delete: 0, archive: 0}",
                          events=events))
    loss = 2 * DAY + 12 * HOUR
    held: dict[str, int] = {}
    for e in of(results, "view"):
        if e.t < loss:
            held[e.mid] = e.bodies
    copies: dict[str, int] = {}
    for e in of(results, "store"):
        step = {"add": 1, "expunge": -1}.get(e.change, 0)
        copies[e.mid] = copies.get(e.mid, 0) + step
    back = {e.mid for e in of(results, "view") if e.t >= loss and e.bodies}
    only_there = {m for m, bodies in held.items() if bodies and not copies.get(m) and m not in back}
    assert only_there & home_mail(results), "home mail was among what the laptop alone held"
    assert results.summary["durability"]["lost"] == len(only_there) >= 20
    assert home_mail(results) & back, "home mail arriving after the loss shows up again"
    assert results.valid


def test_two_pop3_devices_each_merge_a_different_share() -> None:
    """With two POP3 devices deleting on download, each merges both accounts into its own
    Inbox, but each holds only the mail it happened to fetch first (claim P3 again)."""
    results = go(accounts("pop3", POP3, devices=2))
    per_device = results.summary["accounts"]["per_device"]
    assert set(per_device) == {"ann/laptop", "ann/phone"}
    assert all(block["inboxes"] == 1 for block in per_device.values())
    assert results.summary["consistency"]["agreement"] <= 0.7


def test_reports_list_the_accounts_only_when_there_are_several() -> None:
    """report.md and report.html get an Accounts section naming each account's server and
    each device's Inboxes; a run without further accounts has no such section or block."""
    from simulator.report.html import run_html
    from simulator.report.markdown import run_report

    results = go(accounts("imap", IMAP))
    md = run_report(results.summary)
    assert "## Accounts" in md and "| ann+home | ann | isp |" in md
    assert "| ann/laptop | 2 |" in md
    assert "<h2>Accounts</h2>" in run_html(results.summary, results.timeseries)
    single = go(accounts("imap", IMAP).replace(
        "    accounts:\n      - {name: home, server: isp, mail: {receive: 20/d}}\n", ""))
    assert "accounts" not in single.summary and "## Accounts" not in run_report(single.summary)
