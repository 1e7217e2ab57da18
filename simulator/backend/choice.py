"""Which server backend a scenario runs on: ``server: {backend: ...}`` and ``--server``."""

from __future__ import annotations

from simulator.scenario import Scenario

BACKENDS = ("model", "dovecot")


def on_backend(scenario: Scenario, backend: str) -> Scenario:
    """``scenario`` with every server (``server:`` and each of ``servers:``) on ``backend``."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown server backend {backend!r}; expected one of {BACKENDS}")
    servers = {name: cfg.model_copy(update={"backend": backend})
               for name, cfg in scenario.servers.items()}
    server = scenario.server.model_copy(update={"backend": backend})
    return scenario.model_copy(update={"server": server, "servers": servers})
