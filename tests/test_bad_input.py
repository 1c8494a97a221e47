"""Every broken input of the corpus (tests/bad_inputs.py) gets its one-line error and
exit code 2 through the real CLI, with no traceback, and the store is byte-identical
before and after."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.publish.scores_csv import write_scores
from gaptrack.store import Store
from tests.bad_inputs import CASES, Case
from tests.test_gaps import record

runner = CliRunner()


def _command(case: Case, file: Path, results: Path) -> list[str]:
    return {
        "config": ["validate", "--config", str(file)],
        "eval-config": ["eval", "--config", str(file), "--results", str(results)],
        "claims": ["check", "--claims", str(file), "--results", str(results)],
        "reported": ["check", "--reported", str(file), "--results", str(results)],
        "import": ["import-reported", str(file), "--results", str(results)],
        "record": ["verify", "--results", str(results)],
        "items": ["verify", "--results", str(results)],
    }[case.kind]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_the_corpus_is_large_and_its_ids_unique() -> None:
    assert len(CASES) >= 50
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(case: Case, tmp_path: Path) -> None:
    results = tmp_path / "results"
    store = Store(results, layout="json" if case.kind == "record" else "parquet")
    good = record("m-us", "US", [True, False, True, True, False])
    path = store.put(good)
    write_scores(store.summaries(), results / "scores.csv")  # as eval does: cache built too
    if case.kind in ("record", "items"):
        file = (
            path if case.kind == "record" else store.items_dir / str(store.get(good.key).items_file)
        )
        file.write_bytes(case.content(file.read_bytes()))
    else:
        file = tmp_path / ("input.csv" if case.kind in ("reported", "import") else "input.yaml")
        file.write_bytes(case.content)
    before = _snapshot(results)

    result = runner.invoke(app, _command(case, file, results))

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if case.kind in ("record", "items"):
        lines = [x for x in result.output.splitlines() if x.startswith("BAD ")]
        assert len(lines) == 1, result.output
        assert lines[0].startswith(f"BAD {file}: "), lines[0]
    else:
        lines = result.output.splitlines()
        assert len(lines) == 1, result.output
        assert lines[0].startswith(f"error: {file}"), lines[0]
    assert case.expected in lines[0], lines[0]
    assert _snapshot(results) == before
