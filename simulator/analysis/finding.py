"""The one result type of judging: a statement of the source document (a claim, or a
criterion of its decision guide) held against measured numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

Numbers = dict[str, dict[str, float | None]]
"""measure name -> run label -> mean over seeds."""

STATUSES = ("holds", "holds partly", "refuted", "not testable yet", "not testable")
"""A claim's possible statuses, strongest first."""

GUIDE_STATUSES = ("agrees", "partly", "disagrees", "equivalent", "undecided", "—")
"""A guide criterion's statuses: how the decision's winners compare with the document."""


@dataclass
class Finding:
    """One statement judged: its code, what the document says, the status the numbers give
    and one line why; a claim adds the numbers per measure and run, a guide criterion
    whether it arises and bites here and which variants win."""

    code: str
    says: str
    status: str = ""
    why: str = ""
    numbers: Numbers = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    scenarios: list[str] = field(default_factory=list)
    seeds: dict[str, list[int]] = field(default_factory=dict)
    favours: str = ""
    short: str = ""
    key: str = ""
    applies: bool = True
    bites: bool = True
    winners: list[str] = field(default_factory=list)

