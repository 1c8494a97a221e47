"""Task shards: one large task split into parts that run apart (other jobs, other GPUs)
and merge into the record the unsplit run gives, per-item results and metrics alike.

Only two splits are exact, and only those are made:

- **A group by its subtasks** (MMLU's 57 subjects). Each subtask is its own lm-eval task
  with its own few-shot sampler, seeded the same way whatever else runs, so a run of some
  subtasks gives those subtasks' results unchanged. The merge takes every leaf's results
  as lm-eval computed them and aggregates the group with lm-eval's own `Group.aggregate`
  (size-weighted mean, pooled stderr, over the leaves in the group's order).
- **A zero-shot task by document ids** (HellaSwag), through `simple_evaluate(samples=
  {task: ids})`, lm-eval's own document selection. A zero-shot prompt depends on its
  document alone, so every item scores as in the unsplit run; the merge recomputes each
  metric from the items in document order as lm-eval does (mean; `mean_stderr`, "N/A"
  for one item).

A few-shot task that is not a group is refused: lm-eval draws every document's few-shot
examples from one random generator per task in document order, so a shard that starts
at document 5000 would see other examples (other prompts, other scores)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from gaptrack.store.records import CacheKey


@dataclass(frozen=True)
class Shard:
    """One part of a task: a list of a group's subtasks, or a zero-shot task's documents."""

    index: int
    of: int
    subtasks: tuple[str, ...] = ()
    doc_ids: tuple[int, ...] = ()

    def label(self) -> str:
        return f"{self.index + 1}/{self.of}"


@dataclass(frozen=True)
class Split:
    """How a task is split (`shards`), or why it is not although it is over the bound."""

    task: str
    items: int
    bound: int
    shards: tuple[Shard, ...] = ()
    refused: str | None = None

    def note(self) -> str:
        """The line `gaptrack plan` prints for it."""
        if self.refused:
            return f"{self.task}: {self.items} items over {self.bound}, not split: {self.refused}"
        count = len(self.shards)
        if self.shards[0].subtasks:  # whole subtasks: their sizes differ
            size = f"about {math.ceil(self.items / count)} items each"
            return f"{self.task}: {count} shards by subtasks ({size}, bound {self.bound})"
        size = f"at most {len(self.shards[0].doc_ids)} items each"
        return f"{self.task}: {count} shards by document ids ({size}, bound {self.bound})"


FEWSHOT_REFUSAL = (
    "it uses few-shot examples and is not a group of subtasks; lm-eval draws every "
    "document's examples from one random generator per task in document order, so a shard "
    "would get other examples than the unsplit run"
)


def split_task(
    task: str,
    items: int | None,
    bound: int | None,
    num_fewshot: int | None,
    subtasks: list[str] | int | None = None,
) -> Split | None:
    """The split of `task` into shards of about `bound` items; None where it is not over
    the bound (or its size or the bound is unknown). `subtasks`: a group's leaves in its
    order (or, where only their number is known, as for `plan`, that number), dealt into
    contiguous shards of equal numbers of subtasks; `num_fewshot`: the run's setting
    (None: the task's own default, which must then be known to be 0 to split by
    documents)."""
    if bound is None or items is None or items <= bound:
        return None
    if subtasks:
        names = [f"#{i}" for i in range(subtasks)] if isinstance(subtasks, int) else subtasks
        count = min(math.ceil(items / bound), len(names))  # a subtask is never cut
        if count < 2:
            return None
        cuts = [round(i * len(names) / count) for i in range(count + 1)]
        return Split(
            task,
            items,
            bound,
            tuple(
                Shard(i, count, subtasks=tuple(names[cuts[i] : cuts[i + 1]])) for i in range(count)
            ),
        )
    if num_fewshot is None:
        return Split(
            task,
            items,
            bound,
            refused="its default few-shot setting is not known to be 0 "
            "(set num_fewshot: 0 in the suite to split it by documents)",
        )
    if num_fewshot > 0:
        return Split(task, items, bound, refused=FEWSHOT_REFUSAL)
    count = math.ceil(items / bound)
    step = math.ceil(items / count)
    return Split(
        task,
        items,
        bound,
        tuple(
            Shard(i, count, doc_ids=tuple(range(i * step, min(items, (i + 1) * step))))
            for i in range(count)
        ),
    )


def evaluate_shard(
    lm,
    task: str,
    shard: Shard,
    manager,
    settings: dict[str, Any],
    num_fewshot: int | None,
    limit: int | None = None,
) -> dict[str, Any]:
    """lm-eval's results dict for one shard: its subtasks run as tasks of their own, or
    the task restricted to its documents by lm-eval's `samples` argument (which already
    respect `limit`: the first `limit` documents)."""
    import lm_eval

    if shard.subtasks:
        return lm_eval.simple_evaluate(
            model=lm,
            tasks=list(shard.subtasks),
            num_fewshot=num_fewshot,
            limit=limit,  # per subtask, as in the group's run
            task_manager=manager,
            log_samples=True,
            **settings,
        )
    results = lm_eval.simple_evaluate(
        model=lm,
        tasks=[task],
        num_fewshot=num_fewshot,
        samples={task: list(shard.doc_ids)},
        task_manager=manager,
        log_samples=True,
        **settings,
    )
    shots = results.get("n-shot", {}).get(task)
    if shots not in (0, None):  # the task's default was few-shot after all: not exact
        raise ValueError(f"task {task} ran {shots}-shot; a document shard must be 0-shot")
    return results


def _leaf_from_samples(samples: list[dict], metrics: list[str]) -> dict[str, Any]:
    """A zero-shot task's metrics from its samples as lm-eval aggregates them: each
    (metric, filter) over the documents in order, `mean` and `mean_stderr`."""
    from lm_eval.api.metrics import mean, mean_stderr

    values: dict[tuple[str, str], list[float]] = {}
    for sample in samples:
        for name in metrics:
            if name in sample:
                values.setdefault((name, sample.get("filter", "none")), []).append(sample[name])
    out: dict[str, Any] = {}
    sample_len = 0
    for (name, filt), items in values.items():
        out[f"{name},{filt}"] = mean(items)
        out[f"{name}_stderr,{filt}"] = mean_stderr(items) if len(items) > 1 else "N/A"
        sample_len = max(sample_len, len(items))
    out["sample_len"] = sample_len
    return out


def merge_results(task: str, parts: list[dict[str, Any]], manager=None) -> dict[str, Any]:
    """The results dict of the unsplit run of `task`, from its shards' results dicts
    (`parse_results` reads it as it reads a single run). A group needs lm-eval's task
    manager, to aggregate it with lm-eval's own `Group`."""
    merged: dict[str, Any] = {
        "results": {},
        "samples": {},
        "n-samples": {},
        "higher_is_better": {},
        "versions": {},
        "n-shot": {},
        "configs": {},
    }
    for part in parts:
        for field in ("results", "higher_is_better", "versions", "n-shot", "configs"):
            merged[field].update(part.get(field, {}))
    if task in parts[0].get("samples", {}):  # one task split by documents
        filters = list(dict.fromkeys(s.get("filter", "none") for s in parts[0]["samples"][task]))
        samples = sorted(
            (s for part in parts for s in part["samples"][task]),
            key=lambda s: (filters.index(s.get("filter", "none")), int(s["doc_id"])),
        )
        metric_names = list(dict.fromkeys(m for s in samples for m in s.get("metrics", [])))
        leaf = {k: v for k, v in parts[0]["results"][task].items() if "," not in k}
        leaf.update(_leaf_from_samples(samples, metric_names))
        merged["results"][task] = leaf
        merged["samples"][task] = samples
        n_total = parts[0]["n-samples"][task]["original"]
        limit = parts[0].get("limit")
        wanted = set(range(n_total if limit is None else min(limit, n_total)))
        if {int(s["doc_id"]) for s in samples} != wanted:  # a size table out of date
            raise ValueError(
                f"shards of {task} do not hold its documents 0-{len(wanted) - 1} exactly "
                "(gaptrack/data/task_sizes.yaml has another size); run it unsplit"
            )
        merged["n-samples"][task] = {
            "original": n_total,
            "effective": len({int(s["doc_id"]) for s in samples}),
        }
        return merged
    for part in parts:  # a group split by subtasks: each leaf's results stand as they are
        merged["samples"].update(part.get("samples", {}))
        merged["n-samples"].update(part.get("n-samples", {}))
    loaded = manager.load([task])
    group = loaded["groups"][task]
    leaves = [t.task_name for t in group.get_all_tasks()]
    missing = [leaf for leaf in leaves if leaf not in merged["results"]]
    if missing:
        raise ValueError(f"shards of {task} lack subtasks {missing[:3]}")
    merged["results"][task] = group.aggregate(merged["results"])
    merged["versions"][task] = group.version
    merged["samples"] = {leaf: merged["samples"][leaf] for leaf in leaves}
    merged["n-samples"] = {leaf: merged["n-samples"][leaf] for leaf in leaves}
    return merged


