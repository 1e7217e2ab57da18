"""The report's five plots for one or several runs (one per variant), each with a caption
saying exactly what is drawn: server storage with the quota, agreement over time, the
propagation-delay CDF, offline availability and storage per device."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simulator.analysis import fmt
from simulator.report import plots, series
from simulator.report.plots import byte_scale


@dataclass(frozen=True)
class Plot:
    """One plot ready for the page: its id, title, caption and inline SVG."""

    name: str
    title: str
    caption: str
    svg: str


def figures(summaries: dict[str, dict[str, Any]], timeseries: dict[str, Sequence[Sequence[Any]]],
            where: str) -> list[Plot]:
    """The five plots, one line or bar per run label (variant). ``where`` says which runs
    they come from, for the captions (e.g. 'first replication, seed 7')."""
    first = next(iter(summaries.values()))
    accounts = len(first.get("users", {}))
    quota = first["server_storage"].get("quota_bytes")
    return [
        _storage(timeseries, quota, accounts, where),
        _agreement(timeseries, where),
        _propagation(summaries, where),
        *_per_device(summaries, where),
    ]


def _storage(timeseries: dict[str, Sequence[Sequence[Any]]], quota: float | None,
             accounts: int, where: str) -> Plot:
    """Server storage over time with the summed quota (drawn or noted)."""
    data = {k: series.column(rows, "server_bytes") for k, rows in timeseries.items()}
    total = None if quota is None else quota * accounts
    fig = plots.server_storage(data, total, accounts)
    if quota is None:
        note = "No quota is set, so no quota line is drawn."
    else:
        summed = (f"the per-account quota ({fmt.value('bytes', quota)}) × {accounts} accounts "
                  f"= {fmt.value('bytes', total)}")
        note = (f"Dashed: {summed}." if plots.quota_in_view(data, total) else
                f"The summed quota, {summed}, is far above every curve, so it is written at "
                "the top instead of drawn.")
        note += (" Each account bounces or defers mail when it alone reaches its quota, so "
                 "the table's 'fullest account' row is the one to hold against the quota.")
    caption = (f"Bytes held on the server for all {accounts} accounts (Inbox, Archive, Sent, "
               f"Trash and deleted-but-not-expunged mail), sampled hourly; {where}. {note}")
    return Plot("storage", "Server storage over time", caption, plots.to_svg(fig, "storage"))


def _agreement(timeseries: dict[str, Sequence[Sequence[Any]]], where: str) -> Plot:
    """Agreement over time."""
    data = {k: series.column(rows, "agreement") for k, rows in timeseries.items()}
    fig = plots.agreement(data)
    caption = ("For each device, the share of messages in (its view ∪ what its person expects) "
               "that it shows in the expected folder with the expected flags, averaged over "
               f"devices and sampled hourly; {where}. 100 % means every device shows the "
               "mailbox the person expects.")
    return Plot("agreement", "Agreement over time", caption, plots.to_svg(fig, "agreement"))


def _propagation(summaries: dict[str, dict[str, Any]], where: str) -> Plot:
    """The propagation-delay CDF from the saved percentiles."""
    data = {k: series.quantiles(s) for k, s in summaries.items()}
    fig = plots.propagation_cdf(data)
    empty = [k for k, q in data.items() if not q]
    missing = f" No change propagated under: {', '.join(empty)}." if empty else ""
    caption = ("For each change (new mail, read, flag, delete, move, sent mail) and each other "
               "device of the same person, the time until that device showed it; only changes "
               "that did propagate are counted (the rest are the table's 'unpropagated "
               f"changes'). Drawn from the saved percentiles; {where}.{missing}")
    return Plot("propagation", "Propagation delay (CDF)", caption,
                plots.to_svg(fig, "propagation"))


def _per_device(summaries: dict[str, dict[str, Any]], where: str) -> list[Plot]:
    """Offline availability and storage peak per device (or device kind)."""
    groups, by_kind = series.device_groups(list(summaries.values()))
    what = "device kind (pooled over users)" if by_kind else "device"
    offline = {k: series.offline_availability(s, groups, by_kind) for k, s in summaries.items()}
    fig = plots.grouped_bars("Offline availability per " + what.split(" (")[0],
                             "offline reads that succeeded (%)", groups,
                             {k: [None if v is None else 100 * v for v in vs]
                              for k, vs in offline.items()},
                             ticks=lambda x, _p: f"{x:g} %", value=lambda v: f"{v:.0f} %")
    off = Plot("offline", "Offline availability per device",
               f"Per {what}: of the reads a person attempted while the device had no "
               f"connection, the share that found the body on the device; n/a = no offline "
               f"reads there; {where}.", plots.to_svg(fig, "offline"))
    peaks = {k: series.storage_peak(s, groups, by_kind) for k, s in summaries.items()}
    top = max([v for vs in peaks.values() for v in vs if v is not None], default=0.0)
    div, unit = byte_scale(top)
    fig = plots.grouped_bars("Device storage per " + what.split(" (")[0],
                             f"peak bytes of mail on the device ({unit})", groups, peaks,
                             scale=div, value=lambda v: fmt.value("bytes", v))
    mean = " (mean over the devices of that kind)" if by_kind else ""
    store = Plot("devices", "Device storage per device",
                 f"Per {what}: the most bytes of mail (bodies and cached headers) the device "
                 f"held at any time{mean}; {where}.", plots.to_svg(fig, "devices"))
    return [off, store]
