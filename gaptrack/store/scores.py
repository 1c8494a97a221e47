"""The rows of `scores.csv`: every metric of every record, one dict each (the CSV itself
is written by gaptrack.publish.scores_csv.write_scores)."""

from __future__ import annotations

from collections.abc import Iterable

from gaptrack.store.summary import Stored


def score_rows(records: Iterable[Stored]) -> list[dict]:
    rows = []
    for rec in records:
        primary = rec.metric()
        for m in rec.metrics:
            rows.append(
                {
                    "model_id": rec.model.id,
                    "model_name": rec.model.name,
                    "origin": rec.model.origin,
                    "organisation": rec.model.organisation,
                    "released": rec.model.released.isoformat(),
                    "params_b": rec.model.params_b,
                    "size_class": rec.model.size_class,
                    "variant": rec.model.variant,
                    "open_weights": rec.model.open_weights,
                    "quantization": rec.model.quantization or "",
                    "task": rec.task.name,
                    "metric": m.name,
                    "filter": m.filter,
                    "value": m.value,
                    "stderr": m.stderr,
                    "scale": m.scale,
                    "direction": m.direction,
                    "n_samples": rec.task.n_samples,
                    "num_fewshot": rec.task.num_fewshot,
                    "limit": rec.task.limit,
                    "data_source": rec.task.data_source,
                    "primary": m is primary,
                    "key": rec.key,
                    "finished_at": rec.provenance.finished_at.isoformat(),
                }
            )
    return rows
