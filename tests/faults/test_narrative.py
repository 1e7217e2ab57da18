"""What the report says about faults, from the history alone: plain-English accounts of
lost and anomalous messages, the lost mail's last place and cause, and the network
timeline (devices online per network, links down, partitions, drops)."""

from __future__ import annotations

from simulator.observe.history import History
from simulator.observe.narrative import Story, StoryLog, clock, index
from simulator.observe.observer import Observer
from simulator.observe.timeline import Timeline

MID = "m17@staff-01"
PHONE = "staff-01/phone"
DELIVERED = 2 * 86_400 + 9 * 3600 + 12 * 60
DOWNLOADED = 2 * 86_400 + 9 * 3600 + 20 * 60
LOST = 5 * 86_400 + 12 * 3600
INBOX = ("INBOX", frozenset())


def _lost_phone(history: History) -> None:
    """The issue's example: delivered, downloaded and deleted by POP3, phone lost."""
    history.add("device", 0.0, PHONE, "staff-01", "pop3", 900.0)
    history.add("deliver", DELIVERED, "staff-01", MID, 1000)
    history.add("store", DELIVERED, "staff-01", "add", "INBOX", 7, 17, MID, "deliver")
    history.add("intent", DELIVERED, "staff-01", MID, INBOX, "", "deliver")
    history.add("view", DOWNLOADED, PHONE, MID, INBOX, 1, 1)
    history.add("store", DOWNLOADED + 2, "staff-01", "expunge", "INBOX", 7, 17, MID, "pop3-quit")
    history.add("expunged_by", DOWNLOADED + 2, "staff-01", MID, PHONE, "INBOX", "pop3-quit")
    history.add("lost", LOST, PHONE)
    history.add("view", LOST, PHONE, MID, None, 0, 0)
    history.add("end", 7 * 86_400.0)


EXPECTED = ("m17@staff-01 delivered 2d 09:12; staff-01/phone downloaded it and deleted it "
            "from the server (POP3) 2d 09:20; staff-01/phone was lost (its local mail wiped) "
            "5d 12:00 → m17@staff-01 exists nowhere")


def test_clock_reads_as_days_and_time_of_day() -> None:
    """Scenario seconds are written "2d 09:12"."""
    assert clock(DELIVERED) == "2d 09:12"
    assert clock(59.9) == "0d 00:00"


def test_the_story_of_a_message_lost_with_its_pop3_phone() -> None:
    """One device's same-minute steps are joined; the fault that removed it is named."""
    history = History()
    _lost_phone(history)
    events, context = index(StoryLog(history), [MID])
    assert Story(MID, events[MID], context).tell(f"{MID} exists nowhere") == EXPECTED


def test_lost_mail_examples_carry_place_cause_and_story() -> None:
    """durability.lost_examples say where the message last was, when and what removed it."""
    history = History()
    observer = Observer(history)
    _lost_phone(history)
    durability = observer.summary()["durability"]
    assert durability["lost"] == 1
    assert durability["lost_by_cause"] == {"device lost": 1}
    [example] = durability["lost_examples"]
    assert example["last_place"] == PHONE
    assert example["removed_at_s"] == LOST
    assert example["removed_by"] == "device lost"
    assert example["story"] == EXPECTED


def test_without_a_kept_history_the_story_is_the_same() -> None:
    """A run that keeps no history (compare, sweeps) tells the same story as one that does,
    so summary.json does not depend on how the run was made."""
    stories = []
    for keep in (True, False):
        history = History(keep=keep)
        observer = Observer(history)
        _lost_phone(history)
        [example] = observer.summary()["durability"]["lost_examples"]
        stories.append(example["story"])
    assert stories[0] is not None and stories[0] == stories[1]


def test_a_duplicate_witness_tells_the_story_up_to_the_moment_it_was_seen() -> None:
    """The account stops at the witness and ends with what went wrong."""
    history = History()
    observer = Observer(history)
    history.add("device", 0.0, PHONE, "staff-01", "pop3", 900.0)
    history.add("deliver", 3600.0, "staff-01", MID, 1000)
    history.add("store", 3600.0, "staff-01", "add", "INBOX", 7, 17, MID, "deliver")
    history.add("intent", 3600.0, "staff-01", MID, INBOX, "", "deliver")
    history.add("view", 4000.0, PHONE, MID, INBOX, 1, 1)
    history.add("store", 86_400.0, "staff-01", "uidvalidity", "INBOX", 8, 1, MID, "")
    history.add("uidvalidity_reset", 86_400.0)
    history.add("view", 87_000.0, PHONE, MID, INBOX, 2, 2)
    history.add("view", 99_000.0, PHONE, MID, None, 0, 0)
    history.add("end", 2 * 86_400.0)
    witnesses = observer.summary()["consistency"]["anomaly_witnesses"]
    [witness] = witnesses["duplicate"]
    assert witness["story"] == (
        "m17@staff-01 delivered 0d 01:00; staff-01/phone downloaded it 0d 01:06; the server "
        "reset UIDVALIDITY 1d 00:00; staff-01/phone shows it 2 times 1d 00:10 "
        "→ staff-01/phone shows m17@staff-01 more than once")


def test_the_timeline_counts_devices_online_per_network_links_down_and_drops() -> None:
    """Rows for timeseries.csv and the faults block, from history events only."""
    history = History()
    timeline = Timeline(history)
    for name, network in (("a/laptop", "office"), ("a/phone", "cell"), ("b/phone", "cell")):
        history.add("device", 0.0, name, name[0], "imap", 60.0)
        history.add("route", 0.0, name, network)
    history.add("online", 10.0, "b/phone", False)
    history.add("link", 20.0, "office", False, "failure")
    history.add("route", 20.0, "a/laptop", None)
    history.add("partition", 30.0, ("cell",), True)
    history.add("drop", 40.0, "a/phone", "retr", "after", "random")
    assert timeline.row() == ("cell=1 office=0", 1, 1, 1, 1)
    history.add("partition", 90.0, ("cell",), False)
    history.add("link", 120.0, "office", True, "failure")
    summary = timeline.summary(200.0)
    assert summary["links"] == {"office": {"times_down": 1, "down_s": 100.0}}
    assert summary["partitions"] == {"count": 1, "active_s": 60.0}
    assert summary["connection_drops"]["after"] == 1
    assert summary["connection_drops"]["random"] == 1
    assert summary["unreachable_s"] == {"a/laptop": 180.0}
