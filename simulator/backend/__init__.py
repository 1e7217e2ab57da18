"""Real servers behind the world: Dovecot as the world's server (``server: {backend:
dovecot}``), with the model Accounts kept as mirrors of what Dovecot reports."""

from simulator.backend.install import DovecotMissing
from simulator.backend.server import DovecotServer

__all__ = ["DovecotMissing", "DovecotServer"]
