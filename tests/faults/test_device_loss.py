"""Device loss (`lose`) and replacement (`add`): what survives depends on where the mail
was kept. POP3 without leave-on-server keeps it only on the device; IMAP keeps it on the
server, so a new device gets it all back."""

from __future__ import annotations

from tests.faults.helpers import DAY, device, go, scenario, shown_at_end

TEN = "  - {at: 10h, deliver: {to: ann, count: 10, size: 50KB}}"
THREE_LATER = "  - {at: 1d 14:00, deliver: {to: ann, count: 3, size: 50KB}}"
LOSE = "  - {at: 1d 12:00, lose: ann/phone}"
POP3 = "{leave_on_server: false, poll: 15m}"
IMAP = "{cache: full, poll: 15m}"
FIRST = {f"e36000-{i}@ann" for i in range(1, 11)}
LATER = {f"e{int(DAY + 14 * 3600)}-{i}@ann" for i in range(1, 4)}


def test_pop3_without_leave_on_server_loses_exactly_the_mail_the_lost_phone_held() -> None:
    """The phone downloaded and deleted the ten messages from the server; when it is lost
    they exist nowhere. The examples say where each last was and what removed it."""
    results = go(scenario(device("phone", "pop3", POP3), events=f"{TEN}\n{LOSE}"))
    durability = results.summary["durability"]
    assert durability["lost"] == 10
    assert durability["lost_by_cause"] == {"device lost": 10}
    assert len(durability["lost_examples"]) == 5
    for example in durability["lost_examples"]:
        assert example["mid"] in FIRST
        assert example["last_place"] == "ann/phone"
        assert example["removed_by"] == "device lost"
        assert example["removed_at_s"] == DAY + 12 * 3600
        assert "ann/phone downloaded it and deleted it from the server (POP3)" in example["story"]
        assert "ann/phone was lost (its local mail wiped) 1d 12:00" in example["story"]
        assert example["story"].endswith(f"→ {example['mid']} exists nowhere")
    assert results.summary["faults"]["devices_lost"] == 1
    assert results.valid


def test_the_same_loss_under_imap_loses_nothing() -> None:
    """IMAP left the messages on the server: losing the phone loses no mail, and the
    wiped phone downloads them again."""
    results = go(scenario(device("phone", "imap", IMAP), events=f"{TEN}\n{LOSE}"))
    assert results.summary["durability"]["lost"] == 0
    assert set(shown_at_end(results, "ann/phone")) == FIRST
    assert results.valid


ADD = "  - {at: 1d 13:00, add: {user: ann, device: {name: tablet, protocol: %s, client: %s}}}"


def test_a_new_imap_device_bootstraps_everything_the_server_has() -> None:
    """A tablet added after the phone's loss shows all the mail, old and new."""
    events = "\n".join([TEN, LOSE, ADD % ("imap", IMAP), THREE_LATER])
    results = go(scenario(device("phone", "imap", IMAP), events=events))
    assert set(shown_at_end(results, "ann/tablet")) == FIRST | LATER
    assert results.summary["durability"]["lost"] == 0


def test_a_new_pop3_device_gets_only_what_is_still_on_the_server() -> None:
    """The lost POP3 phone had emptied the server: its replacement sees only mail that
    arrived after, and the first ten stay lost."""
    events = "\n".join([TEN, LOSE, ADD % ("pop3", POP3), THREE_LATER])
    results = go(scenario(device("phone", "pop3", POP3), events=events))
    tablet = set(shown_at_end(results, "ann/tablet"))
    phone = set(shown_at_end(results, "ann/phone"))
    assert tablet | phone == LATER
    assert not (tablet | phone) & FIRST
    assert results.summary["durability"]["lost"] == 10
