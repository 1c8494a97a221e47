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
    "llmstats-zip",
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
`llmstats-zip`: a zip of the LLMStats repository (one model.json per model), read by
gaptrack.update.llmstats into evidence/llmstats.csv (replaced whole);
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


_LMARENA = (
    "none stated (LMArena's own export; attributed)",
    "LMArena, github.com/lmarena/arena-catalog",
)
_SCRAPE = (
    "none stated (a third party's scrape of arena.ai; attributed)",
    "SmallAi-API/LLM-Ranking, from arena.ai's leaderboard pages",
)
_RAW = "https://raw.githubusercontent.com"
_TABLE: tuple[tuple[str, str, Kind, str, tuple[str, str]], ...] = (
    # name, URL, kind, replaces, (licence, attribution)
    (
        "epoch-benchmarks",
        "https://epoch.ai/data/benchmark_data.zip",
        "epoch-zip",
        "epoch/april2026/",
        # Epoch's runs; the *_external files keep their sources' terms
        ("CC-BY-4.0", "Epoch AI, 'AI Benchmarking Hub', epoch.ai/benchmarks"),
    ),
    (
        "lmarena-text",
        f"{_RAW}/lmarena/arena-catalog/main/data/leaderboard-text.json",
        "lmarena-json",
        "arena_catalog.csv",
        _LMARENA,
    ),
    (
        "lmarena-text-style-control",
        f"{_RAW}/lmarena/arena-catalog/main/data/leaderboard-text-style-control.json",
        "lmarena-json-style-control",
        "arena_catalog_style_control.csv",
        _LMARENA,
    ),
    (
        "arena-ai-text",
        f"{_RAW}/SmallAi-API/LLM-Ranking/main/data/leaderboard-text.json",
        "arena-ai-json",
        "arena_ai.csv",
        _SCRAPE,
    ),
    (
        "arena-ai-style-control",
        f"{_RAW}/SmallAi-API/LLM-Ranking/main/data/leaderboard-text-style-control.json",
        "arena-ai-json-style-control",
        "arena_ai_style_control.csv",
        _SCRAPE,
    ),
    (
        "arena-history",
        f"{_RAW}/jasontrigg0/chatbot-arena-history/main/alltime.csv",
        "arena-alltime",
        "arena_history.csv",
        (
            "none stated (third-party extraction of LMArena's files; attributed)",
            "jasontrigg0/chatbot-arena-history",
        ),
    ),
    (
        "llmstats",
        # GitHub's zip of the branch: one file holding every model.json, its comment
        # naming the commit
        "https://codeload.github.com/JonathanChavezTamales/LLMStats/zip/refs/heads/main",
        "llmstats-zip",
        "llmstats.csv",
        ("CC-BY-4.0", "JonathanChavezTamales/LLMStats (LLM Stats)"),
    ),
)

SOURCES: tuple[Source, ...] = tuple(
    Source(name=name, url=url, kind=kind, replaces=replaces, licence=licence, attribution=credit)
    for name, url, kind, replaces, (licence, credit) in _TABLE
)
"""The default table. Not fetched: reported.csv and developer_reports.csv (figures checked
by hand against papers and READMEs): see evidence/README.md."""


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
