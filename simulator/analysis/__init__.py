"""Analysis of runs: paired statistics and the decision between variants."""
