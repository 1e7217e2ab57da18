"""The ``mailsim`` command's contract: exit codes 0/1/2, file:line:col errors without a
traceback, and results folders that are never silently overwritten."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scenarios import two_devices, write

GOOD = two_devices("imap", "{cache: full}", days=2)


def mailsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_run_writes_the_results_folder_and_exits_0(tmp_path: Path) -> None:
    """A valid run writes summary.json, timeseries.csv, report.md, scenario.yaml; exit 0."""
    out = tmp_path / "out"
    done = mailsim("run", str(write(tmp_path, GOOD)), "--out", str(out))
    assert done.returncode == 0, done.stderr
    for name in ("summary.json", "timeseries.csv", "report.md", "scenario.yaml"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["verdict"]["valid"] is True
    assert "Agreement" in done.stdout


def test_run_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """An existing results folder is kept, byte for byte, unless --force is given."""
    path, out = write(tmp_path, GOOD), tmp_path / "out"
    assert mailsim("run", str(path), "--out", str(out)).returncode == 0
    before = (out / "summary.json").read_bytes()
    (out / "notes.txt").write_text("mine")
    again = mailsim("run", str(path), "--out", str(out), "--seed", "9")
    assert again.returncode == 2
    assert "--force" in again.stderr
    assert (out / "summary.json").read_bytes() == before
    assert (out / "notes.txt").read_text() == "mine"
    forced = mailsim("run", str(path), "--out", str(out), "--seed", "9", "--force")
    assert forced.returncode == 0
    assert (out / "summary.json").read_bytes() != before


BAD_INPUTS = {
    "unknown key": ("server:\n  quotaa: 1GB\n", "unknown key"),
    "bad unit": ("server:\n  quota: 1 parsec\n", "expected"),
    "wrong type": ("server:\n  pop3_lock: maybe\n", "expected"),
    "duplicate key": ("server:\n  quota: 1GB\n  quota: 2GB\n", "duplicate"),
    "yaml syntax": ("server: [unclosed\n", ""),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_file_line_col_and_no_traceback(tmp_path: Path,
                                                               case: str) -> None:
    """Each kind of bad input gives exit 2 and a `file:line:col:` message, never a traceback."""
    snippet, words = BAD_INPUTS[case]
    path = write(tmp_path, GOOD + snippet)
    for command in ("validate", "run"):
        done = mailsim(command, str(path), "--out", str(tmp_path / "o")) if command == "run" \
            else mailsim(command, str(path))
        assert done.returncode == 2, (case, command, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout
        first = done.stderr.strip().splitlines()[0]
        assert first.startswith(f"{path}:"), first
        line = int(first.split(":")[1])
        assert line > GOOD.count("\n"), f"points into the appended snippet: {first}"
        assert words.lower() in done.stderr.lower()
    assert not (tmp_path / "o").exists(), "nothing written for bad input"


def test_missing_field_and_missing_file_exit_2(tmp_path: Path) -> None:
    """A scenario without `duration`, or a file that does not exist, is exit 2, no traceback."""
    no_duration = write(tmp_path, GOOD.replace("duration: 2d\n", ""))
    done = mailsim("validate", str(no_duration))
    assert done.returncode == 2 and "duration" in done.stderr and "Traceback" not in done.stderr
    missing = mailsim("run", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "nope.yaml" in missing.stderr


def test_unknown_variant_is_bad_input(tmp_path: Path) -> None:
    """Naming a variant that neither the scenario nor the presets define is exit 2."""
    done = mailsim("run", str(write(tmp_path, GOOD)), "--variant", "pop5")
    assert done.returncode == 2 and "pop5" in done.stderr


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    """Python-object tags are rejected as input errors, never constructed."""
    evil = write(tmp_path, GOOD + "x: !!python/object/apply:os.system ['touch pwned']\n")
    done = mailsim("validate", str(evil), cwd=tmp_path)
    assert done.returncode == 2
    assert not (tmp_path / "pwned").exists()


def test_schema_prints_json_schema() -> None:
    """`mailsim schema` prints the scenario format as JSON Schema."""
    done = mailsim("schema")
    assert done.returncode == 0
    assert "properties" in json.loads(done.stdout)


OWN_VARIANTS = GOOD + """variants:
  pop3: {protocol: pop3}
  imap: {protocol: imap}
"""


def test_run_compare_and_sweep_accept_the_same_variants(tmp_path: Path) -> None:
    """A scenario that defines its own variants still accepts the built-in ones, in run as
    in compare and sweep (Scenario.variant decides for every command); a name neither
    defines is refused by all three with the same message, exit 2."""
    path = write(tmp_path, OWN_VARIANTS)
    ran = mailsim("run", str(path), "--variant", "imap-light", "--out", str(tmp_path / "r"))
    assert ran.returncode == 0, ran.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["scenario"]["variant"] == "imap-light"
    compared = mailsim("compare", str(path), "--variants", "imap-light", "--replications",
                       "1", "--out", str(tmp_path / "c"))
    assert compared.returncode == 0, compared.stderr
    expected = (f"{path}: unknown variant 'pop5' (expected one of: pop3, imap, pop3-keep, "
                "imap-light, imap-online)")
    for args in (("run", str(path), "--variant", "pop5"),
                 ("compare", str(path), "--variants", "pop5")):
        done = mailsim(*args)
        assert done.returncode == 2 and done.stderr.strip() == expected, done.stderr
    swept = mailsim("sweep", str(path), "--grid", "variant=pop5", "--out", str(tmp_path / "s"))
    assert swept.returncode == 2 and "unknown variant 'pop5'" in swept.stderr


LATE_EVENT = GOOD + """events:
  - {at: 1d, offline: ann/phone, for: 2h}
  - {at: 2d, lose: ann/laptop}
  - {at: 3d 4h, offline: ann/laptop, for: 1h}
"""


def test_validate_warns_at_file_line_of_an_event_after_the_end(tmp_path: Path) -> None:
    """An event due at or after the run's end never happens: validate names it at
    file:line:col as a warning on stderr and still exits 0 (the scenario is valid)."""
    path = write(tmp_path, LATE_EVENT)
    done = mailsim("validate", str(path))
    assert done.returncode == 0, done.stderr
    lines = GOOD.count("\n") + 1
    assert done.stderr.splitlines() == [
        f"{path}:{lines + 2}:10: events[1].at: warning: lose at 2d never happens: the run "
        "ends at 2d",
        f"{path}:{lines + 3}:10: events[2].at: warning: offline at 3d 4h never happens: the "
        "run ends at 2d",
    ]
    assert ": ok" in done.stdout
    quiet = mailsim("validate", str(write(tmp_path, GOOD, "good.yaml")))
    assert quiet.returncode == 0 and quiet.stderr == ""
