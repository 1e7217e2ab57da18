"""Analysis: what the runs' numbers say, as data — comparisons with statistics, the one
registry of summary metrics, number formatting, and the judging of the source document
(the decision guide G1–G7, the recommendation and the claims, all as :class:`Finding`)."""

from simulator.analysis.comparison import Comparison, MetricRow, compare
from simulator.analysis.finding import Finding
from simulator.analysis.metrics import BY_KEY, METRICS, Metric, lookup
from simulator.analysis.stats import Stat, summarize

__all__ = ["BY_KEY", "METRICS", "Comparison", "Finding", "Metric", "MetricRow", "Stat",
           "compare", "lookup", "summarize"]
