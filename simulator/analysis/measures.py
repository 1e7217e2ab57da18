"""Measures for the claims: numbers read from one run's summary, or counted in its
history when the summary has no such figure (e.g. how much sent mail reached the server)."""

from __future__ import annotations

from collections.abc import Callable

from simulator.analysis.metrics import lookup
from simulator.observe.history import Delivered, Sent, StoreChange, ViewChange
from simulator.observe.stats import percentile
from simulator.runs import Results

Getter = Callable[[Results], float | None]


def metric(path: str) -> Getter:
    """A summary.json number by dotted path."""
    def get(r: Results) -> float | None:
        """The value at ``path``, or None where the summary has none."""
        return lookup(r.summary, path)
    return get


def delivered(r: Results) -> list[tuple[float, str]]:
    """(time, message id) of every delivery to a mailbox."""
    return [(e.t, e.mid) for e in r.history.every(Delivered)]


def sent_on_server(r: Results) -> float | None:
    """Share of the mail people sent that was ever stored on the server (Sent folder)."""
    sent = {e.mid for e in r.history.every(Sent)}
    if not sent:
        return None
    stored = {e.mid for e in r.history.every(StoreChange) if e.change == "add"}
    return len(sent & stored) / len(sent)


def downloaded(r: Results) -> float | None:
    """Share of delivered mail whose body reached at least one device."""
    mids = {mid for _t, mid in delivered(r)}
    if not mids:
        return None
    bodies = {e.mid for e in r.history.every(ViewChange) if e.bodies}
    return len(mids & bodies) / len(mids)


def local_only(r: Results) -> float | None:
    """Messages left on one device only (not on the server), per delivered message."""
    n = len(delivered(r))
    return r.summary["consistency"]["anomalies"]["local_only"] / n if n else None


def visible_after(q: float) -> Getter:
    """The q-th percentile of the delay from delivery until a device first lists the
    message (time to visible)."""
    def get(r: Results) -> float | None:
        """Percentile of first-listing delays over delivered messages (None if none)."""
        arrived = dict((mid, t) for t, mid in delivered(r))
        first: dict[str, float] = {}
        for e in r.history.every(ViewChange):
            mid = e.mid
            if e.shown and mid in arrived and mid not in first:
                first[mid] = e.t - arrived[mid]
        return percentile(list(first.values()), q)
    return get


def plaintext_share(r: Results) -> float | None:
    """Share of connections whose login crossed the network in clear."""
    conns = r.summary["traffic"]["connections"]
    return r.summary["security"]["plaintext_logins"] / conns if conns else None