def plan_split(
    task: str,
    limit: int | None,
    num_fewshot: int | None,
    bound: int | None,
    leaves: list[str] | None = None,
) -> Split | None:
    """`split_task` with the task's size and subtask count from gaptrack's task-size table
    (no lm-eval import: `plan` answers at once); None where the size is not known. A
    task's default few-shot setting is the table's `fewshot` where it states one."""
    from gaptrack.run.estimate import task_sizes

    size = task_sizes().get(task)
    if bound is None or size is None:
        return None
    subtasks = size.get("subtasks")
    items = size["items"]
    if limit is not None:  # lm-eval applies a limit to each leaf of a group
        items = min(items, limit * (subtasks or 1))
    shots = num_fewshot if num_fewshot is not None else size.get("fewshot")
    return split_task(task, items, bound, shots, leaves if subtasks and leaves else subtasks)


# --- Shards as jobs: their keys, their results, where the driver keeps them -------------

SHARDS = "shards"


class ShardResult(BaseModel):
    """What a shard job sends back (streamed, or spooled on Slurm): the part of lm-eval's
    results dict the merge reads (`payload`), under the shard's own key."""

    key: str
    parent_key: str
    model_id: str
    task: str
    index: int
    of: int
    results: dict[str, Any]
    started_at: dt.datetime
    wall_time_s: float
    host: str


