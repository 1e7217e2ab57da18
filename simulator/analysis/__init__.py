"""Analysis: what the runs' numbers say, as data — comparisons with statistics, the one
registry of summary metrics, number formatting, the decision between variants
(:class:`Decision`, on paired differences) and the judging of the source document (the
decision guide G1–G7 and the claims, as :class:`Finding`)."""

from simulator.analysis.comparison import Comparison, MetricRow, compare
from simulator.analysis.decision import Decision
from simulator.analysis.finding import Finding
from simulator.analysis.metrics import BY_KEY, METRICS, Metric, lookup
from simulator.analysis.stats import Stat, summarize

__all__ = ["BY_KEY", "METRICS", "Comparison", "Decision", "Finding", "Metric", "MetricRow", "Stat",
           "compare", "lookup", "summarize"]
