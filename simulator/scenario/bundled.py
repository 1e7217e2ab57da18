"""Where the scenarios that ship with mailsim are: the repository's ``scenarios/`` folder,
installed as package data under ``simulator/bundled`` (a link to it in a checkout)."""

from __future__ import annotations

from pathlib import Path

BUNDLED = Path(__file__).resolve().parents[1] / "bundled"
"""The bundled scenarios: small-office.yaml, faults.yaml, examples/ and claims/."""

CLAIM_SCENARIOS = BUNDLED / "claims"
"""The small scenarios the source document's claims are measured on."""
