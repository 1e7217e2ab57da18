"""Assertions for tests of sync logic: each failure message carries the witnesses mailsim
found, so a hypothesis counterexample explains itself."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from simulator.testing.troubles import divergence_stories, divergent, flags_differ

ANOMALY_KINDS = ("duplicate", "resurrected", "lost_flag_change", "local_only")


def assert_valid(results: Any) -> None:
    """The verdict holds: every message accounted for and no protocol rule broken."""
    verdict = results.summary["verdict"]
    assert verdict["valid"], "verdict false:\n" + "\n".join(verdict["violations"])


def assert_no_anomalies(results: Any, kinds: Iterable[str] = ANOMALY_KINDS) -> None:
    """None of the given anomaly kinds occurred (their witnesses are shown if one did)."""
    consistency = results.summary["consistency"]
    found = {k: consistency["anomalies"][k] for k in kinds if consistency["anomalies"][k]}
    witnesses = {k: consistency["anomaly_witnesses"][k] for k in found}
    assert not found, f"anomalies {found}; witnesses:\n{json.dumps(witnesses, indent=1)}"


def assert_nothing_lost(results: Any) -> None:
    """No message the person expects has vanished from every server and device."""
    durability = results.summary["durability"]
    assert durability["lost"] == 0, f"lost: {json.dumps(durability['lost_examples'], indent=1)}"


def assert_converged(results: Any) -> None:
    """At the end every device shows exactly what the person expects."""
    consistency = results.summary["consistency"]
    bad = {d: v["divergent_messages"] for d, v in results.summary["devices"].items()
           if v["divergent_messages"]}
    if consistency["final_agreement"] != 1.0:
        stories = "".join(f"\n  {story}" for story in divergence_stories(results))
        raise AssertionError(f"divergent at the end: {bad}{stories}")


def assert_flags_propagated(results: Any) -> None:
    """Every flag change the person made reached every device: no device reverted a flag it
    had shown (``lost_flag_change``) and, at the end, every device shows each message it
    has in the expected folder with the flags the person expects (the stories tell why)."""
    consistency = results.summary["consistency"]
    reverted = consistency["anomaly_witnesses"]["lost_flag_change"]
    stale = [(device, mid, want, have) for device, mid, want, have
             in divergent(results.history) if flags_differ(want, have)]
    if reverted or stale:
        stories = "".join(f"\n  {story}" for story in
                          [w.get("story") or w["what"] for w in reverted[:3]]
                          + divergence_stories(results, flags_only=True))
        raise AssertionError(
            f"flag changes lost: {consistency['anomalies']['lost_flag_change']} reverted, "
            f"{len(stale)} message(s) with stale flags at the end "
            f"({consistency['unpropagated']} change(s) unpropagated){stories}")
