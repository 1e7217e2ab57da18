"""The ``mailsim`` command: run, validate, compare, sweep, report, claims, hunt, drops and
schema. Each
command composes the layers: run (``simulator.runs``) -> analysis -> report -> folders.

Exit codes: 0 valid, 1 verdict false (a bug or a broken rule), 2 bad input. Bad input is
reported as ``file:line:col: where: what was expected``, never as a traceback. The
project's heavier modules are imported inside the commands that need them, so that
``mailsim --help`` and ``mailsim validate`` start quickly.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console

from simulator import stops
from simulator.scenario import Scenario, ScenarioError, json_schema, load_scenario
from simulator.stops import Terminated, checked

if TYPE_CHECKING:
    from simulator.runs import Results
    from simulator.runs.kept import KeptRuns

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="markdown",
                  help="Simulate mail accounts used from several devices under POP3 or IMAP.")
out = Console()
err = Console(stderr=True)


def _version(asked: bool) -> None:
    if asked:
        from simulator.core import status
        from simulator.runs.one import mailsim_version
        out.print(f"mailsim {mailsim_version()} (core: {status()})", highlight=False,
                  soft_wrap=True)
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help="Print the version and whether the simulation core is compiled, and exit.")]
          = False) -> None:
    """Simulate mail accounts used from several devices under POP3 or IMAP."""

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
ServerOpt = Annotated[str | None, typer.Option(
    help="Server backend for every server: 'model', or 'dovecot' (Debian's Dovecot serves "
         "the accounts). Default: the scenario's server.backend.")]
ShardsOpt = Annotated[str, typer.Option(
    help="Split the people into N shards, each run as its own world (one after the other, "
         "or in parallel on --workers or Dask), and merge them: the same results, byte for "
         "byte. 'auto': as few shards as hold at most 300 device-days each, which bounds "
         "the memory of a run of any size and keeps a world within the processor's caches "
         "(1 for small organisations, real servers and real programs).")]


WorkersOpt = Annotated[str, typer.Option(
    help="Processes at once: this one and helpers (or a local Dask cluster's workers). "
         "'auto': one per core this process may use. The results are the same for any "
         "number.")]


def workers_of(text: str) -> int:
    """'auto' (the cores this process may use), or a whole number at least 1 (else the
    command fails with what it takes)."""
    return count_of("--workers", text) or usable_cores()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def shards_of(text: str) -> int | Literal["auto"]:
    """'auto', or a whole number at least 1 (else the command fails with what it takes)."""
    return count_of("--shards", text) or "auto"


def count_of(option: str, text: str) -> int | None:
    """The whole number at least 1 that ``text`` gives ``option``, or None for 'auto';
    anything else fails the command with what the option takes."""
    if text.strip().lower() == "auto":
        return None
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise fail(f"{option}: expected a whole number at least 1, or auto; got {text!r}")
    return number


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` to stderr and give the exit to raise."""
    err.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def os_problem(problem: OSError) -> str:
    """An operating system's refusal as "<file>: <reason>" (the file written to, for a
    copy), e.g. "results/x/.run.k2/stories.jsonl.gz: No space left on device"."""
    cause: BaseException | None = problem
    while isinstance(cause, OSError) and not (cause.filename or cause.filename2):
        cause = cause.__cause__  # SimPy re-raises a process's error anew, from its args
    named = cause if isinstance(cause, OSError) else problem
    where = named.filename2 or named.filename
    if not problem.strerror:
        return str(problem)
    return f"{os.fsdecode(where)}: {problem.strerror}" if where else problem.strerror


def ended(problem: BaseException, kept: KeptRuns | None = None,
          goes_on: str = "") -> typer.Exit:
    """The exit of a command that stopped on ``problem`` (Ctrl-C: "interrupted", 130;
    SIGTERM: "terminated", 143; else its message, 2), then ``goes_on`` or, when the command
    kept finished runs or shards in ``kept`` (tidied first: only whole ones stay), where
    they are and how to go on."""
    if isinstance(problem, Terminated):
        text, code = "terminated", 128 + signal.SIGTERM
    elif isinstance(problem, KeyboardInterrupt):
        text, code = "interrupted", 130
    else:
        text, code = os_problem(problem) if isinstance(problem, OSError) else str(problem), 2
    if kept is not None and kept.tidy():
        goes_on = (f"{kept.folder}: what finished is kept there; the same command with "
                   "--resume goes on from there")
    return fail(f"{text}\n{goes_on}" if goes_on else text, code)


