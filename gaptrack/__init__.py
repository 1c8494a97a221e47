"""gaptrack: turn claims about the US-China AI gap into evidence.

Data flow, one sub-package per step:
config (what to run) -> run (lm-eval on models) -> store (records on disk)
-> compare (gaps, intervals, claims) -> publish (tables, plots, report).
"""

__version__ = "0.1.0"
