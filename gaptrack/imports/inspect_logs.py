"""inspect_ai logs (`.eval` or `.json`), read with inspect_ai's own reader
(`inspect_ai.log.read_eval_log`) and its own score conversion (`value_to_float`), never
a re-implementation of its format. inspect_ai is optional: `pip install 'gaptrack[import]'`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from gaptrack.errors import GaptrackError
from gaptrack.imports.runs import ImportedTask, sha256_file
from gaptrack.refs import MetricRef
from gaptrack.run.runner import TaskOutcome
from gaptrack.store.records import Item, Metric, scale_of

LOG_SUFFIXES = (".eval", ".json")

_PER_ITEM_MEANS = ("accuracy", "mean")
"""inspect metrics that are the mean of the reduced per-sample values: the item scores
they are checked against."""


def log_files(path: Path) -> list[Path]:
    """The inspect logs a path holds: the file, or every `.eval` log in a folder (a
    folder's `.json` files are lm-eval's or inspect's; a `.json` log is named directly)."""
    if path.is_file():
        return [path] if path.suffix in LOG_SUFFIXES else []
    return sorted(path.rglob("*.eval"))


def _reader():
    try:
        from inspect_ai.log import read_eval_log
        from inspect_ai.scorer import value_to_float
    except ImportError:
        raise GaptrackError(
            "reading inspect_ai logs needs inspect_ai: pip install 'gaptrack[import]'"
        ) from None
    return read_eval_log, value_to_float()


def is_inspect_json(path: Path) -> bool:
    """Whether a `.json` file is an inspect log (its top level has `eval` and `version`)."""
    try:
        head = path.read_bytes()[:4096].decode("utf-8", "replace")
    except OSError:
        return False
    return '"eval"' in head and '"version"' in head and '"status"' in head


def _text(value: Any) -> str:
    """A sample's input or target as one string (chat messages as their JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # chat messages
        return json.dumps(
            [m.model_dump(mode="json") if hasattr(m, "model_dump") else m for m in value],
            sort_keys=True,
            default=str,
        )
    return json.dumps(value, sort_keys=True, default=str)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _model_name(model: str) -> tuple[str, str]:
    """(provider, model) of inspect's `provider/model` (`hf/Qwen/Qwen2.5-7B` ->
    `hf`, `Qwen/Qwen2.5-7B`); a two-part name is kept whole (`openai/gpt-4o`)."""
    provider, _, rest = model.partition("/")
    return provider, rest if "/" in rest else model


def read_log(path: Path) -> list[ImportedTask]:
    read_eval_log, to_float = _reader()
    try:
        log = read_eval_log(str(path))
    except Exception as exc:  # noqa: BLE001 (inspect raises what its parsers raise)
        message = " ".join(str(exc).split())[:300]
        raise GaptrackError(
            f"not a readable inspect_ai log ({type(exc).__name__}: {message})", file=path
        ) from None
    if log.status != "success":
        raise GaptrackError(f"the run did not finish (status {log.status!r})", file=path)
    if not log.samples:
        raise GaptrackError("the log holds no samples (per-item scores)", file=path)
    if log.results is None or not log.results.scores:
        raise GaptrackError("the log holds no scores", file=path, field="results.scores")
    spec = log.eval
    version = (spec.packages or {}).get("inspect_ai", "not stated")

    # Per-sample values as inspect reduced them over epochs (what its metrics average).
    reduced: dict[str, dict[Any, float]] = {}
    for reduction in log.reductions or []:
        reduced[reduction.scorer] = {s.sample_id: to_float(s.value) for s in reduction.samples}
    if not reduced:  # one epoch without reductions: the samples' own scores
        for sample in log.samples:
            for scorer, score in (sample.scores or {}).items():
                reduced.setdefault(scorer, {})[sample.id] = to_float(score.value)

    metrics: list[Metric] = []
    for score in log.results.scores:
        stderr = score.metrics.get("stderr")
        for name, metric in score.metrics.items():
            if name == "stderr" or not math.isfinite(float(metric.value)):
                continue
            metrics.append(
                Metric(
                    name=name,
                    filter=score.name,
                    value=float(metric.value),
                    stderr=None if stderr is None else float(stderr.value),
                    scale=scale_of(name),
                )
            )
    if not metrics:
        raise GaptrackError("the log's scores hold no metric", file=path, field="results.scores")
    first = log.results.scores[0].name
    primary = next(
        (m.ref for m in metrics if m.filter == first and m.name in _PER_ITEM_MEANS), metrics[0].ref
    )

    ids = list(spec.dataset.sample_ids or []) or [s.id for s in log.samples]
    position = {sample_id: i for i, sample_id in enumerate(ids)}
    samples = {s.id: s for s in log.samples}  # epochs share the sample's input and target
    expected = log.results.completed_samples or log.results.total_samples
    if len(samples) != expected:
        raise GaptrackError(
            f"{len(samples)} samples, but the results count {expected} (results.completed_samples)",
            file=path,
        )
    items = []
    for sample_id, sample in samples.items():
        doc_id = sample_id if isinstance(sample_id, int) else position.get(sample_id)
        if doc_id is None:
            raise GaptrackError(f"sample {sample_id!r} is not in the dataset's ids", file=path)
        item = Item(doc_id=doc_id, prompt_hash=_sha(_text(sample.input)), correct=None)
        for metric in metrics:
            value = reduced.get(metric.filter, {}).get(sample_id)
            if metric.name in _PER_ITEM_MEANS and value is not None:
                item.scores[str(metric.ref)] = float(value)
                if metric.ref == primary and value in (0.0, 1.0):
                    item.correct = value == 1.0
        items.append(item)
    for metric in metrics:  # the items must give the metric the log states
        values = [i.scores[str(metric.ref)] for i in items if str(metric.ref) in i.scores]
        if metric.name in _PER_ITEM_MEANS and values:
            mean = math.fsum(values) / len(values)
            if not math.isclose(mean, metric.value, rel_tol=1e-9, abs_tol=1e-12):
                raise GaptrackError(
                    f"the samples' {metric.filter} scores average {mean}, the results state "
                    f"{metric.value} ({metric.name}): not the samples of this run",
                    file=path,
                )
    items.sort(key=lambda i: i.doc_id)
    dataset_hash = _sha(
        "".join(_sha(_text(s.input)) + _sha(_text(s.target)) for s in samples.values())
    )
    provider, model = _model_name(spec.model)
    config = spec.config
    generation = log.plan.config.model_dump(exclude_none=True) if log.plan else {}
    if config.epochs and config.epochs > 1:
        generation["epochs"] = config.epochs
        generation["epochs_reducer"] = config.epochs_reducer
    limit = config.limit if isinstance(config.limit, int) else None
    started = _when(log.stats.started_at if log.stats else None) or _when(spec.created)
    finished = _when(log.stats.completed_at if log.stats else None)
    outcome = TaskOutcome(
        metrics=metrics,
        items=items,
        primary_metric=MetricRef.model_validate(primary),
        n_samples=len(items),
        n_total=spec.dataset.samples,
        version=str(spec.task_version),
        task_hash=dataset_hash,
    )
    return [
        ImportedTask(
            file=path,
            harness="inspect_ai",
            harness_version=version,
            task=spec.task,
            outcome=outcome,
            model_name=model,
            model_field="eval.model",
            revision=(spec.model_args or {}).get("revision"),
            dtype=str((spec.model_args or {}).get("dtype", "not stated")),
            backend=provider,
            task_fingerprint=f"imported:inspect_ai:{spec.task}@{spec.task_version}:{dataset_hash}",
            num_fewshot=None,
            limit=limit,
            generation=generation or None,
            files={path.name: sha256_file(path)},
            packages={"inspect_ai": version},
            model_args=dict(spec.model_args or {}),
            run_date=started,
            wall_time_s=(finished - started).total_seconds() if started and finished else 0.0,
        )
    ]


def _when(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
