"""Arena files turned into the rows gaptrack ships (evidence/arena_catalog*.csv,
arena_ai*.csv and arena_history.csv): at each leaderboard date the best models of each
origin plus the best open-weight one, the origin from the shipped tables in
evidence/sources/arena/. The one reader of these files: `gaptrack update` calls it on a
downloaded file, the maintenance scripts evidence/sources/extract_arena.py and
extract_arena_ai.py on each version of the file in a git copy of its repository."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import NamedTuple

from gaptrack.compare.evidence.csvio import CSV_COLUMNS
from gaptrack.paths import shipped

CATALOG_REPO = "lmarena/arena-catalog"
CATALOG_PATH = "data/leaderboard-text.json"
HISTORY_REPO = "jasontrigg0/chatbot-arena-history"
HISTORY_COLUMNS = ("key", "Model", "rating", "License", "Organization", "date")

EXTRA = {
    # the models of January 2024 on the recomputed scale of the last file, so that the AI
    # Index's January 2024 comparison can be tried with named models (evidence/README.md)
    "20250326": (
        "gpt-4-1106-preview",
        "gpt-4-0125-preview",
        "bard-jan-24-gemini-pro",
        "yi-34b-chat",
        "qwen1.5-72b-chat",
    ),
}


class ConvertProblem(ValueError):
    """A fetched file that does not have the shape the rows are made from."""


def slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9.]+", "-", text.lower())).strip("-.")


def _origin_tables() -> tuple[dict[str, str], list[tuple[re.Pattern, str, str, str]]]:
    folder = shipped("evidence") / "sources" / "arena"
    with open(folder / "organisation_origin.csv", encoding="utf-8") as f:
        orgs = {row["organisation"]: row["origin"] for row in csv.DictReader(f)}
    with open(folder / "model_origin.csv", encoding="utf-8") as f:
        patterns = [
            (re.compile(r["pattern"]), r["organisation"], r["origin"], r["open_weights"])
            for r in csv.DictReader(f)
        ]
    return orgs, patterns


def pick(cands: list[dict], n: int) -> list[dict]:
    """Top n per origin plus the best open-weight model per origin."""
    chosen = []
    for origin in ("US", "CN"):
        mine = sorted((c for c in cands if c["origin"] == origin), key=lambda c: -c["rating"])
        top = mine[:n]
        open_best = next((c for c in mine if c["open_weights"] == "true"), None)
        if open_best is not None and open_best not in top:
            top.append(open_best)
        chosen += top
    return chosen


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConvertProblem(f"{where} is {value!r}, not a number")
    return float(value)


class Board(NamedTuple):
    """One exported Arena board, and how its rows are named and sourced."""

    path: str
    benchmark: str
    prefix: str
    metric: str
    source: str
    source_kind: str = "primary"
    interval: str = "the file's 2.5 % and 97.5 % bootstrap quantiles"


_CATALOG = f"https://github.com/{CATALOG_REPO}"
TEXT = Board(
    CATALOG_PATH,
    "chatbot_arena",
    "lmarena",
    "rating (text, overall)",
    f"{_CATALOG} ({CATALOG_PATH}, LMArena's own export)",
)
STYLE_CONTROL = Board(
    "data/leaderboard-text-style-control.json",
    "chatbot_arena_style_control",
    "lmarena-sc",
    "rating (text, overall, style control)",
    f"{_CATALOG} (data/leaderboard-text-style-control.json, LMArena's own export)",
)
ARENA_AI_REPO = "SmallAi-API/LLM-Ranking"
_SCRAPE = (
    f"https://github.com/{ARENA_AI_REPO} ({{}}, a daily scrape of arena.ai's leaderboard "
    "pages in arena-catalog's layout)"
)
_SCRAPE_INTERVAL = "the page's rating +/- its 95 % half-width, in whole points"
ARENA_AI_TEXT = Board(
    "data/leaderboard-text.json",
    "chatbot_arena",
    "arena-ai",
    "rating (text, overall, no style control; arena.ai page, whole points)",
    _SCRAPE.format("data/leaderboard-text.json"),
    "secondary",
    _SCRAPE_INTERVAL,
)
ARENA_AI_STYLE_CONTROL = Board(
    "data/leaderboard-text-style-control.json",
    "chatbot_arena_style_control",
    "arena-ai-sc",
    "rating (text, overall, style control; arena.ai page, whole points)",
    _SCRAPE.format("data/leaderboard-text-style-control.json"),
    "secondary",
    _SCRAPE_INTERVAL,
)
BOARDS = {
    "lmarena-json": TEXT,
    "lmarena-json-style-control": STYLE_CONTROL,
    "arena-ai-json": ARENA_AI_TEXT,
    "arena-ai-json-style-control": ARENA_AI_STYLE_CONTROL,
}
"""Source kind (gaptrack.update.sources) -> board."""


def catalog_rows(
    data: bytes,
    date: str,
    digest: str,
    url: str,
    board: Board = TEXT,
    locator: str | None = None,
    made_by: str = "fetched by gaptrack update",
) -> list[dict]:
    """Rows of one board snapshot (`leaderboard-text.json` layout) dated `date`.
    `locator`: where the figures are (default: the URL and day of the copy); `made_by`
    ends each row's note (empty: nothing added)."""
    try:
        parsed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConvertProblem(f"not JSON ({exc}; truncated download?)") from None
    full = parsed.get("full") if isinstance(parsed, dict) else None
    if not isinstance(full, dict) or not full:
        raise ConvertProblem("no `full` leaderboard (the file's layout changed?)")
    _, patterns = _origin_tables()
    cands = []
    for key, vals in full.items():
        if not isinstance(vals, dict):
            raise ConvertProblem(f"entry {key!r} is not an object")
        for field in ("rating", "rating_q025", "rating_q975"):
            if field not in vals:
                raise ConvertProblem(f"entry {key!r} has no {field!r} (the file's layout changed?)")
            _number(vals[field], f"{key!r} {field}")
        for pat, org, origin, open_w in patterns:
            if pat.search(key):
                if origin in ("US", "CN"):
                    cands.append(
                        {
                            "key": key,
                            "org": org,
                            "origin": origin,
                            "open_weights": open_w,
                            "rating": float(vals["rating"]),
                            "vals": vals,
                        }
                    )
                break
    out = []
    for c in pick(cands, 3):
        v = c["vals"]
        out.append(
            {
                "id": f"{board.prefix}.{date}.{slug(c['key'])}",
                "quantity": "score",
                "model": c["key"],
                "organisation": c["org"],
                "origin": c["origin"],
                "open_weights": c["open_weights"],
                "benchmark": board.benchmark,
                "metric": board.metric,
                "value": repr(float(v["rating"])),
                "ci_low": repr(float(v["rating_q025"])),
                "ci_high": repr(float(v["rating_q975"])),
                "snapshot": date,
                "published": date,
                "source": board.source,
                "source_kind": board.source_kind,
                "status": "verified",
                "excerpt": f'"{c["key"]}": {{"rating": {float(v["rating"])!r}',
                "locator": locator or f"{url} fetched {date}",
                "reporter": "third_party",
                "measured_by": "LMArena",
                "source_digest": digest,
                "note": f"ci_low/ci_high: {board.interval}; organisation and origin from "
                "evidence/sources/arena/model_origin.csv" + (f"; {made_by}" if made_by else ""),
            }
        )
    return out


