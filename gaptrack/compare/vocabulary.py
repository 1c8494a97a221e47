"""The vocabulary claims and evidence share: benchmarks, non-benchmark figures and events,
read from the data file gaptrack/data/benchmarks.yaml (a new benchmark is a YAML entry).

A claim or an evidence row that names something outside these lists is an error, so a
typo cannot silently turn a testable claim into one with no evidence."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from gaptrack.base import Frozen
from gaptrack.errors import ConfigError


class Benchmark(Frozen):
    """A scored benchmark or leaderboard."""

    id: str
    """Identifier used in claims.yaml and in the evidence's `benchmark` column."""
    name: str
    """Display name."""
    scale: Literal["percent", "elo"]
    """Scale of a score: accuracy in percent (0-100), or an Elo-style rating. (A gap's
    unit is another matter: claims.GapQuantity.unit, `points` or `relative`.)"""
    resolution: float
    """Smallest step in which sources print a score (0.1 for accuracies, 1 for Arena
    ratings); half of it bounds the rounding error of a published score."""
    measured_tasks: tuple[str, ...] = ()
    """lm-eval task names whose stored records measure this benchmark."""
    leaderboard: bool = False
    """Scores are ratings on a dated leaderboard snapshot rather than fixed test sets."""
    items: int | None = None
    """Questions in the test set sources score on: a reported score without a published
    error gets the binomial standard error sqrt(p (1 - p) / items)."""
    items_source: str = ""
    """Where that count comes from (dataset card or paper, split)."""


class Figure(Frozen):
    """A non-benchmark quantity (downloads, investment, counts) or a dated event."""

    id: str
    """Identifier used in claims.yaml and in the evidence's `benchmark` column."""
    description: str
    """What the number counts, with its unit."""
    event: bool = False
    """An event: the row's `snapshot` is the date it happened; it has no value."""


class Vocabulary(Frozen):
    """The file gaptrack/data/benchmarks.yaml."""

    benchmarks: list[Benchmark]
    """Scored benchmarks and leaderboards."""
    figures: list[Figure]
    """Non-benchmark quantities and events."""


def vocabulary_file() -> Path:
    return Path(str(files("gaptrack") / "data" / "benchmarks.yaml"))


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Read and validate the table; a broken file is a one-line ConfigError."""
    path = path or vocabulary_file()
    from gaptrack.config.loader import read_yaml

    raw = read_yaml(path, "benchmark table")  # one-line ConfigError on any read problem
    try:
        return Vocabulary.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(first["msg"], file=path, field=where) from None


_VOCABULARY = load_vocabulary()
BENCHMARKS: dict[str, Benchmark] = {b.id: b for b in _VOCABULARY.benchmarks}
FIGURES: dict[str, Figure] = {f.id: f for f in _VOCABULARY.figures}


def benchmark(benchmark_id: str) -> Benchmark:
    return BENCHMARKS[benchmark_id]


def benchmark_for_task(task_name: str) -> str:
    """The benchmark a stored lm-eval task measures; an unmapped task keeps its own name."""
    for bench in BENCHMARKS.values():
        if task_name == bench.id or task_name in bench.measured_tasks:
            return bench.id
    return task_name


def check_benchmark(value: str) -> str:
    if value not in BENCHMARKS:
        known = ", ".join(sorted(BENCHMARKS))
        raise ValueError(f"{value!r} is not a known benchmark (known: {known})")
    return value


def check_figure(value: str) -> str:
    if value not in FIGURES:
        known = ", ".join(sorted(FIGURES))
        raise ValueError(f"{value!r} is not a known figure (known: {known})")
    return value
