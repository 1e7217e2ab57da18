"""A device store's index of keys by Message-ID, and the flag sets it shares."""

from hypothesis import given
from hypothesis import strategies as st

from simulator.clients.local import LocalStore
from simulator.mail.message import Message
from simulator.mail.store import SEEN, Mailbox

_OPS = st.lists(st.tuples(st.sampled_from(["put", "update", "remove"]),
                          st.sampled_from(["k1", "k2", "m1", "m2"]),
                          st.sampled_from(["m1", "m2"]),
                          st.sampled_from([frozenset(), frozenset({SEEN})])), max_size=30)


@given(_OPS)
def test_keys_by_mid_equal_a_recount_of_the_messages(ops: list) -> None:
    """After any puts, updates and removals, the keys held per Message-ID are those of the
    stored messages with that Message-ID, in the order they were stored (keys include
    Message-IDs, of the same message or of another); a message held under its own
    Message-ID alone takes no entry in the index."""
    store = LocalStore()
    told: dict[str, tuple[object, int, int]] = {}
    store.listener = lambda m, state, shown, bodies: told.__setitem__(m, (state, shown, bodies))
    for op, key, mid, flags in ops:
        if op == "put":
            store.put(key, Message(mid, 100), "INBOX", flags, body=True)
        elif op == "update":
            store.update(key, flags=flags, folder="Archive")
        else:
            store.remove(key)
        recount: dict[str, list[str]] = {}
        for k, local in store.msgs.items():
            recount.setdefault(local.msg.mid, []).append(k)
        assert {mid: store.keys_of(mid) for mid in store.mids()} == recount
        assert store.mids() == list(recount)
        for m in ("m1", "m2"):  # what the device shows is what a recount of its copies says
            copies = [store.msgs[k] for k in recount.get(m, [])]
            shown = [c for c in copies if c.visible]
            assert told.get(m, (None, 0, 0)) == (
                shown[0].state if shown else None, len(shown), sum(c.body for c in copies))
        assert [mid for mid, keys in recount.items() if keys == [mid]] == [
            mid for mid in recount if mid not in store.by_mid]


def test_equal_flag_sets_are_one_object_on_server_and_device() -> None:
    """Every stored copy holds the one shared frozenset of its flags (a run has millions of
    copies but few distinct flag sets), and the flags still compare by value."""
    box, store = Mailbox("INBOX", uidvalidity=1), LocalStore()
    a = box.add(Message("m1", 10), [SEEN])
    b = box.add(Message("m2", 10), {SEEN})
    store.put("k", Message("m1", 10), "INBOX", frozenset({SEEN}), body=False)
    assert a.flags == frozenset({SEEN})
    assert a.flags is b.flags is store.msgs["k"].flags
    box.set_flags(b.uid, frozenset())
    assert b.flags == frozenset()
    assert box.entries[b.uid].flags is box.add(Message("m3", 10)).flags
