"""The consistency checker on hand-written histories: agreement, propagation and anomalies
exactly as DESIGN.md defines them."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from simulator.observe.consistency import PERSIST_S, Consistency
from simulator.observe.history import History

INBOX = ("INBOX", frozenset())
SEEN = ("INBOX", frozenset({"\\Seen"}))


def checker() -> tuple[History, Consistency]:
    history = History()
    check = Consistency(history)
    history.add("device", 0.0, "ann/laptop", "ann", "imap", 60.0)
    history.add("device", 0.0, "ann/phone", "ann", "imap", 60.0)
    return history, check


def test_agreement_is_matching_over_view_union_intent_per_device() -> None:
    """A device showing the message as intended matches; one not showing it does not."""
    history, check = checker()
    history.add("intent", 10.0, "ann", "m1", INBOX, "", "deliver")
    history.add("view", 10.0, "ann/laptop", "m1", INBOX, 1, 1)
    assert check.agree["ann/laptop"].ratio == 1.0
    assert check.agree["ann/phone"].ratio == 0.0
    assert check.agreement_now() == 0.5


def test_agreement_is_time_weighted() -> None:
    """Out of step for 10 s of a 40 s run, in step otherwise: 0.75 time-weighted."""
    history, check = checker()
    history.add("intent", 10.0, "ann", "m1", INBOX, "", "deliver")
    history.add("view", 10.0, "ann/laptop", "m1", INBOX, 1, 1)
    history.add("view", 20.0, "ann/phone", "m1", INBOX, 1, 1)
    summary = check.summary(40.0)
    assert summary["agreement"] == (1.0 + 0.75) / 2
    assert summary["final_agreement"] == 1.0


def test_a_flag_difference_is_a_mismatch() -> None:
    """Same message, different flags: the device does not agree with the intent."""
    history, check = checker()
    history.add("intent", 1.0, "ann", "m1", SEEN, "ann/laptop", "read")
    history.add("view", 1.0, "ann/laptop", "m1", SEEN, 1, 1)
    history.add("view", 1.0, "ann/phone", "m1", INBOX, 1, 1)
    assert check.summary(2.0)["divergent_messages"] == 1


def test_propagation_is_measured_per_other_device_and_unpropagated_counted() -> None:
    """The delay runs from the change to when each device shows it; never = unpropagated."""
    history, check = checker()
    history.add("intent", 100.0, "ann", "m1", INBOX, "", "deliver")
    history.add("view", 130.0, "ann/laptop", "m1", INBOX, 1, 1)
    summary = check.summary(1000.0)
    assert summary["propagation_s"]["max"] == 30.0
    assert summary["unpropagated"] == 1


def test_every_change_a_device_awaits_gets_its_own_delay_when_it_shows_them() -> None:
    """A device that shows none of three changes awaits all three (oldest first, times
    exact); once it shows the last state, each change's delay is measured from its own time."""
    history, check = checker()
    archived = ("Archive", SEEN[1])
    history.add("intent", 100.0, "ann", "m1", INBOX, "", "deliver")
    history.add("view", 100.0, "ann/laptop", "m1", INBOX, 1, 1)
    history.add("intent", 110.25, "ann", "m1", SEEN, "ann/laptop", "read")
    history.add("view", 110.25, "ann/laptop", "m1", SEEN, 1, 1)
    history.add("intent", 120.5, "ann", "m1", archived, "ann/laptop", "archive")
    history.add("view", 120.5, "ann/laptop", "m1", archived, 1, 1)
    assert check.awaited("ann/phone", "m1") == (100.0, 110.25, 120.5)
    assert check.unpropagated == 3
    history.add("view", 200.0, "ann/phone", "m1", archived, 1, 1)
    assert check.awaited("ann/phone", "m1") == ()
    summary = check.summary(1000.0)
    assert summary["unpropagated"] == 0
    assert sorted(check.delays) == [0.0, 0.0, 0.0, 79.5, 89.75, 100.0]


def test_a_duplicate_that_heals_within_a_minute_is_not_an_anomaly() -> None:
    """Shown twice for a moment during a sync is nothing a person sees."""
    history, check = checker()
    history.add("intent", 1.0, "ann", "m1", INBOX, "", "deliver")
    history.add("view", 5.0, "ann/phone", "m1", INBOX, 2, 2)
    history.add("view", 5.5, "ann/phone", "m1", INBOX, 1, 1)
    assert check.summary(1000.0)["anomalies"]["duplicate"] == 0


def test_a_duplicate_that_persists_is_an_anomaly_with_a_witness() -> None:
    """Shown twice for longer than PERSIST_S: one duplicate, witnessed when it began."""
    history, check = checker()
    history.add("intent", 1.0, "ann", "m1", INBOX, "", "deliver")
    history.add("view", 5.0, "ann/phone", "m1", INBOX, 2, 2)
    history.add("view", 5.0 + PERSIST_S + 1, "ann/phone", "m1", INBOX, 1, 1)
    summary = check.summary(1000.0)
    assert summary["anomalies"]["duplicate"] == 1
    assert summary["anomaly_witnesses"]["duplicate"][0]["t"] == 5.0


