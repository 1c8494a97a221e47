"""Arrows point down: the analysis (compare/) imports nothing from the writers (publish/),
the CLI or the API above it; its inputs (compare/evidence/) nothing from the analysis that
reads them (the index, the verdicts, the gap engine); the runner (run/) nothing from the
analysis or the layers above it. Every import counts, those inside functions too (ast,
not a run)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "gaptrack"

ABOVE_COMPARE = ("gaptrack.publish", "gaptrack.cli", "gaptrack.api")
FORBIDDEN = {
    "compare": ABOVE_COMPARE,
    "compare/evidence": (
        *ABOVE_COMPARE,
        "gaptrack.compare.index",
        "gaptrack.compare.verdicts",
        "gaptrack.compare.gaps",
        "gaptrack.compare.check",
        "gaptrack.compare.publication",
    ),
    "run": ("gaptrack.compare", "gaptrack.publish", "gaptrack.cli", "gaptrack.api"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "gaptrack":  # `from gaptrack import api`
                found += [(node.lineno, f"gaptrack.{a.name}") for a in node.names]
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_upward_import(layer):
    upward = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for line, name in _imports(path)
        if any(name == top or name.startswith(top + ".") for top in FORBIDDEN[layer])
    ]
    assert not upward, "\n".join(upward)
