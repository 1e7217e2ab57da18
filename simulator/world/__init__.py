"""The world: when things happen and what they cost (SimPy)."""

import simulator.core  # noqa: F401 - first: it picks the compiled or the source modules
