"""Sizing a job by what the checkpoint is: its weight format (bf16, FP8, MXFP4), the KV
cache of a stated max_model_len, a tensor-parallel size that divides the attention heads,
nodes past one node's GPUs; vLLM is given exactly what the job reserved; a job the
cluster cannot hold is refused before anything starts."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from types import SimpleNamespace

import pytest

from gaptrack.api import EvalRequest, Store, evaluate, load_config
from gaptrack.config.schema import Architecture, BackendArgs, ClusterSettings, ModelSpec
from gaptrack.errors import GaptrackError
from gaptrack.run.estimate import layout_for
from gaptrack.run.executors.ray import placement
from gaptrack.run.executors.slurm import slurm_parameters
from gaptrack.run.jobs import Job
from gaptrack.run.runner import ModelJob
from tests.fakes import FakeRunner


@pytest.fixture(scope="module")
def frontier() -> dict[str, ModelSpec]:
    config = load_config("seed_families")
    return {m.id: m for m in config.models}


def test_frontier_models_get_gpus_their_checkpoints_need(frontier) -> None:
    # bf16 for every model asked 19 GPUs for DeepSeek-V3, 28 for Kimi K2, 4 for gpt-oss-120b
    gpt_oss = layout_for(frontier["gpt-oss-120b"])  # MXFP4: about 62 GB
    assert gpt_oss.gpus == 1
    v3 = layout_for(frontier["deepseek-v3"])  # 671 GB of FP8 > 8 x 80 GB x 0.9
    assert (v3.gpus, v3.tensor_parallel, v3.pipeline_parallel, v3.nodes) == (16, 8, 2, 2)
    on_h200 = layout_for(frontier["deepseek-v3"], gpu_memory_gb=141)
    assert (on_h200.gpus, on_h200.nodes, on_h200.tensor_parallel) == (8, 1, 8)
    kimi = layout_for(frontier["kimi-k2-base"])  # 1 TB of FP8: two nodes, as Moonshot says
    assert (kimi.gpus, kimi.nodes) == (16, 2)


def test_tensor_parallel_divides_the_heads(frontier) -> None:
    qwen = frontier["qwen2.5-72b"].model_copy(update={"backend": "vllm"})
    layout = layout_for(qwen)  # 153 GB + KV cache: 2.2 GPUs' worth; 3 does not divide 64
    assert layout.tensor_parallel == 4 and 64 % layout.tensor_parallel == 0
    glm = frontier["glm-4.5-air"].model_copy(update={"backend": "vllm"})
    assert 96 % layout_for(glm).tensor_parallel == 0
    odd = qwen.model_copy(update={"tensor_parallel_size": 3})
    assert "does not divide" in (layout_for(odd).refused or "")


def test_kv_cache_follows_max_model_len(frontier) -> None:
    llama = frontier["llama-3.3-70b-instruct"].model_copy(update={"backend": "vllm"})
    short = layout_for(llama)  # 8192 tokens by default
    full = layout_for(llama.model_copy(update={"backend_args": BackendArgs(max_model_len=131072)}))
    assert short.max_model_len == 8192 and full.max_model_len == 131072
    assert full.kv_gb == pytest.approx(short.kv_gb * 16)
    assert full.kv_gb == pytest.approx(80 * 2 * 8 * 128 * 2 * 131072 / 1e9)
    assert full.gpus >= short.gpus


def _job(model: ModelSpec, layout) -> Job:
    return Job(model, (), "cuda", "bfloat16", "auto", None, gpus=layout.gpus, layout=layout)


def test_vllm_gets_exactly_what_the_job_reserved(frontier, monkeypatch) -> None:
    recorded: list[dict] = []

    class Recorder:
        def __init__(self, **kwargs):
            recorded.append(kwargs)

    fake = types.ModuleType("lm_eval.models.vllm_causallms")
    fake.VLLM = Recorder
    monkeypatch.setitem(sys.modules, "lm_eval.models.vllm_causallms", fake)
    from gaptrack.run.lmeval import load_lm

    for model_id in ("deepseek-v3", "kimi-k2-base"):
        model = frontier[model_id]
        layout = layout_for(model)
        job = ModelJob(
            model=model,
            resolved=SimpleNamespace(pretrained=model.source.repo, revision="main"),
            device="cuda",
            dtype="bfloat16",
            batch_size="auto",
            tasks=[],
            tasks_resolution=None,
            gpus=layout.gpus,
            layout=layout,
        )
        load_lm(job)
        args = recorded[-1]
        parallel = args["tensor_parallel_size"] * args.get("pipeline_parallel_size", 1)
        assert parallel * args["data_parallel_size"] == job.gpus == 16
        assert args["tensor_parallel_size"] == 8 and args["pipeline_parallel_size"] == 2
        assert args["max_model_len"] == 8192 and args["gpu_memory_utilization"] == 0.9
        assert args["distributed_executor_backend"] == "ray"  # across the two nodes
    one_gpu = frontier["gpt-oss-20b"].model_copy(update={"backend": "vllm"})
    layout = layout_for(one_gpu)
    load_lm(
        ModelJob(
            one_gpu,
            SimpleNamespace(pretrained="openai/gpt-oss-20b", revision="main"),
            "cuda",
            "bfloat16",
            "auto",
            [],
            None,
            gpus=layout.gpus,
            layout=layout,
        )
    )
    assert (
        recorded[-1]["tensor_parallel_size"] == 1 and "pipeline_parallel_size" not in recorded[-1]
    )


def test_two_node_model_gives_a_two_node_request(frontier) -> None:
    layout = layout_for(frontier["deepseek-v3"], max_nodes=2)
    assert layout.refused is None
    job = _job(frontier["deepseek-v3"], layout)
    params = slurm_parameters(ClusterSettings(partition="gpu", account="lab"), job, remote=True)
    assert (params["nodes"], params["gpus_per_node"], params["tasks_per_node"]) == (2, 8, 1)
    assert params["slurm_account"] == "lab" and params["slurm_partition"] == "gpu"
    bundles, strategy = placement(job)
    assert bundles == [{"GPU": 8, "CPU": 1}] * 2 and strategy == "STRICT_SPREAD"


class CudaExecutor:
    """An executor that claims CUDA and must never be asked to run anything."""

    settings = ClusterSettings(gpus_per_node=8, max_nodes=1)

    def device(self, requested: str) -> str:
        return "cuda"

    def run(self, jobs, events):
        raise AssertionError("a refused plan started a job")


@pytest.mark.parametrize("backend", ["hf", "vllm"])
def test_job_over_the_cluster_is_refused_before_it_starts(tiny_config: Path, backend: str) -> None:
    config = load_config(tiny_config)
    big = config.models[0].model_copy(update={"gpus": 28, "backend": backend})
    config = config.model_copy(update={"models": [big, *config.models[1:]]})
    runner = FakeRunner()
    with pytest.raises(GaptrackError, match=r"cannot run: tiny-llama") as caught:
        evaluate(config, EvalRequest(), runner=runner, executor=CudaExecutor())
    assert "\n" not in str(caught.value)
    assert not list(Store(config.results_dir).records()) and not runner.loads
    assert not (config.results_dir / "locks").exists() or not any(
        (config.results_dir / "locks").iterdir()
    )


def test_architecture_kv_bytes() -> None:
    gqa = Architecture(attention_heads=64, kv_heads=8, layers=80, head_dim=128)
    assert gqa.kv_bytes_per_token() == 80 * 2 * 8 * 128 * 2
    mla = Architecture(attention_heads=128, layers=61, head_dim=192, latent_kv_dim=576)
    assert mla.kv_bytes_per_token() == 61 * 576 * 2


def test_cuda_out_of_memory_retries_once_at_half_the_batch(monkeypatch) -> None:
    import lm_eval

    from gaptrack.run import lmeval
    from gaptrack.run.runner import TaskFailure, TaskJob

    class OutOfMemoryError(RuntimeError):  # torch's name; torch is not needed here
        pass

    seen: list[int] = []

    def evaluate(model, **kwargs):
        seen.append(model.batch_size_per_gpu)
        if model.batch_size_per_gpu > model.fits:
            raise OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return {"ok": True}

    monkeypatch.setattr(lm_eval, "simple_evaluate", evaluate)
    monkeypatch.setattr(lmeval, "parse_results", lambda results, task: SimpleNamespace())
    task = TaskJob("arc_easy", 0, 10, None)
    lm = SimpleNamespace(batch_size_per_gpu=16, fits=8)
    assert not isinstance(lmeval.run_task(lm, task, None, "main", {}), TaskFailure)
    assert seen == [16, 8] and lm.batch_size_per_gpu == 8
    seen.clear()
    tight = SimpleNamespace(batch_size_per_gpu=16, fits=2)  # half is not enough: one retry
    failure = lmeval.run_task(tight, task, None, "main", {})
    assert isinstance(failure, TaskFailure) and "out of memory" in failure.error
    assert seen == [16, 8]
