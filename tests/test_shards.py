"""Task shards merge into the unsplit run's record, to the last digit and item by item,
and a task whose shards could not be exact is refused with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gaptrack.run import lmeval, shards
from gaptrack.run.shards import split_task

_GROUP_YAML = """\
group: tiny_group
task: [tiny_mc, tiny_mc2]
aggregate_metric_list:
  - metric: acc
    weight_by_size: true
  - metric: acc_norm
    weight_by_size: true
metadata:
  version: 2.0
"""


@pytest.fixture(scope="module")
def harness(tiny_models: dict[str, Path], tiny_task_dir: Path, tmp_path_factory):
    """One tiny model loaded once, and a task manager with a group of the two tasks."""
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    folder = tmp_path_factory.mktemp("group_tasks")
    for path in tiny_task_dir.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "tiny_group.yaml").write_text(_GROUP_YAML)
    manager = TaskManager(include_path=str(folder), include_defaults=False)
    lm = HFLM(pretrained=str(tiny_models["llama"]), dtype="float32", device="cpu", batch_size=4)
    return lm, manager


def _unsplit(lm, manager, task: str) -> dict:
    import lm_eval

    return lm_eval.simple_evaluate(
        model=lm, tasks=[task], num_fewshot=0, task_manager=manager, log_samples=True
    )


def _same(merged: dict, whole: dict, task: str) -> None:
    a, b = lmeval.parse_results(merged, task), lmeval.parse_results(whole, task)
    assert [m.model_dump() for m in a.metrics] == [m.model_dump() for m in b.metrics]
    assert [i.model_dump() for i in a.items] == [i.model_dump() for i in b.items]
    assert (a.n_samples, a.n_total, a.version, a.task_hash, a.primary_metric) == (
        b.n_samples,
        b.n_total,
        b.version,
        b.task_hash,
        b.primary_metric,
    )


def test_group_split_by_subtasks_merges_to_the_unsplit_record(harness) -> None:
    lm, manager = harness
    split = split_task("tiny_group", 24, 12, 0, ["tiny_mc", "tiny_mc2"])
    assert split is not None and [s.subtasks for s in split.shards] == [
        ("tiny_mc",),
        ("tiny_mc2",),
    ]
    parts = [shards.evaluate_shard(lm, "tiny_group", s, manager, {}, 0) for s in split.shards]
    merged = shards.merge_results("tiny_group", parts, manager)
    _same(merged, _unsplit(lm, manager, "tiny_group"), "tiny_group")


def test_zero_shot_task_split_by_documents_merges_to_the_unsplit_record(harness) -> None:
    lm, manager = harness
    split = split_task("tiny_mc", 12, 5, 0)
    assert split is not None and [s.doc_ids for s in split.shards] == [
        (0, 1, 2, 3),
        (4, 5, 6, 7),
        (8, 9, 10, 11),
    ]
    parts = [shards.evaluate_shard(lm, "tiny_mc", s, manager, {}, 0) for s in split.shards]
    # in another order than the documents': the merge puts them back in document order
    merged = shards.merge_results("tiny_mc", parts[::-1])
    _same(merged, _unsplit(lm, manager, "tiny_mc"), "tiny_mc")


def test_few_shot_single_task_is_refused_with_the_reason() -> None:
    split = split_task("arc_challenge", 1172, 500, 25)
    assert split is not None and not split.shards
    assert "few-shot" in split.note() and "document order" in split.note()
    unknown = split_task("hellaswag", 10042, 5000, None)
    assert unknown is not None and "num_fewshot: 0" in (unknown.refused or "")
    assert split_task("hellaswag", 10042, None, 0) is None  # no bound: never split
    assert split_task("mmlu", 14042, 20000, 5, 57) is None  # under the bound
    # a group is split by subtasks whatever its few-shot setting (each has its own sampler)
    mmlu = split_task("mmlu", 14042, 5000, 5, 57)
    assert mmlu is not None and [len(s.subtasks) for s in mmlu.shards] == [19, 19, 19]
    assert mmlu.note() == "mmlu: 3 shards by subtasks (about 4681 items each, bound 5000)"
    group = split_task("g", 30, 12, 5, ["a", "b", "c"])
    assert group is not None and [s.subtasks for s in group.shards] == [("a",), ("b",), ("c",)]


def test_plan_says_where_it_splits_and_what_it_refuses(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gaptrack.cli import app
    from gaptrack.config.loader import shipped_configs_dir

    shipped = shipped_configs_dir()
    shutil.copy(shipped / "catalogue.yaml", tmp_path / "catalogue.yaml")
    text = (shipped / "qwen_vs_llama.yaml").read_text()
    config = tmp_path / "q.yaml"
    config.write_text(text + "cluster:\n  shard_items: 5000\n")
    args = ["plan", "-c", str(config), "--results", str(tmp_path / "r"), "--device", "cuda"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "shards: mmlu: 3 shards by subtasks" in result.stdout
    assert "shards: cmmlu: 3 shards by subtasks" in result.stdout
    # hellaswag runs 10-shot in this config: refused, with lm-eval's reason
    assert "refused: hellaswag: 10042 items over 5000, not split: it uses few-shot" in (
        result.stdout
    )
    config.write_text(
        text.replace("{name: hellaswag, num_fewshot: 10}", "hellaswag")
        + "cluster:\n  shard_items: 5000\n"
    )
    result = CliRunner().invoke(app, args)
    assert "shards: hellaswag: 3 shards by document ids (at most 3348 items each" in (result.stdout)
    config.write_text(text)  # no bound: nothing is split
    assert "shards:" not in CliRunner().invoke(app, args).stdout


_SIZES = {
    "tiny_group": {"items": 24, "subtasks": 2, "choices": 4, "tokens": 10},
    "tiny_mc": {"items": 12, "choices": 4, "tokens": 10},
    "tiny_mc2": {"items": 12, "choices": 4, "tokens": 10},
}


def _config(tmp_path: Path, tiny_models, folder: Path, name: str, bound: int | None) -> Path:
    from tests import tiny

    text = tiny.config_yaml(tiny_models, folder, results=tmp_path / name)
    text = text.replace(
        "  tasks: [tiny_mc, tiny_mc2]",
        "  tasks:\n    - tiny_group\n    - {name: tiny_mc, num_fewshot: 0}\n"
        "    - {name: tiny_mc2, num_fewshot: 1}",
    )
    if bound is not None:
        text += f"cluster:\n  shard_items: {bound}\n"
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def test_eval_runs_shards_as_jobs_and_stores_the_unsplit_record(
    harness, tiny_models, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through `evaluate`: shards are jobs of their own, each kept as it finishes; a shard
    that fails fails its task and a re-run runs only that shard; the merged records equal
    the unsplit run's; the few-shot single task (tiny_mc2, 1-shot) runs whole."""
    from gaptrack.api import EvalRequest, Store, evaluate, load_config
    from gaptrack.run import estimate

    _, manager = harness
    folder = Path(manager.task_index["tiny_group"].yaml_path).parent
    monkeypatch.setattr(estimate, "task_sizes", lambda: _SIZES)
    request = EvalRequest(only=("tiny-llama",), device="cpu")
    whole = evaluate(load_config(_config(tmp_path, tiny_models, folder, "whole", None)), request)
    assert not whole.failed

    calls: list[tuple] = []
    lost = [True]  # the first run loses one shard's node
    real = shards.evaluate_shard

    def flaky(lm, task, shard, *args):
        calls.append((task, shard.index))
        if task == "tiny_mc" and shard.index == 1 and lost[0]:
            raise RuntimeError("node lost")
        return real(lm, task, shard, *args)

    monkeypatch.setattr(shards, "evaluate_shard", flaky)
    config = load_config(_config(tmp_path, tiny_models, folder, "split", 5))
    first = evaluate(config, request)
    # 2 group shards (by subtask) + 3 document shards of tiny_mc; tiny_mc2 runs whole
    assert sorted(calls) == [("tiny_group", 0), ("tiny_group", 1)] + [
        ("tiny_mc", i) for i in range(3)
    ]
    assert [f.task for f in first.failed] == ["tiny_mc"] and "node lost" in first.failed[0].error
    assert sorted(r.task.name for r in first.ran) == ["tiny_group", "tiny_mc2"]
    calls.clear()
    lost[0] = False
    again = evaluate(config, request)
    assert calls == [("tiny_mc", 1)]  # the two kept shards are not run again
    assert [r.task.name for r in again.ran] == ["tiny_mc"]
    assert not (tmp_path / "split" / "shards" / again.ran[0].key).exists()

    split_store, whole_store = Store(tmp_path / "split"), Store(tmp_path / "whole")
    for record in whole.ran:
        merged = split_store.find(record.key)
        assert merged is not None, record.task.name
        assert [m.model_dump() for m in merged.metrics] == [m.model_dump() for m in record.metrics]
        assert [i.model_dump() for i in split_store.items_of(merged)] == [
            i.model_dump() for i in whole_store.items_of(record)
        ]
        assert merged.task.model_dump() == record.task.model_dump()


