"""Typed evidence rows as the capability index's long table (one row per model and
benchmark score): the layout every part of the index reads, and each row's model
registry version (with_units)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from gaptrack.compare.evidence.rows import EvidenceRow
from gaptrack.compare.evidence.settings import not_comparable
from gaptrack.compare.vocabulary import BENCHMARKS

COLUMNS = [
    "row_id",
    "model",
    "version",
    "benchmark",
    "score",
    "stderr",
    "released",
    "origin",
    "open_weights",
    "reporter",
    "measured_by",
    "kind",
    "n_items",
    "source",
]
"""Columns of the long evidence table every part of the index reads."""


def _reporter(row: EvidenceRow) -> str:
    # The shared evidence schema's `reporter` column where present; before it, a measured row
    # is gaptrack's own (third party) and a reported one is read from its source kind.
    explicit = getattr(row, "reporter", None)
    if explicit:
        return str(explicit)
    if row.kind == "measured":
        return "third_party"
    return "unknown"


def rows_frame(rows: Iterable[EvidenceRow]) -> pd.DataFrame:
    """Score rows on percent benchmarks as fractions (ratings such as Arena Elo have no
    maximum, so they cannot enter a sigmoid fit and are skipped)."""
    out = []
    for row in rows:
        if row.quantity != "score":
            continue  # other row kinds have no benchmark score
        bench = BENCHMARKS.get(row.benchmark)
        if bench is None or bench.scale != "percent":
            continue
        out.append(
            {
                "row_id": row.row_id,
                "model": row.model,
                "version": row.model,
                "benchmark": row.benchmark,
                "score": None if row.value is None else row.value / 100,
                "stderr": None if row.stderr is None else row.stderr / 100,
                "released": pd.Timestamp(row.released) if row.released else pd.NaT,
                "origin": row.origin,
                "open_weights": row.open_weights,
                "reporter": _reporter(row),
                "measured_by": "gaptrack"
                if row.kind == "measured"
                else getattr(row, "measured_by", None) or row.organisation,
                "kind": row.kind,
                "n_items": row.n_samples if row.kind == "measured" else np.nan,
                "source": row.source,
                "excluded": not_comparable(row) or "",
                "model_id": getattr(row, "model_id", None),
            }
        )
    # `excluded`: why a row cannot be compared with single-attempt scores (prepare leaves
    # it out with that reason); Epoch's rows have no such column. `model_id`: the
    # catalogue id a measured row resolves by in the model registry (with_units)
    return pd.DataFrame(out, columns=[*COLUMNS, "excluded", "model_id"])


UNIT_COLUMNS = ["unit", "unit_name", "unit_released"]
"""The registry's version of each row (evidence/models.yaml): its id, display name and
release date; empty where the registry does not know the model."""


def with_units(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with UNIT_COLUMNS (computed once per distinct name, kept where present):
    Epoch AI's rows resolve by model version, the others by the source's own model key,
    catalogue id or name (registry.lookup)."""
    if set(UNIT_COLUMNS) <= set(frame.columns):
        return frame
    from gaptrack.compare.evidence.registry import id_alias, lookup

    out = frame.copy()
    epoch = (out["kind"] == "epoch").to_numpy() if "kind" in out else np.zeros(len(out), bool)
    name = np.where(epoch, out["version"].astype(object), out["model"].astype(object))
    model_id = out["model_id"] if "model_id" in out else pd.Series(None, index=out.index)
    keys = list(
        zip(
            name,
            model_id.where(model_id.notna(), None),
            out["row_id"].map(id_alias) if "row_id" in out else [None] * len(out),
            strict=True,
        )
    )
    found = {k: lookup(*k) if isinstance(k[0], str) else None for k in set(keys)}
    entries = [found[k] for k in keys]
    out["unit"] = [e.version if e else None for e in entries]
    out["unit_name"] = [e.name if e else None for e in entries]
    out["unit_released"] = pd.to_datetime(
        [e.released_on if e and e.released else None for e in entries]
    )
    return out
