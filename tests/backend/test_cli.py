"""``mailsim run S --server dovecot``: the results folder holds Dovecot's log; without
Dovecot the run stops with the Debian packages to install (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SCENARIO = Path(__file__).parents[2] / "scenarios" / "claims" / "p4-sent-mail.yaml"
MAILSIM = [sys.executable, "-m", "simulator"]


def test_missing_dovecot_is_a_clear_error(tmp_path: Path) -> None:
    """With no Dovecot binaries, the run names the packages, exits 2, prints no traceback
    and writes nothing."""
    env = {**os.environ, "MAILSIM_DOVECOT_LIBEXEC": str(tmp_path / "nowhere")}
    done = subprocess.run([*MAILSIM, "run", str(SCENARIO), "--server", "dovecot",
                           "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 2
    assert "apt-get install dovecot-imapd dovecot-pop3d" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_backend_is_refused(tmp_path: Path) -> None:
    """--server accepts model or dovecot only."""
    done = subprocess.run([*MAILSIM, "run", str(SCENARIO), "--server", "cyrus",
                           "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "expected model or dovecot" in done.stderr


@pytest.mark.dovecot
@pytest.mark.usefixtures("dovecot")
def test_run_on_dovecot_keeps_the_log_beside_the_results(tmp_path: Path) -> None:
    """A run on Dovecot writes the usual results folder plus dovecot.log, its scenario says
    which backend served it, and no scratch folder is left behind."""
    scratch = Path(tempfile.mkdtemp(prefix="mailsim-test-"))  # /tmp: Dovecot's uid reads it
    scratch.chmod(0o755)
    out = tmp_path / "out"
    try:
        done = subprocess.run([*MAILSIM, "run", str(SCENARIO), "--server", "dovecot",
                               "--out", str(out)], capture_output=True, text=True,
                              env={**os.environ, "TMPDIR": str(scratch)}, timeout=600,
                              check=False)
        left = list(scratch.iterdir())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    assert left == []
    assert "saved mail to INBOX" in (out / "dovecot.log").read_text()
    assert "backend: dovecot" in (out / "scenario.yaml").read_text()
    assert json.loads((out / "summary.json").read_text())["verdict"]["valid"]
