"""The Python API that the CLI is a thin layer over; scripts import from here.

from gaptrack.api import load_config, evaluate, EvalRequest
summary = evaluate(load_config("demo"), EvalRequest(limit=20))
"""

from pathlib import Path

from gaptrack.config import load_config
from gaptrack.run.evaluate import EvalSummary, evaluate
from gaptrack.run.plan import EvalRequest, make_plan
from gaptrack.store import ResultRecord, Store
from gaptrack.validate import validate_config

__all__ = [
    "capability_index",
    "collect_findings",
    "publication_folder",
    "EvalRequest",
    "EvalSummary",
    "ResultRecord",
    "Store",
    "evaluate",
    "load_config",
    "make_plan",
    "validate_config",
]


def _config_and_results(config: str | Path | None, results: Path | None):
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


def capability_index(
    config: str | Path | None = None, results: Path | None = None, reported: list[Path] = ()
):
    """The capability index of a results folder plus the reported evidence, for the
    report; None where this gaptrack has no index (see compare.publication)."""
    from gaptrack.compare.publication import capability_index as compute

    return compute(_config_and_results(config, results)[1], reported)