def shard_key(parent: CacheKey, shard: Shard) -> CacheKey:
    """The key a shard runs under: its task's key, the task named with the shard and what
    it holds (so another split of the same task is another shard)."""
    import hashlib

    what = ",".join(shard.subtasks) or f"{shard.doc_ids[0]}-{shard.doc_ids[-1]}"
    tag = hashlib.sha256(what.encode()).hexdigest()[:8]
    return parent.model_copy(update={"task": f"{parent.task}#shard{shard.label()}:{tag}"})


_SAMPLE_KEYS = ("doc_id", "filter", "metrics", "doc_hash", "prompt_hash", "target_hash")


def payload(results: dict[str, Any]) -> dict[str, Any]:
    """The JSON-clean part of a shard's results dict the merge and `parse_results` read:
    metrics, counts, versions and, per sample, its hashes and metric values (not the
    document and model outputs)."""
    import json

    def clean(value: Any) -> Any:
        return json.loads(
            json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v))
        )

    samples = {
        task: [
            {
                **{k: s[k] for k in _SAMPLE_KEYS if k in s},
                **{m: s[m] for m in s.get("metrics", []) if m in s},
            }
            for s in rows
        ]
        for task, rows in results.get("samples", {}).items()
    }
    fields = ("results", "n-samples", "higher_is_better", "versions", "n-shot")
    return clean({**{f: results.get(f, {}) for f in fields}, "samples": samples})


def shards_dir(root: str | Path, parent_key: str) -> Path:
    return Path(root) / SHARDS / parent_key


def store_shard(root: str | Path, result: ShardResult) -> Path:
    """Keep a finished shard (the driver side), atomically, until its task is merged."""
    from gaptrack.store.atomic import write_text_atomic

    folder = shards_dir(root, result.parent_key)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.key}.json"
    write_text_atomic(path, result.model_dump_json() + "\n")
    return path


def stored_shards(root: str | Path, parent_key: str) -> dict[str, ShardResult]:
    """The finished shards of a task, by shard key; a file that does not parse is none."""
    found = {}
    for path in sorted(shards_dir(root, parent_key).glob("*.json")):
        try:
            result = ShardResult.model_validate_json(path.read_text(encoding="utf-8"))
        except (ValidationError, OSError):
            continue
        found[result.key] = result
    return found


def is_stored(root: str | Path, key: str) -> bool:
    """Whether a shard `key` is kept under any task (a requeued Slurm job skips it)."""
    return any((Path(root) / SHARDS).glob(f"*/{key}.json"))


def forget_shards(root: str | Path, parent_key: str) -> None:
    """Drop a task's shards once its merged record is stored."""
    import shutil

    shutil.rmtree(shards_dir(root, parent_key), ignore_errors=True)


def group_leaves(task: str, manager) -> list[str] | None:
    """A group's leaf tasks, from lm-eval's task index (no data loaded); None for a task
    that is not a group (or whose members cannot be listed)."""
    from lm_eval.tasks._index import Kind

    from gaptrack.tasks.resolve import _leaf_tasks

    index = manager.task_index
    if task not in index or index[task].kind is Kind.TASK:
        return None
    leaves = _leaf_tasks(task, index)
    return leaves if isinstance(leaves, list) else None
