"""All evidence the index fits, as one long table: what the evidence door
(compare.evidence.sources) gives, with each row's registry version."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from gaptrack.compare.evidence.frame import with_units
from gaptrack.compare.evidence.sources import EvidenceRequest, load_evidence


def load_all(
    results_dir: str | Path | None, reported_files: Iterable[str | Path] = ()
) -> pd.DataFrame:
    """Every source's rows in the index's layout (Epoch's first, then reported, then
    measured evidence), each with its registry version."""
    request = EvidenceRequest(results_dir=results_dir, reported_files=tuple(reported_files))
    # each row's registry version, here so that the index cache's digest covers it
    return with_units(load_evidence(request).frame())
