"""Planning, caching, resume and narrowing, with a fake runner (no model is loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaptrack.api import EvalRequest, Store, evaluate, load_config
from gaptrack.errors import GaptrackError
from gaptrack.store import SCHEMA_VERSION
from tests.fakes import FakeRunner

PAIRS = {
    ("tiny-llama", "tiny_mc"),
    ("tiny-llama", "tiny_mc2"),
    ("tiny-qwen2", "tiny_mc"),
    ("tiny-qwen2", "tiny_mc2"),
}


def test_stores_one_record_per_model_and_task(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    runner = FakeRunner()
    summary = evaluate(config, runner=runner)
    assert runner.loads == ["tiny-llama", "tiny-qwen2"]  # one load per model, all its tasks
    assert {(r.model.id, r.task.name) for r in summary.ran} == PAIRS
    store = Store(config.results_dir)
    assert len(list(store.records())) == 4
    record = store.get(summary.ran[0].key)
    assert record.schema_version == SCHEMA_VERSION
    assert record.provenance.config_name == "tiny"
    assert record.task.data_source.startswith("custom")
    assert (config.results_dir / "scores.csv").read_text().count("\n") == 1 + 4  # header + acc rows


def test_second_run_loads_no_model(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner())
    again = FakeRunner()
    summary = evaluate(config, runner=again)
    assert again.loads == []
    assert summary.ran == [] and len(summary.cached) == 4
    assert len(summary.records()) == 4


def test_resume_after_failure_midway(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    crashing = FakeRunner(fail_on=("tiny-llama", "tiny_mc2"))
    summary = evaluate(config, runner=crashing)
    # The task before the crash is kept; the other model still runs.
    assert {(r.model.id, r.task.name) for r in summary.ran} == PAIRS - {("tiny-llama", "tiny_mc2")}
    assert [(f.model_id, f.task) for f in summary.failed] == [("tiny-llama", "tiny_mc2")]
    assert "simulated crash" in summary.failed[0].error

    resumed = FakeRunner()
    evaluate(config, runner=resumed)
    assert resumed.ran == [("tiny-llama", "tiny_mc2")]


def test_interrupt_keeps_finished_tasks(tiny_config: Path) -> None:
    config = load_config(tiny_config)

    class Interrupting(FakeRunner):
        def run_model(self, job):
            for i, pair in enumerate(super().run_model(job)):
                if i == 1:
                    raise KeyboardInterrupt
                yield pair

    with pytest.raises(KeyboardInterrupt):
        evaluate(config, runner=Interrupting())
    stored = {(r.model.id, r.task.name) for r in Store(config.results_dir).records()}
    assert stored == {("tiny-llama", "tiny_mc")}


def test_force_reevaluates(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner())
    forced = FakeRunner()
    evaluate(config, EvalRequest(force=True), runner=forced)
    assert set(forced.ran) == PAIRS


def test_only_tasks_and_limit_narrow_the_run(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    runner = FakeRunner()
    summary = evaluate(
        config, EvalRequest(only=("tiny-qwen2",), tasks=("tiny_mc2",), limit=5), runner=runner
    )
    assert runner.ran == [("tiny-qwen2", "tiny_mc2")]
    assert summary.ran[0].task.limit == 5 and summary.ran[0].task.n_samples == 5
    # A different limit is a different result, so the full run still has everything to do.
    later = FakeRunner()
    evaluate(config, runner=later)
    assert set(later.ran) == PAIRS


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (EvalRequest(only=("nope",)), "--only 'nope'"),
        (EvalRequest(tasks=("nope",)), "--tasks 'nope'"),
    ],
)
def test_bad_narrowing_is_a_clear_error(
    tiny_config: Path, request_: EvalRequest, message: str
) -> None:
    with pytest.raises(GaptrackError, match=message):
        evaluate(load_config(tiny_config), request_, runner=FakeRunner())


def test_unreadable_record_is_skipped_not_deleted(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner())
    store = Store(config.results_dir)
    bad = store.records_dir / "broken.json"
    bad.write_text("{not json")
    assert len(list(store.records())) == 4
    assert bad.exists()


def test_a_failing_task_fails_alone_and_is_stored_with_its_own_error(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    runner = FakeRunner(task_fails=("tiny-llama", "tiny_mc"))
    summary = evaluate(config, runner=runner)
    assert ("tiny-llama", "tiny_mc2") in runner.ran  # the model's next task still ran
    assert [(f.model_id, f.task, f.error) for f in summary.failed] == [
        ("tiny-llama", "tiny_mc", "OSError: no data for tiny_mc offline")
    ]
    (failure,) = Store(config.results_dir).failures()
    assert (failure.model_id, failure.task) == ("tiny-llama", "tiny_mc")
    assert "no data for tiny_mc" in failure.error


def test_cli_exit_code_and_summary_name_each_failure_once(
    tiny_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from gaptrack.cli import app
    from gaptrack.run import lmeval

    monkeypatch.setattr(
        lmeval, "LmEvalRunner", lambda: FakeRunner(task_fails=("tiny-llama", "tiny_mc"))
    )
    result = CliRunner().invoke(app, ["eval", "--config", str(tiny_config)])
    assert result.exit_code == 1, result.output
    failed = [x for x in result.output.splitlines() if x.startswith("FAILED")]
    assert failed == ["FAILED tiny-llama on tiny_mc: OSError: no data for tiny_mc offline"]
    assert "3 evaluated" in result.output
