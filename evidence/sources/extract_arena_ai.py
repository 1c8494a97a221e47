"""Build evidence/arena_ai.csv and evidence/arena_ai_style_control.csv, and their excerpt
file, from a local git copy of SmallAi-API/LLM-Ranking (a daily scrape of arena.ai's
leaderboard pages, committed in LMArena's arena-catalog layout; LMArena's own export stopped
in December 2025). A maintenance script, not used at run time; the tests check the shipped
rows against the committed excerpt.

    python evidence/sources/extract_arena_ai.py LLM_RANKING_GIT

Subset shipped: one snapshot per month (the month's last commit of each file), and from it
the rows gaptrack update makes from a fetched copy (gaptrack.update.convert.catalog_rows:
the three best US and Chinese models plus the best open-weight model of each origin),
dated by the commit (UTC day).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys

from gitcopy import EVIDENCE, HERE, git

from gaptrack.update.convert import (
    ARENA_AI_REPO,
    ARENA_AI_STYLE_CONTROL,
    ARENA_AI_TEXT,
    catalog_rows,
    rows_csv,
)

FILES = {"arena_ai.csv": ARENA_AI_TEXT, "arena_ai_style_control.csv": ARENA_AI_STYLE_CONTROL}
EXCERPT = HERE / "arena" / "arena_ai_excerpt.json"


def monthly_commits(repo: str, path: str) -> list[tuple[str, str]]:
    """(commit, UTC day) of the last commit of each month that changed `path`."""
    log = git(repo, "log", "--format=%H %aI", "--", path).decode().split("\n")
    last: dict[str, tuple[str, str]] = {}
    for entry in reversed([e for e in log if e.strip()]):
        commit, when = entry.split()
        day = dt.datetime.fromisoformat(when).astimezone(dt.timezone.utc).date().isoformat()
        last[day[:7]] = (commit, day)
    return [last[m] for m in sorted(last)]


def main(repo: str) -> None:
    excerpt: dict[str, dict] = {}
    for name, board in FILES.items():
        rows = []
        for commit, day in monthly_commits(repo, board.path):
            raw = git(repo, "show", f"{commit}:{board.path}")
            digest = hashlib.sha256(raw).hexdigest()
            locator = f"{ARENA_AI_REPO}:{board.path}@{commit}"
            made = catalog_rows(
                raw,
                day,
                digest,
                "",
                board,
                locator,
                "extracted by evidence/sources/extract_arena_ai.py",
            )
            full = json.loads(raw)["full"]
            excerpt[f"{board.path}@{commit}"] = {
                "file": name,
                "date": day,
                "sha256": digest,
                "full": {r["model"]: full[r["model"]] for r in made},
            }
            rows += made
        (EVIDENCE / name).write_bytes(rows_csv(rows))
        print(name, len(rows), "rows")
    # in file and date order, each board as the file lists it: ties in rating (whole
    # points) keep the order pick() saw
    EXCERPT.write_text(json.dumps(excerpt, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
