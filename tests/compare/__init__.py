"""Tests of compare: replications, statistics, the CLI."""
