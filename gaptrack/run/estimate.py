"""What a job costs before it runs: requests, tokens and compute per (model, task), and
the GPUs a model needs. Plain arithmetic on the config and a table of task sizes; no torch,
no lm-eval, no network, so `gaptrack plan` answers in a moment."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources

import yaml

from gaptrack.config.schema import DEFAULT_MAX_MODEL_LEN, ClusterSettings, ModelSpec

WEIGHT_BITS: dict[str, float] = {
    "float32": 32,
    "bfloat16": 16,
    "float16": 16,
    "fp8": 8,  # DeepSeek-V3's 128x128-block scales add 1/4096 of that: left out
    "int8": 8,
    # MX formats: 32 four-bit (E2M1) values share one 8-bit (E8M0) scale, so 4 + 8/32
    # bits a weight (OCP Microscaling Formats (MX) v1.0 spec, section 5); int4 (AWQ,
    # GPTQ) keeps a 16-bit scale per group of 128 (4.125 bits): counted the same
    "mxfp4": 4.25,
    "int4": 4.25,
}
"""Bits a checkpoint's weights take in GPU memory, by how the checkpoint stores them."""
# Weights are not all of it: activations, the KV cache of a batch and the CUDA context
# take about a tenth more for log-likelihood batches, plus about 1 GB per process (hf).
_OVERHEAD = 1.1
_FIXED_GB = 1.0
# vLLM: its profiled activation peak and CUDA graphs, on top of the weights
_VLLM_OVERHEAD = 1.05
DEFAULT_GPU_MEMORY_GB = 80.0
DEFAULT_GPUS_PER_NODE = 8


@functools.cache
def throughput_table() -> dict:
    """Peak compute per GPU kind, the utilisation assumed, and a GPU-hour price, with
    their sources in the file (gaptrack/data/gpu_throughput.yaml)."""
    from gaptrack.config.loader import StrictLoader

    text = resources.files("gaptrack").joinpath("data/gpu_throughput.yaml").read_text()
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 (a SafeLoader subclass)


@functools.cache
def task_sizes() -> dict[str, dict]:
    from gaptrack.config.loader import StrictLoader

    text = resources.files("gaptrack").joinpath("data/task_sizes.yaml").read_text()
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 (a SafeLoader subclass)


@dataclass(frozen=True)
class TaskCost:
    """Work of one (model, task): None where the task's size is unknown."""

    items: int | None
    requests: int | None
    """Log-likelihood requests (items x choices) or generation requests (items)."""
    tokens: int | None
    """Tokens the model processes: prompts with their few-shot examples, plus generated ones."""
    flop: float | None
    """2 x parameters x tokens (a forward pass costs about 2 FLOP per parameter per token)."""
    generate: bool = False
    """Generation (decode-bound) rather than log-likelihood requests."""


def task_cost(
    task: str, params_b: float, num_fewshot: int | None, limit: int | None, max_gen: int | None
) -> TaskCost:
    size = task_sizes().get(task)
    if size is None:
        return TaskCost(None, None, None, None)
    items = size["items"]
    if limit is not None:  # lm-eval applies --limit to each leaf of a group
        items = min(items, limit * size.get("subtasks", 1))
    prompt = size["tokens"] * ((num_fewshot or 0) + 1)
    if "generate" in size:
        requests = items
        tokens = items * (prompt + (max_gen or size["generate"]))
    else:
        requests = items * size["choices"]
        tokens = requests * prompt
    return TaskCost(items, requests, tokens, 2.0 * params_b * 1e9 * tokens, "generate" in size)


# Formats a run's dtype replaces (a bf16 checkpoint run in float32 takes 4 bytes a weight)
WEIGHT_BITS_RUN = ("float32", "bfloat16", "float16")


def weight_dtype(model: ModelSpec, dtype: str | None = None) -> str:
    """What the GPUs hold: the checkpoint's own format where the entry says it (fp8,
    mxfp4, int4 stay so in vLLM and transformers), else the run's dtype."""
    if model.checkpoint_dtype is not None and model.checkpoint_dtype not in WEIGHT_BITS_RUN:
        return model.checkpoint_dtype
    resolved = dtype or model.dtype
    return "bfloat16" if resolved == "auto" else resolved  # what `auto` is on CUDA


def weights_gb(model: ModelSpec, dtype: str | None = None) -> float:
    return model.params_b * WEIGHT_BITS[weight_dtype(model, dtype)] / 8


