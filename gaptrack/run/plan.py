"""Planning a run: which (model, task) pairs a config asks for, the cache key of each,
and which are already stored. Cheap by design: no model, data set, torch or lm-eval
import, so a fully cached re-run finishes in about a second."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from gaptrack.config.schema import Config, ModelSpec
from gaptrack.errors import GaptrackError, did_you_mean
from gaptrack.run.device import pick_device, pick_dtype
from gaptrack.store import CacheKey, Store
from gaptrack.store.summary import RecordSummary

if TYPE_CHECKING:
    from gaptrack.tasks import TaskResolution


@dataclass(frozen=True)
class EvalRequest:
    """What the user asked of `gaptrack eval`, beyond the config itself."""

    device: str = "auto"
    only: tuple[str, ...] = ()
    """Model ids to run (empty: all)."""
    tasks: tuple[str, ...] = ()
    """Task names of the suite to run (empty: all)."""
    limit: int | None = None
    """Cap on items per task, on top of the config's limits."""
    force: bool = False
    """Re-evaluate even what is stored."""
    wait: bool = False
    """Wait for keys another run holds claimed, and report them once it stored them
    (False: leave them to it; `eval` then exits 3)."""
    results_dir: Path | None = None
    """Overrides the config's results_dir."""
    backend: str | None = None
    """`hf` or `vllm` for every model of this run, over each entry's own `backend`."""


@dataclass
class PlannedTask:
    model: ModelSpec
    task: str
    num_fewshot: int | None
    limit: int | None
    key: CacheKey
    cached: bool
    bad: str | None = None
    """Why the stored record of this key fails its check (it is kept, left out of every
    table, and not re-run without --force); None if there is none or it is good."""


@dataclass
class Plan:
    config: Config
    device: str
    store: Store
    entries: list[PlannedTask]
    tasks_resolution: TaskResolution = field(repr=False)
    force: bool = False
    """Re-evaluate keys already stored (`--force`)."""
    blocked: dict[str, str] = field(default_factory=dict)
    """Tasks that cannot run (their data needs the hub, which is off), with the reason."""

    def stored_text(self) -> str:
        """`N stored` and, where some stored records fail their check, how many and how
        to re-run them: the plan line of `eval` and `plan`."""
        bad = [e for e in self.entries if e.cached and e.bad]
        text = f"{sum(e.cached for e in self.entries) - len(bad)} stored"
        if bad:
            text += (
                f", {len(bad)} bad (stored records that fail their check, kept and left out; "
                "`gaptrack verify` says why; re-run them with --force, e.g. "
                f"--force --only {bad[0].model.id} --tasks {bad[0].task})"
            )
        return text

    def pending(self) -> list[PlannedTask]:
        return [e for e in self.entries if not e.cached and e.task not in self.blocked]

    def blocked_entries(self) -> list[PlannedTask]:
        return [e for e in self.entries if not e.cached and e.task in self.blocked]

    def hub_tasks(self) -> list[str]:
        """Tasks of this plan whose data lm-eval will download from the hub."""
        tasks = self.tasks_resolution.tasks
        return [
            name
            for name in dict.fromkeys(e.task for e in self.entries)
            if tasks[name].data_source == "hub"
        ]

    def pending_by_model(self) -> dict[str, list[PlannedTask]]:
        grouped: dict[str, list[PlannedTask]] = {}
        for entry in self.pending():
            grouped.setdefault(entry.model.id, []).append(entry)
        return grouped


def stored_records(plan: Plan, limit: int | None = None) -> list[RecordSummary]:
    """Every stored record of the plan's (model, task) pairs, whatever limit, few-shot
    setting or dtype it was run with (the same model weights: the fingerprint must match);
    with `limit`, only records run with that limit. Summaries: a store of thousands of
    records is read from its summary cache."""
    wanted = {(e.model.id, e.task, str(e.key.model_fingerprint)) for e in plan.entries}
    found = [
        r
        for r in plan.store.summaries()
        if (r.model.id, r.task.name, r.model_fingerprint) in wanted
        and (limit is None or r.task.limit == limit)
    ]
    order = {(e.model.id, e.task): i for i, e in enumerate(plan.entries)}
    return sorted(found, key=lambda r: (order[(r.model.id, r.task.name)], r.task.limit or 0, r.key))


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not-installed"


