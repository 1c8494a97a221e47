"""The public sources `gaptrack update` fetches: one table, one row per source, saying
where it is, under which licence, how it is read and which shipped file it replaces.

URLs can be moved (tests point them at 127.0.0.1; a mirror can stand in for a site) with a
sources file: `--sources FILE` or `$GAPTRACK_SOURCES`, YAML of the form
`sources: [{name: lmarena-text, url: http://...}, ...]`. An entry with a known name changes
only the fields it gives; a new name adds a source (then kind, replaces and licence are
required)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from gaptrack.base import Frozen
from gaptrack.errors import ConfigError

Kind = Literal[
    "epoch-zip",
    "lmarena-json",
    "lmarena-json-style-control",
    "arena-ai-json",
    "arena-ai-json-style-control",
    "arena-alltime",
    "reported-csv",
]
"""How a fetched file is checked and turned into the file(s) it replaces:
`epoch-zip`: Epoch AI's Benchmarking Hub download, a zip of one CSV per benchmark, each
member replacing the shipped file of that name under evidence/epoch/april2026/;
`lmarena-json`: LMArena's `leaderboard-text.json`, one snapshot, added (as evidence rows of
the date of the copy) to evidence/arena_catalog.csv; `lmarena-json-style-control`: its
style-controlled board, added to evidence/arena_catalog_style_control.csv;
`arena-ai-json`/`arena-ai-json-style-control`: the same layout from a scrape of arena.ai's
pages (SmallAi-API/LLM-Ranking), added to evidence/arena_ai.csv and
arena_ai_style_control.csv; `arena-alltime`: the Arena history
file `alltime.csv` (every leaderboard date), replacing evidence/arena_history.csv;
`reported-csv`: a file in gaptrack's reported-evidence layout replacing the evidence CSV
of that name."""


class Source(Frozen):
    name: str
    """Short id (`epoch-benchmarks`): names the source in messages, manifest and changes."""
    url: str
    kind: Kind
    replaces: str
    """The shipped file(s) it stands in for, relative to evidence/ (`arena_catalog.csv`,
    `epoch/april2026/` for every Epoch file the zip holds)."""
    licence: str
    attribution: str = ""


SOURCES: tuple[Source, ...] = (
    Source(
        name="epoch-benchmarks",
        url="https://epoch.ai/data/benchmark_data.zip",
        kind="epoch-zip",
        replaces="epoch/april2026/",
        licence="CC-BY-4.0",  # Epoch's runs; *_external files keep their sources' terms
        attribution="Epoch AI, 'AI Benchmarking Hub', epoch.ai/benchmarks",
    ),
    Source(
        name="lmarena-text",
        url="https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/leaderboard-text.json",
        kind="lmarena-json",
        replaces="arena_catalog.csv",
        licence="none stated (LMArena's own export; attributed)",
        attribution="LMArena, github.com/lmarena/arena-catalog",
    ),
    Source(
        name="lmarena-text-style-control",
        url="https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/leaderboard-text-style-control.json",
        kind="lmarena-json-style-control",
        replaces="arena_catalog_style_control.csv",
        licence="none stated (LMArena's own export; attributed)",
        attribution="LMArena, github.com/lmarena/arena-catalog",
    ),
    Source(
        name="arena-ai-text",
        url="https://raw.githubusercontent.com/SmallAi-API/LLM-Ranking/main/data/leaderboard-text.json",
        kind="arena-ai-json",
        replaces="arena_ai.csv",
        licence="none stated (a third party's scrape of arena.ai; attributed)",
        attribution="SmallAi-API/LLM-Ranking, from arena.ai's leaderboard pages",
    ),
    Source(
        name="arena-ai-style-control",
        url="https://raw.githubusercontent.com/SmallAi-API/LLM-Ranking/main/data/leaderboard-text-style-control.json",
        kind="arena-ai-json-style-control",
        replaces="arena_ai_style_control.csv",
        licence="none stated (a third party's scrape of arena.ai; attributed)",
        attribution="SmallAi-API/LLM-Ranking, from arena.ai's leaderboard pages",
    ),
    Source(
        name="arena-history",
        url="https://raw.githubusercontent.com/jasontrigg0/chatbot-arena-history/main/alltime.csv",
        kind="arena-alltime",
        replaces="arena_history.csv",
        licence="none stated (third-party extraction of LMArena's files; attributed)",
        attribution="jasontrigg0/chatbot-arena-history",
    ),
)
"""The default table. Not fetched: reported.csv and developer_reports.csv (figures checked
by hand against papers and READMEs) and llmstats.csv (a repository of one JSON per model,
no single published file): see evidence/README.md."""


def _override_file(explicit: str | Path | None) -> Path | None:
    if explicit:
        return Path(explicit)
    env = os.environ.get("GAPTRACK_SOURCES")
    return Path(env) if env else None


def load_sources(path: str | Path | None = None) -> list[Source]:
    """The default table with the sources file's changes (`path`, else $GAPTRACK_SOURCES)."""
    table = {s.name: s for s in SOURCES}
    file = _override_file(path)
    if file is None:
        return list(table.values())
    from gaptrack.config.loader import read_yaml  # gaptrack's one strict YAML reading

    data = read_yaml(file, "sources file")
    entries = data.get("sources")
    if not isinstance(entries, list):
        raise ConfigError("needs a list under `sources:`", file=file, field="sources")
    for i, entry in enumerate(entries):
        where = f"sources[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigError("each source needs a name", file=file, field=where)
        known = table.get(entry["name"])
        merged = {**(known.model_dump() if known else {}), **entry}
        try:
            table[entry["name"]] = Source.model_validate(merged)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "entry"
            raise ConfigError(first["msg"], file=file, field=f"{where}.{field}") from None
    return list(table.values())
