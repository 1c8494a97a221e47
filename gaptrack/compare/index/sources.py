"""All evidence the index fits, as one long table: Epoch AI's rows, the reported evidence
(evidence/*.csv and the user's) and gaptrack's own measurements from the store."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from gaptrack.compare.benchmarks import BENCHMARKS
from gaptrack.compare.evidence import EvidenceRow, load_measured, load_reported
from gaptrack.compare.evidence.settings import not_comparable
from gaptrack.compare.index.epochdata import COLUMNS, load_epoch_rows
from gaptrack.compare.index.prepare import with_units
from gaptrack.update.active import current_as_of, published_by


def known_by_as_of(frame: pd.DataFrame) -> pd.DataFrame:
    """Epoch's rows of models released by the --as-of date (its files give no date of
    publication; a score cannot predate the model). All rows without a date. A row's date
    is its registry version's where the registry knows it (the date the index fits it at)."""
    when = current_as_of()
    if when is None:
        return frame
    units = with_units(frame)  # the frame keeps no unit columns: load_all adds them to all
    released = pd.to_datetime(units["unit_released"].fillna(units["released"]))
    keep = released.isna() | (released <= pd.Timestamp(when.date()))
    return frame[keep.to_numpy()].reset_index(drop=True)


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
    # catalogue id a measured row resolves by in the model registry (prepare.with_units)
    return pd.DataFrame(out, columns=[*COLUMNS, "excluded", "model_id"])


def load_all(
    results_dir: str | Path | None, reported_files: Iterable[str | Path] = (), epoch: bool = True
) -> pd.DataFrame:
    """Epoch's rows, then reported, then measured evidence, in the index's layout."""
    frames = [known_by_as_of(load_epoch_rows())] if epoch else []
    reported = load_reported(results_dir, list(reported_files))
    measured = load_measured(results_dir) if results_dir and Path(results_dir).exists() else []
    frames.append(rows_frame(published_by([*reported, *measured])))
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True)
    frame["released"] = pd.to_datetime(frame["released"])
    # each row's registry version, here so that the index cache's digest covers it
    return with_units(frame)
