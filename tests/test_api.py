"""gaptrack.api: each job takes a typed request and returns a typed result, and the CLI
command over it writes the same files (issue 20: a script produces a report in one call)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack import api
from gaptrack.cli import app
from gaptrack.compare.verdicts import ClaimVerdict
from gaptrack.errors import GaptrackError
from gaptrack.store.store import Store
from tests.test_gaps import record

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    results = tmp_path / "results"
    s = Store(results)
    s.put(record("us-a", "US", [True] * 40 + [False] * 10, "arc_easy", "2024-11-01"))
    s.put(record("cn-b", "CN", [True] * 20 + [False] * 30, "arc_easy", "2024-12-01"))
    return results


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_check_returns_typed_verdicts_and_the_files_it_wrote(store: Path) -> None:
    result = api.check(api.CheckRequest(results=store, claim="c001-gap-9-to-2"))
    assert isinstance(result, api.CheckResult)
    assert result.results_dir == store and result.claim == "c001-gap-9-to-2"
    assert [v.claim.id for v in result.verdicts] == ["c001-gap-9-to-2"]
    assert all(isinstance(v, ClaimVerdict) for v in result.verdicts)
    assert [p.name for p in result.written] == ["c001-gap-9-to-2.json", "sources.csv"]
    assert all(p.is_file() for p in result.written)
    assert result.evidence and result.statuses and result.sources_line


def test_verify_reads_a_store_and_refuses_a_missing_one(store: Path, tmp_path: Path) -> None:
    result = api.verify(api.VerifyRequest(results=store))
    assert isinstance(result, api.VerifyResult)
    assert (result.good, result.problems, result.failures, result.ok) == (2, [], [], True)
    with pytest.raises(GaptrackError, match="no such results folder"):
        api.verify(api.VerifyRequest(results=tmp_path / "nothing"))


def test_leaderboard_writes_what_the_command_writes(store: Path, tmp_path: Path) -> None:
    result = api.leaderboard(api.LeaderboardRequest(results=store, out=tmp_path / "api"))
    assert isinstance(result, api.LeaderboardResult)
    assert {p.name for p in result.written} >= {"leaderboard.csv", "gaps.csv", "claims.csv"}
    assert result.findings.title == "results"  # a folder alone is not said to be the demo's
    cli = runner.invoke(
        app, ["leaderboard", "--results", str(store), "--out", str(tmp_path / "cli")]
    )
    assert cli.exit_code == 0, cli.output
    assert _tree(tmp_path / "api") == _tree(tmp_path / "cli")


def test_report_writes_what_the_command_writes(store: Path, tmp_path: Path) -> None:
    """Done-when of issue 20: `api.report(...)` writes the same files as `gaptrack report`
    (the index is fitted twice, from the same evidence and seed)."""
    result = api.report(api.ReportRequest(results=store, out=tmp_path / "api"))
    assert isinstance(result, api.ReportResult)
    assert {"report.html", "report.md"} <= {p.name for p in result.written}
    cli = runner.invoke(app, ["report", "--results", str(store), "--out", str(tmp_path / "cli")])
    assert cli.exit_code == 0, cli.output
    shown = [str(p).replace("/api/", "/cli/") for p in result.written[:2]]
    assert cli.output.splitlines()[:2] == shown  # report.html and report.md
    assert _tree(tmp_path / "api") == _tree(tmp_path / "cli")


def test_a_named_config_and_folder_resolve_as_every_command_does(
    tiny_config: Path, tmp_path: Path
) -> None:
    cfg, folder = api.resolve_results(str(tiny_config), None, "write")
    assert cfg is not None and folder == cfg.results_dir
    assert api.resolve_results(None, tmp_path, "read") == (None, tmp_path)
    with pytest.raises(GaptrackError, match="no such results folder"):
        api.resolve_results(str(tiny_config), None, "read")  # not evaluated yet
    (tmp_path / "file").write_text("x")
    with pytest.raises(GaptrackError, match="not a folder"):
        api.resolve_results(None, tmp_path / "file", "write")
