"""The lm-eval adapter: the only module that knows lm-eval's calling conventions and its
result format (`"acc,none"` keys, stderr `"N/A"`, numpy numbers, per-filter samples).
Everything it returns is gaptrack's own schema."""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaptrack.refs import MetricRef
from gaptrack.run.runner import (
    ModelJob,
    ShardOutcome,
    TaskFailure,
    TaskJob,
    TaskOutcome,
    one_line_error,
)
from gaptrack.store.records import Item, Metric, scale_of

if TYPE_CHECKING:
    from gaptrack.config.schema import GenerationSettings

# The metric tables and gaps use when a task has several. The Open LLM Leaderboard's
# choices: length-normalised accuracy where choices differ in length.
PRIMARY_METRIC = {
    "arc_challenge": MetricRef(name="acc_norm"),
    "arc_easy": MetricRef(name="acc_norm"),
    "hellaswag": MetricRef(name="acc_norm"),
    "gsm8k": MetricRef(name="exact_match", filter="strict-match"),
}
_DEFAULT_ORDER = ("acc", "exact_match", "acc_norm", "f1", "mcc")


class LmEvalRunner:
    """Runs tasks with `lm_eval.simple_evaluate` on one loaded model at a time."""

    def run_model(
        self, job: ModelJob
    ) -> Iterator[tuple[TaskJob, TaskOutcome | ShardOutcome | TaskFailure]]:
        import datasets
        import transformers

        # gaptrack prints one line per task; lm-eval's per-request bar (items, ETA) stays,
        # the data-loading and weight-loading bars and per-call config chatter go.
        datasets.disable_progress_bars()
        transformers.utils.logging.disable_progress_bar()
        logging.getLogger("lm_eval").setLevel(logging.ERROR)
        quiet_git_probe()

        from gaptrack.tasks import task_manager

        lm = load_lm(job)
        manager = task_manager(job.tasks_resolution)
        revision = hub_commit(job.resolved.pretrained, job.resolved.revision)
        settings = evaluate_settings(job.generation)
        for task in job.tasks:
            if task.shard is not None:
                yield task, run_shard(lm, task, manager, settings, revision)
                continue
            yield task, run_task(lm, task, manager, revision, settings)


def run_shard(
    lm, task: TaskJob, manager, settings: dict[str, Any], revision: str | None
) -> ShardOutcome | TaskFailure:
    """One shard of a task (gaptrack.run.shards); its failure is that shard's alone."""
    from gaptrack.run import shards

    assert task.shard is not None
    try:
        results = shards.evaluate_shard(
            lm, task.task, task.shard, manager, settings, task.num_fewshot, task.limit
        )
        return ShardOutcome({**shards.payload(results), "limit": task.limit, "revision": revision})
    except Exception as exc:  # noqa: BLE001 (any shard error is that shard's alone)
        return TaskFailure(one_line_error(exc))


def run_task(
    lm, task: TaskJob, manager, revision: str | None, settings: dict[str, Any]
) -> TaskOutcome | TaskFailure:
    """One task on a loaded model; its own failure (data not found offline, a metric
    error) is returned, so the model's next task still runs."""
    import lm_eval

    for attempt in (1, 2):
        try:
            results = lm_eval.simple_evaluate(
                model=lm,
                tasks=[task.task],
                num_fewshot=task.num_fewshot,
                limit=task.limit,
                task_manager=manager,
                log_samples=True,
                **settings,
            )
            outcome = parse_results(results, task.task)
        except Exception as exc:  # noqa: BLE001 (any task error is that task's alone)
            # A CUDA out-of-memory error is the batch, not the task: once, at half the
            # batch size (the scores do not depend on it), before it is a failure
            if attempt == 1 and out_of_memory(exc) and halve_batch(lm):
                continue
            return TaskFailure(one_line_error(exc))
        outcome.revision = revision
        return outcome
    raise AssertionError("unreachable")  # pragma: no cover


def out_of_memory(exc: BaseException) -> bool:
    """torch.OutOfMemoryError, or the RuntimeError older torch and vLLM raise for it."""
    return type(exc).__name__ == "OutOfMemoryError" or "out of memory" in str(exc).lower()


