"""Every claim group of CLAIMS.md, in the document's order (POP3, IMAP, guide, related
article, ports)."""

from __future__ import annotations

from simulator.analysis.claims import Claim
from simulator.analysis.claims_imap import IMAP_CLAIMS
from simulator.analysis.claims_pop3 import POP3_CLAIMS

CLAIMS: tuple[Claim, ...] = POP3_CLAIMS + IMAP_CLAIMS


def claim(ids: str) -> Claim:
    """The claim group whose ids are exactly ``ids`` (e.g. "P3, P9")."""
    return next(c for c in CLAIMS if c.ids == ids)
