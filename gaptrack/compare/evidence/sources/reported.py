"""Reported evidence: the shipped `evidence/*.csv` (papers, developers' reports, LMArena's
boards and history, LLMStats' copy; each the copy in use by the as-of date), then the
user's imports under `<results>/reported/`, then `--reported` files. One source, not
three: a later file's row replaces an earlier one with the same id, and a `derived_from`
may name a row of another file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gaptrack.compare.evidence.csvio import load_reported
from gaptrack.compare.evidence.rows import EvidenceRow

if TYPE_CHECKING:
    from gaptrack.compare.evidence.sources import EvidenceRequest

NAME = "reported"


def rows(request: EvidenceRequest) -> list[EvidenceRow]:
    return load_reported(request.results_dir, list(request.reported_files))