def config_hash(config: Config) -> str:
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:16]


def _effective_limit(configured: int | None, requested: int | None) -> int | None:
    if requested is None:
        return configured
    return requested if configured is None else min(configured, requested)


def select_models(config: Config, only: tuple[str, ...]) -> list[ModelSpec]:
    known = {m.id for m in config.models}
    unknown = [m for m in only if m not in known]
    if unknown:
        raise GaptrackError(
            f"--only {unknown[0]!r} is not a model of config {config.name!r}; "
            + did_you_mean(unknown[0], known)
        )
    return [m for m in config.models if not only or m.id in only]


def make_plan(config: Config, request: EvalRequest) -> Plan:
    from gaptrack.paths import tasks_cache
    from gaptrack.tasks import resolve_tasks
    from gaptrack.weights import model_fingerprint

    suite = config.suite
    wanted = set(request.tasks)
    unknown = wanted - {t.name for t in suite.tasks}
    if unknown:
        first = sorted(unknown)[0]
        raise GaptrackError(
            f"--tasks {first!r} is not in the suite of config {config.name!r}; "
            + did_you_mean(first, [t.name for t in suite.tasks])
        )
    tasks = [t for t in suite.tasks if not wanted or t.name in wanted]
    models = select_models(config, request.only)
    if request.backend not in (None, "hf", "vllm"):
        raise GaptrackError(f"--backend {request.backend!r}: use hf or vllm")
    if request.backend is not None:  # a per-run backend: in every key, record and job
        models = [m.model_copy(update={"backend": request.backend}) for m in models]

    # the executor has checked the device is present where the jobs run (eval does so first)
    device = pick_device(request.device, check_present=False)
    from gaptrack.config.validate import task_error
    from gaptrack.tasks import UnknownTaskError

    try:
        resolution = resolve_tasks(
            [t.name for t in tasks],
            list(suite.task_paths),
            suite.data,
            tasks_cache(),
            num_fewshot={t.name: suite.fewshot_for(t) for t in tasks},
        )
    except UnknownTaskError as exc:  # named with the config file and the suite's entry
        raise task_error(config, exc) from None
    store = Store(request.results_dir or config.results_dir)
    lm_eval_version = package_version("lm_eval")
    transformers_version = package_version("transformers")

    entries = []
    for model in models:
        fingerprint = model_fingerprint(model.source)
        for task in tasks:
            limit = _effective_limit(suite.limit_for(task), request.limit)
            key = CacheKey(
                model_fingerprint=fingerprint,
                dtype=pick_dtype(model.dtype, device),
                backend=model.backend,
                task=task.name,
                task_fingerprint=resolution.tasks[task.name].fingerprint,
                num_fewshot=suite.fewshot_for(task),
                limit=limit,
                lm_eval_version=lm_eval_version,
                transformers_version=transformers_version,
                generation=suite.generation_for(model).key(),
            )
            cached = not request.force and store.has(key.digest())
            entries.append(PlannedTask(model, task.name, key.num_fewshot, limit, key, cached))
    return Plan(
        config=config,
        device=device,
        store=store,
        entries=entries,
        tasks_resolution=resolution,
        force=request.force,
    )


def check_stored(plan: Plan) -> None:
    """Mark each stored entry whose record fails its check (`PlannedTask.bad`): `eval` and
    `plan` count it as bad, not stored. Reads the plan's records (`eval` reads them for
    its table anyway, from this process's memory after this)."""
    for entry in plan.entries:
        if entry.cached:
            entry.bad = plan.store.problem(entry.key.digest())


def blocked_tasks(plan: Plan, probe: bool = True) -> dict[str, str]:
    """Pending tasks whose data must come from the hub when the hub cannot serve it, with why:
    known before any model loads. ``probe`` may open one connection to the hub's endpoint."""
    from gaptrack.tasks.hub import hub_unavailable

    pending = {e.task for e in plan.entries if not e.cached}
    needs_hub = [task for task in plan.hub_tasks() if task in pending]
    why = hub_unavailable(probe) if needs_hub else None
    if why is None:
        return {}
    from gaptrack.run.preflight import hub_reason

    tasks = plan.tasks_resolution.tasks
    return {task: hub_reason(task, tasks[task].not_local, why) for task in needs_hub}
