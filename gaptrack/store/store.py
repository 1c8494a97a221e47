"""The results store: `<root>/records/<key>.json`, plus a derived `scores.csv`."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from gaptrack.store.atomic import write_text_atomic
from gaptrack.store.records import ResultRecord

log = logging.getLogger(__name__)

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
    "n_samples",
    "num_fewshot",
    "limit",
    "data_source",
    "primary",
    "key",
    "finished_at",
]


class Store:
    """A folder of result records. Safe to read while a run writes to it."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.records_dir = self.root / "records"

    def path_for(self, key: str) -> Path:
        return self.records_dir / f"{key}.json"

    def has(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def get(self, key: str) -> ResultRecord:
        return self._read(self.path_for(key))

    def put(self, record: ResultRecord) -> Path:
        path = self.path_for(record.key)
        write_text_atomic(path, record.model_dump_json(indent=1) + "\n")
        return path

    def _read(self, path: Path) -> ResultRecord:
        return ResultRecord.model_validate_json(path.read_bytes())

    def records(self) -> Iterator[ResultRecord]:
        """Every readable record; an unreadable file is logged and skipped, never deleted."""
        if not self.records_dir.is_dir():
            return
        for path in sorted(self.records_dir.glob("*.json")):
            try:
                yield self._read(path)
            except (ValidationError, json.JSONDecodeError, OSError) as exc:
                log.warning("skipping unreadable record %s: %s", path, str(exc).splitlines()[0])

    def score_rows(self) -> list[dict]:
        rows = []
        for rec in self.records():
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

    def write_scores_csv(self) -> Path:
        """Rebuild `scores.csv` from the records (the records are the truth)."""
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=SCORE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.score_rows():
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        path = self.root / "scores.csv"
        write_text_atomic(path, buffer.getvalue())
        return path
