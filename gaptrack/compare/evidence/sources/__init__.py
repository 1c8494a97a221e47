"""The one door for evidence: every source gaptrack weighs, in one list (SOURCES), read
through one function (`load_evidence`). `check` (the gap engine and the claims' verdicts)
takes its typed rows, the capability index its long table: both from the same call, so a
source added here reaches both.

A source is a module with

* `NAME`: a short name (`reported`, `epoch`, `measured`);
* `rows(request) -> list[EvidenceRow]`: the typed rows it contributes;
* optionally `index_frame(request) -> pandas.DataFrame`: the rows the index reads in its
  own layout (evidence.frame.COLUMNS) in place of `rows`, where the index reads more of the
  source than the typed rows carry (Epoch AI's files: every benchmark, not only
  gaptrack's, each row with its registry version).

A new structured source is one module and one entry in SOURCES. The door applies what
holds for every source: `--as-of` (gaptrack.update.active: rows known by then; a source's
files are the copies in use by then through gaptrack.paths.evidence_file), `--strict`
(reported rows verified at their primary source only) and one order (measured rows first,
then every other row by id), so a source need not."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from gaptrack.compare.evidence.rows import EvidenceKind, EvidenceRow
from gaptrack.compare.evidence.sources import epoch, measured, reported
from gaptrack.compare.evidence.tiers import verified_at_source
from gaptrack.update.active import published_by

if TYPE_CHECKING:
    import pandas as pd

    from gaptrack.store.store import Store
    from gaptrack.store.summary import Stored

SOURCES: list[ModuleType] = [reported, epoch, measured]
"""Every evidence source, in the order their rows are read: the reported CSVs (shipped,
Arena's boards and LLMStats' copy among them, then the user's imports, then `--reported`
files), Epoch AI's Benchmarking Hub, gaptrack's own store records."""


@dataclass(frozen=True)
class EvidenceRequest:
    """Which evidence to read."""

    results_dir: str | Path | None = None
    """The results folder: its store (measured rows) and its imported reported rows;
    None: the shipped evidence only."""
    reported_files: tuple[str | Path, ...] = ()
    """Reported-evidence CSVs read after the shipped files and the user's imports."""
    strict: bool = False
    """Keep only reported rows verified at their primary source (evidence/tiers.py);
    measured rows always count."""
    records: Sequence[Stored] | None = field(default=None, compare=False)
    """The store's records where the caller has read them already (read once per report)."""
    store: Store | None = field(default=None, compare=False)
    """The Store of `results_dir` where the caller has one (it read `records`, and reads
    their items when a gap pairs them); None: a Store is opened for the folder."""


class Evidence:
    """What the sources give for one request, read once per source and view."""

    def __init__(self, request: EvidenceRequest, sources: Iterable[ModuleType]) -> None:
        self.request = request
        self.sources = tuple(sources)
        self._typed: dict[ModuleType, list[EvidenceRow]] = {}

    def _rows_of(self, source: ModuleType) -> list[EvidenceRow]:
        if source not in self._typed:
            self._typed[source] = published_by(source.rows(self.request))
        return self._typed[source]

    def rows(self) -> list[EvidenceRow]:
        """Typed rows for the gap engine: measured rows first (in source order), then
        every other row sorted by id (same inputs, same order: verdicts to the last
        digit)."""
        typed = [row for source in self.sources for row in self._rows_of(source)]
        measured = [r for r in typed if r.kind == EvidenceKind.MEASURED]
        others = [r for r in typed if r.kind != EvidenceKind.MEASURED]
        if self.request.strict:
            # Not `status == "verified"`: LLMStats and Arena-extraction rows are verified
            # only against the copy, and one figure may be `secondary` in one file and
            # `verified` in another; the copy must not get in through the second.
            others = [r for r in others if verified_at_source(r)]
        return [*measured, *sorted(others, key=lambda r: r.row_id)]

    def frame(self) -> pd.DataFrame:
        """The index's long table (evidence.frame.COLUMNS): the sources' own frames first,
        then every other source's typed score rows, converted together."""
        import pandas as pd

        from gaptrack.compare.evidence.frame import rows_frame

        native = [s.index_frame(self.request) for s in self.sources if _has_frame(s)]
        typed = [row for s in self.sources if not _has_frame(s) for row in self._rows_of(s)]
        frames = [*native, rows_frame(typed)]
        frame = pd.concat([f for f in frames if len(f)], ignore_index=True)
        frame["released"] = pd.to_datetime(frame["released"])
        return frame


def _has_frame(source: ModuleType) -> bool:
    return callable(getattr(source, "index_frame", None))


def load_evidence(request: EvidenceRequest) -> Evidence:
    """Every source of SOURCES (as the list stands now) for `request`; its views (`rows`,
    `frame`) read each source when first asked."""
    return Evidence(request, SOURCES)
