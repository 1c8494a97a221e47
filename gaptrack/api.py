"""The typed public API: each job the CLI offers, as one function that takes a typed
request and returns a typed result. The CLI parses options, calls one of these and prints;
a script does the same without the printing.

    from gaptrack import api
    summary = api.evaluate("demo", api.EvalRequest(limit=20))
    checked = api.check(api.CheckRequest(config="demo"))
    report = api.report(api.ReportRequest(config="demo"))   # the files `gaptrack report` writes

Every request names its results folder the same way: `config` (a file, or a NAME that
`-c NAME` finds; default: the demo config) and `results` (a folder; default: the config's
`results_dir`). A reader (`verify`, `results`, ...) given a folder that does not exist gets a
GaptrackError naming it, never an empty, healthy-looking store (resolve_results).

Heavy modules (torch, lm_eval, scipy, pandas) are imported inside the jobs, and the older
names below (`load_config`, `check_claims`, `Store`, ...) on first use (PEP 562), so
`gaptrack --help` and `gaptrack results` do not pay for them. `mypy --strict
gaptrack/api.py` runs in scripts/test.sh."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the types only; the modules are imported by the jobs that need them
    from gaptrack.compare.check import CheckOptions as CheckOptions
    from gaptrack.compare.check import Excluded, Reproduction
    from gaptrack.compare.check import check_claims as check_claims
    from gaptrack.compare.evidence import EvidenceRow
    from gaptrack.compare.evidence import import_reported as import_reported
    from gaptrack.compare.index.outcome import IndexOutcome
    from gaptrack.compare.publication import Findings
    from gaptrack.compare.verdicts import ClaimVerdict as ClaimVerdict
    from gaptrack.config import Config
    from gaptrack.config import load_config as load_config
    from gaptrack.config.loader import copy_shipped_config as copy_shipped_config
    from gaptrack.config.loader import list_configs as list_configs
    from gaptrack.config.validate import validate_config as validate_config
    from gaptrack.imports import ImportRequest as ImportRequest
    from gaptrack.imports import ImportResult as ImportResult
    from gaptrack.imports import import_run as import_run
    from gaptrack.imports.export import export_results as export_results
    from gaptrack.publish.schemas import write_schemas as write_schemas
    from gaptrack.run.evaluate import EvalSummary as EvalSummary
    from gaptrack.run.evaluate import Reporter
    from gaptrack.run.executors import Executor
    from gaptrack.run.plan import EvalRequest as EvalRequest
    from gaptrack.run.plan import Plan
    from gaptrack.run.plan import make_plan as make_plan
    from gaptrack.run.preflight import check_config as check_config
    from gaptrack.run.runner import Runner
    from gaptrack.store import ResultRecord as ResultRecord
    from gaptrack.store import Store as Store
    from gaptrack.store.records import FailedAttempt
    from gaptrack.store.store import RecordProblem
    from gaptrack.update.account import Account
    from gaptrack.update.run import UpdateResult

_WHERE = {
    "CheckOptions": "gaptrack.compare.check",
    "check_claims": "gaptrack.compare.check",
    "import_reported": "gaptrack.compare.evidence",
    "ImportRequest": "gaptrack.imports",
    "ImportResult": "gaptrack.imports",
    "import_run": "gaptrack.imports",
    "export_results": "gaptrack.imports.export",
    "ClaimVerdict": "gaptrack.compare.verdicts",
    "load_config": "gaptrack.config",
    "validate_config": "gaptrack.config.validate",
    "check_config": "gaptrack.run.preflight",
    "EvalSummary": "gaptrack.run.evaluate",
    "EvalRequest": "gaptrack.run.plan",
    "make_plan": "gaptrack.run.plan",
    "ResultRecord": "gaptrack.store",
    "Store": "gaptrack.store",
    "write_schemas": "gaptrack.publish.schemas",
    "copy_shipped_config": "gaptrack.config.loader",
    "list_configs": "gaptrack.config.loader",
}
"""Names re-exported from the layers below, imported on first use."""

DEFAULT_CONFIG = "demo"
"""The config every command uses without -c (its results folder, its models)."""

__all__ = sorted(
    [
        *_WHERE,
        "DEFAULT_CONFIG",
        "CheckRequest",
        "CheckResult",
        "IndexRequest",
        "IndexResult",
        "LeaderboardRequest",
        "LeaderboardResult",
        "ReportRequest",
        "ReportResult",
        "UpdateRequest",
        "UpdateReport",
        "VerifyRequest",
        "VerifyResult",
        "check",
        "evaluate",
        "index",
        "leaderboard",
        "report",
        "Access",
        "resolve_results",
        "update",
        "verify",
    ]
)


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module 'gaptrack.api' has no attribute {name!r}")
    value: object = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


# -- where the results are ---------------------------------------------------------------


Access = Literal["read", "write"]
"""How a job uses its results folder: `read` only (verify, results: the folder must
exist, since an empty store would read as a healthy one), or `write` what it finds beside
or into it (eval, check, index, leaderboard, report, update: a missing folder is made)."""


def resolve_results(
    config: str | Path | None, results: Path | None, access: Access = "write"
) -> tuple[Config | None, Path]:
    """The config and results folder of a job: the one rule of every command.

    `results` named: that folder, with a config only where one is named too (a folder
    alone is not said to be the demo's); else the results_dir of `config`, or of
    DEFAULT_CONFIG. A folder that a reader needs and is not there, or a file where the
    folder should be, is a GaptrackError naming it."""
    from gaptrack.config import load_config
    from gaptrack.store.store import require_store_folder

    cfg = None
    if config is not None or results is None:
        cfg = load_config(config if config is not None else DEFAULT_CONFIG)
    folder = Path(results) if results is not None else cfg.results_dir if cfg else Path()
    if access == "read" or folder.exists():
        require_store_folder(folder)
    return cfg, folder


@contextlib.contextmanager
def _as_of(when: str | None) -> Iterator[None]:
    """Evidence read as of `when` (update.active) for the length of a job."""
    from gaptrack.update.active import as_of

    with as_of(when):
        yield


# -- evaluate ----------------------------------------------------------------------------


def evaluate(
    config: Config | str | Path,
    request: EvalRequest | None = None,
    runner: Runner | None = None,
    reporter: Reporter | None = None,
    executor: Executor | None = None,
    preflight: bool | None = None,
) -> EvalSummary:
    """Evaluate what the store lacks of `config` (a Config, a file or a NAME) and store
    every record; `<results>/scores.csv` is rebuilt from every stored record once the run
    ends (also after Ctrl-C or a failure: the table lists what is stored).

    `preflight`: before any model loads, check that each model with work to do can be
    loaded here (installed, converted, cached; `gaptrack validate`'s check), raising one
    GaptrackError that names each problem and its fix. Default: on for a real local run
    (no `runner` and a local executor), off where the jobs run on other machines, whose
    caches this one cannot see, or with a runner that loads no model."""
    from gaptrack.config import Config, load_config
    from gaptrack.publish.scores_csv import write_scores
    from gaptrack.run.evaluate import evaluate as run
    from gaptrack.run.executors import LocalExecutor

    cfg = config if isinstance(config, Config) else load_config(config)
    if preflight is None:
        local = executor is None or (
            isinstance(executor, LocalExecutor) and executor.runner is None
        )
        preflight = runner is None and local

    def scores_csv(store: Store) -> None:
        write_scores(store.summaries(), store.root / "scores.csv")

    return run(
        cfg,
        request,
        runner,
        reporter,
        executor,
        finished=scores_csv,
        before_load=_models_loadable if preflight else None,
    )


def _models_loadable(plan: Plan) -> None:
    """The preflight of `gaptrack validate` for the models with work to do, before any
    loads: a hub model that is not cached while the hub is off is one line with the
    `hf download` command, not a minute of retries ending in a connection error."""
    from gaptrack.errors import GaptrackError
    from gaptrack.run.preflight import model_problems

    problems = model_problems(plan.config, [e.model for e in plan.pending()])
    if problems:
        more = f" (and {len(problems) - 1} more: gaptrack validate)" if len(problems) > 1 else ""
        raise GaptrackError(problems[0] + more)


# -- check -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRequest:
    """What `gaptrack check` is asked."""

    config: str | Path | None = None
    """Config file or NAME whose results folder holds the measured evidence (default: demo)."""
    results: Path | None = None
    """Results folder (default: the config's results_dir); verdicts go to its claims/."""
    claim: str | None = None
    """Check only this claim id (None: every claim of the registry)."""
    claims_file: Path | None = None
    """Claims registry (None: the shipped seeds/claims.yaml)."""
    reported: tuple[Path, ...] = ()
    """Extra reported-evidence CSVs, read after the shipped file and the user's imports."""
    strict: bool = False
    """Weigh only reported rows verified at their primary source (no compilation copies)."""
    as_of: str | None = None
    """Read the evidence as of this date (YYYY-MM-DD or a UTC time); None: now."""


@dataclass(frozen=True)
class CheckResult:
    """What `gaptrack check` found and wrote."""

    results_dir: Path
    """The results folder read."""
    verdicts: list[ClaimVerdict]
    """One verdict per claim checked, in registry order."""
    evidence: list[EvidenceRow]
    """Every evidence row weighed: measured rows first, then reported rows by id."""
    written: list[Path]
    """The files written: one JSON per claim, then claims/sources.csv (the copies read)."""
    reproductions: list[Reproduction] = field(default_factory=list)
    """Models with both a measured and a reported score on a benchmark (all claims only)."""
    statuses: dict[str, int] = field(default_factory=dict)
    """Reported rows per verification status."""
    tiers: dict[str, int] = field(default_factory=dict)
    """Reported rows per source tier."""
    excluded: list[Excluded] = field(default_factory=list)
    """Score rows left out of every gap (not one attempt without tools; all claims only)."""
    sources_line: str = ""
    """`as of DATE (sources: ...)`: the source copies read."""
    claim: str | None = None
    """The one claim checked (CheckRequest.claim); None: every claim."""


def check(request: CheckRequest | None = None) -> CheckResult:
    """Give every claim (or `request.claim`) a verdict from measured and reported evidence
    and write `<results>/claims/<claim_id>.json` and the source copies read."""
    request = request or CheckRequest()
    with _as_of(request.as_of):
        return _check(request)


def _check(request: CheckRequest) -> CheckResult:
    from gaptrack.compare.check import (
        CheckOptions,
        check_claims,
        excluded_rows,
        load_evidence,
        reproduction_checks,
        status_share,
        tier_share,
    )
    from gaptrack.publish.claim_files import claims_dir, write_claim_files
    from gaptrack.publish.files import check_folder
    from gaptrack.update.active import sources_line, write_copy_set

    _, folder = resolve_results(request.config, request.results, "write")
    check_folder(claims_dir(folder))  # before the work: a bad folder is one line
    options = CheckOptions(
        claims_file=request.claims_file,
        reported_files=list(request.reported),
        strict=request.strict,
    )
    evidence = load_evidence(folder, options)  # once: the verdicts and the tables
    verdicts = check_claims(folder, request.claim, options, evidence)
    written = write_claim_files(verdicts, folder)
    written.append(write_copy_set(claims_dir(folder)))
    every = request.claim is None
    return CheckResult(
        results_dir=folder,
        verdicts=verdicts,
        evidence=evidence,
        written=written,
        reproductions=reproduction_checks(evidence) if every else [],
        statuses=status_share(evidence),
        tiers=tier_share(evidence),
        excluded=excluded_rows(evidence) if every else [],
        sources_line=sources_line(),
        claim=request.claim,
    )


# -- index -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexRequest:
    """What `gaptrack index` is asked."""

    config: str | Path | None = None
    """Config file or NAME whose results folder holds the measured evidence (default: demo)."""
    results: Path | None = None
    """Results folder (default: the config's results_dir); the tables go to its index/."""
    reported: tuple[Path, ...] = ()
    """Extra reported-evidence CSVs."""
    boot: int = 100
    """Bootstrap replicates behind every interval."""
    seed: int = 0
    """Bootstrap seed."""
    epoch_check: bool = True
    """Also fit Epoch AI's own data and compare with its published figures."""
    as_of: str | None = None
    """Read the evidence as of this date (YYYY-MM-DD or a UTC time); None: now."""


@dataclass(frozen=True)
class IndexResult:
    """The capability index fitted and the tables written."""

    outcome: IndexOutcome
    """Capabilities, months behind, the third-party fit, Epoch's check, claim verdicts."""
    folder: Path
    """`<results>/index`, where the tables went."""
    written: list[Path]
    """The CSV files written (the cache key file, written last, left out)."""
    sources_line: str = ""
    """`as of DATE (sources: ...)`: the source copies read."""


def index(request: IndexRequest | None = None) -> IndexResult:
    """Fit one capability per model over all evidence and write `<results>/index/*.csv`,
    with the key that lets `report` reuse this fit."""
    request = request or IndexRequest()
    with _as_of(request.as_of):
        return _index(request)


def _index(request: IndexRequest) -> IndexResult:
    import warnings

    from gaptrack.compare.index import cache
    from gaptrack.compare.index.outcome import run
    from gaptrack.errors import OutputError
    from gaptrack.publish.files import check_folder
    from gaptrack.publish.index_out import write_csvs
    from gaptrack.update.active import COPY_SET_FILE, copy_set_csv, sources_line

    _, results = resolve_results(request.config, request.results, "write")
    folder = check_folder(results / "index")  # before the fit: a bad folder costs nothing
    with warnings.catch_warnings():
        # all-NaN months (before a side has any model) are expected, and shown as NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        outcome = run(
            results,
            request.reported,
            n_boot=request.boot,
            seed=request.seed,
            epoch_check=request.epoch_check,
        )
    try:
        # no key while the tables change: files of two fits are never taken for one
        cache.forget(folder)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", file=folder / cache.KEY_FILE) from None
    # one batch with the source copies the fit read; the key, written last, lets `report`
    # reuse this fit
    sources = {folder / COPY_SET_FILE: copy_set_csv()}
    written = write_csvs(outcome, folder, cache.key_text(outcome.inputs_digest), sources)
    return IndexResult(outcome, folder, written, sources_line())


# -- leaderboard and report --------------------------------------------------------------


@dataclass(frozen=True)
class LeaderboardRequest:
    """What `gaptrack leaderboard` is asked."""

    config: str | Path | None = None
    """Config file or NAME whose results to publish (default: demo)."""
    results: Path | None = None
    """Results folder (default: the config's results_dir)."""
    out: Path | None = None
    """Where the CSVs go (default: the results folder)."""
    reported: tuple[Path, ...] = ()
    """Extra reported-evidence CSVs."""
    as_of: str | None = None
    """Read the evidence as of this date (YYYY-MM-DD or a UTC time); None: now."""


@dataclass(frozen=True)
class LeaderboardResult:
    """The findings published and the files written."""

    findings: Findings
    """Leaderboard, gap table, verdicts and provenance."""
    written: list[Path]
    """leaderboard.csv, gaps.csv, claims.csv (and the others publish.outputs writes)."""


@dataclass(frozen=True)
class ReportRequest:
    """What `gaptrack report` is asked."""

    config: str | Path | None = None
    """Config file or NAME whose results to publish (default: demo)."""
    results: Path | None = None
    """Results folder (default: the config's results_dir)."""
    out: Path | None = None
    """Where the site goes (default: the results folder)."""
    reported: tuple[Path, ...] = ()
    """Extra reported-evidence CSVs."""
    as_of: str | None = None
    """Read the evidence as of this date (YYYY-MM-DD or a UTC time); None: now."""
    archive: Path | None = None
    """Also keep a dated copy of the site in ARCHIVE/DATE/ and rewrite ARCHIVE/index.html."""


@dataclass(frozen=True)
class ReportResult:
    """The findings published and the files written."""

    findings: Findings
    """Leaderboard, gap table, verdicts and provenance."""
    written: list[Path]
    """The site: report.html (the overview) and report.md first, then every other file."""
    extras: Path
    """The headline figures a dated series of reports plots, and the source copies read."""
    archived: list[Path] = field(default_factory=list)
    """The dated copy's files, ARCHIVE/index.html last (empty without `archive`)."""
    index: object = None
    """The capability index shown (compare.publication.capability_index): a report, the
    stored one, the GaptrackError that kept it out, or None."""


def _findings(cfg: Config | None, folder: Path, reported: Sequence[Path]) -> Findings:
    """Leaderboard, gap table, verdicts and provenance of a results folder with the
    shipped and imported reported evidence; the config's suite and name where there is one."""
    from gaptrack.compare.check import CheckOptions
    from gaptrack.compare.publication import collect

    return collect(
        folder,
        tasks=[t.name for t in cfg.suite.tasks] if cfg else (),
        title=cfg.name if cfg else folder.name,
        config_file=cfg.source_file if cfg else None,
        options=CheckOptions(reported_files=list(reported)),
    )


def leaderboard(request: LeaderboardRequest | None = None) -> LeaderboardResult:
    """Write leaderboard.csv, gaps.csv and claims.csv (columns: results/README.md)."""
    request = request or LeaderboardRequest()
    with _as_of(request.as_of):
        from gaptrack.publish.files import check_folder
        from gaptrack.publish.outputs import write_formats

        cfg, folder = resolve_results(request.config, request.results, "write")
        out = check_folder(request.out or folder)  # before the work
        findings = _findings(cfg, folder, request.reported)
        return LeaderboardResult(findings, write_formats(["csv"], findings, out))


def report(request: ReportRequest | None = None) -> ReportResult:
    """Write report.html (self-contained) and report.md, with plots in plots/, and the
    headline figures a dated series of reports plots."""
    request = request or ReportRequest()
    with _as_of(request.as_of):
        return _report(request)


def _report(request: ReportRequest) -> ReportResult:
    from gaptrack.compare.publication import capability_index, index_headline
    from gaptrack.publish.files import check_folder
    from gaptrack.publish.outputs import Extras, archive_site, start_figures, write_formats
    from gaptrack.update.figures import write_report_extras

    cfg, folder = resolve_results(request.config, request.results, "write")
    out = check_folder(request.out or folder)  # before the work
    check_folder(out / "plots")
    if request.archive is not None:
        check_folder(request.archive)
    findings = _findings(cfg, folder, request.reported)
    figures = start_figures(findings, out)  # drawn on the other cores while the index fits
    fitted = capability_index(folder, request.reported)
    headline = index_headline(folder, fitted, request.reported)
    written = write_formats(["site"], findings, out, Extras(fitted, figures, headline))
    # the figures a dated series of reports plots (python -m gaptrack.update.dated), and
    # the source copies read
    extras = write_report_extras(findings, fitted, out)
    archived = archive_site(out, written, request.archive) if request.archive else []
    return ReportResult(findings, written, extras, archived, fitted)


# -- update ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateRequest:
    """What `gaptrack update` is asked."""

    config: str | Path | None = None
    """Config file or NAME whose results folder gets changes.md (default: demo)."""
    results: Path | None = None
    """Results folder (default: the config's results_dir)."""
    offline: bool = False
    """Fetch nothing (also GAPTRACK_OFFLINE=1 or HF_HUB_OFFLINE=1)."""
    sources: Path | None = None
    """YAML changing or adding sources (None: $GAPTRACK_SOURCES, if set)."""
    timeout_s: float = 30.0
    """Connect and read timeout of each request."""
    retries: int = 3
    """Retries with backoff."""
    backoff_s: float = 1.0
    """The first retry's wait."""
    figures: bool = True
    """Recompute the headline figures and verdicts before and after (~20 s)."""


@dataclass(frozen=True)
class UpdateReport:
    """What `gaptrack update` fetched and wrote."""

    fetched: UpdateResult
    """Per source: new, not modified, held or rejected, with the row changes."""
    account: Account | None = None
    """What changed in the figures and verdicts (None: nothing new was kept)."""
    written: list[Path] = field(default_factory=list)
    """changes.md and changes.csv in the results folder."""
    stale: str = ""
    """The sources whose newest copy is older than they should be (update.currency); ""."""


def update(request: UpdateRequest | None = None) -> UpdateReport:
    """Fetch the newest public copy of each evidence source, check it with the shipped
    data's readers, keep it by sha256, and write what changed to the results folder."""
    from gaptrack.update.account import make_account, write_account
    from gaptrack.update.active import copies_before
    from gaptrack.update.currency import reaches, stale_text
    from gaptrack.update.fetch import FetchOptions
    from gaptrack.update.figures import headline
    from gaptrack.update.run import update as fetch
    from gaptrack.update.sources import load_sources
    from gaptrack.update.store import parse_utc

    request = request or UpdateRequest()
    table = load_sources(request.sources)
    options = FetchOptions(
        timeout_s=request.timeout_s, retries=request.retries, backoff_s=request.backoff_s
    )
    result = fetch(table, options, offline=request.offline)
    if result.offline:
        return UpdateReport(result)
    found = reaches(table)
    stale = stale_text(found)
    if not result.kept:
        return UpdateReport(result, stale=stale)
    _, folder = resolve_results(request.config, request.results, "write")
    old = new = None
    if request.figures:
        new = headline(folder)
        with copies_before(min(parse_utc(o.fetched_at) for o in result.kept)):
            old = headline(folder)
    account = make_account(result, old, new, found)
    return UpdateReport(result, account, write_account(account, folder), stale)


# -- verify ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyRequest:
    """What `gaptrack verify` is asked."""

    config: str | Path | None = None
    """Config file or NAME whose store to check (default: demo)."""
    results: Path | None = None
    """Results folder (default: the config's results_dir); it must exist."""


@dataclass(frozen=True)
class VerifyResult:
    """A store's integrity: nothing is changed or deleted."""

    records_dir: Path
    """The records folder checked."""
    good: int
    """Records whose digest, items and schema check out."""
    problems: list[RecordProblem]
    """Every bad file: records, items, strays, leftovers, cache entries."""
    failures: list[FailedAttempt]
    """Failed attempts whose key has no record yet."""

    @property
    def ok(self) -> bool:
        """No problems (failed attempts are not problems: they are re-run)."""
        return not self.problems


def verify(request: VerifyRequest | None = None) -> VerifyResult:
    """Check every record and items file of a store: digests, items against their metrics,
    schema versions, stray files, the summary cache and the remembered items."""
    from gaptrack.store import Store

    request = request or VerifyRequest()
    _, folder = resolve_results(request.config, request.results, "read")
    store = Store(folder)
    good, problems = store.verify()
    return VerifyResult(store.records_dir, good, problems, store.failures())


# -- import_run and export_results (gaptrack.imports, 26-import): re-exported above --------
