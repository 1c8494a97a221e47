"""The Python API that the CLI is a thin layer over; scripts import from here.

from gaptrack.api import load_config, evaluate, EvalRequest, check_claims
summary = evaluate(load_config("demo"), EvalRequest(limit=20))
verdicts = check_claims(load_config("demo").results_dir)

Names are imported on first use (PEP 562), so `results` does not pay for scipy and
`check` does not pay for the runner."""

from __future__ import annotations

import importlib
from pathlib import Path

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
    "check_config": "gaptrack.config.validate",
    "EvalSummary": "gaptrack.run.evaluate",
    "EvalRequest": "gaptrack.run.plan",
    "make_plan": "gaptrack.run.plan",
    "ResultRecord": "gaptrack.store",
    "Store": "gaptrack.store",
}

__all__ = sorted(
    [
        *_WHERE,
        "capability_index",
        "collect_findings",
        "evaluate",
        "index_headline",
        "publication_folder",
    ]
)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'gaptrack.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


def evaluate(config, request=None, runner=None, reporter=None, executor=None):
    """gaptrack.run.evaluate.evaluate, then `<results>/scores.csv` rebuilt from every
    stored record once the run ends (also after Ctrl-C or a failure: the table lists what
    is stored). The run layer stores records; writing tables is publish/'s."""
    from gaptrack.publish.scores_csv import write_scores
    from gaptrack.run.evaluate import evaluate as run

    def scores_csv(store) -> None:
        write_scores(store.summaries(), store.root / "scores.csv")

    return run(config, request, runner, reporter, executor, finished=scores_csv)


def _config_and_results(config: str | Path | None, results: Path | None):
    from gaptrack.config import load_config

    cfg = load_config(config) if config is not None else None
    folder = results or (cfg.results_dir if cfg else Path("results"))
    return cfg, Path(folder)


def publication_folder(config: str | Path | None, results: Path | None, out: Path | None) -> Path:
    """Where leaderboard and report files go: `out`, else the results folder."""
    return Path(out) if out is not None else _config_and_results(config, results)[1]


def collect_findings(
    config: str | Path | None = None, results: Path | None = None, reported: list[Path] = ()
):
    """Leaderboard, gap table, verdicts and provenance of a results folder (the config's,
    unless `results` is given) with the shipped and imported reported evidence."""
    from gaptrack.compare.check import CheckOptions
    from gaptrack.compare.publication import collect

    cfg, folder = _config_and_results(config, results)
    return collect(
        folder,
        tasks=[t.name for t in cfg.suite.tasks] if cfg else (),
        title=cfg.name if cfg else folder.name,
        config_file=cfg.source_file if cfg else None,
        options=CheckOptions(reported_files=list(reported)),
    )


def index_headline(
    config: str | Path | None, results: Path | None, index, reported: list[Path] = ()
):
    """The index's headline figures for the report's top (compare.publication)."""
    from gaptrack.compare.publication import index_headline as compute

    return compute(_config_and_results(config, results)[1], index, reported)


def capability_index(
    config: str | Path | None = None, results: Path | None = None, reported: list[Path] = ()
):
    """The capability index of a results folder plus the reported evidence, for the
    report; None where this gaptrack has no index (see compare.publication)."""
    from gaptrack.compare.publication import capability_index as compute

    return compute(_config_and_results(config, results)[1], reported)
