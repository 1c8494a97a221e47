"""Executors: the same plan through the local loop, a local Ray cluster and submitit's
local executor gives the same store, record for record; a killed Ray worker costs only
its own job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gaptrack.api import EvalRequest, Store, evaluate, load_config
from gaptrack.run import spool
from gaptrack.run.executors import ClusterSettings, RayExecutor, SlurmExecutor
from tests import tiny
from tests.fakes import FakeRunner, fake_outcome

ROOT = Path(__file__).resolve().parents[1]
PAIRS = {(m, t) for m in ("tiny-llama", "tiny-qwen2") for t in ("tiny_mc", "tiny_mc2")}


def comparable(results: Path) -> dict[str, dict]:
    """Every record of a store with its per-item results, all but where and when it ran
    (provenance)."""
    out = {}
    store = Store(results)
    for record in store.records():
        data = record.model_dump(mode="json")
        provenance = data.pop("provenance")
        data.pop("content_digest")  # a seal over every field, provenance included
        data["device"] = provenance["device"]
        data["items"] = [item.model_dump(mode="json") for item in store.items_of(record)]
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
    settings = ClusterSettings(
        slurm_cluster="local", slurm_folder=tmp_path / "submitit", poll_s=0.5, cpus_per_job=1
    )
    summary = evaluate(config, executor=SlurmExecutor(settings))
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
    summary = evaluate(config, executor=RayExecutor(ClusterSettings(max_retries=retries), runner))
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
        list(executor(ClusterSettings(slurm_cluster="slurm")).run([], None))
    assert "\n" not in str(caught.value)


class LoggingRunner(FakeRunner):
    """Appends `model task` to `log` for every task it runs (its workers are other
    processes: the file is the count). After `pause` (a (model, task)), the first time
    only, it holds the job: until `gate` exists, or for ten minutes (then something
    else must end the job: a time limit)."""

    def __init__(self, log: Path, pause=None, marker: Path | None = None, gate=None):
        super().__init__()
        self.log, self.pause, self.marker, self.gate = log, pause, marker, gate

    def run_model(self, job):
        for task in job.tasks:
            with self.log.open("a") as out:
                out.write(f"{job.model.id} {task.task}\n")
            yield task, fake_outcome(job.model.id, task.task, task.limit or 10)
            if (job.model.id, task.task) == self.pause and not self.marker.exists():
                self.marker.touch()
                self.hold(job, task)

    def hold(self, job, task) -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not (self.gate and self.gate.exists()):
            time.sleep(0.2)


class KillWhenStored(LoggingRunner):
    """Kills its own worker (SIGKILL) once the driver has stored the paused task's record."""

    def __init__(self, log: Path, pause, marker: Path, store_root: Path):
        super().__init__(log, pause, marker)
        self.store_root = store_root

    def hold(self, job, task) -> None:
        store = Store(self.store_root)
        deadline = time.monotonic() + 120
        while not store.has(task.key.digest()) and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGKILL)


