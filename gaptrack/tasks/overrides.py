"""Task YAMLs that run one of lm-eval's built-in tasks on a local copy of its data.

Each generated YAML ``include:``s the built-in task's YAML by absolute path and keeps its name, so
prompt, choices, metrics, filters and ``!function`` hooks (resolved next to the included file)
stay lm-eval's own; only where the rows come from changes. Passed as an include path, the
folder shadows the built-in task of the same name, and built-in groups and tags pick it up.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gaptrack.base import Unsupported
from gaptrack.tasks.local_data import DataPackage, LocalSplit, local_splits, read_request_log

_SPLIT_KEYS = ("training_split", "validation_split", "test_split", "fewshot_split")
_REFUSING_SAMPLER = "gaptrack.tasks.fewshot.MissingFewshotSplit"


@dataclass(frozen=True)
class LeafPlan:
    task: str
    builtin_yaml: Path
    splits: dict[str, LocalSplit]  # the splits the task names that the package holds
    missing_keys: tuple[str, ...]  # split keys of the config whose split is not held locally
    missing_fewshot_split: str | None  # where lm-eval would draw few-shot examples, if absent
    default_num_fewshot: int


def fewshot_source(cfg: dict[str, Any]) -> str | None:
    """The split lm-eval 0.4.13 draws few-shot examples from (ConfigurableTask.fewshot_docs)."""
    fewshot_cfg = cfg.get("fewshot_config") or {}
    split = fewshot_cfg["split"] if "split" in fewshot_cfg else cfg.get("fewshot_split")
    if split is not None:
        return split
    if fewshot_cfg.get("samples") is not None:
        return None  # examples written into the YAML need no data
    return cfg.get("training_split") or cfg.get("validation_split") or cfg.get("test_split")


def plan_leaf(
    task: str, builtin_yaml: Path, cfg: dict[str, Any], package: DataPackage
) -> LeafPlan | Unsupported:
    """How to run a built-in leaf task on the package's data, or why it cannot be."""
    if "class" in cfg or cfg.get("custom_dataset") is not None:
        return Unsupported(reason=f"{task} builds its data in Python")
    dataset_path, dataset_name = cfg.get("dataset_path"), cfg.get("dataset_name")
    if not isinstance(dataset_path, str):
        return Unsupported(reason=f"{task} names no hub dataset")
    held = local_splits(package, dataset_path, dataset_name)
    eval_split = cfg.get("test_split") or cfg.get("validation_split")
    if eval_split not in held:
        where = f"{dataset_path}" + (f" ({dataset_name})" if dataset_name else "")
        if not held:
            return Unsupported(reason=f"{task}: {package.identity} holds no copy of {where}")
        # Name what is there: "no 'test' split" alone reads as if the dataset were missing.
        present = ", ".join(f"'{split}'" for split in held)
        return Unsupported(
            reason=f"{task}: lm-eval evaluates it on the '{eval_split}' split of {where}; "
            f"{package.identity} holds only {present}"
        )
    fewshot_split = fewshot_source(cfg)
    named = {cfg.get(key) for key in _SPLIT_KEYS} | {fewshot_split}
    return LeafPlan(
        task=task,
        builtin_yaml=builtin_yaml,
        splits={split: held[split] for split in sorted(s for s in named if s in held)},
        missing_keys=tuple(k for k in _SPLIT_KEYS if cfg.get(k) and cfg[k] not in held),
        missing_fewshot_split=fewshot_split
        if fewshot_split and fewshot_split not in held
        else None,
        default_num_fewshot=int(cfg.get("num_fewshot") or 0),
    )


@dataclass(frozen=True)
class _Function:
    qualname: str


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Function, lambda d, f: d.represent_scalar("!function", f.qualname))
_Dumper.add_multi_representer(Path, lambda d, p: d.represent_str(str(p)))


