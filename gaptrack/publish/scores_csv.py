"""`<results>/scores.csv`: a tidy table of every metric of every record, rebuilt from the
records after each `gaptrack eval` (the records are the truth). Apart from csv_out so
that `eval` does not import the comparison code to write it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from gaptrack.publish.csv_safe import safe_cell
from gaptrack.publish.files import write_if_changed
from gaptrack.store.scores import score_rows
from gaptrack.store.summary import Stored

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
"""Column order, documented in results/README.md; rows: gaptrack.store.scores.score_rows."""


def write_scores(records: Iterable[Stored], path: Path) -> Path:
    """Values as the records hold them (full precision), empty for missing; text that a
    spreadsheet would run gets a quote in front (csv_safe)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SCORE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in score_rows(records):
        writer.writerow({k: "" if v is None else safe_cell(v) for k, v in row.items()})
    return write_if_changed(path, buffer.getvalue())
