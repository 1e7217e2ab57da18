"""Fingerprints of every bundled scenario under every variant (summary.json and
timeseries.csv, sha256), so a change meant to be fast and not to change results can be
checked against the same listing made before it:

    python bench/fingerprint.py > before.txt   # on the old commit
    python bench/fingerprint.py | diff before.txt -
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from simulator.runs import run
from simulator.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent / "scenarios"


def fingerprint(path: Path, variant: str | None, days: float | None) -> str:
    """sha256 of summary.json + timeseries.csv of one run (cut to ``days`` if given)."""
    scenario = load_scenario(path)
    if days is not None and scenario.duration > days * 86400:
        scenario = scenario.model_copy(update={"duration": days * 86400})
    results = run(scenario, variant=variant, keep_history=False)
    text = results.summary_json() + results.timeseries_csv()
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    """Print one line per scenario x variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=None,
                        help="cut every scenario to this many days (faster, less coverage)")
    args = parser.parse_args()
    for path in sorted(ROOT.rglob("*.yaml")):
        scenario = load_scenario(path)
        if scenario.server.backend != "model":  # real programs on Dovecot: not the model's
            continue                            # results, minutes a run (real-clients.yaml)
        for variant in [None, *scenario.variant_names()]:
            line = f"{path.relative_to(ROOT)} {variant or 'as-written'}"
            print(line, fingerprint(path, variant, args.days), flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
