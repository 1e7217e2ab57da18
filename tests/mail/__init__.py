"""Specifications of the functional core (simulator.mail), one file per SEMANTICS rule group."""
