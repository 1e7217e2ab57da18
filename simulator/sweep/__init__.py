"""Parameter sweeps: grids × replications on one machine or a Dask cluster, into tidy
tables with confidence intervals and plots."""

from simulator.sweep.grid import Axis, GridError, parse_axis
from simulator.sweep.sweep import SweepResult, sweep, sweep_files

__all__ = ["Axis", "GridError", "SweepResult", "parse_axis", "sweep", "sweep_files"]
