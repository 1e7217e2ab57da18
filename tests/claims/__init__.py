"""Tests of the source document's claims on the claim scenarios."""
