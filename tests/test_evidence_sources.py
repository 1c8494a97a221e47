"""The shipped evidence files equal the source data they were taken from.

Each data-derived evidence file keeps a small excerpt of its source next to it
(evidence/sources/): the exact source lines or records the rows came from, with the sha256
of the whole source file at its commit. These tests read only those committed files."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

EVIDENCE = Path(__file__).resolve().parent.parent / "evidence"
SOURCES = EVIDENCE / "sources"


def _rows(name: str) -> list[dict[str, str]]:
    with open(EVIDENCE / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_arena_history_rows_equal_source_lines():
    meta = json.loads((SOURCES / "arena" / "alltime_source.json").read_text())
    lines = (SOURCES / "arena" / "alltime_excerpt.csv").read_text(encoding="utf-8").splitlines()
    header, body = lines[0], set(lines[1:])
    rows = _rows("arena_history.csv")
    assert rows and len(rows) == len(body)
    for row in rows:
        assert row["excerpt"] in body, row["id"]
        src = next(csv.DictReader(io.StringIO(header + "\n" + row["excerpt"])))
        assert float(row["value"]) == float(src["rating"])
        assert row["model"] == (src["Model"] or src["key"])
        assert row["organisation"] == src["Organization"]
        assert row["snapshot"].replace("-", "") == src["date"]
        assert row["source_digest"] == meta["sha256"]
        assert row["locator"] == f"{meta['repo']}:{meta['path']}@{meta['commit']}"
        assert row["status"] == "verified"


@pytest.mark.parametrize(
    ("csv_name", "excerpt_name"),
    [
        ("arena_catalog.csv", "leaderboard_text_excerpt.json"),
        ("arena_catalog_style_control.csv", "leaderboard_text_style_control_excerpt.json"),
    ],
)
def test_arena_catalog_rows_equal_source_records(csv_name, excerpt_name):
    excerpt = json.loads((SOURCES / "arena" / excerpt_name).read_text())
    rows = _rows(csv_name)
    assert rows
    for row in rows:
        commit = row["locator"].rsplit("@", 1)[1]
        snap = excerpt[commit]
        record = snap["full"][row["model"]]
        assert float(row["value"]) == record["rating"]
        assert float(row["ci_low"]) == record["rating_q025"]
        assert float(row["ci_high"]) == record["rating_q975"]
        assert row["snapshot"] == snap["date"]
        assert row["source_digest"] == snap["sha256"]
    assert sum(len(s["full"]) for s in excerpt.values()) == len(rows)


def test_llmstats_rows_equal_source_records():
    excerpt = json.loads((SOURCES / "llmstats" / "excerpt.json").read_text())
    rows = _rows("llmstats.csv")
    assert rows
    for row in rows:
        repo_path, commit = row["locator"].split(":", 1)[1].rsplit("@", 1)
        assert commit == excerpt["commit"]
        record = excerpt["files"][repo_path]
        assert row["source_digest"] == record["sha256"]
        assert row["model"] == record["name"]
        assert row["released"] == (record["release_date"] or "")
        scores = [
            m["score"]
            for m in record["metrics"]
            if m.get("analysis_method", "") == row["metric"]
            or (m.get("analysis_method") is None and row["metric"] == "")
        ]
        assert any(float(row["value"]) == pytest.approx(100 * s, abs=1e-9) for s in scores), row[
            "id"
        ]
        assert row["reporter"] == "developer"
    n_metrics = sum(len(f["metrics"]) for f in excerpt["files"].values())
    assert n_metrics == len(rows)


def test_reported_rows_are_statused_and_sourced():
    rows = _rows("reported.csv")
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows)
    for row in rows:
        assert row["status"] in ("verified", "secondary", "unverified"), row["id"]
        assert "check against the source" not in row["note"], row["id"]
        assert "as known to gaptrack" not in row["note"], row["id"]
        if row["status"] == "verified":
            assert row["locator"], row["id"]
        for ref in filter(None, row["derived_from"].split(";")):
            assert ref in ids, (row["id"], ref)


def test_every_shipped_origin_has_a_mapping():
    with open(SOURCES / "arena" / "organisation_origin.csv", encoding="utf-8") as f:
        orgs = {r["organisation"]: r["origin"] for r in csv.DictReader(f)}
    for row in _rows("arena_history.csv"):
        assert orgs[row["organisation"]] == row["origin"]


def _top(rows: list[dict[str, str]], snapshot: str, origin: str) -> dict[str, str]:
    mine = [r for r in rows if r["snapshot"] == snapshot and r["origin"] == origin]
    return max(mine, key=lambda r: float(r["value"]))


def test_ai_index_february_2025_gap_reproduced_from_named_models():
    # AI Index 2025: a 1.70 % gap (23 Elo points) between the top US and top Chinese model in
    # February 2025. The leaderboard of 2025-02-14 names them, Gemini-2.0-Flash-Thinking-
    # Exp-01-21 (Google) and DeepSeek-R1, and gives exactly that gap; the summary's "1362"
    # for DeepSeek is 1361.45 here (see evidence/README.md).
    rows = _rows("arena_history.csv")
    us, cn = _top(rows, "2025-02-14", "US"), _top(rows, "2025-02-14", "CN")
    assert us["model"] == "Gemini-2.0-Flash-Thinking-Exp-01-21" and cn["model"] == "DeepSeek-R1"
    u, c = float(us["value"]), float(cn["value"])
    assert round(u) == 1385 and round(u - c) == 23
    assert round(100 * (u - c) / c, 2) == 1.70


def test_developer_report_rows_equal_their_table_rows():
    excerpt = json.loads((SOURCES / "developer_reports" / "readme_excerpts.json").read_text())
    rows = _rows("developer_reports.csv")
    assert rows
    for row in rows:
        repo, rest = row["locator"].split(":", 1)
        record = excerpt[repo]
        assert rest.startswith(f"{record['path']}@{record['commit']}")
        assert row["source_digest"] == record["sha256"]
        assert row["excerpt"] in record["rows"], row["id"]
        cells = re.findall(r"\d+\.\d+", row["excerpt"])
        assert row["value"] in cells, row["id"]


def test_llmstats_corrections_applied():
    """gaptrack's corrections of LLMStats rows (a MATH-500 figure stored as MATH, a
    sampling the file misnames) are listed with their evidence and applied to the shipped
    file; the file's own metric text is kept."""
    fixes = json.loads((SOURCES / "llmstats" / "corrections.json").read_text())["rows"]
    rows = {r["id"]: r for r in _rows("llmstats.csv")}
    assert fixes
    for old_id, fix in fixes.items():
        row = rows[fix.get("id", old_id)]
        assert row["note"].endswith(fix["note"]), old_id
        assert row["benchmark"] == fix.get("benchmark", row["benchmark"])
