"""The store is plain data and one object that owns its state: its modules import each
other in one direction only (records and summaries never read themselves through the
Store), import nothing above them, and keep no module-level state that a function changes
(two Stores in one process share nothing)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import gaptrack.store

STORE = Path(gaptrack.store.__file__).parent
ABOVE = ("compare", "publish", "run", "cli", "api", "update", "weights", "tasks")
MUTATORS = {"add", "append", "clear", "discard", "extend", "insert", "pop", "popitem"}
MUTATORS |= {"remove", "setdefault", "update"}


def _modules() -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text()) for path in sorted(STORE.glob("*.py"))}


def _imports(tree: ast.Module) -> set[str]:
    """Every gaptrack module a module imports, at its top or inside a function."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            if node.module == "gaptrack.store":  # `from gaptrack.store import cache`
                out |= {f"gaptrack.store.{alias.name}" for alias in node.names}
    return {name for name in out if name.startswith("gaptrack")}


def test_store_modules_import_in_one_direction_only() -> None:
    graph = {}
    for name, tree in _modules().items():
        if name == "__init__":  # the package's face re-exports what lies below it
            continue
        inside = {m.removeprefix("gaptrack.store.") for m in _imports(tree)}
        graph[name] = {m for m in inside if m in _modules() and m != "__init__"}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import circle in gaptrack/store: {exc.args[1]}") from None
    assert order.index("records") < order.index("store")  # records never read themselves
    assert not graph["records"] and graph["summary"] == {"records"}


def test_store_imports_nothing_above_it() -> None:
    for name, tree in _modules().items():
        up = [m for m in _imports(tree) if m.split(".")[1] in ABOVE]
        assert not up, f"gaptrack/store/{name}.py imports {up}"


def _mutated_globals(tree: ast.Module) -> list[str]:
    names = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                found += [f"global {n}" for n in node.names]
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else []
            targets = [node.target] if isinstance(node, ast.AugAssign) else targets
            found += [
                f"{t.value.id}[...]"
                for t in targets
                if isinstance(t, ast.Subscript)
                and isinstance(t.value, ast.Name)
                and t.value.id in names
            ]
            call = node.func if isinstance(node, ast.Call) else None
            if (
                isinstance(call, ast.Attribute)
                and call.attr in MUTATORS
                and isinstance(call.value, ast.Name)
                and call.value.id in names
            ):
                found.append(f"{call.value.id}.{call.attr}()")
    return found


def test_no_module_level_state_in_the_store() -> None:
    for name, tree in _modules().items():
        assert not _mutated_globals(tree), f"gaptrack/store/{name}.py: {_mutated_globals(tree)}"


def test_the_state_checker_finds_a_module_cache() -> None:
    tree = ast.parse(
        "_seen = set()\ndef warn(x):\n    _seen.add(x)\n_c = {}\ndef f(k):\n    _c[k] = 1\n"
    )
    assert _mutated_globals(tree) == ["_seen.add()", "_c[...]"]
