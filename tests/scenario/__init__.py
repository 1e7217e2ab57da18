"""Tests for simulator.scenario: units, schedules, loading and resolving scenarios."""
