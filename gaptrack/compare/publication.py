"""Everything a leaderboard or report shows, computed once as typed data: the
leaderboard, the gap table, every claim's verdict and the provenance of the results.
No dates of "now" enter it, so the same store and evidence give the same findings."""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from gaptrack.base import Frozen
from gaptrack.compare.check import CheckOptions, check_claims, load_evidence
from gaptrack.compare.gap_table import (
    GapRow,
    TierGap,
    gap_markers,
    gap_table,
    tier_comparison,
)
from gaptrack.compare.leaderboard import Leaderboard, build_leaderboard, suite_benchmarks
from gaptrack.compare.verdicts import ClaimVerdict
from gaptrack.errors import GaptrackError
from gaptrack.store.records import ModelInfo
from gaptrack.store.store import Store
from gaptrack.store.summary import Stored
from gaptrack.update.account import Account, account_as_of
from gaptrack.update.active import UsedCopy, copy_set, current_as_of, sources_line

VERSIONED = ("gaptrack", "lm_eval", "transformers", "torch")
_DISTRIBUTIONS = {"lm_eval": "lm-eval"}


class Provenance(Frozen):
    """Where the published numbers come from."""

    installed: dict[str, str]
    """Versions of gaptrack, lm_eval, transformers and torch installed now."""
    recorded: dict[str, list[str]]
    """The same packages' versions as the stored records recorded them (all seen)."""
    devices: list[str]
    """Device names the stored records ran on."""
    first_run: dt.date | None
    """Earliest day a stored record was finished."""
    last_run: dt.date | None
    """Latest day a stored record was finished."""
    config_hashes: list[str]
    """Config hashes recorded in the stored records."""
    config_file: str | None
    """The config file named on the command line, if any (project-relative path)."""
    config_sha256: str | None
    """sha256 of that file's bytes."""
    evidence_published: dt.date | None
    """Latest publication date among the reported evidence rows."""
    records: int
    """Stored records read."""


class Findings(Frozen):
    """What `gaptrack leaderboard` and `gaptrack report` publish."""

    title: str
    """Report title (the config's name)."""
    leaderboard: Leaderboard
    """Measured and reported scores per model."""
    gaps: list[GapRow]
    """Frontier gap per benchmark, month, pool and evidence kind: point-in-time only."""
    gap_markers: list[GapRow] = []
    """Figures kept out of the series (derived, or recomputed on a later board), each
    labelled: drawn as separate markers (gap_table.gap_markers)."""
    tier_gaps: list[TierGap] = []
    """The end-2024 gap of each benchmark with third-party runs, per source tier and on all
    rows together (gap_table.tier_comparison)."""
    verdicts: list[ClaimVerdict]
    """Every claim of the registry with its verdict."""
    provenance: Provenance
    """Versions, devices, dates and config hashes."""
    evidence_as_of: str = ""
    """`as of DATE (sources: ...)`: the run's date and the source copies read."""
    copies: list[UsedCopy] = []
    """The source copies read (source, sha256, date, url: enough to fetch them again)."""
    what_changed: Account | None = None
    """The account of the latest `gaptrack update` made by the run's date, if any."""


def _installed(name: str) -> str:
    try:
        return metadata.version(_DISTRIBUTIONS.get(name, name))
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance(
    records: Sequence[Stored], config_file: Path | None, evidence_published: dt.date | None
) -> Provenance:
    recorded: dict[str, set[str]] = {}
    devices, hashes, finished = set(), set(), []
    for record in records:
        p = record.provenance
        packages = {**p.packages, "gaptrack": p.gaptrack_version}
        for name in VERSIONED:
            if name in packages:
                recorded.setdefault(name, set()).add(packages[name])
        devices.add(p.device_name or p.device)
        if p.config_hash:
            hashes.add(p.config_hash)
        finished.append(p.finished_at.date())
    digest = hashlib.sha256(config_file.read_bytes()).hexdigest() if config_file else None
    return Provenance(
        installed={name: _installed(name) for name in VERSIONED},
        recorded={k: sorted(v) for k, v in sorted(recorded.items())},
        devices=sorted(devices),
        first_run=min(finished, default=None),
        last_run=max(finished, default=None),
        config_hashes=sorted(hashes),
        config_file=config_file.name if config_file else None,
        config_sha256=digest,
        evidence_published=evidence_published,
        records=len(records),
    )


