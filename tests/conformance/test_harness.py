"""The conformance harness itself, without Dovecot: message rendering, the IMAP response
parser, normal forms, the diff, and the CI rule that a missing Dovecot is a failure."""

from __future__ import annotations

import pytest

from simulator.conformance import cmd, deliver, open_, trace
from simulator.conformance.diff import differences, report
from simulator.conformance.dovecot import Dovecot, Settings
from simulator.conformance.imap_view import uid_set
from simulator.conformance.messages import mid_of, min_size, render
from simulator.conformance.model_side import ModelRunner
from simulator.conformance.proc import Pipe, ServerHung
from simulator.conformance.runner import Observations
from simulator.conformance.wire import parse, response_code

from .conftest import require_dovecot


@pytest.mark.parametrize("size", [min_size("m1"), 300, 1_000, 77_777])
def test_rendered_messages_have_the_model_size_and_mid(size: int) -> None:
    """A rendered message is exactly ``size`` octets, CRLF lines ≤ 78, Message-ID = mid."""
    data = render("m1", size)
    assert len(data) == size
    assert mid_of(data) == "m1"
    assert all(len(line) <= 78 for line in data.split(b"\r\n"))


def test_a_message_smaller_than_its_headers_is_refused() -> None:
    """Sizes below the fixed header block cannot be rendered faithfully: an error, not a lie."""
    with pytest.raises(ValueError, match="too small"):
        render("m1", min_size("m1") - 1)


def test_imap_responses_parse_into_values() -> None:
    """Untagged responses become atoms, numbers, lists, strings and inlined literals."""
    line = b"1 FETCH (UID 7 FLAGS (\\Seen) BODY[HEADER.FIELDS (MESSAGE-ID)] {5}\r\nabcde NIL)"
    assert parse(line) == [
        1, b"FETCH", [b"UID", 7, b"FLAGS", [b"\\Seen"], b"BODY[HEADER.FIELDS (MESSAGE-ID)]",
                      b"abcde", None],
    ]  # fmt: skip
    assert parse(b'OK [UIDNEXT 4] Predicted "next" UID') == [
        b"OK",
        b"[UIDNEXT 4]",
        b"Predicted",
        b"next",
        b"UID",
    ]


def test_uid_sets_expand() -> None:
    """IMAP sequence sets like 1:3,7 expand to their UIDs (either range order)."""
    assert uid_set(b"1:3,7,9:8") == [1, 2, 3, 7, 8, 9]
    assert uid_set(5) == [5]


def test_pop3_response_codes() -> None:
    """RFC 2449 codes are read from -ERR lines."""
    assert response_code("-ERR [IN-USE] Mailbox is locked by another POP3 session.") == "IN-USE"
    assert response_code("-ERR There's no message 3.") == ""


def test_model_runs_report_relative_uids_and_modseq_steps() -> None:
    """The model side normalises UIDs (1 = first) and MODSEQs (step of the last change)."""
    t = trace(
        "normal_forms", (), "",
        deliver("m1", 300), open_(1, "imap"), cmd(1, "login"), cmd(1, "select", "INBOX"),
        cmd(1, "store", [1], "+", ["\\Seen"]), cmd(1, "fetch_flags"),
    )  # fmt: skip
    run = ModelRunner(t).run()
    assert run.steps[5]["value"] == [(1, ("\\Seen",), "step4")]
    assert run.steps[3]["value"]["highestmodseq"] == "step0"
    assert run.final["INBOX"] == [(1, "m1", 300, ("\\Seen",))]


def test_differences_name_the_step_the_command_and_both_values() -> None:
    """A disagreement is reported with step, command, model value and Dovecot value."""
    t = trace("diff", (), "", deliver("m1", 300))
    model = Observations("model", [{"outcome": "delivered"}], {"INBOX": [(1, "m1", 300, ())]})
    real = Observations("dovecot", [{"outcome": "bounced"}], {"INBOX": []})
    found = differences(t, model, real)
    assert [(d.where, d.what) for d in found] == [
        ("step 0 deliver('m1', 300)", "outcome"), ("final state", "INBOX")
    ]  # fmt: skip
    text = report(t, found)
    assert "model:   'delivered'" in text and "dovecot: 'bounced'" in text


def test_missing_dovecot_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Dovecot the suite is skipped with the reason, unless CI=true: then it fails."""
    monkeypatch.setitem(require_dovecot.__globals__, "missing", lambda: "no dovecot here")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no dovecot here"):
        require_dovecot()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_dovecot()


def test_a_silent_server_times_out_instead_of_hanging() -> None:
    """A server that never answers raises ServerHung after the timeout; the suite goes on."""
    pipe = Pipe(["sleep", "30"], {"PATH": "/usr/bin:/bin"}, timeout=0.2)
    try:
        with pytest.raises(ServerHung):
            pipe.readline()
    finally:
        pipe.close(graceful=False)
    assert pipe.proc.poll() is not None


@pytest.mark.dovecot
@pytest.mark.parametrize(
    "settings",
    [
        Settings(),
        Settings(pop3_lock=True, seen_on_retr=False),
        Settings(quota=1_000, tempfail=True),
    ],
    ids=["defaults", "pop3-pinned", "quota-tempfail"],
)
def test_generated_dovecot_configs_are_valid(settings: Settings, dovecot: None) -> None:
    """doveconf accepts every config the harness writes, with the settings a trace pins."""
    server = Dovecot(settings)
    try:
        text = server.doveconf()
    finally:
        server.shutdown()
    assert "mail_save_crlf = yes" in text
    assert ("pop3_lock_session = yes" in text) == settings.pop3_lock  # -n lists non-defaults
    assert ("pop3_no_flag_updates = yes" in text) == (not settings.seen_on_retr)
    assert ("quota_rule = *:storage=1000B" in text) == (settings.quota == 1_000)
