"""Epoch AI's Benchmarking Hub (CC-BY 4.0, shipped under evidence/epoch/ with the sha256
of each file, or the copy `gaptrack update` fetched): typed rows for the benchmarks
gaptrack's claims use, and every benchmark's rows in the index's layout.

The files are read by one reader (evidence.epochdata: one reading of Epoch's columns in the
code base); this module turns its long table into evidence rows. Each row is
`verified` against the shipped file (its digest is kept), names Epoch AI as the measurer
where Epoch ran the model, and keeps the developer or leaderboard Epoch collected it from
otherwise."""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import TYPE_CHECKING

from gaptrack.compare.evidence.epochfiles import EPOCH_TO_GAPTRACK
from gaptrack.compare.evidence.rows import EvidenceRow, ScoreRow
from gaptrack.config.countries import ISO_3166_ALPHA2
from gaptrack.update.active import current_as_of

if TYPE_CHECKING:
    import pandas as pd

    from gaptrack.compare.evidence.sources import EvidenceRequest

NAME = "epoch"

EVIDENCE_BENCHMARKS = frozenset(
    {"GPQA diamond", "MMLU", "MATH level 5", "OTIS Mock AIME 2024-2025", "GSM8K", "HellaSwag"}
)
"""Epoch's benchmarks read as evidence (those claims use); their gaptrack ids come from the
one map, evidence.epochfiles.EPOCH_TO_GAPTRACK."""

ATTRIBUTION = "Epoch AI, 'AI Benchmarking Hub', epoch.ai/benchmarks (CC-BY 4.0)"


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _date(value: object) -> dt.date | None:
    if value is None or value != value:  # None, NaN or NaT
        return None
    try:
        return value.date() if hasattr(value, "date") else dt.date.fromisoformat(str(value))
    except (ValueError, TypeError):
        return None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _row(rec: dict, digests: dict[str, str]) -> EvidenceRow | None:
    """One evidence row, or None where the row cannot place a model on a frontier (no
    score, no release date, or a joint multi-country development)."""
    score = _finite(rec["score"])
    released = _date(rec["released"])
    origin = rec["origin"] if isinstance(rec["origin"], str) else None
    if score is None or released is None or origin not in ISO_3166_ALPHA2:
        return None
    stderr = _finite(rec.get("stderr"))
    epoch_ran = rec["measured_by"] == "Epoch AI"
    file = rec["source"].removeprefix("evidence/epoch/")
    record_no = rec["row_id"].rsplit(".", 1)[-1]
    return ScoreRow(
        kind="reported",
        row_id=rec["row_id"],
        model=f"{rec['model']} ({rec['version']})",
        origin=origin,
        released=released,
        open_weights=_bool(rec.get("open_weights")),
        benchmark=EPOCH_TO_GAPTRACK[rec["epoch_benchmark"]],
        metric="Epoch AI run" if epoch_ran else f"collected by Epoch AI from {rec['measured_by']}",
        value=100.0 * score,
        stderr=None if stderr is None else 100.0 * stderr,
        source=f"{ATTRIBUTION}; {rec['source']}",
        source_kind="primary" if epoch_ran else "secondary",
        status="verified",
        locator=f"{rec['source']} record {record_no}",
        reporter=rec["reporter"],
        measured_by="Epoch AI" if epoch_ran else str(rec["measured_by"]),
        source_digest=digests.get(file, ""),
        excerpt=f"{rec['version']} ... {score!r}",
        note="" if epoch_ran else f"Epoch AI's copy of a figure from {rec['measured_by']}",
    )


def _digests() -> dict[str, str]:
    """sha256 per file under evidence/epoch/: the shipped manifest's, or a fetched copy's
    (kept in a folder named by its digest: gaptrack.update.store)."""
    from gaptrack.compare.evidence.epochdata import manifest
    from gaptrack.paths import evidence_file, shipped

    digests = {}
    for m in manifest():
        path = evidence_file(f"epoch/{m['file']}")
        shipped_copy = path == shipped("evidence") / "epoch" / m["file"]
        digests[m["file"]] = m["sha256"] if shipped_copy else path.parent.name
    return digests


def _cached() -> tuple[EvidenceRow, ...]:
    digests = _digests()
    return _rows(tuple(sorted(digests.items())))


@functools.cache
def _rows(digests_key: tuple[tuple[str, str], ...]) -> tuple[EvidenceRow, ...]:
    # Keyed by the digests of the files in use: a fetched copy is a new key.
    from gaptrack.compare.evidence.epochdata import load_epoch_rows

    digests = dict(digests_key)
    # Only the files of the benchmarks claims use: reading all of them costs a second.
    frame = load_epoch_rows(EVIDENCE_BENCHMARKS)
    rows = (_row(rec, digests) for rec in frame.to_dict("records"))
    return tuple(sorted((r for r in rows if r is not None), key=lambda r: r.row_id))


def epoch_rows() -> list[EvidenceRow]:
    """Evidence rows from the shipped Epoch files for the benchmarks in EVIDENCE_BENCHMARKS
    (read once per process: the files are shipped and checked against their digests)."""
    return list(_cached())


def rows(request: EvidenceRequest) -> list[EvidenceRow]:
    """`epoch_rows`: the same for every results folder."""
    return epoch_rows()


def index_frame(request: EvidenceRequest) -> pd.DataFrame:
    """Every Epoch benchmark's rows in the index's layout, known by the as-of date."""
    from gaptrack.compare.evidence.epochdata import load_epoch_rows

    return known_by_as_of(load_epoch_rows())


def known_by_as_of(frame: pd.DataFrame) -> pd.DataFrame:
    """Epoch's rows of models released by the --as-of date (its files give no date of
    publication; a score cannot predate the model). All rows without a date. A row's date
    is its registry version's where the registry knows it (the date the index fits it at)."""
    import pandas as pd

    from gaptrack.compare.evidence.frame import with_units

    when = current_as_of()
    if when is None:
        return frame
    units = with_units(frame)  # the frame keeps no unit columns: index.inputs adds them
    released = pd.to_datetime(units["unit_released"].fillna(units["released"]))
    keep = released.isna() | (released <= pd.Timestamp(when.date()))
    return frame[keep.to_numpy()].reset_index(drop=True)
