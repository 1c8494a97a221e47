"""Claims vs evidence: the claims registry, measured and reported evidence, gaps between
origins' frontiers with intervals, and verdicts (see gaptrack.compare.check)."""
