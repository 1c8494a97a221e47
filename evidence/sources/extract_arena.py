"""Rebuild evidence/arena_history.csv and evidence/arena_catalog.csv, and their excerpt files,
from local git copies of the two source repositories (a maintenance script, not used by
gaptrack at run time; the tests check the shipped rows against the committed excerpts).

    python evidence/sources/extract_arena.py CHATBOT_ARENA_HISTORY_GIT ARENA_CATALOG_GIT
    python evidence/sources/extract_arena.py --style-control ARENA_CATALOG_GIT

The second form rebuilds only evidence/arena_catalog_style_control.csv (LMArena's
style-controlled board, `data/leaderboard-text-style-control.json`, benchmark
`chatbot_arena_style_control`) and its excerpt.

Subset shipped (why: enough to draw both frontiers without shipping the whole board):
at every snapshot, the three (history file: two) best-rated models of US and of CN origin, plus the
best open-weight model of each origin where it is not already among them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

from gaptrack.compare.evidence.csvio import CSV_COLUMNS

HERE = Path(__file__).resolve().parent
EVIDENCE = HERE.parent
HISTORY_REPO = "jasontrigg0/chatbot-arena-history"
CATALOG_REPO = "lmarena/arena-catalog"
CATALOG_PATH = "data/leaderboard-text.json"
STYLE_PATH = "data/leaderboard-text-style-control.json"
COLUMNS = CSV_COLUMNS  # the reader's own column order, so the files stay loadable


EXTRA = {
    # the models of January 2024 on the recomputed scale of the last file, so that the AI
    # Index's January 2024 comparison can be tried with named models (see evidence/README.md)
    "20250326": (
        "gpt-4-1106-preview",
        "gpt-4-0125-preview",
        "bard-jan-24-gemini-pro",
        "yi-34b-chat",
        "qwen1.5-72b-chat",
    ),
}


def git(repo: str, *args: str) -> bytes:
    return subprocess.check_output(["git", "-C", repo, *args])


def slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9.]+", "-", text.lower())).strip("-.")


def load_origins() -> tuple[dict[str, str], list[tuple[re.Pattern, str, str, str]]]:
    """Organisation -> country for the history file; name pattern -> (organisation,
    country, open weights) for the catalog, which has no organisation field."""
    orgs = {}
    with open(HERE / "arena" / "organisation_origin.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            orgs[row["organisation"]] = row["origin"]
    patterns = []
    with open(HERE / "arena" / "model_origin.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            patterns.append(
                (
                    re.compile(row["pattern"]),
                    row["organisation"],
                    row["origin"],
                    row["open_weights"],
                )
            )
    return orgs, patterns


def pick(cands: list[dict], n: int = 3) -> list[dict]:
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


def history_rows(repo: str, orgs: dict[str, str]) -> tuple[list[dict], list[str], str, str]:
    commit = git(repo, "rev-parse", "HEAD").decode().strip()
    raw = git(repo, "show", f"{commit}:alltime.csv")
    digest = hashlib.sha256(raw).hexdigest()
    lines = raw.decode("utf-8").splitlines()
    header, body = lines[0], lines[1:]
    parsed, seen = [], set()
    for line in body:
        if line in seen:  # the file repeats some lines verbatim (e.g. yi-34b-chat)
            continue
        seen.add(line)
        row = next(csv.DictReader(io.StringIO(header + "\n" + line)))
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
                "rating": float(row["rating"]),
                "date": row["date"],
                "open_weights": "" if not lic else ("false" if lic == "Proprietary" else "true"),
            }
        )
    out, used = [], []
    for date in sorted({p["date"] for p in parsed}):
        today = [p for p in parsed if p["date"] == date]
        chosen = pick(today, n=2)
        chosen += [p for p in today if p["key"] in EXTRA.get(date, ()) and p not in chosen]
        for c in chosen:
            iso = f"{date[:4]}-{date[4:6]}-{date[6:]}"
            used.append(c["line"])
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
                    "locator": f"{HISTORY_REPO}:alltime.csv@{commit}",
                    "reporter": "third_party",
                    "measured_by": "LMSYS / LMArena",
                    "source_digest": digest,
                    "note": "scale: see evidence/README.md",
                }
            )
    return out, [header] + used, commit, digest


def catalog_rows(
    repo: str,
    patterns,
    path: str = CATALOG_PATH,
    benchmark: str = "chatbot_arena",
    prefix: str = "lmarena",
) -> tuple[list[dict], dict]:
    log = git(repo, "log", "--format=%H %aI", "--", path).decode().split("\n")
    out, excerpt = [], {}
    style = benchmark.endswith("style_control")
    for entry in reversed([e for e in log if e.strip()]):
        commit, when = entry.split()
        raw = git(repo, "show", f"{commit}:{path}")
        digest = hashlib.sha256(raw).hexdigest()
        full = json.loads(raw)["full"]
        cands = []
        for key, vals in full.items():
            for pat, org, origin, open_w in patterns:
                if pat.search(key):
                    if origin in ("US", "CN"):
                        cands.append(
                            {
                                "key": key,
                                "org": org,
                                "origin": origin,
                                "open_weights": open_w,
                                "rating": vals["rating"],
                                "vals": vals,
                            }
                        )
                    break
        date = when[:10]
        kept = pick(cands)
        excerpt[commit] = {
            "date": date,
            "sha256": digest,
            "full": {c["key"]: c["vals"] for c in kept},
        }
        for c in kept:
            v = c["vals"]
            out.append(
                {
                    "id": f"{prefix}.{date}.{slug(c['key'])}",
                    "quantity": "score",
                    "model": c["key"],
                    "organisation": c["org"],
                    "origin": c["origin"],
                    "open_weights": c["open_weights"],
                    "benchmark": benchmark,
                    "metric": "rating (text, overall, style control)"
                    if style
                    else "rating (text, overall)",
                    "value": repr(v["rating"]),
                    "ci_low": repr(v["rating_q025"]),
                    "ci_high": repr(v["rating_q975"]),
                    "snapshot": date,
                    "published": date,
                    "source": f"https://github.com/{CATALOG_REPO} ({path}, LMArena's own export)",
                    "source_kind": "primary",
                    "status": "verified",
                    "excerpt": f'"{c["key"]}": {{"rating": {v["rating"]!r}',
                    "locator": f"{CATALOG_REPO}:{path}@{commit}",
                    "reporter": "third_party",
                    "measured_by": "LMArena",
                    "source_digest": digest,
                    "note": "ci_low/ci_high: the file's 2.5 % and 97.5 % bootstrap quantiles; organisation and origin from evidence/sources/arena/model_origin.csv",
                }
            )
    return out, excerpt


def write_rows(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})


def main(history_repo: str, catalog_repo: str) -> None:
    orgs, patterns = load_origins()
    rows, lines, commit, digest = history_rows(history_repo, orgs)
    write_rows(EVIDENCE / "arena_history.csv", rows)
    (HERE / "arena" / "alltime_excerpt.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (HERE / "arena" / "alltime_source.json").write_text(
        json.dumps(
            {"repo": HISTORY_REPO, "path": "alltime.csv", "commit": commit, "sha256": digest},
            indent=1,
        )
        + "\n"
    )
    crows, excerpt = catalog_rows(catalog_repo, patterns)
    write_rows(EVIDENCE / "arena_catalog.csv", crows)
    (HERE / "arena" / "leaderboard_text_excerpt.json").write_text(
        json.dumps(excerpt, indent=1, sort_keys=True) + "\n"
    )
    print(len(rows), "history rows,", len(crows), "catalog rows")


def main_style_control(catalog_repo: str) -> None:
    _, patterns = load_origins()
    rows, excerpt = catalog_rows(
        catalog_repo, patterns, STYLE_PATH, "chatbot_arena_style_control", "lmarena-sc"
    )
    write_rows(EVIDENCE / "arena_catalog_style_control.csv", rows)
    (HERE / "arena" / "leaderboard_text_style_control_excerpt.json").write_text(
        json.dumps(excerpt, indent=1, sort_keys=True) + "\n"
    )
    print(len(rows), "style-controlled catalog rows")


if __name__ == "__main__":
    if sys.argv[1] == "--style-control":
        main_style_control(sys.argv[2])
    else:
        main(*sys.argv[1:3])