@dataclass
class _Portable:
    """Rewrites absolute paths so a digest does not depend on where things are installed."""

    roots: dict[Path, str]
    digests: dict[str, str] = field(default_factory=dict)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, Path):
            for root, label in self.roots.items():
                if value.is_relative_to(root):
                    return f"{label}/{value.relative_to(root).as_posix()}"
            raise ValueError(f"path outside known roots: {value}")
        if isinstance(value, _Function):
            return f"!function {value.qualname}"
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        return value


def write_leaf(
    plan: LeafPlan,
    package: DataPackage,
    lm_eval_tasks: Path,
    lm_eval_version: str,
    build_dir: Path,
    final_dir: Path,
) -> dict[str, Any]:
    """Write the override YAML (and any converted split) into the empty folder ``build_dir``,
    which the caller then renames to ``final_dir``: the YAML already names its final paths.

    Returns the leaf's record: its digest covers the YAML with paths made relative, the data
    package's identity, the sizes of the files read from it and the bytes of converted files.
    """
    data_files, file_identity = _data_files(plan, package, build_dir, final_dir)
    overrides: dict[str, Any] = {
        "include": plan.builtin_yaml,
        "task": plan.task,
        # The built-in tag already lists this task; re-declaring it here would replace that
        # tag by one holding only the tasks overridden in this folder.
        "tag": None,
        "dataset_path": "arrow",
        "dataset_name": None,
        "dataset_kwargs": {"data_files": data_files},
        **{key: None for key in plan.missing_keys},
    }
    if plan.missing_fewshot_split:
        overrides["fewshot_split"] = None
        overrides["fewshot_config"] = {
            "sampler": _Function(_REFUSING_SAMPLER),
            "samples": [
                {
                    "task": plan.task,
                    "split": plan.missing_fewshot_split,
                    "data_source": package.identity,
                }
            ],
        }
    text = yaml.dump(overrides, Dumper=_Dumper, sort_keys=False, width=10_000, allow_unicode=True)
    (build_dir / f"{plan.task}.yaml").write_text(text, encoding="utf-8")

    portable = _Portable(
        {lm_eval_tasks: "lm_eval/tasks", package.root: package.identity, final_dir: "generated"}
    )
    identity = {
        "lm_eval": lm_eval_version,
        "overrides": portable(overrides),
        "data_source": package.identity,
        "files": file_identity,
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return {
        "task": plan.task,
        "digest": digest,
        "fewshot": plan.missing_fewshot_split is None,
        "default_num_fewshot": plan.default_num_fewshot,
    }


def _data_files(
    plan: LeafPlan, package: DataPackage, build_dir: Path, final_dir: Path
) -> tuple[dict[str, list[Path]], dict[str, Any]]:
    """Per split, the files the YAML names (the package's own, or converted copies in
    ``build_dir``), and what identifies them: sizes of package files, digests of copies."""
    data_files: dict[str, list[Path]] = {}
    file_identity: dict[str, Any] = {}
    for split, local in plan.splits.items():
        if local.to_row is None:
            data_files[split] = list(local.files)
            for shard in local.files:
                file_identity[str(shard.relative_to(package.root))] = shard.stat().st_size
        else:
            relative = [
                shard.relative_to(build_dir)
                for shard in _write_converted(local, build_dir / "data" / split)
            ]
            data_files[split] = [final_dir / shard for shard in relative]
            for shard in relative:
                digest = hashlib.sha256((build_dir / shard).read_bytes()).hexdigest()
                file_identity[shard.as_posix()] = digest
    return data_files, file_identity


def _write_converted(local: LocalSplit, dest: Path) -> list[Path]:
    import datasets  # slow to import; only needed the first time a split is converted

    assert local.to_row is not None
    rows = read_request_log(local.files[0], local.to_row)
    bars_were_on = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # a one-off conversion is no progress worth showing
    try:
        datasets.Dataset.from_list(rows).save_to_disk(str(dest))
    finally:
        if bars_were_on:
            datasets.enable_progress_bars()
    return sorted(dest.glob("data-*.arrow"))
