"""Real servers behind the world: Dovecot as the world's server (``server: {backend:
dovecot}``), with the model Accounts kept as mirrors of what Dovecot reports."""

from simulator.backend.choice import BACKENDS, on_backend
from simulator.backend.install import DovecotMissing
from simulator.backend.server import DovecotServer
from simulator.world.server import Server

SERVERS: dict[str, type[Server]] = {"model": Server, "dovecot": DovecotServer}
"""Every server backend by its scenario name (what runs/ hands each World)."""

__all__ = ["BACKENDS", "SERVERS", "DovecotMissing", "DovecotServer", "on_backend"]