@dataclass(frozen=True)
class Layout:
    """How one job of a model is laid out on GPUs: what the job reserves and, for vLLM,
    exactly what the engine is told (tensor x pipeline x data parallel = GPUs)."""

    gpus: int
    nodes: int = 1
    tensor_parallel: int = 1
    pipeline_parallel: int = 1
    data_parallel: int = 1
    max_model_len: int | None = None
    """vLLM: the longest sequence its KV cache is sized for."""
    gpu_memory_utilization: float | None = None
    weights_gb: float = 0.0
    kv_gb: float = 0.0
    """KV cache of one max_model_len sequence."""
    why: str = ""
    """How the size was chosen, for the plan."""
    refused: str | None = None
    """Why the job cannot run on this cluster (checked before anything starts)."""

    @property
    def gpus_per_node(self) -> int:
        return -(-self.gpus // self.nodes)


def _tp_fits(tp: int, model: ModelSpec) -> bool:
    """vLLM splits attention heads over the tensor-parallel GPUs: the size must divide
    the heads, and the KV heads must split evenly or be replicated evenly."""
    arch = model.architecture
    if arch is None:  # unknown heads: powers of two divide every common head count
        return tp & (tp - 1) == 0
    kv = arch.kv_heads or arch.attention_heads
    return arch.attention_heads % tp == 0 and (kv % tp == 0 or tp % kv == 0)


def layout_for(
    model: ModelSpec,
    dtype: str | None = None,
    gpu_memory_gb: float = DEFAULT_GPU_MEMORY_GB,
    gpus_per_node: int = DEFAULT_GPUS_PER_NODE,
    max_nodes: int | None = None,
    gpus_per_job: int | None = None,
) -> Layout:
    """The GPUs a job of `model` reserves and how they are used.

    hf: enough GPUs of `gpu_memory_gb` for the weights x1.1 + 1 GB, layers split over
    one node's GPUs. vLLM: weights x1.05 plus the KV cache of one `max_model_len`
    sequence within `gpu_memory_utilization` of each GPU, on the smallest
    tensor-parallel size that divides the attention heads and fits a node; past one
    node, pipeline stages of a full node each. The entry's `gpus` or
    `tensor_parallel_size`, or `gpus_per_job`, win over the memory estimate."""
    weights = weights_gb(model, dtype)
    fmt = weight_dtype(model, dtype)
    if model.backend != "vllm":
        if model.gpus is not None or gpus_per_job is not None:
            gpus = model.gpus if model.gpus is not None else gpus_per_job
            why = "the entry's gpus" if model.gpus is not None else "gpus_per_job"
        else:
            gpus = max(1, math.ceil((weights * _OVERHEAD + _FIXED_GB) / gpu_memory_gb))
            why = f"{weights:.0f} GB of {fmt} weights x1.1 + 1 GB"
        refused = None
        if gpus > gpus_per_node:
            refused = (
                f"{model.id}: the hf backend splits layers over one node's GPUs, and it "
                f"needs {gpus} ({why}) where a node has {gpus_per_node}: use backend: vllm "
                "(pipeline stages across nodes) or larger GPUs (cluster.gpu_memory_gb)"
            )
        return Layout(gpus=gpus, weights_gb=weights, why=why, refused=refused)

    args = model.backend_args
    arch = model.architecture
    context = arch.context if arch is not None and arch.context else None
    max_len = args.max_model_len or min(DEFAULT_MAX_MODEL_LEN, context or DEFAULT_MAX_MODEL_LEN)
    kv = arch.kv_bytes_per_token() * max_len / 1e9 if arch is not None else 0.0
    dp = model.data_parallel_size
    budget = gpu_memory_gb * args.gpu_memory_utilization
    if model.tensor_parallel_size is not None:
        tp, pp = model.tensor_parallel_size, args.pipeline_parallel_size or 1
        why = "the entry's tensor_parallel_size"
    else:
        if model.gpus is not None or gpus_per_job is not None:
            wanted = (model.gpus if model.gpus is not None else gpus_per_job) or 1
            need = max(1, wanted // dp)
            why = "the entry's gpus" if model.gpus is not None else "gpus_per_job"
        else:
            need = max(1, math.ceil((weights * _VLLM_OVERHEAD + kv) / budget))
            why = (
                f"{weights:.0f} GB of {fmt} weights x1.05 + {kv:.1f} GB KV cache "
                f"({max_len} tokens) in {args.gpu_memory_utilization:g} of "
                f"{gpu_memory_gb:g} GB"
            )
        sizes = [t for t in range(1, gpus_per_node + 1) if _tp_fits(t, model)]
        one_node = [t for t in sizes if t >= need]
        if args.pipeline_parallel_size is not None:
            pp = args.pipeline_parallel_size
            tp = next((t for t in sizes if t * pp >= need), sizes[-1])
        elif one_node:
            tp, pp = one_node[0], 1
        else:
            tp = sizes[-1]
            pp = math.ceil(need / tp)
        if arch is not None:
            why += f"; tensor parallel {tp} divides {arch.attention_heads} heads"
    gpus = tp * pp * dp
    nodes = max(1, math.ceil(gpus / gpus_per_node))
    refused = None
    if not _tp_fits(tp, model):
        refused = (
            f"{model.id}: tensor_parallel_size {tp} does not divide the model's "
            f"{arch.attention_heads if arch else '?'} attention heads (vLLM refuses it)"
        )
    elif max_nodes is not None and nodes > max_nodes:
        refused = (
            f"{model.id} needs {gpus} GPUs ({why}): {nodes} nodes of {gpus_per_node}, and "
            f"cluster.max_nodes is {max_nodes}: raise max_nodes (a multi-node job), use "
            "larger GPUs (cluster.gpu_memory_gb), or leave the model out (--only)"
        )
    return Layout(
        gpus=gpus,
        nodes=nodes,
        tensor_parallel=tp,
        pipeline_parallel=pp,
        data_parallel=dp,
        max_model_len=max_len,
        gpu_memory_utilization=args.gpu_memory_utilization,
        weights_gb=weights,
        kv_gb=kv,
        why=why,
        refused=refused,
    )


def gpus_needed(
    model: ModelSpec, dtype: str | None = None, gpu_memory_gb: float = DEFAULT_GPU_MEMORY_GB
) -> int:
    """GPUs a job of `model` reserves on one node's worth of sizes (see `layout_for`)."""
    return layout_for(model, dtype, gpu_memory_gb).gpus


def human(number: float | None, unit: str = "") -> str:
    """12345678 -> '12.3M'; None -> '?'."""
    if number is None:
        return "?"
    for scale, suffix in (
        (1e18, "E"),
        (1e15, "P"),
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
    ):
        if abs(number) >= scale:
            return f"{number / scale:.1f}{suffix}{unit}"
    return f"{number:.0f}{unit}"


@dataclass(frozen=True)
class JobEstimate:
    """One job of a plan (a model and its pending tasks) with its size."""

    model: ModelSpec
    tasks: tuple[str, ...]
    cached: int
    """Tasks of this model already in the store (not part of the job)."""
    costs: tuple[TaskCost, ...]
    gpus: int
    """GPUs the job needs on CUDA."""
    dtype: str
    """dtype on CUDA."""
    layout: Layout | None = None
    """How the GPUs are used (tensor/pipeline parallel, nodes), and any refusal."""

    def total(self, field: str) -> float | None:
        values = [getattr(c, field) for c in self.costs]
        return None if any(v is None for v in values) else sum(values)

    def hours(self, gpu: str = "h100") -> float | None:
        """Wall-clock hours of the job on `gpu`s: each task's compute over the job's GPUs
        at the table's peak times the utilisation its kind of request sustains. None when
        a task's size is unknown or the job has no GPU."""
        if self.gpus == 0 or any(c.flop is None for c in self.costs):
            return None
        table = throughput_table()
        peak = table["gpus"][gpu]["bf16_tflops"] * 1e12 * self.gpus
        use = table["utilisation"]
        seconds = sum(
            c.flop / (peak * use["generate" if c.generate else "loglikelihood"])
            for c in self.costs
            if c.flop is not None
        )
        return seconds / 3600

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(t for t, c in zip(self.tasks, self.costs, strict=True) if c.items is None)


def estimate_plan(
    plan,
    gpus_per_job: int | None = None,
    gpu_memory_gb: float = DEFAULT_GPU_MEMORY_GB,
    settings: ClusterSettings | None = None,
) -> list[JobEstimate]:
    """Every model of `plan` with pending tasks, its work and its GPUs on CUDA
    (`settings`: GPUs per node and the node cap, for multi-node jobs and refusals)."""
    suite = plan.config.suite
    per_node = settings.gpus_per_node if settings is not None else DEFAULT_GPUS_PER_NODE
    max_nodes = settings.max_nodes if settings is not None else None
    estimates = []
    # by id: a model spec is not hashable where its source holds a list (a packaged
    # model's parts), and ids are unique within a config
    models = {e.model.id: e.model for e in plan.entries}
    for model in models.values():
        entries = [e for e in plan.entries if e.model.id == model.id]
        pending = [e for e in entries if not e.cached]
        if not pending:
            continue
        dtype = "bfloat16" if model.dtype == "auto" else model.dtype
        max_gen = suite.generation_for(model).max_gen_toks
        costs = tuple(
            task_cost(e.task, model.params_b, e.num_fewshot, e.limit, max_gen) for e in pending
        )
        layout = layout_for(model, dtype, gpu_memory_gb, per_node, max_nodes, gpus_per_job)
        estimates.append(
            JobEstimate(
                model=model,
                tasks=tuple(e.task for e in pending),
                cached=len(entries) - len(pending),
                costs=costs,
                gpus=layout.gpus,
                dtype=dtype,
                layout=layout,
            )
        )
    return estimates
