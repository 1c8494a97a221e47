"""`gaptrack update` against a local HTTP server (tests/update_server.py) serving recorded
copies of each source in its real format; never the network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.update import active
from gaptrack.update.store import CopyStore
from tests import update_server as us

runner = CliRunner()

PATHS = {
    "epoch-benchmarks": "epoch/benchmark_data.zip",
    "lmarena-text": "lmarena/leaderboard-text.json",
    "lmarena-text-style-control": "lmarena/leaderboard-text-style-control.json",
    "arena-ai-text": "arena-ai/leaderboard-text.json",
    "arena-ai-style-control": "arena-ai/leaderboard-text-style-control.json",
    "arena-history": "arena/alltime.csv",
    "llmstats": "llmstats/LLMStats-main.zip",
}


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The server with the first copies of the three sources, and GAPTRACK_SOURCES
    pointing at it; stopped after the test."""
    for name in ("HF_HUB_OFFLINE", "GAPTRACK_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    srv = us.Server()
    srv.files[PATHS["epoch-benchmarks"]] = us.Served(us.epoch_zip())
    srv.files[PATHS["lmarena-text"]] = us.Served(us.leaderboard_json())
    srv.files[PATHS["lmarena-text-style-control"]] = us.Served(us.leaderboard_json(style=True))
    srv.files[PATHS["arena-ai-text"]] = us.Served(us.leaderboard_json())
    srv.files[PATHS["arena-ai-style-control"]] = us.Served(us.leaderboard_json(style=True))
    srv.files[PATHS["arena-history"]] = us.Served(us.alltime_csv())
    srv.files[PATHS["llmstats"]] = us.Served(us.llmstats_zip())
    httpd = us.serve(srv)
    monkeypatch.setenv(
        "GAPTRACK_SOURCES", str(us.sources_yaml(tmp_path / "sources.yaml", srv, PATHS))
    )
    yield srv
    httpd.shutdown()
    httpd.server_close()


def update(tmp_path, *extra: str, figures: bool = False):
    args = ["update", "--results", str(tmp_path / "results"), "--timeout", "0.5"]
    args += ["--retries", "1", "--backoff", "0", *(() if figures else ("--no-figures",))]
    return runner.invoke(app, [*args, *extra])


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root with its size and mtime: 'nothing written' is this unchanged."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_first_update_keeps_each_copy_by_digest_with_its_provenance(server, tmp_path):
    result = update(tmp_path)
    assert result.exit_code == 0, result.output
    store = CopyStore()
    copies = {c.source: c for c in store.copies()}
    assert set(copies) == set(PATHS)
    epoch = copies["epoch-benchmarks"]
    assert epoch.url == server.url(PATHS["epoch-benchmarks"])
    assert epoch.licence == "CC-BY-4.0" and epoch.etag and epoch.last_modified
    assert store.blob(epoch.sha256, "benchmark_data.zip").is_file()
    assert set(epoch.files) == {
        "epoch/april2026/gpqa_diamond.csv",
        "epoch/april2026/mmlu_external.csv",
        "epoch/april2026/epoch_capabilities_index.csv",
    }
    # the Epoch members are the shipped files: the same bytes, no row changed
    assert "epoch-benchmarks: new copy" in result.output and "0 rows added" in result.output
    # the Arena snapshot is dated by the server's Last-Modified and added to the catalog
    from gaptrack.compare.evidence import load_reported

    rows = {r.row_id: r for r in load_reported(None)}
    added = [r for r in rows if r.startswith("lmarena.2026-12-01.")]
    assert added and all(rows[r].source_digest == copies["lmarena-text"].sha256 for r in added)
    assert active.resolve("arena_catalog.csv") == store.blob(
        copies["lmarena-text"].files["arena_catalog.csv"], "arena_catalog.csv"
    )
    changes = (tmp_path / "results" / "changes.md").read_text()
    assert changes.startswith("## What changed") and "| lmarena-text |" in changes


def test_second_update_fetches_and_writes_nothing(server, tmp_path):
    assert update(tmp_path).exit_code == 0
    before = snapshot(tmp_path)
    server.requests.clear()
    result = update(tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.count("not modified (HTTP 304)") == len(PATHS)
    assert "nothing new: nothing written" in result.output
    # every request was conditional on the ETag held
    assert all("If-None-Match" in headers for _, headers in server.requests)
    assert snapshot(tmp_path) == before


def test_same_bytes_without_etag_are_not_kept_twice(server, tmp_path):
    for item in server.files.values():
        item.etag = False
    assert update(tmp_path).exit_code == 0
    before = snapshot(tmp_path)
    result = update(tmp_path)
    assert result.exit_code == 0 and result.output.count("unchanged (same bytes") == len(PATHS)
    assert snapshot(tmp_path) == before


def test_a_changed_row_is_listed_and_both_copies_kept(server, tmp_path):
    assert update(tmp_path).exit_code == 0
    first = CopyStore().latest("epoch-benchmarks")
    server.files[PATHS["epoch-benchmarks"]] = us.Served(
        us.epoch_zip({"gpqa_diamond.csv": us.gpqa_rescored("gpt-5.4-mini-2026-03-17_high", 0.5)})
    )
    result = update(tmp_path)
    assert result.exit_code == 0, result.output
    assert "epoch-benchmarks: new copy" in result.output and "1 changed" in result.output
    copies = [c for c in CopyStore().copies() if c.source == "epoch-benchmarks"]
    assert len(copies) == 2 and copies[0] == first
    rel = "epoch/april2026/gpqa_diamond.csv"
    assert all(CopyStore().blob(c.files[rel], "gpqa_diamond.csv").is_file() for c in copies)
    assert copies[0].files[rel] != copies[1].files[rel]
    table = (tmp_path / "results" / "changes.csv").read_text().splitlines()
    changed = [line for line in table if ",changed," in line]
    assert len(changed) == 1 and "gpt-5.4-mini-2026-03-17_high" in changed[0]
    assert "Best score (across scorers)=0.5" in changed[0]
    md = (tmp_path / "results" / "changes.md").read_text()
    assert "gpt-5.4-mini-2026-03-17_high" in md and "-> Best score (across scorers)=0.5" in md
    # the newer copy from its fetch time on, the older one before it
    with active.as_of(copies[1].fetched):
        assert active.resolve(rel).parent.name == copies[1].files[rel]
    with active.as_of(copies[0].fetched):
        assert active.resolve(rel).parent.name == copies[0].files[rel]


NEW_LINE = b"gpt-x,GPT X,1300.0,Proprietary,OpenAI,20250401\n"
BAD = {
    "truncated": (
        "arena-history",
        lambda s: us.Served(us.alltime_csv() + NEW_LINE, truncate=True),
        "truncated download",
    ),
    "new column layout": (
        "arena-history",
        lambda s: us.Served(us.alltime_csv().replace(b",rating,", b",score,", 1)),
        "no column 'rating'",
    ),
    "unparseable row": (
        "epoch-benchmarks",
        lambda s: us.Served(
            us.epoch_zip(
                {
                    "gpqa_diamond.csv": us.gpqa_rescored(
                        "gpt-5.4-mini-2026-03-17_high", 0.5
                    ).replace(b"0.5,", b"half,", 1)
                }
            )
        ),
        "'half' is not a number",
    ),
    "cut short in a row": (
        "arena-history",
        lambda s: us.Served(us.alltime_csv()[:-40]),
        "truncated download or a changed layout",
    ),
    "not a zip": ("epoch-benchmarks", lambda s: us.Served(b"<html>moved</html>"), "not a zip"),
    "json layout": (
        "lmarena-text",
        lambda s: us.Served(json.dumps({"full": {"gpt-x": {"score": 1}}}).encode()),
        "has no 'rating'",
    ),
    "404": ("lmarena-text", None, "HTTP 404"),
    "llmstats model file not JSON": (
        "llmstats",
        lambda s: us.Served(
            us.llmstats_zip(
                {
                    **us.llmstats_model_files(),
                    "models/openai/gpt-4o-2024-08-06/model.json": b'{"name": "GPT-4o",',
                }
            )
        ),
        "models/openai/gpt-4o-2024-08-06/model.json: not JSON",
    ),
    "llmstats score not a number": (
        "llmstats",
        lambda s: us.Served(
            us.llmstats_zip(
                us.llmstats_model_files(
                    {("models/qwen/qwen3-235b-a22b/model.json", "AIME 2024"): "85.7%"}
                )
            )
        ),
        "(AIME 2024) score is '85.7%', not a number",
    ),
    "llmstats not a zip": ("llmstats", lambda s: us.Served(b"Not Found"), "not a zip archive"),
    "slow": (
        "lmarena-text",
        lambda s: us.Served(us.leaderboard_json(), slow_s=1.5),
        "timed out after 0.5 s (2 tries)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_copy_is_rejected_in_one_line_and_the_old_one_stays(server, tmp_path, case):
    assert update(tmp_path).exit_code == 0
    before = snapshot(tmp_path)
    in_use = {
        rel: active.resolve(rel)
        for rel in ("arena_history.csv", "arena_catalog.csv", "epoch/april2026/gpqa_diamond.csv")
    }
    source, served, message = BAD[case]
    if served is None:
        del server.files[PATHS[source]]
    else:
        server.files[PATHS[source]] = served(server)
    result = update(tmp_path)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: update: {source}: ") and message in errors[0], errors
    assert snapshot(tmp_path) == before  # store untouched, no account written
    assert {rel: active.resolve(rel) for rel in in_use} == in_use


def test_offline_fetches_nothing_and_says_so(server, tmp_path, monkeypatch):
    result = update(tmp_path, "--offline")
    assert result.exit_code == 0 and "offline (--offline): nothing fetched" in result.output
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = update(tmp_path)
    assert "offline (HF_HUB_OFFLINE=1)" in result.output
    assert server.requests == [] and not (tmp_path / "gaptrack-data" / "sources").exists()


def test_check_as_of_is_byte_identical_after_a_later_update(server, tmp_path):
    assert update(tmp_path).exit_code == 0
    first = CopyStore().latest("epoch-benchmarks")
    when = first.fetched_at
    out = tmp_path / "asof"
    args = ["check", "--results", str(out), "--as-of", when]
    assert runner.invoke(app, args).exit_code == 0
    claims = {p.name: p.read_bytes() for p in sorted((out / "claims").iterdir())}
    assert f"epoch-benchmarks,{first.sha256},{when}" in claims["sources.csv"].decode()
    # a later copy that changes a score the claims read
    server.files[PATHS["epoch-benchmarks"]] = us.Served(
        us.epoch_zip({"gpqa_diamond.csv": us.gpqa_rescored("gpt-5.4-mini-2026-03-17_high", 0.5)})
    )
    assert update(tmp_path).exit_code == 0
    assert len([c for c in CopyStore().copies() if c.source == "epoch-benchmarks"]) == 2
    import shutil

    shutil.rmtree(out)
    assert runner.invoke(app, args).exit_code == 0
    again = {p.name: p.read_bytes() for p in sorted((out / "claims").iterdir())}
    assert again == claims
    # without --as-of the newer copy is read: the copy set says so
    latest = runner.invoke(app, ["check", "--results", str(tmp_path / "now")])
    assert latest.exit_code == 0
    now = (tmp_path / "now" / "claims" / "sources.csv").read_text()
    assert CopyStore().latest("epoch-benchmarks").sha256 in now and first.sha256 not in now


def test_leaderboard_as_of_is_byte_identical_after_a_later_update(server, tmp_path):
    assert update(tmp_path).exit_code == 0
    when = CopyStore().latest("lmarena-text").fetched_at
    out = tmp_path / "board"
    args = ["leaderboard", "--results", str(tmp_path / "r"), "--out", str(out), "--as-of", when]
    assert runner.invoke(app, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}
    server.files[PATHS["lmarena-text"]] = us.Served(
        us.leaderboard_json(
            {"gpt-9": {"rating": 1600.0, "rating_q025": 1590.0, "rating_q975": 1610.0}}
        ),
        last_modified="Sat, 06 Dec 2026 08:00:00 GMT",
    )
    assert update(tmp_path).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0
    assert {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))} == before


def test_as_of_leaves_out_rows_published_later(tmp_path):
    from gaptrack.compare.check import CheckOptions, load_evidence

    with active.as_of("2025-04-07"):
        rows = load_evidence(tmp_path, CheckOptions())
    assert rows and all(
        d is None or d.isoformat() <= "2025-04-07" for d in map(active.row_date, rows)
    )
    assert any(r.row_id.startswith("lmarena.2025-03-") for r in rows)
    assert not any(r.row_id.startswith("lmarena.2025-05-") for r in rows)


def test_bad_as_of_is_one_line_exit_2(tmp_path):
    result = runner.invoke(app, ["check", "--results", str(tmp_path), "--as-of", "last week"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: --as-of: 'last week' is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ)"
    ]


def test_a_sources_file_with_a_bad_entry_is_one_line_exit_2(tmp_path, monkeypatch):
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - name: mine\n    url: http://127.0.0.1:1/x.csv\n")
    monkeypatch.setenv("GAPTRACK_SOURCES", str(bad))
    result = update(tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}: sources[0].kind: Field required")


def test_weekly_recipe_writes_a_dated_report_that_opens_with_what_changed(server, tmp_path):
    """examples/weekly/weekly.sh once, against the local server: update (with the headline
    figures before and after), a report in reports/DATE/, and the index page."""
    import os
    import subprocess
    import sys

    from gaptrack.paths import project_root

    server.files[PATHS["epoch-benchmarks"]] = us.Served(
        us.epoch_zip({"gpqa_diamond.csv": us.gpqa_rescored("gpt-5.4-mini-2026-03-17_high", 0.5)})
    )
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(project_root()),
    }
    script = project_root() / "examples" / "weekly" / "weekly.sh"
    reports = tmp_path / "reports"
    done = subprocess.run(
        ["sh", str(script), str(reports), "--results", str(tmp_path / "results")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (folder,) = [p for p in reports.iterdir() if p.is_dir()]
    md = (folder / "report.md").read_text().splitlines()
    assert md[0].startswith("# gaptrack report")
    opening = md[2]
    assert opening.startswith("as of ") and "epoch-benchmarks" in opening, opening
    text = "\n".join(md)
    assert "## What changed" in text and "months CN behind US, latest month (index)" in text
    assert "gpt-5.4-mini-2026-03-17_high" in text  # the rescored row, listed
    assert "frontier gap US - CN: gpqa_diamond" in text
    assert (folder / "sources.csv").is_file() and (folder / "headline.csv").is_file()
    index = (reports / "index.html").read_text()
    assert (
        f'href="{folder.name}/report.html"' in index and (reports / "months_behind.png").is_file()
    )
    changes = (tmp_path / "results" / "changes.md").read_text()
    assert changes.startswith("## What changed")


def test_index_as_of_writes_the_copy_set_beside_its_csvs(server, tmp_path):
    assert update(tmp_path).exit_code == 0
    when = CopyStore().latest("epoch-benchmarks").fetched_at
    results = tmp_path / "r"
    args = ["index", "--results", str(results), "--boot", "0", "--no-epoch-check", "--as-of"]
    result = runner.invoke(app, [*args, when])
    assert result.exit_code == 0, result.output
    copies = (results / "index" / "sources.csv").read_text()
    assert f"epoch-benchmarks,{CopyStore().latest('epoch-benchmarks').sha256},{when}" in copies
    # a date before any copy: the shipped files only, and no model released after it
    result = runner.invoke(app, [*args, "2025-09-30"])
    assert result.exit_code == 0, result.output
    assert (results / "index" / "sources.csv").read_text().count("\n") == 2  # header, shipped
    import pandas as pd

    released = pd.to_datetime(pd.read_csv(results / "index" / "models.csv")["released"])
    assert released.max() <= pd.Timestamp("2025-09-30")


def test_a_board_equal_to_the_latest_snapshot_adds_no_rows(server, tmp_path):
    """LMArena's export stopped in December 2025: fetched later, the same board must not be
    re-dated to the day of fetch."""
    from tests.update_server import EVIDENCE

    excerpt = json.loads(
        (EVIDENCE / "sources" / "arena" / "leaderboard_text_excerpt.json").read_text()
    )
    latest = max(excerpt.values(), key=lambda e: e["date"])
    shipped = (EVIDENCE / "arena_catalog.csv").read_text()
    assert latest["date"] in shipped
    # the full board of that date is not shipped, only the rows chosen from it: serve
    # exactly those, which pick the same rows again
    server.files[PATHS["lmarena-text"]] = us.Served(json.dumps({"full": latest["full"]}).encode())
    result = update(tmp_path)
    assert result.exit_code == 0, result.output
    assert "lmarena-text: new copy" in result.output
    copy = CopyStore().latest("lmarena-text")
    made = CopyStore().blob(copy.files["arena_catalog.csv"], "arena_catalog.csv").read_text()
    assert made == shipped and "lmarena.2026-12-01." not in made


def test_shipped_2026_arena_rows_are_remade_from_their_excerpt():
    """evidence/arena_ai*.csv (the scrape of arena.ai's pages, one snapshot a month through
    July 2026) equal, byte for byte, what update's converter makes from the committed
    excerpt of each source file (its chosen records, digest and commit)."""
    from gaptrack.update.convert import ARENA_AI_REPO, BOARDS, catalog_rows, rows_csv
    from tests.update_server import EVIDENCE

    excerpt = json.loads((EVIDENCE / "sources" / "arena" / "arena_ai_excerpt.json").read_text())
    boards = {b.path: b for k, b in BOARDS.items() if k.startswith("arena-ai")}
    made: dict[str, list[dict]] = {}
    for key, entry in excerpt.items():
        path, commit = key.split("@")
        rows = catalog_rows(
            json.dumps({"full": entry["full"]}).encode(),
            entry["date"],
            entry["sha256"],
            "",
            boards[path],
            f"{ARENA_AI_REPO}:{path}@{commit}",
            "extracted by evidence/sources/extract_arena_ai.py",
        )
        assert {r["model"] for r in rows} == set(entry["full"])
        made.setdefault(entry["file"], []).extend(rows)
    assert set(made) == {"arena_ai.csv", "arena_ai_style_control.csv"}
    for name, rows in made.items():
        assert rows_csv(rows) == (EVIDENCE / name).read_bytes(), name
    assert max(e["date"] for e in excerpt.values()) == "2026-07-08"


def test_check_names_the_evidence_date_and_copies(tmp_path):
    result = runner.invoke(app, ["check", "--results", str(tmp_path), "--as-of", "2025-04-07"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1] == (
        "Evidence as of 2025-04-07 (sources: shipped 2026-12-06)"
    )


def test_llmstats_archive_is_read_by_the_shipped_reader_with_its_corrections(server, tmp_path):
    """The LLMStats compilation fetched as GitHub's zip of the repository: the same rows as
    the shipped file (same reader, corrections applied, located at the archive's commit);
    a rescored model is listed as a changed row."""
    from gaptrack.update.llmstats import REPO
    from tests.update_server import EVIDENCE

    result = update(tmp_path)
    assert result.exit_code == 0, result.output
    assert "llmstats: new copy" in result.output
    copy = CopyStore().latest("llmstats")
    assert copy.licence == "CC-BY-4.0" and set(copy.files) == {"llmstats.csv"}
    made = CopyStore().blob(copy.files["llmstats.csv"], "llmstats.csv")
    assert active.resolve("llmstats.csv") == made
    ids = lambda text: [line.split(",")[0] for line in text.splitlines()]  # noqa: E731
    shipped = (EVIDENCE / "llmstats.csv").read_text()
    assert ids(made.read_text()) == ids(shipped)  # the mistral model is left out
    # corrections.json applied to the fetched copy too
    assert "llmstats.o1-2024-12-17.math_500" in ids(made.read_text())
    commit = json.loads((EVIDENCE / "sources" / "llmstats" / "excerpt.json").read_text())["commit"]
    assert f"{REPO}:models/openai/o1-2024-12-17/model.json@{commit}" in made.read_text()
    path = "models/deepseek/deepseek-v3-0324/model.json"
    server.files[PATHS["llmstats"]] = us.Served(
        us.llmstats_zip(us.llmstats_model_files({(path, "MMLU-Pro"): 0.5}), commit="")
    )
    result = update(tmp_path)
    assert result.exit_code == 0, result.output
    assert "llmstats: new copy" in result.output and "1 changed" in result.output
    changed = [
        line
        for line in (tmp_path / "results" / "changes.csv").read_text().splitlines()
        if ",changed," in line
    ]
    assert len(changed) == 1 and "llmstats.deepseek-v3-0324.mmlu_pro" in changed[0]
    assert "value=50" in changed[0]
    # an archive without a commit in its comment: rows located at the URL and day
    newer = CopyStore().blob(CopyStore().latest("llmstats").files["llmstats.csv"], "llmstats.csv")
    assert f"{server.url(PATHS['llmstats'])} ({path}) fetched 2026-12-01" in newer.read_text()


def test_shipped_llmstats_rows_are_remade_from_their_excerpt():
    """evidence/llmstats.csv equals, byte for byte, what the one LLMStats reader (shared by
    extract_llmstats.py and update) makes from the committed excerpt of each model file."""
    from gaptrack.update.convert import rows_csv
    from gaptrack.update.llmstats import REPO, correct, model_rows
    from tests.update_server import EVIDENCE

    excerpt = json.loads((EVIDENCE / "sources" / "llmstats" / "excerpt.json").read_text())
    rows = []
    for path, entry in sorted(excerpt["files"].items()):
        data = {**entry, "qualitative_metrics": entry["metrics"]}
        rows += model_rows(path, data, entry["sha256"], f"{REPO}:{path}@{excerpt['commit']}")
    assert rows_csv(correct(rows)) == (EVIDENCE / "llmstats.csv").read_bytes()


def test_shipped_arena_catalog_rows_are_remade_from_their_excerpt():
    """evidence/arena_catalog*.csv and arena_history.csv equal, byte for byte, what the one
    Arena reader (gaptrack.update.convert, shared by extract_arena.py and update) makes from
    the committed excerpts."""
    from gaptrack.update.convert import (
        CATALOG_REPO,
        HISTORY_REPO,
        STYLE_CONTROL,
        TEXT,
        catalog_rows,
        history_rows,
        rows_csv,
    )
    from tests.update_server import EVIDENCE

    arena = EVIDENCE / "sources" / "arena"
    for board, csv_name, excerpt_name in (
        (TEXT, "arena_catalog.csv", "leaderboard_text_excerpt.json"),
        (
            STYLE_CONTROL,
            "arena_catalog_style_control.csv",
            "leaderboard_text_style_control_excerpt.json",
        ),
    ):
        excerpt = json.loads((arena / excerpt_name).read_text())
        rows = []
        for commit, snap in sorted(excerpt.items(), key=lambda kv: kv[1]["date"]):
            rows += catalog_rows(
                json.dumps({"full": snap["full"]}).encode(),
                snap["date"],
                snap["sha256"],
                "",
                board,
                f"{CATALOG_REPO}:{board.path}@{commit}",
                "",
            )
        assert rows_csv(rows) == (EVIDENCE / csv_name).read_bytes(), csv_name
    source = json.loads((arena / "alltime_source.json").read_text())
    rows = history_rows(
        (arena / "alltime_excerpt.csv").read_bytes(),
        source["sha256"],
        "",
        f"{HISTORY_REPO}:alltime.csv@{source['commit']}",
    )
    assert rows_csv(rows) == (EVIDENCE / "arena_history.csv").read_bytes()


def test_a_claim_file_names_the_copies_its_rows_came_from(server, tmp_path):
    """The copy set per claim: each claim's JSON lists the copies (source, sha256, date,
    URL) and the files its evidence rows were read from, by the run's as-of date."""
    assert update(tmp_path).exit_code == 0
    llm = CopyStore().latest("llmstats")
    out = tmp_path / "now"
    args = ["check", "--results", str(out), "--claim", "cref-math-gap"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    copies = json.loads((out / "claims" / "cref-math-gap.json").read_text())["copies"]
    by_source = {c["source"]: c for c in copies}
    assert by_source["llmstats"] == {
        "source": "llmstats",
        "sha256": llm.sha256,
        "date": llm.fetched_at,
        "url": server.url(PATHS["llmstats"]),
        "files": ["llmstats.csv"],
    }
    assert by_source["shipped"]["files"] == ["reported.csv"]
    # as of a day before any copy: the shipped files only, LLMStats' among them
    result = runner.invoke(app, [*args, "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output
    copies = json.loads((out / "claims" / "cref-math-gap.json").read_text())["copies"]
    assert [(c["source"], c["files"]) for c in copies] == [
        ("shipped", ["llmstats.csv", "reported.csv"])
    ]


def test_update_says_which_sources_are_stale_and_since_when(server, tmp_path):
    """Epoch's copy (models to 2026-04-16) and LLMStats (to 2025-05-22) are stale however
    recently update ran: changes.md, the console and every `as of` line say so."""
    result = update(tmp_path)
    assert result.exit_code == 0, result.output
    md = (tmp_path / "results" / "changes.md").read_text()
    assert "Stale sources (newest row more than 45 days before" in md
    assert "- epoch-benchmarks: newest row 2026-04-16" in md
    assert "- llmstats: newest row 2025-05-22" in md
    assert "epoch-benchmarks to 2026-04-16" in result.output
    line = active.sources_line()
    assert line.startswith("as of ") and "stale: " in line
    assert "llmstats to 2025-05-22" in line and "epoch-benchmarks to 2026-04-16" in line


def test_as_of_is_said_with_the_sources_that_stop_short_of_it():
    """The shipped evidence, read as of its copy date: the date is given with every source
    whose newest row is older than 45 days before it; as of 2025-04-07, none is."""
    from gaptrack.update.currency import reaches

    line = active.sources_line()
    assert line.startswith("as of 2026-12-06 (sources: shipped 2026-12-06); stale: ")
    found = {r.source: r for r in reaches()}
    assert found["epoch-benchmarks"].reaches == "2026-04-16" and found["epoch-benchmarks"].stale
    assert found["arena-history"].reaches == "2025-03-26"
    with active.as_of("2025-04-07"):
        assert active.sources_line() == "as of 2025-04-07 (sources: shipped 2026-12-06)"
        assert (
            found["arena-ai-text"].reaches
            and not {r.source: r for r in reaches()}["arena-ai-text"].reaches
        )  # no arena.ai row by then


def test_an_account_kept_before_reaches_were_recorded_says_nothing_of_them():
    """An update account written by an older gaptrack (no `stale` field) must not claim
    every source is current when a report shows it."""
    from gaptrack.update.account import Account, stale_blocks
    from gaptrack.update.currency import Reach

    old = Account.model_validate({"updated_at": "2026-12-01T08:00:00.000000Z", "outcomes": []})
    assert stale_blocks(old) == []
    fresh = old.model_copy(update={"stale": [Reach(source="x", reaches="2026-11-30")]})
    assert "Every source has rows within 45 days of 2026-12-01" in str(stale_blocks(fresh))


def test_the_site_overview_says_how_many_sources_stop_short_of_its_date():
    """The report site's first line gives the as-of date with the count of stale sources
    (the full list is in every page's footer line)."""
    from types import SimpleNamespace

    from gaptrack.compare.overview import overview
    from gaptrack.publish.site import environment

    line = active.sources_line()
    ov = overview(
        SimpleNamespace(title="t", evidence_as_of=line, verdicts=[], what_changed=None), None
    )
    assert ov.as_of == "2026-12-06" and "epoch-benchmarks to 2026-04-16" in ov.stale
    html = (
        environment()
        .get_template("overview.html")
        .render(
            ov=ov,
            root="",
            here="report.html",
            title="t",
            nav=[],
            as_of_line=line,
            version="0",
            chart=None,
            figures=[],
            claim_groups=[],
            benchmarks=[],
        )
    )
    n = len(ov.stale.split(", "))
    assert n >= 2 and f"sources; {n} stop short of this date</a>" in html
