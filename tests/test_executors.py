"""Executors: the same plan through the local loop, a local Ray cluster and submitit's
local executor gives the same store, record for record; a killed Ray worker costs only
its own job."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from gaptrack.api import Store, evaluate, load_config
from gaptrack.run.executors import ExecutorOptions, RayExecutor, SlurmExecutor
from tests import tiny
from tests.fakes import FakeRunner

ROOT = Path(__file__).resolve().parents[1]
PAIRS = {(m, t) for m in ("tiny-llama", "tiny-qwen2") for t in ("tiny_mc", "tiny_mc2")}


def comparable(results: Path) -> dict[str, dict]:
    """Every record of a store with its per-item results, all but where and when it ran
    (provenance)."""
    out = {}
    for record in Store(results).records():
        data = record.model_dump(mode="json")
        provenance = data.pop("provenance")
        data.pop("content_digest")  # a seal over every field, provenance included
        data["device"] = provenance["device"]
        data["items"] = [item.model_dump(mode="json") for item in record.all_items()]
        out[record.key] = data
    return out


def write_config(folder: Path, tiny_models: dict[str, Path], tiny_task_dir: Path) -> Path:
    path = folder / "tiny.yaml"
    path.write_text(tiny.config_yaml(tiny_models, tiny_task_dir, results=folder / "results"))
    return path


@pytest.fixture(scope="module")
def worker_env(tmp_path_factory: pytest.TempPathFactory):
    """Environment that Ray's and submitit's worker processes inherit: this checkout on
    the path, offline hub, and a gaptrack home of its own."""
    home = tmp_path_factory.mktemp("worker-home")
    with pytest.MonkeyPatch.context() as patch:
        paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        patch.setenv("PYTHONPATH", os.pathsep.join(paths))
        for name, value in {
            "GAPTRACK_HOME": home / "gaptrack",
            "HF_HOME": home / "hf",
            "HF_DATASETS_CACHE": home / "datasets",
            "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1",
        }.items():
            patch.setenv(name, str(value))
        yield home


@pytest.fixture(scope="module")
def local_store(tmp_path_factory, tiny_models, tiny_task_dir, worker_env) -> dict[str, dict]:
    """The reference: the plan run by the local executor with real lm-eval."""
    config = load_config(write_config(tmp_path_factory.mktemp("local"), tiny_models, tiny_task_dir))
    summary = evaluate(config)
    assert not summary.failed and len(summary.ran) == 4
    return comparable(config.results_dir)


@pytest.fixture(scope="module")
def ray_cluster(worker_env):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_store_equals_local(
    ray_cluster, local_store, tmp_path, tiny_models, tiny_task_dir
) -> None:
    config = load_config(write_config(tmp_path, tiny_models, tiny_task_dir))
    summary = evaluate(config, executor=RayExecutor())
    assert not summary.failed
    assert comparable(config.results_dir) == local_store
    assert {(r.model.id, r.task.name) for r in summary.ran} == PAIRS


def test_submitit_local_store_equals_local(
    worker_env, local_store, tmp_path, tiny_models, tiny_task_dir
) -> None:
    pytest.importorskip("submitit")
    config = load_config(write_config(tmp_path, tiny_models, tiny_task_dir))
    options = ExecutorOptions(
        slurm_cluster="local", slurm_folder=tmp_path / "submitit", poll_s=0.5, cpus_per_job=1
    )
    summary = evaluate(config, executor=SlurmExecutor(options))
    assert not summary.failed
    assert comparable(config.results_dir) == local_store


class KillingRunner(FakeRunner):
    """Kills its own worker process (SIGKILL, no clean-up) before the victim task, the
    first time only: the marker file survives the process."""

    def __init__(self, marker: Path, victim: tuple[str, str]) -> None:
        super().__init__()
        self.marker = marker
        self.victim = victim

    def run_model(self, job):
        for task, outcome in super().run_model(job):
            yield task, outcome
            if (job.model.id, task.task) == self.victim and not self.marker.exists():
                self.marker.touch()
                os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("retries", [1, 0])
def test_killed_ray_worker_is_retried_or_reported(ray_cluster, tiny_config: Path, retries) -> None:
    config = load_config(tiny_config)
    runner = KillingRunner(tiny_config.parent / "killed", victim=("tiny-llama", "tiny_mc"))
    options = ExecutorOptions(runner=runner, max_retries=retries)
    summary = evaluate(config, executor=RayExecutor(options))
    assert (tiny_config.parent / "killed").exists()  # the worker did die mid-job
    stored = {(r.model.id, r.task.name) for r in Store(config.results_dir).records()}
    failed = {(f.model_id, f.task) for f in summary.failed}
    assert stored | failed == PAIRS and not stored & failed
    assert {("tiny-qwen2", "tiny_mc"), ("tiny-qwen2", "tiny_mc2")} <= stored  # the other job
    if retries:
        assert stored == PAIRS and not failed
    else:
        assert ("tiny-llama", "tiny_mc2") in failed
        assert all("Ray gave up after 1 tries" in f.error for f in summary.failed)


@pytest.mark.parametrize(
    ("executor", "module", "extra"),
    [(RayExecutor, "ray", "ray"), (SlurmExecutor, "submitit", "slurm")],
)
def test_missing_package_is_one_line(monkeypatch, executor, module, extra) -> None:
    from gaptrack.errors import GaptrackError

    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(GaptrackError, match=rf"pip install 'gaptrack\[{extra}\]'") as caught:
        list(executor(ExecutorOptions(slurm_cluster="slurm")).run([], None))
    assert "\n" not in str(caught.value)
