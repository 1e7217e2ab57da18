"""Sweeps: grids over a scenario's YAML × replications, the same bytes on every executor,
resumable, with clear errors for bad axes."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simulator.sweep
from simulator.cli import app
from simulator.folders import OutputExists
from simulator.runs import WorkerDied
from simulator.scenario import ScenarioError
from simulator.sweep import GridError, parse_axis, sweep, sweep_files
from simulator.sweep.grid import apply, expand
from tests.scenarios import two_devices, write

BASE = two_devices("imap", "{cache: full}", days=1, receive="20/d")
GRID = ["variant=pop3,imap", "users[0].mail.receive=10/d,30/d"]


def test_an_axis_reads_comma_or_flow_list_values() -> None:
    """`a.b=1,2` and `a.b=[1, 2]` are the same axis; values keep their YAML types."""
    assert parse_axis("server.quota=500MB,1GB").values == ("500MB", "1GB")
    assert parse_axis("seed=[1, 2]").values == (1, 2)


@pytest.mark.parametrize("spec", ["quota", "=1", "a..b=1", "a=[unclosed"])
def test_malformed_axes_are_refused_with_the_expected_form(spec: str) -> None:
    """A malformed axis names itself and says what form is expected."""
    with pytest.raises(GridError, match=r"expected|cannot read"):
        parse_axis(spec)


def test_points_cover_the_product_and_edit_the_yaml() -> None:
    """Two axes of two values give four points, each setting the path it names."""
    points = expand([parse_axis(g) for g in GRID])
    assert len(points) == 4
    doc, variant = apply({"users": [{"mail": {"receive": "1/d"}}]}, points[1])
    assert variant == "pop3" and doc["users"][0]["mail"]["receive"] == "30/d"


def test_sweep_writes_tidy_tables_with_intervals(tmp_path: Path) -> None:
    """runs.csv has a row per run, points.csv a row per point with mean and ci95."""
    result = sweep(write(tmp_path, BASE), GRID, replications=2, out=tmp_path / "sw")
    runs = list(csv.DictReader(io.StringIO((tmp_path / "sw" / "runs.csv").read_text())))
    points = list(csv.DictReader(io.StringIO((tmp_path / "sw" / "points.csv").read_text())))
    assert len(runs) == 8 and len(points) == 4
    assert {"variant", "users[0].mail.receive", "replication", "seed"} <= set(runs[0])
    assert "consistency.agreement.ci95" in points[0]
    assert result.valid
    by_variant = {p["variant"]: float(p["consistency.agreement.mean"]) for p in points}
    assert by_variant["imap"] > by_variant["pop3"]
    assert (tmp_path / "sw" / "sweep.html").read_text().count("<svg") >= 6


def test_worker_processes_give_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    """The executor does not change a byte of any output: tables, Parquet, the page."""
    path = write(tmp_path, BASE)
    one = sweep_files(sweep(path, GRID, replications=2, out=tmp_path / "a"))
    two = sweep_files(sweep(path, GRID, replications=2, out=tmp_path / "b", workers=2))
    assert {"runs.csv", "points.csv", "sweep.html"} <= set(one)
    assert one == two


def test_dask_gives_the_same_bytes(tmp_path: Path) -> None:
    """A Dask cluster (a local one here) computes exactly the same tables."""
    pytest.importorskip("dask.distributed", reason="the dask extra is not installed")
    path = write(tmp_path, BASE)
    grid = ["variant=pop3,imap"]
    local = sweep_files(sweep(path, grid, replications=2, out=tmp_path / "a"))
    dask = sweep_files(sweep(path, grid, replications=2, out=tmp_path / "b", dask="local",
                             workers=2))
    assert local == dask


def test_an_interrupted_sweep_resumes_and_reruns_only_what_is_missing(tmp_path: Path) -> None:
    """Kept runs are reused on --resume; only the missing run is computed again."""
    path, out = write(tmp_path, BASE), tmp_path / "sw"
    first = sweep_files(sweep(path, GRID, replications=2, out=out))
    parts = sorted((out / "parts").glob("*.json"))
    parts[0].unlink()
    seen: list[str] = []
    again = sweep(path, GRID, replications=2, out=out, resume=True,
                  progress=lambda done, total, what: seen.append(what))
    assert [w for w in seen if w != "resumed"] and len(seen) == 2
    assert sweep_files(again)["runs.csv"] == first["runs.csv"]


def test_an_existing_sweep_is_not_replaced_without_force(tmp_path: Path) -> None:
    """Same folder without --resume/--force is refused; another spec cannot be resumed."""
    path, out = write(tmp_path, BASE), tmp_path / "sw"
    sweep(path, GRID[:1], replications=1, out=out)
    with pytest.raises(OutputExists, match="--resume"):
        sweep(path, GRID[:1], replications=1, out=out)
    with pytest.raises(OutputExists, match="different sweep"):
        sweep(path, GRID, replications=1, out=out, resume=True)


def test_a_point_that_makes_the_scenario_invalid_is_reported_before_running(
        tmp_path: Path) -> None:
    """A bad value is a scenario error naming the file, the point and the key."""
    path = write(tmp_path, BASE)
    with pytest.raises(ScenarioError, match=r"server.quota=lots.*quota"):
        sweep(path, ["server.quota=1GB,lots"], out=tmp_path / "sw")
    assert not (tmp_path / "sw").exists()


def test_the_sweep_command_writes_tables_and_reports_bad_axes(tmp_path: Path) -> None:
    """`mailsim sweep` exits 0 with its tables and a summary in units with the recommended
    variant, and 2 with a one-line error for a bad axis."""
    import subprocess
    import sys

    path = write(tmp_path, BASE)
    ok = subprocess.run([sys.executable, "-m", "simulator", "sweep", str(path), "--grid",
                         "variant=pop3,imap", "--replications", "1", "--out",
                         str(tmp_path / "sw")], capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "sw" / "points.csv").exists()
    assert "Recommended per point:" in ok.stdout and "%" in ok.stdout
    assert not re.search(r"\d\.\d+e[+-]\d", ok.stdout)
    bad = subprocess.run([sys.executable, "-m", "simulator", "sweep", str(path), "--grid",
                          "server.quota"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "expected PATH=VALUE" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(("stop", "code", "first"), [
    (WorkerDied("a worker process died running x"), 2, "a worker process died running x"),
    (KeyboardInterrupt(), 130, "interrupted")])
def test_a_stopped_sweep_says_how_to_go_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           stop: BaseException, code: int, first: str) -> None:
    """A dead worker (exit 2) or Ctrl-C (exit 130) ends `mailsim sweep` with what happened
    and a line saying that --resume goes on from the runs kept in its folder."""

    def stopped(*args: object, **kwargs: object) -> None:
        raise stop

    monkeypatch.setattr(simulator.sweep, "sweep", stopped)
    result = CliRunner().invoke(app, ["sweep", str(write(tmp_path, BASE)), "--grid",
                                      "variant=pop3,imap"])
    assert result.exit_code == code
    assert result.output.strip().splitlines()[-2:] == [  # after the progress bar
        first, "the sweep's finished runs are kept in its folder (parts/); the same command "
        "with --resume goes on from there"]
