"""Checkers and records: what the history says about a run."""

import simulator.core  # noqa: F401 - first: it picks the compiled or the source modules
