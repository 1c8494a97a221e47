"""`scores.csv`: a tidy table of every metric of every record, derived from the records."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from gaptrack.store.atomic import write_text_atomic
from gaptrack.store.records import ResultRecord

SCORE_COLUMNS = [
    "model_id",
    "model_name",
    "origin",
    "organisation",
    "released",
    "params_b",
    "size_class",
    "variant",
    "open_weights",
    "quantization",
    "task",
    "metric",
    "filter",
    "value",
    "stderr",
    "scale",
    "direction",
    "n_samples",
    "num_fewshot",
    "limit",
    "data_source",
    "primary",
    "key",
    "finished_at",
]


def score_rows(records: Iterable[ResultRecord]) -> list[dict]:
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


def write_scores_csv(path: Path, records: Iterable[ResultRecord]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SCORE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in score_rows(records):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    write_text_atomic(path, buffer.getvalue())
    return path