def ran(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def stored_pairs(results: Path) -> set[tuple[str, str]]:
    return {(r.model.id, r.task.name) for r in Store(results).records()}


def test_ray_retry_runs_only_what_is_not_stored(ray_cluster, tiny_config: Path) -> None:
    # Ray's own retry replays the whole job: the model load and every stored task again
    config = load_config(tiny_config)
    log = tiny_config.parent / "ran.log"
    runner = KillWhenStored(
        log, ("tiny-llama", "tiny_mc"), tiny_config.parent / "killed", config.results_dir
    )
    request = EvalRequest(only=("tiny-llama",))
    summary = evaluate(
        config, request, executor=RayExecutor(ClusterSettings(max_retries=1), runner)
    )
    assert (tiny_config.parent / "killed").exists()  # the worker died after the first record
    assert not summary.failed
    assert stored_pairs(config.results_dir) == {
        ("tiny-llama", "tiny_mc"),
        ("tiny-llama", "tiny_mc2"),
    }
    assert ran(log) == ["tiny-llama tiny_mc", "tiny-llama tiny_mc2"]  # tiny_mc ran once


@pytest.mark.parametrize("retries", [1, 0])
def test_slurm_timeout_keeps_finished_tasks_and_requeues(
    worker_env, tmp_path: Path, tiny_config: Path, retries: int
) -> None:
    # The job holds after its first task until the time limit (45 s, signalled 25 s
    # before it); before, the driver stored nothing of a timed-out job
    config = load_config(tiny_config)
    log = tmp_path / "ran.log"
    runner = LoggingRunner(log, ("tiny-llama", "tiny_mc"), tmp_path / "held")
    settings = ClusterSettings(
        slurm_cluster="local",
        slurm_folder=tmp_path / "submitit",
        poll_s=0.5,
        cpus_per_job=1,
        time_limit_min=0.75,
        signal_delay_s=25,
        max_retries=retries,
    )
    request = EvalRequest(only=("tiny-llama",))
    summary = evaluate(config, request, executor=SlurmExecutor(settings, runner))
    assert (tmp_path / "held").exists()
    stored = stored_pairs(config.results_dir)
    assert ("tiny-llama", "tiny_mc") in stored  # finished inside the job: kept
    assert ran(log).count("tiny-llama tiny_mc") == 1  # the requeued job skipped it
    if retries:
        assert not summary.failed and ("tiny-llama", "tiny_mc2") in stored
        assert ran(log) == ["tiny-llama tiny_mc", "tiny-llama tiny_mc2"]
    else:
        [failure] = summary.failed
        assert failure.task == "tiny_mc2" and "timed out" in failure.error
        assert "\n" not in failure.error
    assert not list(spool.spool_dir(config.results_dir).glob("*.json"))  # stored, then cleared


DRIVER = """
import sys
from pathlib import Path
from gaptrack.api import EvalRequest, evaluate, load_config
from gaptrack.run.executors import ClusterSettings, SlurmExecutor
from tests.test_executors import LoggingRunner

config, work = Path(sys.argv[1]), Path(sys.argv[2])
runner = LoggingRunner(work / "ran.log", ("tiny-llama", "tiny_mc"), work / "held", work / "gate")
settings = ClusterSettings(
    slurm_cluster="local", slurm_folder=work / "submitit", poll_s=0.3, cpus_per_job=1
)
evaluate(load_config(config), EvalRequest(only=("tiny-llama",)), executor=SlurmExecutor(settings, runner))
"""


def wait_until(condition, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.2)


def test_restarted_driver_stores_what_jobs_finished_without_it(
    worker_env, tmp_path: Path, tiny_config: Path
) -> None:
    config = load_config(tiny_config)
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(tiny_config), str(tmp_path)], cwd=ROOT
    )
    try:
        wait_until(lambda: ("tiny-llama", "tiny_mc") in stored_pairs(config.results_dir))
    finally:
        driver.kill()  # SIGKILL: no clean-up; its Slurm job goes on without it
        driver.wait()
    (tmp_path / "gate").touch()  # the job finishes its second task with no driver
    folder = spool.spool_dir(config.results_dir)
    wait_until(lambda: len(list(folder.glob("*.json"))) == 2)
    assert ("tiny-llama", "tiny_mc2") not in stored_pairs(config.results_dir)

    runner = FakeRunner()
    summary = evaluate(config, EvalRequest(only=("tiny-llama",)), runner=runner)
    assert not summary.ran and not summary.failed and not runner.ran  # nothing ran again
    assert stored_pairs(config.results_dir) == {
        ("tiny-llama", "tiny_mc"),
        ("tiny-llama", "tiny_mc2"),
    }
    assert not list(folder.glob("*.json"))
    assert ran(tmp_path / "ran.log") == ["tiny-llama tiny_mc", "tiny-llama tiny_mc2"]


@pytest.mark.parametrize(
    ("raised", "expect"),
    [
        (
            ConnectionError("Unauthenticated: invalid or missing authentication token"),
            "RAY_AUTH_TOKEN",
        ),
        (
            ConnectionError("Could not find any running Ray instance at 10.0.0.9:6379"),
            "cannot connect",
        ),
    ],
)
def test_ray_connect_errors_are_one_line(monkeypatch, raised, expect) -> None:
    ray = pytest.importorskip("ray")
    from gaptrack.errors import GaptrackError

    def refuse(**kwargs):
        raise raised

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", refuse)
    executor = RayExecutor(ClusterSettings(ray_address="10.0.0.9:6379"))
    with pytest.raises(GaptrackError, match=expect) as caught:
        executor.device("auto")
    assert "\n" not in str(caught.value) and "--ray-address 10.0.0.9:6379" in str(caught.value)


def test_slurm_concurrency_cap_submits_as_jobs_end(
    worker_env, tmp_path: Path, tiny_config: Path
) -> None:
    from gaptrack.api import make_plan
    from gaptrack.run.executors import Events
    from gaptrack.run.jobs import make_jobs

    config = load_config(tiny_config)
    jobs = make_jobs(make_plan(config, EvalRequest(device="cpu")))
    order: list[str] = []

    class Seen(Events):
        def submitted(self, job, where: str) -> None:
            order.append(f"submit {job.model.id}")

    settings = ClusterSettings(
        slurm_cluster="local",
        slurm_folder=tmp_path / "submitit",
        poll_s=0.3,
        cpus_per_job=1,
        max_concurrent=1,
    )
    for key, _ in SlurmExecutor(settings, FakeRunner()).run(jobs, Seen()):
        order.append(next(j.model.id for j in jobs if key in j.keys))
    # one job in the queue at a time: the second is submitted once the first has ended
    assert order == ["submit tiny-llama", "tiny-llama", "tiny-llama"] + [
        "submit tiny-qwen2",
        "tiny-qwen2",
        "tiny-qwen2",
    ]


def test_ray_refuses_vllm_jobs_where_workers_lack_vllm(ray_cluster, tiny_config: Path) -> None:
    from gaptrack.errors import GaptrackError

    config = load_config(tiny_config)
    vllm = config.models[0].model_copy(update={"backend": "vllm"})
    config = config.model_copy(update={"models": [vllm]})
    runner = FakeRunner()
    with pytest.raises(GaptrackError, match="vllm package on the Ray workers"):
        evaluate(config, EvalRequest(device="cpu"), executor=RayExecutor(runner=runner))
    assert not runner.loads and not list(Store(config.results_dir).records())
