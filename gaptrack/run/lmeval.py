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
from gaptrack.run.runner import ModelJob, TaskFailure, TaskJob, TaskOutcome, one_line_error
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

    def run_model(self, job: ModelJob) -> Iterator[tuple[TaskJob, TaskOutcome | TaskFailure]]:
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
            yield task, run_task(lm, task, manager, revision, settings)


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