def collect(
    results_dir: Path,
    tasks: Sequence[str] = (),
    title: str = "gaptrack",
    config_file: Path | None = None,
    options: CheckOptions | None = None,
) -> Findings:
    """Read the store and the evidence once and compute all findings. `tasks`: the
    suite's lm-eval tasks (their benchmarks make the leaderboard's mean); empty: every
    measured benchmark."""
    options = options or CheckOptions()
    store = Store(results_dir)  # it remembers the items paired: not read again next time
    records = store.summaries()  # read once: models and provenance
    rows = load_evidence(results_dir, options, records, store)
    models: dict[str, ModelInfo] = {r.model.id: r.model for r in records}
    measured = sorted({r.benchmark for r in rows if r.kind == "measured"})
    suite = suite_benchmarks(tasks) if tasks else measured
    board = build_leaderboard(rows, models, suite)
    published = [r.published for r in rows if r.kind == "reported" and r.published]
    findings = Findings(
        title=title,
        leaderboard=board,
        gaps=gap_table(rows, board.benchmarks),
        gap_markers=gap_markers(rows, board.benchmarks),
        tier_gaps=tier_comparison(rows, board.benchmarks),
        verdicts=check_claims(results_dir, None, options, rows),
        provenance=provenance(records, config_file, max(published, default=None)),
        evidence_as_of=sources_line(),
        copies=copy_set(),
        what_changed=account_as_of(results_dir, current_as_of()),
    )
    store.close()
    return findings


INDEX_BOOTSTRAP = 100
"""Bootstrap replicates behind the index's intervals in the report (seed 0: reproducible)."""


def capability_index(results_dir: Path, reported: Sequence[Path] = ()):
    """The capability index (gaptrack.compare.index's report: models and months tables)
    of the stored and reported evidence: the one `gaptrack index` wrote under
    `results_dir`/index where it was fitted from the same evidence and settings
    (index.cache), else fitted now. None where this gaptrack has no index; a
    GaptrackError (bad or too little evidence) is returned, not raised, so a report can
    say why the section is missing."""
    try:
        from gaptrack.compare.index import cache
        from gaptrack.compare.index.analysis import run_index
        from gaptrack.compare.index.inputs import load_all
        from gaptrack.compare.index.prepare import INDEX_SINCE, index_options
    except ImportError:
        return None
    try:
        frame = load_all(results_dir, reported)
        digest = cache.inputs_digest(frame, INDEX_BOOTSTRAP, 0, index_options())
        stored = cache.stored_index(Path(results_dir) / "index", digest)
        if stored is not None:
            return stored
        with warnings.catch_warnings():
            # months where one side has no model yet give all-NaN slices: expected, not news
            warnings.simplefilter("ignore", RuntimeWarning)
            return run_index(
                frame, index_options(), n_boot=INDEX_BOOTSTRAP, seed=0, start=INDEX_SINCE
            )
    except GaptrackError as exc:
        return exc


def index_headline(results_dir: Path, index, reported: Sequence[Path] = ()) -> list | None:
    """The index's headline figures (index.headline: third-party runs, >= 4 benchmarks,
    from 2023, the all-evidence figure beside) for the report's top: the ones `gaptrack
    index` stored with the index where the report reads it, else fitted now beside the
    index just fitted; None where there is no index or too little third-party evidence."""
    from gaptrack.compare.index.analysis import IndexReport
    from gaptrack.compare.index.cache import StoredIndex
    from gaptrack.compare.index.headline import headline_figures, headline_report
    from gaptrack.compare.index.inputs import load_all

    if isinstance(index, StoredIndex):
        return index.headline
    if not isinstance(index, IndexReport):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = load_all(results_dir, reported)
            return headline_figures(headline_report(frame, INDEX_BOOTSTRAP, 0), index)
    except GaptrackError:
        return None