def test_a_spooled_shard_is_skipped_by_a_requeued_job_and_kept_by_ingest(tmp_path: Path) -> None:
    """The Slurm path: a shard job spools its result; a requeued job skips it (spooled,
    then kept under shards/), and a restarted driver's ingest keeps it for the merge."""
    import datetime as dt

    from gaptrack.run import spool
    from gaptrack.store import Store
    from gaptrack.store.locks import Locks

    result = shards.ShardResult(
        key="s1",
        parent_key="p",
        model_id="m",
        task="mmlu",
        index=0,
        of=3,
        results={"results": {"mmlu_anatomy": {"acc,none": 0.5}}},
        started_at=dt.datetime.now(dt.timezone.utc),
        wall_time_s=1.0,
        host="node1",
    )
    folder = spool.spool_dir(tmp_path)
    folder.mkdir()
    (folder / "s1.json").write_text(result.model_dump_json())
    assert spool.read(folder, "s1") == result
    spool.ingest(Store(tmp_path), Locks(tmp_path))
    assert spool.read(folder, "s1") is None  # the spool is cleared ...
    assert shards.stored_shards(tmp_path, "p") == {"s1": result}  # ... and the shard kept
    assert shards.is_stored(tmp_path, "s1") and not shards.is_stored(tmp_path, "s2")
