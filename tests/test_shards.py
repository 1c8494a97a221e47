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
