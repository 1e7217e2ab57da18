"""``assert_flags_propagated`` on the model backend: a POP3 device that leaves mail on
the server cannot carry a read mark to it, so a message read there stays unread on the
IMAP device (the assertion fails with the story); two IMAP devices carry every mark (it
holds)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulator.runs import Results
from simulator.testing.assertions import assert_flags_propagated

SCENARIO = """
mailsim: 1
name: flags
seed: 1
duration: 6h
quiet: 2h
start: 2026-01-05T08:00
users:
  - name: u0
    mail: {{receive: 20/d, send: 0/d}}
    habits: {{check_every: 20m, delete: 0.0, archive: 0.0, flag: 0.3, reply: 0.0}}
    devices:
      - {{name: d0, protocol: {first}, client: {{poll: 10m{keep}}}, uses: 0.7}}
      - {{name: d1, protocol: imap, client: {{poll: 10m}}, uses: 0.3}}
"""
Run = Callable[..., Results]


def test_a_read_mark_that_stays_on_a_pop3_device_is_a_lost_flag_change(
        mailsim_run: Run) -> None:
    """Read on the POP3 device, unread on the IMAP one: the assertion names the stale
    messages and tells a witness's story."""
    results = mailsim_run(SCENARIO.format(first="pop3", keep=", leave_on_server: true"))
    with pytest.raises(AssertionError, match="message\\(s\\) with stale flags") as failed:
        assert_flags_propagated(results)
    assert "the person expects INBOX (" in str(failed.value)


def test_two_imap_devices_carry_every_flag_change(mailsim_run: Run) -> None:
    """The built-in IMAP client on both devices: every read and flag mark reaches both."""
    assert_flags_propagated(mailsim_run(SCENARIO.format(first="imap", keep="")))
