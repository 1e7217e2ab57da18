"""A device syncing several accounts (claim P8): each account's client works on its own part
of the device's one local store, and new Inbox mail is reported with its folder tree."""

from __future__ import annotations

from simulator.clients.base import Client
from simulator.clients.local import LocalStore
from simulator.clients.parts import LOCAL_TREE, StorePart
from simulator.mail.message import Message
from simulator.testing.driver import Bench


def shared_pair(kind: str, trees: tuple[str, str]) -> tuple[LocalStore, list[tuple[str, str]],
                                                             list[Bench], list[Client]]:
    """Two accounts (each on its own bench) and one client per account on a shared store."""
    store, filed = LocalStore(), []
    benches = [Bench(), Bench()]
    clients = []
    for bench, account, tree in zip(benches, ("work", "home"), trees, strict=True):
        client = bench.client(kind, "laptop", leave_on_server=False) if kind == "pop3" \
            else bench.client(kind, "laptop", cache="full")
        client.store = StorePart(store, account, tree, lambda mid, t: filed.append((mid, t)))
        clients.append(client)
    return store, filed, benches, clients


def test_two_pop3_accounts_download_into_one_store_without_mixing_keys() -> None:
    """Both accounts' servers number their messages alike, yet each message is held once,
    under its own account's key, in the one local Inbox (tree "")."""
    store, filed, benches, clients = shared_pair("pop3", (LOCAL_TREE, LOCAL_TREE))
    benches[0].account.add("INBOX", Message("m1@work", 5_000))
    benches[1].account.add("INBOX", Message("m1@home", 7_000))
    for bench, client in zip(benches, clients, strict=True):
        bench.sync(client)
    assert sorted(store.mids()) == ["m1@home", "m1@work"]
    assert len(store.visible_keys("INBOX")) == 2
    assert sorted(filed) == [("m1@home", ""), ("m1@work", "")]
    work, home = (c.store for c in clients)
    assert work.keys_of("m1@home") == [] and home.shown("m1@work") is None
    assert work.shown("m1@work") is not None and home.has_body("m1@home")
    assert store.bytes == 12_000 == work.bytes


def test_an_action_in_one_account_leaves_the_other_alone() -> None:
    """Deleting a message through one account's client removes only that account's copy."""
    store, _, benches, clients = shared_pair("pop3", (LOCAL_TREE, LOCAL_TREE))
    benches[0].account.add("INBOX", Message("m1@work", 5_000))
    benches[1].account.add("INBOX", Message("m1@home", 5_000))
    for bench, client in zip(benches, clients, strict=True):
        bench.sync(client)
    assert clients[1].delete("m1@home")
    assert not clients[1].delete("m1@work"), "not this account's message"
    assert store.mids() == ["m1@work"]


def test_imap_accounts_keep_their_own_folder_trees() -> None:
    """IMAP clients file each account's new mail under the account's own tree."""
    _, filed, benches, clients = shared_pair("imap", ("work", "home"))
    benches[0].account.add("INBOX", Message("m1@work", 5_000))
    benches[1].account.add("INBOX", Message("m1@home", 5_000))
    for bench, client in zip(benches, clients, strict=True):
        bench.sync(client)
    assert sorted(filed) == [("m1@home", "home"), ("m1@work", "work")]


def test_losing_the_device_wipes_every_accounts_part() -> None:
    """A wiped device keeps nothing of any account."""
    store, _, benches, clients = shared_pair("pop3", (LOCAL_TREE, LOCAL_TREE))
    for i, (bench, client) in enumerate(zip(benches, clients, strict=True)):
        bench.account.add("INBOX", Message(f"m{i}", 5_000))
        bench.sync(client)
    clients[0].lost()
    assert store.msgs == {} and store.bytes == 0
