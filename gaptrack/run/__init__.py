"""Running models on benchmarks: device choice, the runner interface, the lm-eval adapter."""
