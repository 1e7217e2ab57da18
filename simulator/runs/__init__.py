"""Running scenarios: one run and its :class:`Results` (data only), and the one batch
engine that runs many of them inline, in local processes or on Dask."""

from simulator.runs.batch import (
    DaskMissing,
    Executor,
    Keep,
    Output,
    Progress,
    Task,
    WorkerDied,
    replication_seeds,
    run_batch,
    run_sharded,
)
from simulator.runs.one import Results, mailsim_version, run

__all__ = ["DaskMissing", "Executor", "Keep", "Output", "Progress", "Results", "Task",
           "WorkerDied", "mailsim_version", "replication_seeds", "run", "run_batch",
           "run_sharded"]
