"""Tests of the analysis: paired statistics and the decision between variants."""
