"""gaptrack's own measurements: one score row per (model, benchmark) of the store's
records (evidence.measured)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gaptrack.compare.evidence.measured import load_measured, measured_rows
from gaptrack.compare.evidence.rows import EvidenceRow

if TYPE_CHECKING:
    from gaptrack.compare.evidence.sources import EvidenceRequest

NAME = "measured"


def rows(request: EvidenceRequest) -> list[EvidenceRow]:
    if request.records is not None:  # read by the caller already
        return list(measured_rows(request.records, request.store))
    folder = request.results_dir
    if folder is None or not Path(folder).exists():
        return []  # no store (yet): the shipped evidence alone
    return list(load_measured(request.store or folder))
