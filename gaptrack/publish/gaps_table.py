"""The per-benchmark origin gap printed after a run: best model of origin A minus best of
origin B on the primary metric, in points, with a 95% interval (paired over shared items
where both models answered the same questions, else from the two standard errors)."""

from __future__ import annotations

from gaptrack.compare.gaps import MIN_ITEMS, pair_items
from gaptrack.compare.stats import Interval, paired_bootstrap, unpaired_interval
from gaptrack.store import ResultRecord


def record_gap_interval(a: ResultRecord, b: ResultRecord) -> Interval | None:
    """95% interval of a.score - b.score in accuracy points (0-100)."""
    sample = pair_items(a.all_items(), b.all_items(), a.task.n_samples, b.task.n_samples)
    if sample is not None:
        return paired_bootstrap([sample], "points")
    ma, mb = a.metric(), b.metric()
    if ma.stderr is None or mb.stderr is None:
        return None
    return unpaired_interval(
        100 * ma.value, 100 * ma.stderr, 100 * mb.value, 100 * mb.stderr, "points"
    )


def settings_note(a: ResultRecord, b: ResultRecord) -> str:
    """Where the two sides of a gap were not run alike: backends (hf vs vLLM) or chat
    template and sampling settings differ. Empty where they match."""
    notes = []
    if a.cache_key.backend != b.cache_key.backend:
        notes.append(f"backends differ: {a.cache_key.backend} vs {b.cache_key.backend}")
    if a.cache_key.generation != b.cache_key.generation:
        notes.append(
            f"settings differ: {_settings(a.cache_key.generation)} vs "
            f"{_settings(b.cache_key.generation)}"
        )
    return "; ".join(notes)


def _settings(generation: dict | None) -> str:
    if not generation:
        return "lm-eval defaults"
    return ",".join(f"{k}={v}" for k, v in sorted(generation.items()))


def _limit_key(limit: int | None) -> int:
    return -1 if limit is None else limit


def gap_rows(records: list[ResultRecord], origin_a: str, origin_b: str) -> list[list[str]]:
    """One row per (task, limit): models are only compared on runs with the same limit."""
    rows = []
    runs = sorted(
        {(r.task.name, r.task.limit) for r in records}, key=lambda t: (t[0], _limit_key(t[1]))
    )
    for task, limit in runs:
        best: dict[str, ResultRecord] = {}
        for r in records:
            if (r.task.name, r.task.limit) != (task, limit):
                continue
            if r.model.origin not in (origin_a, origin_b):
                continue
            if r.model.origin not in best or r.score > best[r.model.origin].score:
                best[r.model.origin] = r
        if len(best) < 2:
            continue
        a, b = best[origin_a], best[origin_b]
        interval = record_gap_interval(a, b)
        n_items = min(a.task.n_samples, b.task.n_samples)
        thin = f"  (only {n_items} items: too few to judge)" if n_items < MIN_ITEMS else ""
        rows.append(
            [
                task,
                "all" if limit is None else str(limit),
                str(a.task.primary_metric),
                f"{a.model.id} {100 * a.score:.1f}",
                f"{b.model.id} {100 * b.score:.1f}",
                f"{100 * (a.score - b.score):+.1f}",
                f"[{interval.low:+.1f}, {interval.high:+.1f}]" if interval else "n/a",
                (interval.method.text if interval else "no uncertainty published") + thin,
                settings_note(a, b) or "same",
            ]
        )
    return rows