def halve_batch(lm) -> bool:
    """Halve a loaded model's fixed batch size (lm-eval's hf: `batch_size_per_gpu`;
    vLLM: `batch_size`) and free the CUDA cache; False where there is nothing to halve
    (`auto` already backs off, or the batch is one)."""
    for attribute in ("batch_size_per_gpu", "batch_size"):
        value = getattr(lm, attribute, None)
        if isinstance(value, int) and value > 1:
            setattr(lm, attribute, value // 2)
            import sys

            torch = sys.modules.get("torch")
            if torch is not None and torch.cuda.is_available():
                torch.cuda.empty_cache()
            return True
    return False


def evaluate_settings(generation: GenerationSettings | None) -> dict[str, Any]:
    """`simple_evaluate` arguments for the chat template and sampling settings; none at
    all for the defaults, so such runs are exactly lm-eval's default runs."""
    if generation is None:
        return {}
    settings: dict[str, Any] = {}
    if generation.apply_chat_template:
        settings["apply_chat_template"] = True
        settings["fewshot_as_multiturn"] = generation.fewshot_as_multiturn
    if generation.system_instruction is not None:
        settings["system_instruction"] = generation.system_instruction
    gen_kwargs: dict[str, Any] = {}
    if generation.max_gen_toks is not None:
        gen_kwargs["max_gen_toks"] = generation.max_gen_toks
    if generation.temperature is not None:
        gen_kwargs["temperature"] = generation.temperature
        gen_kwargs["do_sample"] = generation.temperature > 0
    if gen_kwargs:
        settings["gen_kwargs"] = gen_kwargs
    if generation.seed is not None:
        settings["torch_random_seed"] = generation.seed
    return settings


def model_settings(generation: GenerationSettings | None) -> dict[str, Any]:
    """Constructor arguments of the lm-eval model for thinking on/off."""
    if generation is None:
        return {}
    settings: dict[str, Any] = {}
    if generation.enable_thinking is not None:
        settings["enable_thinking"] = generation.enable_thinking
    if generation.think_end_token is not None:
        settings["think_end_token"] = generation.think_end_token
    return settings


def quiet_git_probe() -> None:
    """lm-eval records the git commit of the current folder by running ``git describe`` with
    stderr inherited, so outside a checkout every task prints "fatal: not a git repository".
    The same probe with stderr discarded; gaptrack's records carry their own provenance."""
    import subprocess

    import lm_eval.evaluator
    from lm_eval.loggers.utils import get_commit_from_path

    def get_git_commit_hash() -> str | None:
        try:
            out = subprocess.run(
                ["git", "describe", "--always"],  # noqa: S607
                capture_output=True,
                check=True,
            )
        except (subprocess.CalledProcessError, FileNotFoundError):
            return get_commit_from_path(Path.cwd())
        return out.stdout.decode().strip()

    lm_eval.evaluator.get_git_commit_hash = get_git_commit_hash


def hub_commit(repo: str, revision: str | None) -> str | None:
    """The commit a hub branch or tag resolved to when the weights were fetched, read from
    the local HF cache (no network call); the revision as given where it cannot be read."""
    if revision is None:
        return None
    from huggingface_hub import try_to_load_from_cache

    path = try_to_load_from_cache(repo, "config.json", revision=revision)
    if isinstance(path, str) and "/snapshots/" in path:
        return path.split("/snapshots/", 1)[1].split("/", 1)[0]
    return revision


def vllm_arguments(job: ModelJob) -> dict[str, Any]:
    """What lm-eval's VLLM class (and through it vLLM's engine) is given: exactly the
    layout the job reserved (tensor x pipeline x data parallel = the job's GPUs, the
    max_model_len its KV cache was sized for, the memory share), never vLLM's defaults
    (one GPU, the model's whole context)."""
    spec = job.model
    layout = job.layout
    args: dict[str, Any] = dict(
        pretrained=job.resolved.pretrained,
        revision=job.resolved.revision,
        dtype=job.dtype,
        batch_size=job.batch_size,
        trust_remote_code=spec.trust_remote_code,
        tensor_parallel_size=layout.tensor_parallel if layout else spec.tensor_parallel_size or 1,
        data_parallel_size=layout.data_parallel if layout else spec.data_parallel_size,
    )
    backend = spec.backend_args
    if layout is not None and layout.max_model_len is not None:
        args["max_model_len"] = layout.max_model_len
        args["gpu_memory_utilization"] = layout.gpu_memory_utilization
    elif backend.max_model_len is not None:
        args["max_model_len"] = backend.max_model_len
        args["gpu_memory_utilization"] = backend.gpu_memory_utilization
    if layout is not None and layout.pipeline_parallel > 1:
        args["pipeline_parallel_size"] = layout.pipeline_parallel
    if layout is not None and layout.nodes > 1:
        args["distributed_executor_backend"] = "ray"  # vLLM's only multi-node backend
    if backend.enable_expert_parallel:
        args["enable_expert_parallel"] = True
    if job.generation is not None and job.generation.seed is not None:
        args["seed"] = job.generation.seed
    return {**args, **model_settings(job.generation)}


def load_lm(job: ModelJob):
    """One model load for all of the model's tasks."""
    spec = job.model
    if spec.backend == "vllm":
        try:
            from lm_eval.models.vllm_causallms import VLLM
        except ImportError as exc:  # vllm is optional and GPU-only
            from gaptrack.errors import GaptrackError

            raise GaptrackError(
                f"model {spec.id}: backend 'vllm' needs the vllm package: "
                f"pip install 'gaptrack[vllm]' on a CUDA machine ({exc})"
            ) from None
        return VLLM(**vllm_arguments(job))
    from lm_eval.models.huggingface import HFLM

    return HFLM(
        pretrained=job.resolved.pretrained,
        revision=job.resolved.revision or "main",
        device=job.device,
        dtype=job.dtype,
        batch_size=job.batch_size,
        trust_remote_code=spec.trust_remote_code,
        parallelize=spec.parallelize or (job.gpus > 1 and job.device.startswith("cuda")),
        **model_settings(job.generation),
    )


def _number(value: Any) -> float | None:
    """lm-eval mixes floats, numpy scalars and the string "N/A"."""
    if value is None or isinstance(value, str):
        return None
    number = float(value)
    return number if math.isfinite(number) else None  # NaN, inf: no value to keep


def parse_metrics(task_results: dict[str, Any], higher: dict[str, bool]) -> list[Metric]:
    values: dict[tuple[str, str], float] = {}
    stderrs: dict[tuple[str, str], float | None] = {}
    for key, raw in task_results.items():
        if "," not in key:
            continue  # "alias", "name", "sample_len"
        name, filt = key.split(",", 1)
        if name.endswith("_stderr"):
            stderrs[(name.removesuffix("_stderr"), filt)] = _number(raw)
        else:
            number = _number(raw)
            if number is not None:
                values[(name, filt)] = number
    return [
        Metric(
            name=name,
            filter=filt,
            value=value,
            stderr=stderrs.get((name, filt)),
            scale=scale_of(name),
            direction="higher" if higher.get(name, True) else "lower",
        )
        for (name, filt), value in values.items()
    ]


def choose_primary(task: str, metrics: list[Metric]) -> MetricRef:
    refs = {m.ref for m in metrics}
    wanted = PRIMARY_METRIC.get(task)
    if wanted in refs:
        return wanted
    for candidate in _DEFAULT_ORDER:
        matching = sorted(r.filter for r in refs if r.name == candidate)
        if matching:
            filt = "strict-match" if "strict-match" in matching else matching[0]
            return MetricRef(name=candidate, filter=filt)
    return metrics[0].ref


def parse_items(samples: dict[str, list[dict]], primary: MetricRef, is_group: bool) -> list[Item]:
    items: dict[tuple[str, int], Item] = {}
    for subtask in sorted(samples):
        for sample in samples[subtask]:
            key = (subtask, int(sample["doc_id"]))
            item = items.get(key)
            if item is None:
                item = Item(
                    doc_id=key[1],
                    subtask=subtask if is_group else None,
                    prompt_hash=sample["prompt_hash"],
                    correct=None,
                )
                items[key] = item
            sample_filter = sample.get("filter", "none")
            for name in sample.get("metrics", []):
                value = _number(sample.get(name))
                if value is None:
                    continue
                ref = MetricRef(name=name, filter=sample_filter)
                item.scores[str(ref)] = value
                if ref == primary and value in (0.0, 1.0):
                    item.correct = value == 1.0
    return list(items.values())


def lm_eval_task_hash(samples: dict[str, list[dict]]) -> str:
    """lm-eval's own task hash (EvaluationTracker): sha256 over every sample's document,
    prompt and target hashes, so the same items and prompts give the same hash."""
    parts = [
        s["doc_hash"] + s["prompt_hash"] + s["target_hash"]
        for subtask in sorted(samples)
        for s in samples[subtask]
    ]
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def parse_results(results: dict[str, Any], task: str) -> TaskOutcome:
    """lm-eval's dict for a single requested task (or group) -> TaskOutcome."""
    task_results = results["results"][task]
    higher = {}
    for name, table in results.get("higher_is_better", {}).items():
        if name == task or name in results.get("samples", {}):
            higher.update(table)
    metrics = parse_metrics(task_results, higher)
    if not metrics:
        raise ValueError(f"lm-eval returned no metrics for task {task!r}")
    primary = choose_primary(task, metrics)
    samples = results.get("samples", {})
    is_group = task not in samples
    n_samples = results.get("n-samples", {})
    leaves = [name for name in n_samples if name == task or is_group]
    version = results.get("versions", {}).get(task)
    return TaskOutcome(
        metrics=metrics,
        items=parse_items(samples, primary, is_group),
        primary_metric=primary,
        n_samples=sum(int(n_samples[leaf]["effective"]) for leaf in leaves),
        n_total=sum(int(n_samples[leaf]["original"]) for leaf in leaves),
        version=None if version is None else str(version),
        task_hash=lm_eval_task_hash(samples) if samples else None,
    )


# --- Reading an lm-eval output folder (gaptrack import-run) ---------------------------
# What `lm_eval --output_path DIR --log_samples` writes: DIR/<model>/results_<date>.json
# (the dict simple_evaluate returns, less "samples") and one
# samples_<task>_<date>.jsonl per leaf task (one line per document and filter).

SUPPORTED_VERSIONS = "0.4."
"""The lm-eval series whose results files import-run reads (0.4.x: `n-samples`,
`task_hashes`, per-sample `doc_hash`/`prompt_hash`/`target_hash`)."""

DEFAULT_TORCH_SEED = 1234
"""simple_evaluate's torch seed when none is given: a run with it set no seed of its own."""


def results_date_id(results_file: Path) -> str | None:
    """The `<date>` a results file's name ends with (its samples files carry the same)."""
    stem = results_file.stem
    return stem.removeprefix("results_") if stem.startswith("results_") else None


def samples_file(results_file: Path, task: str) -> Path:
    """The samples file the CLI writes beside `results_file` for leaf task `task`."""
    return results_file.with_name(f"samples_{task}_{results_date_id(results_file)}.jsonl")


def unsupported_version(results: dict[str, Any]) -> str | None:
    """Why this gaptrack cannot read a results dict's lm-eval version; None if it can."""
    version = results.get("lm_eval_version")
    if not isinstance(version, str):
        return "no lm_eval_version (lm-eval 0.4.3 and later write one; re-run with lm-eval 0.4.x)"
    if not version.startswith(SUPPORTED_VERSIONS):
        return f"lm_eval_version {version!r} is not supported (lm-eval {SUPPORTED_VERSIONS}x)"
    return None


def top_level_tasks(results: dict[str, Any]) -> list[str]:
    """The tasks and groups a run was asked for: every entry of `results` that is no
    other group's subtask (mmlu, not its subjects)."""
    subtasks = {s for subs in results.get("group_subtasks", {}).values() for s in subs}
    names = list(results.get("results", {})) + list(results.get("groups", {}))
    return list(dict.fromkeys(n for n in names if n not in subtasks))


def leaf_tasks(results: dict[str, Any], task: str) -> list[str]:
    """The leaf tasks (those with samples) under a task or group, in file order."""
    subtasks = results.get("group_subtasks", {}).get(task)
    if not subtasks:
        return [task]
    return [leaf for sub in subtasks for leaf in leaf_tasks(results, sub)]


def task_view(results: dict[str, Any], task: str, samples: dict[str, list[dict]]) -> dict[str, Any]:
    """The results dict restricted to one top-level task (or group) and its samples, as
    `parse_results` reads a single-task run."""
    leaves = leaf_tasks(results, task)
    view = dict(results)
    view["results"] = {**results.get("results", {}), **results.get("groups", {})}
    view["samples"] = {leaf: samples[leaf] for leaf in leaves}
    view["n-samples"] = {leaf: results["n-samples"][leaf] for leaf in leaves}
    return view


def run_model_args(results: dict[str, Any]) -> dict[str, Any]:
    """The run's model arguments as a dict (the CLI writes the string it was given)."""
    args = results.get("config", {}).get("model_args")
    if isinstance(args, dict):
        return dict(args)
    if isinstance(args, str):
        from lm_eval.utils import simple_parse_args_string

        return simple_parse_args_string(args)
    return {}


def run_dtype(results: dict[str, Any]) -> str:
    """The dtype the model ran in (`torch.float32` -> `float32`), as the cache key has it."""
    dtype = results.get("config", {}).get("model_dtype") or run_model_args(results).get("dtype")
    return str(dtype).removeprefix("torch.") if dtype else "unknown"


def run_generation(results: dict[str, Any]) -> dict[str, Any] | None:
    """The run's chat template and sampling settings, as gaptrack's cache key records its
    own (`GenerationSettings.key()`: only what differs from lm-eval's defaults), plus any
    other generation argument and the chat template's sha256."""
    from lm_eval.utils import simple_parse_args_string

    from gaptrack.config.schema import GenerationSettings

    config = results.get("config", {})
    templated = results.get("chat_template") is not None
    gen_kwargs = config.get("gen_kwargs") or {}
    if isinstance(gen_kwargs, str):
        gen_kwargs = simple_parse_args_string(gen_kwargs)
    gen_kwargs = dict(gen_kwargs)
    temperature = gen_kwargs.pop("temperature", None)
    gen_kwargs.pop("do_sample", None)  # follows from the temperature, as gaptrack sets it
    seed = config.get("torch_seed")
    settings = GenerationSettings(
        apply_chat_template=templated,
        # lm-eval writes fewshot_as_multiturn true even where no template is applied
        fewshot_as_multiturn=templated and bool(results.get("fewshot_as_multiturn")),
        system_instruction=results.get("system_instruction"),
        max_gen_toks=gen_kwargs.pop("max_gen_toks", None),
        temperature=temperature,
        seed=None if seed in (None, DEFAULT_TORCH_SEED) else seed,
    ).key()
    extra = {k: v for k, v in sorted(gen_kwargs.items())}
    if templated and results.get("chat_template_sha"):
        extra["chat_template_sha"] = results["chat_template_sha"]
    merged = {**(settings or {}), **extra}
    return merged or None


def results_dict(records: list) -> dict[str, Any]:
    """Store records of one model as lm-eval's results JSON (`lm_eval --output_path`
    writes the same keys): `<metric>,<filter>` values and `_stderr` twins, versions,
    n-shot, n-samples, higher_is_better, task hashes and the config as far as the records
    state it. Records are gaptrack's schema (store.records.ResultRecord or summaries)."""
    results: dict[str, Any] = {}
    out: dict[str, Any] = {
        "results": results,
        "group_subtasks": {},
        "configs": {},
        "versions": {},
        "n-shot": {},
        "higher_is_better": {},
        "n-samples": {},
        "task_hashes": {},
    }
    first = records[0]
    for record in records:
        task = record.task.name
        entry: dict[str, Any] = {"alias": task, "name": task}
        for metric in record.metrics:
            entry[f"{metric.name},{metric.filter}"] = metric.value
            entry[f"{metric.name}_stderr,{metric.filter}"] = (
                "N/A" if metric.stderr is None else metric.stderr
            )
        results[task] = entry
        out["versions"][task] = record.task.version
        out["n-shot"][task] = record.task.num_fewshot
        out["higher_is_better"][task] = {m.name: m.higher_is_better for m in record.metrics}
        out["n-samples"][task] = {
            "original": record.task.n_total if record.task.n_total is not None else 0,
            "effective": record.task.n_samples,
        }
        if record.task.lmeval_task_hash:
            out["task_hashes"][task] = record.task.lmeval_task_hash
    key = first.cache_key
    fingerprint = key.model_fingerprint
    pretrained = (
        fingerprint.repo if fingerprint.kind == "hub" else f"{first.model.id} ({fingerprint})"
    )
    model_args: dict[str, Any] = {"pretrained": pretrained, "dtype": key.dtype}
    if fingerprint.kind == "hub" and fingerprint.revision:
        model_args["revision"] = fingerprint.revision
    limits = {r.task.limit for r in records}
    out["config"] = {
        "model": key.backend,
        "model_args": model_args,
        "model_dtype": key.dtype,
        "model_revision": first.model.revision,
        "batch_size": first.provenance.batch_size,
        "device": first.provenance.device,
        "limit": limits.pop() if len(limits) == 1 else None,
        "gen_kwargs": (key.generation or None),
    }
    out["lm_eval_version"] = key.lm_eval_version
    out["transformers_version"] = key.transformers_version
    out["date"] = min(r.provenance.started_at for r in records).timestamp()
    out["model_name"] = pretrained
    return out
