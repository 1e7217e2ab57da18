"""Rule 5: UIDL is unique, never reused, stable across sessions; Dovecot derives it from
the IMAP UID and UIDVALIDITY (``%08Xu%08Xv``), so a UIDVALIDITY reset changes every UIDL."""

from __future__ import annotations

from simulator.mail import pop3
from simulator.mail.store import Account

from .conftest import deliver, pop3_login


def uidls(drop: pop3.Maildrop) -> dict[str, str]:
    """mid → UIDL as a fresh session lists them (the session is QUIT afterwards)."""
    session = pop3_login(drop)
    rows = session.uidl().value
    out = {session.message(n).mid: text for n, text in rows}
    session.quit()
    return out


def test_rule5_uidl_format_is_dovecots_default(account: Account, maildrop: pop3.Maildrop) -> None:
    """Rule 5: UIDL = 8 lower-case hex digits of the UID then 8 of UIDVALIDITY."""
    [uid] = deliver(account, "m1")
    validity = account.mailboxes["INBOX"].uidvalidity
    assert uidls(maildrop) == {"m1": f"{uid:08x}{validity:08x}"}


def test_rule5_uidl_is_stable_across_sessions(account: Account, maildrop: pop3.Maildrop) -> None:
    """Rule 5: the same message keeps its UIDL although its message number changes."""
    deliver(account, "m1", "m2", "m3")
    before = uidls(maildrop)
    session = pop3_login(maildrop)
    session.dele(1)
    session.quit()
    after = uidls(maildrop)
    assert after == {mid: before[mid] for mid in ("m2", "m3")}


def test_rule5_uidl_is_never_reused(account: Account, maildrop: pop3.Maildrop) -> None:
    """Rule 5: a message arriving after another was deleted never gets the old UIDL."""
    deliver(account, "m1")
    old = uidls(maildrop)["m1"]
    session = pop3_login(maildrop)
    session.dele(1)
    session.quit()
    deliver(account, "m2")
    assert uidls(maildrop)["m2"] != old


def test_rule5_uidvalidity_reset_changes_every_uidl(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 5: after a UIDVALIDITY reset no UIDL matches: POP3 clients download all again."""
    deliver(account, "m1", "m2")
    before = uidls(maildrop)
    account.reset_uidvalidity("INBOX")
    after = uidls(maildrop)
    assert sorted(after) == sorted(before)
    assert not set(after.values()) & set(before.values())
