"""Two devices of one person: POP3 splits the mailbox between them, IMAP keeps them in
step (claims P3, P9, I4, I5)."""

from __future__ import annotations

from simulator.runs import run
from tests.scenarios import load, two_devices


def body_holders(results: object) -> dict[str, set[str]]:
    """mid -> devices holding its body at the end, from the history."""
    holders: dict[str, dict[str, int]] = {}
    for e in results.history.of("view"):  # type: ignore[attr-defined]
        if e.bodies:
            holders.setdefault(e.mid, {})[e.device] = e.bodies
        else:
            holders.setdefault(e.mid, {}).pop(e.device, None)
    return {mid: set(devs) for mid, devs in holders.items()}


def delivered(results: object) -> list[str]:
    return [e.mid for e in results.history.of("deliver")]  # type: ignore[attr-defined]


def expected(results: object) -> set[str]:
    """Messages the person still expects at the end (delivered or sent, not deleted)."""
    mids: set[str] = set()
    for e in results.history.of("intent"):  # type: ignore[attr-defined]
        (mids.add if e.state is not None else mids.discard)(e.mid)
    return mids


def test_p3_p9_pop3_without_leave_on_server_puts_each_message_on_exactly_one_device() -> None:
    """Claims P3/P9: each message ends on exactly one of the two devices, so the devices
    disagree with what the person expects and reads go missing."""
    results = run(load(two_devices("pop3", "{leave_on_server: false, poll: 15m}")))
    holders = body_holders(results)
    mids = [mid for mid in delivered(results) if mid in expected(results)]
    assert len(mids) > 80
    assert all(len(holders.get(mid, ())) == 1 for mid in mids)
    consistency = results.summary["consistency"]
    assert consistency["final_agreement"] < 0.6
    assert consistency["missing_reads"] > 20
    assert results.valid


def test_i4_i5_imap_full_cache_converges_on_both_devices() -> None:
    """Claims I4/I5: with IMAP and a full cache both devices show the same mailbox, with
    the same folders and flags, as the person intends."""
    results = run(load(two_devices("imap", "{cache: full, idle: true}", quiet="1d")))
    consistency = results.summary["consistency"]
    assert consistency["final_agreement"] == 1.0
    assert consistency["divergent_messages"] == 0
    assert consistency["missing_reads"] == 0
    assert consistency["unpropagated"] == 0
    assert results.summary["consistency"]["agreement"] > 0.99
    assert results.valid


def test_pop3_and_imap_see_the_same_mail_and_intentions() -> None:
    """Common random numbers: the same seed gives both protocols the same deliveries."""
    pop = run(load(two_devices("pop3", "{leave_on_server: false}")))
    imap = run(load(two_devices("imap", "{cache: full}")))
    assert delivered(pop) == delivered(imap)
