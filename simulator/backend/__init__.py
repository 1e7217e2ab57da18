"""Real servers behind the world: Dovecot as the world's server (``server: {backend:
dovecot}``), with the model Accounts kept as mirrors of what Dovecot reports."""

from simulator.backend.choice import BACKENDS, on_backend
from simulator.backend.install import DovecotMissing
from simulator.backend.server import DovecotServer

__all__ = ["BACKENDS", "DovecotMissing", "DovecotServer", "on_backend"]
