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
best open-weight model of each origin where it is not already among them. The rows are made
by gaptrack.update.convert (catalog_rows, history_rows), the reader `gaptrack update` uses
on a fetched copy; this script walks the files' git history.
"""

from __future__ import annotations

import hashlib
import json
import sys

from gitcopy import EVIDENCE, HERE, git

from gaptrack.update.convert import (
    CATALOG_REPO,
    HISTORY_REPO,
    STYLE_CONTROL,
    TEXT,
    Board,
    catalog_rows,
    history_rows,
    rows_csv,
)


def history(repo: str) -> None:
    commit = git(repo, "rev-parse", "HEAD").decode().strip()
    raw = git(repo, "show", f"{commit}:alltime.csv")
    digest = hashlib.sha256(raw).hexdigest()
    rows = history_rows(raw, digest, "", f"{HISTORY_REPO}:alltime.csv@{commit}")
    (EVIDENCE / "arena_history.csv").write_bytes(rows_csv(rows))
    header = raw.decode("utf-8").splitlines()[0]
    lines = [header] + [r["excerpt"] for r in rows]
    (HERE / "arena" / "alltime_excerpt.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (HERE / "arena" / "alltime_source.json").write_text(
        json.dumps(
            {"repo": HISTORY_REPO, "path": "alltime.csv", "commit": commit, "sha256": digest},
            indent=1,
        )
        + "\n"
    )
    print(len(rows), "history rows")


def catalog(repo: str, board: Board, csv_name: str, excerpt_name: str) -> None:
    """Every commit of the board's file, oldest first, dated by its author date."""
    log = git(repo, "log", "--format=%H %aI", "--", board.path).decode().split("\n")
    rows, excerpt = [], {}
    for entry in reversed([e for e in log if e.strip()]):
        commit, when = entry.split()
        raw = git(repo, "show", f"{commit}:{board.path}")
        digest = hashlib.sha256(raw).hexdigest()
        date = when[:10]
        locator = f"{CATALOG_REPO}:{board.path}@{commit}"
        made = catalog_rows(raw, date, digest, "", board, locator, "")
        full = json.loads(raw)["full"]
        excerpt[commit] = {
            "date": date,
            "sha256": digest,
            "full": {r["model"]: full[r["model"]] for r in made},
        }
        rows += made
    (EVIDENCE / csv_name).write_bytes(rows_csv(rows))
    (HERE / "arena" / excerpt_name).write_text(json.dumps(excerpt, indent=1, sort_keys=True) + "\n")
    print(len(rows), csv_name, "rows")


def main(history_repo: str, catalog_repo: str) -> None:
    history(history_repo)
    catalog(catalog_repo, TEXT, "arena_catalog.csv", "leaderboard_text_excerpt.json")


def main_style_control(catalog_repo: str) -> None:
    catalog(
        catalog_repo,
        STYLE_CONTROL,
        "arena_catalog_style_control.csv",
        "leaderboard_text_style_control_excerpt.json",
    )


if __name__ == "__main__":
    if sys.argv[1] == "--style-control":
        main_style_control(sys.argv[2])
    else:
        main(*sys.argv[1:3])
