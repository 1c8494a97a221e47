"""Evidence: typed rows (rows), reported CSV files (csvio), gaptrack's own store records
(measured), which report editions a claim may use (editions), and whose number each row
is (tiers)."""

from gaptrack.compare.evidence.csvio import (
    CSV_COLUMNS,
    ImportResult,
    import_reported,
    load_reported,
    merge_rows,
    read_reported,
    rows_to_csv,
    shipped_reported_files,
    user_reported_dir,
)
from gaptrack.compare.evidence.editions import EditionChoice, apply_editions, choose_editions
from gaptrack.compare.evidence.measured import load_measured, measured_row, measured_rows
from gaptrack.compare.evidence.rows import (
    STATUS_ORDER,
    EventRow,
    EvidenceKind,
    EvidenceRow,
    FigureRow,
    GapRow,
    ReleaseRow,
    ScoreRow,
    Status,
)
from gaptrack.compare.evidence.tiers import (
    TIERS,
    Tier,
    source_status,
    tier_of,
    verified_at_source,
)

__all__ = [
    "CSV_COLUMNS",
    "STATUS_ORDER",
    "EditionChoice",
    "EventRow",
    "EvidenceKind",
    "EvidenceRow",
    "FigureRow",
    "GapRow",
    "ImportResult",
    "ReleaseRow",
    "ScoreRow",
    "Status",
    "TIERS",
    "Tier",
    "apply_editions",
    "choose_editions",
    "import_reported",
    "load_measured",
    "load_reported",
    "measured_row",
    "measured_rows",
    "merge_rows",
    "read_reported",
    "rows_to_csv",
    "shipped_reported_files",
    "source_status",
    "tier_of",
    "user_reported_dir",
    "verified_at_source",
]