def test_mail_shown_again_after_the_person_deleted_it_is_resurrected() -> None:
    """Deleted by the person, gone from the device, then back for good: resurrected."""
    history, check = checker()
    history.add("intent", 1.0, "ann", "m1", INBOX, "", "deliver")
    history.add("view", 2.0, "ann/phone", "m1", INBOX, 1, 1)
    history.add("intent", 3.0, "ann", "m1", None, "ann/phone", "delete")
    history.add("view", 3.0, "ann/phone", "m1", None, 0, 0)
    history.add("view", 500.0, "ann/phone", "m1", INBOX, 1, 1)
    assert check.summary(1000.0)["anomalies"]["resurrected"] == 1


def test_a_flag_the_person_set_that_a_device_reverts_is_a_lost_flag_change() -> None:
    """The device showed \\Seen as intended, then lost it while the person still wants it."""
    history, check = checker()
    history.add("intent", 1.0, "ann", "m1", SEEN, "ann/laptop", "read")
    history.add("view", 1.0, "ann/laptop", "m1", SEEN, 1, 1)
    history.add("view", 50.0, "ann/laptop", "m1", INBOX, 1, 1)
    summary = check.summary(1000.0)
    assert summary["anomalies"]["lost_flag_change"] == 1


_STATES = st.sampled_from([INBOX, SEEN, ("Archive", frozenset()), ("Archive", SEEN[1])])
_RECORDS = st.lists(st.one_of(
    st.tuples(st.just("intent"), st.sampled_from(["m1", "m2", "m3"]), st.none() | _STATES),
    st.tuples(st.just("view"), st.sampled_from(["m1", "m2", "m3"]), st.none() | _STATES,
              st.sampled_from(["ann/laptop", "ann/phone"]), st.integers(0, 2)),
), max_size=40)


@given(_RECORDS)
def test_incremental_counters_equal_a_recount_from_intent_and_views(records: list) -> None:
    """After any sequence of intents and views, each device's union and matching counts,
    and the set of (device, message) awaiting a change, are what a recount of the current
    intent and views gives."""
    history, check = checker()
    for i, record in enumerate(records):
        t = float(i)
        if record[0] == "intent":
            _, mid, state = record
            history.add("intent", t, "ann", mid, state, "", "read" if state else "delete")
        else:
            _, mid, state, device, shown = record
            history.add("view", t, device, mid, state if shown else None, shown, shown)
        wants = check.intent["ann"]
        for device in ("ann/laptop", "ann/phone"):
            views = check.views(device)
            mids = set(wants) | set(views)
            matching = {m for m in mids if m in wants and m in views and views[m][0] == wants[m]}
            assert (check.agree[device].union, check.agree[device].matching) == (
                len(mids), len(matching))
            waiting = {m for m in ("m1", "m2", "m3") if check.awaited(device, m)}
            assert waiting <= mids - matching
        assert check.unpropagated == sum(
            len(check.awaited(d, m)) for d in check.pending for m in ("m1", "m2", "m3"))


def test_a_copy_that_vanishes_and_comes_back_without_the_flag_reverted_it() -> None:
    """The device showed \\Seen as intended, stopped showing the message, then showed it
    again unread: the person's flag was lost on the way."""
    history, check = checker()
    history.add("intent", 1.0, "ann", "m1", SEEN, "ann/laptop", "read")
    history.add("view", 1.0, "ann/laptop", "m1", SEEN, 1, 1)
    history.add("view", 20.0, "ann/laptop", "m1", None, 0, 0)
    history.add("view", 30.0, "ann/laptop", "m1", INBOX, 1, 1)
    summary = check.summary(1000.0)
    assert summary["anomalies"]["lost_flag_change"] == 1


@given(_RECORDS)
@example([("intent", "m1", SEEN), ("view", "m1", SEEN, "ann/laptop", 1),
          ("view", "m1", None, "ann/laptop", 0)])
def test_the_flags_shown_last_while_intended_are_remembered_per_device(records: list) -> None:
    """A lost flag change is measured against the flags a device showed last while the person
    intended the message: kept while the device hides it, forgotten when the message leaves
    the intent. The checker keeps them in its views (and apart only for a message hidden);
    they equal a plain map updated at every view shown while intended."""
    history, check = checker()
    wants: dict[str, tuple[str, frozenset[str]]] = {}
    shown_last: dict[tuple[str, str], frozenset[str]] = {}
    for i, record in enumerate(records):
        t = float(i)
        if record[0] == "intent":
            _, mid, state = record
            history.add("intent", t, "ann", mid, state, "", "read" if state else "delete")
            if state is None:
                wants.pop(mid, None)
                for device in ("ann/laptop", "ann/phone"):
                    shown_last.pop((device, mid), None)
            else:
                wants[mid] = state
        else:
            _, mid, state, device, shown = record
            history.add("view", t, device, mid, state if shown else None, shown, shown)
            if shown and mid in wants:
                shown_last[(device, mid)] = state[1] if state else frozenset()
        for device in ("ann/laptop", "ann/phone"):
            for mid in ("m1", "m2", "m3"):
                assert check.shown_last(device, mid) == shown_last.get((device, mid), frozenset())