def history_rows(data: bytes, digest: str, url: str, locator: str | None = None) -> list[dict]:
    """Rows of the whole Arena history file `alltime.csv` (each row's excerpt is its line
    of the file). `locator`: where the file is (default: the URL, fetched by update)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConvertProblem(f"not UTF-8 text (byte {exc.start})") from None
    lines = text.splitlines()
    if not lines:
        raise ConvertProblem("empty file")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    missing = [c for c in HISTORY_COLUMNS if c not in header]
    if missing:
        raise ConvertProblem(
            f"no column {missing[0]!r} (header: {','.join(header)}; the layout changed?)"
        )
    orgs, _ = _origin_tables()
    parsed, seen = [], set()
    for line_no, (line, cells) in enumerate(zip(lines[1:], reader, strict=False), start=2):
        if len(cells) != len(header):
            raise ConvertProblem(
                f"line {line_no} has {len(cells)} cells, the header {len(header)} "
                "(truncated download or a changed layout)"
            )
        if line in seen:  # the file repeats some lines verbatim (e.g. yi-34b-chat)
            continue
        seen.add(line)
        row = dict(zip(header, cells, strict=True))
        try:
            rating = float(row["rating"])
        except ValueError:
            raise ConvertProblem(
                f"line {line_no}: rating {row['rating']!r} is not a number"
            ) from None
        if not re.fullmatch(r"\d{8}", row["date"]):
            raise ConvertProblem(f"line {line_no}: date {row['date']!r} is not YYYYMMDD")
        origin = orgs.get(row["Organization"], "")
        if origin not in ("US", "CN"):
            continue
        lic = row["License"].strip()
        parsed.append(
            {
                "line": line,
                "key": row["key"],
                "model": row["Model"] or row["key"],
                "org": row["Organization"],
                "origin": origin,
                "rating": rating,
                "date": row["date"],
                "open_weights": "" if not lic else ("false" if lic == "Proprietary" else "true"),
            }
        )
    out = []
    for date in sorted({p["date"] for p in parsed}):
        today = [p for p in parsed if p["date"] == date]
        chosen = pick(today, 2)
        chosen += [p for p in today if p["key"] in EXTRA.get(date, ()) and p not in chosen]
        iso = f"{date[:4]}-{date[4:6]}-{date[6:]}"
        for c in chosen:
            out.append(
                {
                    "id": f"arena-history.{iso}.{slug(c['key'])}",
                    "quantity": "score",
                    "model": c["model"],
                    "organisation": c["org"],
                    "origin": c["origin"],
                    "open_weights": c["open_weights"],
                    "benchmark": "chatbot_arena",
                    "metric": "rating (text, overall; no interval in this file)",
                    "value": repr(c["rating"]),
                    "snapshot": iso,
                    "published": iso,
                    "source": f"https://github.com/{HISTORY_REPO}",
                    "source_kind": "secondary",
                    "status": "verified",
                    "excerpt": c["line"],
                    "locator": locator or f"{url} (alltime.csv, fetched by gaptrack update)",
                    "reporter": "third_party",
                    "measured_by": "LMSYS / LMArena",
                    "source_digest": digest,
                    "note": "scale: see evidence/README.md",
                }
            )
    return out


def rows_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in CSV_COLUMNS})
    return buffer.getvalue().encode("utf-8")