SWEEP_GOES_ON = ("the sweep's finished runs are kept in its folder (parts/); the same "
                 "command with --resume goes on from there")


def default_out(name: str, run_id: str) -> Path:
    """results/<scenario>/<run-id>/ (DESIGN: results contract)."""
    return Path("results") / name / run_id


def check_variants(scenario: Scenario, names: list[str]) -> None:
    """Refuse (exit 2) a variant name the scenario does not accept: ``Scenario.variant``
    decides, for every command alike."""
    for name in names:
        try:
            scenario.variant(name)
        except ScenarioError as problem:
            raise fail(f"{scenario.source}: {problem.issues[0].message}") from None


def on_server(scenario: Scenario, server: str | None) -> Scenario:
    """``scenario`` with every server on backend ``server`` (--server), if given; an
    unknown backend is refused (exit 2)."""
    if server is None:
        return scenario
    if server not in ("model", "dovecot"):
        raise fail(f"--server {server}: expected model or dovecot")
    from simulator.backend.choice import on_backend

    return on_backend(scenario, server)


def print_table(results: Results) -> None:
    """The short table printed after a run."""
    from rich.table import Table

    from simulator.report.markdown import headline

    table = Table(title=f"{results.summary['scenario']['name']} "
                        f"({results.summary['scenario']['variant']})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for label, value in headline(results.summary):
        table.add_row(label, value)
    out.print(table)


def importable_here() -> None:
    """Let a client class (``--client mymodule:MyClient`` or a scenario's ``class:``) name a
    module in the current folder, as ``python -m`` would."""
    if str(Path.cwd()) not in sys.path and "" not in sys.path:
        sys.path.insert(0, str(Path.cwd()))


@app.command("run")
def run_cmd(
    scenario: ScenarioArg,
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    variant: Annotated[str | None, typer.Option(help="Run under this variant.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Results folder.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing results folder.")] = False,
    history: Annotated[bool, typer.Option(
        help="Keep the story file (stories.jsonl.gz) in the results folder.")] = True,
    shards: ShardsOpt = "auto",
    workers: WorkersOpt = "auto",
    dask: Annotated[str | None, typer.Option(
        help="Run the shards on a Dask cluster: a scheduler address, or 'local'.")] = None,
    server: ServerOpt = None,
    resume: Annotated[bool, typer.Option(
        help="Continue an interrupted run split into shards, reusing the shards it "
             "finished (kept in OUT.unfinished/ until the results are written).")] = False,
) -> None:
    """Run SCENARIO once and write its results folder."""
    from simulator.folders import OutputExists, write_run
    from simulator.report.terminal import progress_bar
    from simulator.runs import DaskMissing, WorkerDied, run, run_sharded
    from simulator.runs.kept import KeptRuns, KeptRunsError
    from simulator.runs.one import resolve
    from simulator.runs.shards import shard_count
    from simulator.world.world import SimulationError

    processes = workers_of(workers)
    count = shards_of(shards)

    importable_here()
    kept = None
    try:
        loaded = on_server(load_scenario(scenario), server)
        if variant:
            check_variants(loaded, [variant])
        run_id = f"{variant or 'as-written'}-seed{seed if seed is not None else loaded.seed}"
        dest = out_dir or default_out(loaded.name, run_id)
        if dest.exists() and not force:
            raise fail(f"{dest}: exists; pass --force to replace it or --out to choose another")
        if count == "auto":
            count = shard_count(resolve(loaded, seed, variant)[1], "auto", processes)
        if count > 1 or dask:
            kept = KeptRuns.open(dest.with_name(f"{dest.name}.unfinished"), resume, force,
                                 what="shards of an interrupted run")
        with tempfile.TemporaryDirectory(prefix="mailsim-") as scratch, \
                progress_bar(err) as bar:
            progress = checked(bar)  # a stop Python lost stops it here
            stories = Path(scratch) / "stories.jsonl.gz" if history else None
            if kept is not None:
                results = run_sharded(loaded, count, seed, variant, processes, dask,
                                      keep_history=False, story_file=stories,
                                      progress=progress, kept=kept)
            else:
                results = run(loaded, seed=seed, variant=variant, keep_history=False,
                              story_file=stories, progress=progress)
            stops.check()  # the last moment a stop leaves nothing written
            write_run(results, dest, force=force)
            if kept is not None:
                kept.discard()
    except (ScenarioError, SimulationError, OutputExists, DaskMissing, WorkerDied,
            KeptRunsError, OSError, KeyboardInterrupt) as problem:
        raise ended(problem, kept) from None
    print_table(results)
    out.print(f"results: {dest}")
    if not results.valid:
        raise fail("verdict: INVALID\n" + "\n".join(results.summary["verdict"]["violations"]), 1)


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check SCENARIO and report every problem as file:line:col (exit 2); warnings, such
    as an event due after the run's end, are printed too but do not fail (exit 0)."""
    from simulator.scenario.lint import scenario_warnings

    try:
        loaded = load_scenario(scenario)
    except ScenarioError as problem:
        raise fail(str(problem)) from None
    for warning in scenario_warnings(loaded, scenario):
        err.print(warning, markup=False, highlight=False, soft_wrap=True)
    users = loaded.expand()
    devices = sum(len(u.devices) for u in users)
    extra = sum(len(u.accounts) for u in users)
    more = f"{extra} further accounts, " if extra else ""
    out.print(f"{scenario}: ok — {len(users)} users, {devices} devices, {more}"
              f"{loaded.duration / 86400:g} days, variants: {', '.join(loaded.variant_names())}")


def replications_of(text: str) -> int | Literal["auto"] | None:
    """'auto', or a whole number at least 1; None for anything else."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        number = int(text)
    except ValueError:
        return None
    return number if number >= 1 else None


@app.command("compare")
def compare_cmd(
    scenario: ScenarioArg,
    variants: Annotated[str | None, typer.Option(
        help="Comma-separated variants (default: the scenario's own, else the built-in ones).",
    )] = None,
    replications: Annotated[str, typer.Option(
        help="Seeds per variant, or 'auto': add replications in batches until every "
             "criterion that bears on the choice is decided (Kim & Nelson), up to --max.",
    )] = "5",
    max_replications: Annotated[int, typer.Option(
        "--max", help="With --replications auto, the most replications to run.")] = 30,
    workers: WorkersOpt = "auto",
    dask: Annotated[str | None, typer.Option(
        help="Run on a Dask cluster: a scheduler address, or 'local' for a local one.")] = None,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Comparison folder.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing folder.")] = False,
    shards: ShardsOpt = "auto",
    server: ServerOpt = None,
    resume: Annotated[bool, typer.Option(
        help="Continue an interrupted comparison, reusing the runs it finished (kept in "
             "OUT.unfinished/ until the comparison is written).")] = False,
) -> None:
    """Run SCENARIO under each variant with common random numbers; write and print the
    comparison and the decision (exit 1 if any run's verdict is false)."""
    from simulator.analysis.comparison import compare
    from simulator.folders import OutputExists, write_comparison
    from simulator.report.terminal import (
        parse_variants,
        print_comparison,
        progress_bar,
        which_protocol,
    )
    from simulator.runs import DaskMissing, WorkerDied
    from simulator.runs.kept import KeptRuns, KeptRunsError
    from simulator.world.world import SimulationError

    reps = replications_of(replications)
    if reps is None or max_replications < 1:
        raise fail("--replications (a number or auto) and --max must be at least 1")
    processes, count = workers_of(workers), shards_of(shards)
    kept = None
    try:
        loaded = on_server(load_scenario(scenario), server)
        names = parse_variants(variants)
        check_variants(loaded, names or [])
        dest = out_dir or default_out(loaded.name,
                                      f"compare-seed{seed if seed is not None else loaded.seed}")
        if dest.exists() and not force:
            raise fail(f"{dest}: exists; pass --force to replace it or --out to choose another")
        kept = KeptRuns.open(dest.with_name(f"{dest.name}.unfinished"), resume, force)
        with progress_bar(err) as bar:
            progress = checked(bar)  # a stop Python lost stops it here
            comparison = compare(loaded, names, reps, seed, processes, progress, dask,
                                 max_replications, shards=count, kept=kept)
        stops.check()  # the last moment a stop leaves nothing written
        write_comparison(comparison, dest, force=force)
        kept.discard()
    except (ScenarioError, SimulationError, OutputExists, DaskMissing, WorkerDied,
            KeptRunsError, OSError, KeyboardInterrupt) as problem:
        raise ended(problem, kept) from None
    print_comparison(out, comparison)
    out.print(which_protocol(comparison), markup=False, highlight=False)
    out.print(f"results: {dest}", markup=False, highlight=False, soft_wrap=True)
    if not comparison.valid:
        raise fail("verdict: INVALID in some runs; see comparison.md", 1)


@app.command("sweep")
def sweep_cmd(
    scenario: ScenarioArg,
    grid: Annotated[list[str], typer.Option(
        help="PATH=V1,V2 into the scenario YAML (repeat for more axes), e.g. "
             "server.quota=500MB,1GB or variant=pop3,imap.")],
    replications: Annotated[int, typer.Option(help="Seeds per point.")] = 3,
    workers: WorkersOpt = "auto",
    dask: Annotated[str | None, typer.Option(
        help="Run on a Dask cluster: a scheduler address, or 'local' for a local one.")] = None,
    seed: Annotated[int | None, typer.Option(help="Base seed (default: the scenario's).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Sweep folder.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue a sweep, reusing finished runs.")] = False,
    force: Annotated[bool, typer.Option(help="Replace an existing folder.")] = False,
    shards: ShardsOpt = "auto",
) -> None:
    """Run SCENARIO over a grid of parameters x replications into tidy tables (runs.csv,
    points.csv with 95% CIs and the recommended variant per point, Parquet copies) and
    sweep.html."""
    from simulator.folders import OutputExists
    from simulator.report.sweep_terminal import print_sweep
    from simulator.report.terminal import progress_bar
    from simulator.runs import DaskMissing, WorkerDied
    from simulator.sweep import GridError, sweep
    from simulator.sweep.grid import scales

    if replications < 1:
        raise fail("--replications must be at least 1")
    processes, count = workers_of(workers), shards_of(shards)
    try:
        with progress_bar(err) as bar:
            progress = checked(bar)  # a stop Python lost stops it here
            result = sweep(scenario, grid, replications, seed, out_dir, processes, dask, resume,
                           force, progress, shards=count)
    except (ScenarioError, GridError, OutputExists, DaskMissing) as problem:
        raise fail(str(problem)) from None
    except OSError as problem:
        raise fail(os_problem(problem)) from None
    except (WorkerDied, KeyboardInterrupt) as problem:
        raise ended(problem, goes_on=SWEEP_GOES_ON) from None
    dest = out_dir or Path("results") / result.spec["name"] / "sweep"
    print_sweep(out, result.spec, result.points, scales(result.spec), result.decisions)
    out.print(f"{len(result.points)} points x {replications} replications; "
              f"tables and plots in {dest}", markup=False, highlight=False, soft_wrap=True)
    if not result.valid:
        raise fail("verdict: INVALID in some runs; see runs.csv (column valid)", 1)


@app.command("report")
def report_cmd(
    folder: Annotated[Path, typer.Argument(help="A run or comparison folder.",
                                           show_default=False)],
) -> None:
    """Re-render the reports of FOLDER (report.* or comparison.*) from its saved JSON."""
    from simulator.folders import FolderError, rerender

    try:
        written = rerender(folder)
    except FolderError as problem:
        raise fail(str(problem)) from None
    for path in written:
        out.print(f"wrote {path}", markup=False, highlight=False, soft_wrap=True)


@app.command("claims")
def claims_cmd(
    out_file: Annotated[Path, typer.Option("--out", help="The page to write.")] = Path(
        "docs/claims.md"),
    check: Annotated[bool, typer.Option(
        help="Write nothing; exit 1 if the page differs from what the runs give now.")] = False,
    replications: Annotated[int, typer.Option(help="Seeds per claim scenario.")] = 2,
    workers: WorkersOpt = "auto",
    scenarios: Annotated[Path | None, typer.Option(
        help="Folder of claim scenarios (default: the ones mailsim ships).")] = None,
) -> None:
    """Measure the source document's claims on the claim scenarios and write the page of
    verdicts (docs/claims.md)."""
    from simulator.analysis.claims import judge_claims
    from simulator.analysis.claimset import CLAIMS
    from simulator.report.claims_md import claims_md
    from simulator.report.terminal import progress_bar
    from simulator.runs import mailsim_version
    from simulator.runs.files import write_text_atomic
    from simulator.scenario.bundled import CLAIM_SCENARIOS
    from simulator.world.world import SimulationError

    if replications < 1:
        raise fail("--replications must be at least 1")
    processes = workers_of(workers)
    try:
        with progress_bar(err) as bar:
            progress = checked(bar)  # a stop Python lost stops it here
            findings = judge_claims(CLAIMS, scenarios or CLAIM_SCENARIOS, replications,
                                    processes, progress)
    except (ScenarioError, SimulationError) as problem:
        raise fail(str(problem)) from None
    text = claims_md(findings, mailsim_version(), replications)
    if check:
        current = out_file.read_text(encoding="utf-8") if out_file.exists() else ""
        if current != text:
            raise fail(f"{out_file} is out of date; run mailsim claims --out {out_file}", 1)
        out.print(f"{out_file} is current", markup=False, highlight=False, soft_wrap=True)
        return
    write_text_atomic(out_file, text)
    out.print(f"wrote {out_file}", markup=False, highlight=False, soft_wrap=True)


@app.command("hunt")
def hunt_cmd(
    client: Annotated[str, typer.Option(help="Your client class, package.module:Class.")],
    protocol: Annotated[str, typer.Option(help="pop3 or imap.")] = "imap",
    faults: Annotated[bool, typer.Option(
        help="Draw drops, outages, network failures, partitions, UIDVALIDITY resets.")] = True,
    examples: Annotated[int, typer.Option(help="Scenarios to try.")] = 50,
    prop: Annotated[str, typer.Option(
        "--property", help="converged, valid, nothing-lost or no-anomalies.")] = "converged",
    seed: Annotated[int, typer.Option(help="The hunt's seed (same seed, same hunt).")] = 0,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Where a failure is saved.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing folder.")] = False,
) -> None:
    """Hunt for a scenario on which CLIENT breaks PROPERTY; save the shrunk scenario, its
    report and an explanation (exit 1), or say how much was tried (exit 0)."""
    from simulator.folders import OutputExists
    from simulator.testing.hunt import PROPERTIES, TOLD_FIRST, hunt
    from simulator.testing.saving import explain, save_failure
    from simulator.testing.troubles import troubles
    from simulator.world.world import SimulationError

    if protocol not in ("pop3", "imap") or prop not in PROPERTIES or examples < 1:
        raise fail(f"--protocol is pop3 or imap, --property one of {', '.join(PROPERTIES)}, "
                   "--examples at least 1")
    dest = out_dir or Path("results") / "hunt" / f"{prop}-seed{seed}"
    if dest.exists() and not force:
        raise fail(f"{dest}: exists; pass --force to replace it or --out to choose another")
    importable_here()
    try:
        found = hunt(client, protocol, faults, examples, prop, seed)
    except (ScenarioError, SimulationError) as problem:
        raise fail(str(problem)) from None
    tried = f"{found.examples} scenarios run with {found.faults} faults (hunt seed {seed})"
    if found.failure is None:
        out.print(f"{prop}: held on {tried}", markup=False, highlight=False)
        return
    text = explain(found.failure, f"The property {prop!r} of {client} failed on this "
                   f"scenario, found and shrunk by `mailsim hunt` ({found.examples} scenarios "
                   f"run, hunt seed {seed})", troubles(found.failure, TOLD_FIRST[prop]))
    try:
        save_failure(found.failure, dest, text, force)
    except OutputExists as problem:
        raise fail(str(problem)) from None
    out.print(text, markup=False, highlight=False, soft_wrap=True)
    raise fail(f"{prop}: FAILED after {tried}; shrunk scenario, report and explanation in "
               f"{dest}", 1)


@app.command("drops")
def drops_cmd(
    scenario: ScenarioArg,
    device: Annotated[str, typer.Option(help="The device whose connection is cut, user/device.")],
    start: Annotated[str, typer.Option("--from", help="Window start (a time like 4h).")] = "0",
    end: Annotated[str | None, typer.Option(
        "--to", help="Window end (default: when activity stops).")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Where failing cuts are saved.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing folder.")] = False,
) -> None:
    """Rerun SCENARIO with DEVICE's connection cut before and after each command it sends
    in the window; name each cut that breaks convergence or loses or duplicates mail."""
    from simulator.folders import OutputExists, write_folder_atomic
    from simulator.report.terminal import progress_bar
    from simulator.scenario import parse_at
    from simulator.testing.cuts import cuts_csv, exhaustive_drops
    from simulator.testing.saving import explain, failure_files
    from simulator.world.world import SimulationError

    try:
        loaded = load_scenario(scenario)
        window = (parse_at(start), parse_at(end) if end else loaded.active_until)
    except ScenarioError as problem:
        raise fail(str(problem)) from None
    except ValueError as problem:
        raise fail(f"--from/--to: {problem}") from None
    dest = out_dir or default_out(loaded.name, f"drops-{device.replace('/', '-')}")
    if dest.exists() and not force:
        raise fail(f"{dest}: exists; pass --force to replace it or --out to choose another")
    importable_here()
    try:
        with progress_bar(err) as bar:
            progress = checked(bar)  # a stop Python lost stops it here
            cuts = exhaustive_drops(loaded, device, *window, progress)
    except (ScenarioError, SimulationError) as problem:
        raise fail(str(problem)) from None
    bad = [c for c in cuts if not c.ok]
    files: dict[str, str | bytes] = {"cuts.csv": cuts_csv(cuts)}
    for i, c in enumerate(bad, 1):
        assert c.results is not None
        text = explain(c.results, f"Cutting {device}'s connection {c.when} "
                       f"{c.step.describe()} broke this run: {c.verdict()}",
                       c.story.splitlines())
        for name, content in failure_files(c.results, text).items():
            files[f"cut-{i:03d}/{name}"] = content
        out.print(f"cut-{i:03d}: {c.when} {c.step.describe()}: {c.verdict()}", markup=False,
                  highlight=False, soft_wrap=True)
        out.print("  " + c.story.replace("\n", "\n  "), markup=False, highlight=False,
                  soft_wrap=True)
    try:
        write_folder_atomic(dest, files, force)
    except OutputExists as problem:
        raise fail(str(problem)) from None
    out.print(f"{len(cuts)} cuts of {device} ({len(cuts) // 2} commands x before/after): "
              f"{len(cuts) - len(bad)} ok, {len(bad)} broke the run"
              + f"; table and failing cuts in {dest}", markup=False, highlight=False,
              soft_wrap=True)
    if bad:
        raise typer.Exit(1)


@app.command()
def schema() -> None:
    """Print the scenario format's JSON Schema."""
    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


def main() -> None:
    """Console-script entry point: a file that cannot be read or written (a full disk, a
    folder without permission) ends any command with "mailsim: <file>: <reason>" and exit
    2, not a traceback; the commands that write do so atomically, so nothing is half
    written. SIGTERM stops a command as Ctrl-C does (exit 143)."""
    stops.install()  # SIGTERM stops as Ctrl-C does: tidy, say how to go on
    try:
        app()
    except OSError as problem:
        err.print(f"mailsim: {os_problem(problem)}", markup=False, highlight=False,
                  soft_wrap=True)
        sys.exit(2)
    except SystemExit:
        if stops.terminated():  # click tells any other command's stop as "Aborted!", exit 1
            sys.exit(128 + signal.SIGTERM)
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
