"""Differential conformance tests: the functional core against a real Dovecot."""
