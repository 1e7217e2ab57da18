"""The one batch engine: tasks come back in task order with what each asked to keep,
whichever executor runs them, and progress counts every run."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from simulator.core import status
from simulator.runs import Executor, Task, replication_seeds, run, run_batch
from simulator.runs.batch import local_cluster, ready
from simulator.runs.local import Helpers
from tests.scenarios import load, two_devices

TEXT = two_devices("imap", "{cache: full}", days=1)


def test_outputs_come_back_in_task_order_with_what_each_keeps() -> None:
    """Summary only, plus time series, plus history: as each task asks; a task given as
    YAML text runs exactly like the same scenario given as an object."""
    scenario = load(TEXT)
    tasks = [Task(scenario, "pop3", 3, keep="summary"),
             Task(TEXT, "imap", 4, keep="timeseries", source="<text>"),
             Task(scenario, "imap", 4, keep="history")]
    summary_only, with_series, with_history = run_batch(tasks)
    assert summary_only.summary["scenario"]["variant"] == "pop3"
    assert summary_only.timeseries is None and summary_only.history is None
    assert with_series.timeseries and with_series.history is None
    assert with_history.history is not None and list(with_history.history.of("deliver"))
    assert with_series.summary == with_history.summary
    assert with_history.summary == run(scenario, seed=4, variant="imap").summary


def test_worker_processes_give_the_same_outputs_and_report_progress() -> None:
    """Two worker processes return the same summaries as one process, in task order, and
    progress is told done/total after every run."""
    scenario = load(TEXT)
    tasks = [Task(scenario, v, s, label=f"{v}/{s}")
             for s in replication_seeds(1, 2) for v in ("pop3", "imap")]
    seen: list[tuple[int, int, str]] = []
    parallel = run_batch(tasks, workers=2, progress=lambda *p: seen.append(p))
    inline = run_batch(tasks)
    assert [o.summary for o in parallel] == [o.summary for o in inline]
    assert sorted(d for d, _t, _l in seen) == [1, 2, 3, 4]
    assert {t for _d, t, _l in seen} == {4}
    assert sorted(label for *_x, label in seen) == sorted(t.label for t in tasks)


def test_an_executor_gives_inline_outputs_over_several_batches() -> None:
    """An Executor kept open runs several batches with the same outputs as inline runs,
    keeping its helpers between them; closing it stops them."""
    scenario = load(TEXT)
    tasks = [Task(scenario, v, s, label=v) for s in replication_seeds(5, 3)
             for v in ("pop3", "imap")]
    inline = [o.summary for o in run_batch(tasks)]
    with Executor(workers=2) as executor:
        first = executor.run_batch(tasks)
        helpers = executor._helpers
        second = executor.run_batch(tasks[:2])
        assert helpers is not None and executor._helpers is helpers
    assert executor._helpers is None and helpers.pool is None
    assert [o.summary for o in first] == inline
    assert [o.summary for o in second] == inline[:2]


def test_helpers_never_outnumber_the_first_batch() -> None:
    """Asked for 8 workers, a batch of two runs gets one helper beside this process: a
    machine with many cores (`--workers auto`) does not start helpers with nothing to do."""
    scenario = load(TEXT)
    tasks = [Task(scenario, v, 1) for v in ("pop3", "imap")]
    with Executor(workers=8) as executor:
        outputs = executor.run_batch(tasks)
        assert executor._helpers is not None and executor._helpers.size == 1
    assert [o.summary for o in outputs] == [o.summary for o in run_batch(tasks)]


def test_helpers_are_started_once_and_reused_by_later_batches() -> None:
    """The helper process that ran part of one batch runs part of the next: no new start."""
    with Helpers(2, slow_pid, warm=ready) as helpers:
        first = set(dict(helpers.map([0.3] * 20)).values()) - {os.getpid()}
        pool = helpers.pool
        second = set(dict(helpers.map([0.3] * 6)).values()) - {os.getpid()}
        assert helpers.pool is pool
    assert len(first) == 1 and second == first


def test_a_short_batch_starts_no_helper() -> None:
    """A batch this process finishes within the grace time never starts a helper."""
    with Helpers(2, slow_pid, warm=ready) as helpers:
        pids = dict(helpers.map([0.0] * 3))
        assert helpers.pool is None
    assert set(pids.values()) == {os.getpid()}


def test_helpers_share_the_work_once_ready() -> None:
    """With two workers, this process and a helper each run part of a batch of runs that
    outlast the helper's start (each run reports the process it ran in)."""
    with Helpers(2, slow_pid, warm=ready) as helpers:
        pids = dict(helpers.map([0.3] * 20))
    assert sorted(pids) == list(range(20))
    assert os.getpid() in pids.values() and len(set(pids.values())) == 2


def slow_pid(seconds: float) -> int:
    """The id of the process that ran it, after ``seconds``."""
    time.sleep(seconds)
    return os.getpid()


def test_a_helper_that_dies_stops_the_batch_with_an_error() -> None:
    """A helper process that dies mid-run makes the batch raise (the pool is broken)
    instead of waiting for ever."""
    with Helpers(2, die_in_helper, warm=ready) as helpers, pytest.raises(BrokenProcessPool):
        list(helpers.map([os.getpid()] * 40))


def test_helpers_closed_on_an_abort_are_ended_not_awaited() -> None:
    """Closing with ``abort`` (SIGTERM, an error) ends a helper in the middle of its run
    instead of waiting for the run to end (here it never would)."""
    helpers = Helpers(2, hang_in_helper, warm=ready)
    results = helpers.map([os.getpid()] * 100)
    for _ in range(99):  # this process's runs; the helper's never comes back
        next(results)
    closing = threading.Thread(target=helpers.close, kwargs={"abort": True}, daemon=True)
    closing.start()
    closing.join(timeout=60)
    assert not closing.is_alive(), "close(abort=True) waited for a run that never ends"


def hang_in_helper(parent: int) -> int:
    """Never return in a helper process; take a little while in the parent (100 runs leave
    a helper 5 s to start and take one)."""
    if os.getpid() != parent:
        time.sleep(3600)
    time.sleep(0.05)
    return parent


def die_in_helper(parent: int) -> int:
    """Exit abruptly when run in a helper process; sleep a little in the parent (40 runs
    leave a helper 20 s to start)."""
    if os.getpid() != parent:
        os._exit(3)
    time.sleep(0.5)
    return parent


def _profiling() -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))


def test_helpers_and_dask_workers_run_the_core_this_process_runs() -> None:
    """A helper process and a Dask worker run the compiled core if this process does (and
    the sources if not): they import the same installed package."""
    with Helpers(2, status, warm=ready) as helpers:
        assert helpers.start().submit(status).result(timeout=120) == status()
    distributed = pytest.importorskip("dask.distributed")
    with local_cluster(1) as cluster, distributed.Client(cluster) as client:
        assert set(client.run(status).values()) == {status()}


def test_a_local_dask_clusters_workers_do_not_profile() -> None:
    """The local Dask cluster's workers run without Dask's statistical profiler (a run's
    deep stacks sampled every 10 ms cost CPU and memory for a dashboard nobody reads),
    while the asking process's own configuration is left as it was."""
    distributed = pytest.importorskip("dask.distributed")
    before = _profiling()
    with local_cluster(1) as cluster, \
            distributed.Client(cluster) as client:
        assert set(client.run(_profiling).values()) == {False}
    assert _profiling() == before
