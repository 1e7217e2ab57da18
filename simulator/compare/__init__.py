"""``compare``: one scenario under several variants, replicated with common random numbers,
with means, 95% intervals and the best variant per metric (issue 5)."""

from simulator.compare.comparison import Comparison, MetricRow, compare
from simulator.compare.metrics import METRICS, Metric
from simulator.compare.runs import replication_seeds
from simulator.compare.stats import Stat, summarize

__all__ = [
    "METRICS",
    "Comparison",
    "Metric",
    "MetricRow",
    "Stat",
    "compare",
    "replication_seeds",
    "summarize",
]
