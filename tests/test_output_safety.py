"""Outputs that fail cleanly and files that are safe to open (issue 23).

Every command that writes (leaderboard, report, check, index, import-reported) meets an
output folder it cannot use (a file in its place, a file above it, a read-only folder, a
full disk) with one line naming the path, exit 2, no traceback, and the files of the
last good run whole. CSV cells a spreadsheet would run get a quote in front, numbers stay
numbers; report.md shows HTML from data as text; a claims file reads only documents in
its own folder."""

from __future__ import annotations

import csv
import errno
import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.check import CheckOptions
from gaptrack.compare.claims import load_claims
from gaptrack.compare.publication import collect
from gaptrack.errors import ConfigError
from gaptrack.publish.csv_safe import TRIGGERS, restore, safe_cell, safe_frame, safe_text
from gaptrack.publish.outputs import write_pages, write_tables
from gaptrack.publish.scores_csv import write_scores
from gaptrack.store.store import Store
from tests.test_gaps import record
from tests.test_publish import CLAIMS, DOC

runner = CliRunner()

HYPERLINK = '=HYPERLINK("http://example.org";"x")'
REPORTED_HEAD = (
    "quantity,model,organisation,origin,released,open_weights,benchmark,metric,value,stderr,"
    "published,source\n"
)


def _reported(rows: list[tuple[str, str, str, str, float]]) -> str:
    """(model, organisation, origin, benchmark, value) rows of a reported-evidence CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for model, org, origin, bench, value in rows:
        day = "2024-01-10" if origin == "US" else "2024-03-05"
        writer.writerow(
            ["score", model, org, origin, day, "true", bench, "", value, "", day, "https://a.ex"]
        )
    return REPORTED_HEAD + out.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    results = tmp_path / "results"
    s = Store(results)
    s.put(record("us-a", "US", [True] * 40 + [False] * 10, "arc_easy", "2024-11-01"))
    s.put(record("cn-b", "CN", [True] * 20 + [False] * 30, "arc_easy", "2024-12-01"))
    return results


# --- output folders -------------------------------------------------------------------


def _one_error_line(result, path: Path) -> str:
    """exit 2, no traceback, and the last line is the error naming `path`."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"error: {path}"), last
    return last


def _no_temporaries(folder: Path) -> None:
    assert not [p for p in folder.rglob("*.tmp")], list(folder.rglob("*.tmp"))


def _command(name: str, results: Path, tmp_path: Path, out: Path | None) -> list[str]:
    """The command line for `name`, writing into `out` where it takes --out."""
    if name in ("leaderboard", "report"):
        return [name, "--results", str(results), "--out", str(out)]
    if name == "index":
        return ["index", "--results", str(results), "--boot", "2", "--no-epoch-check"]
    if name == "import-reported":
        src = tmp_path / "new.csv"
        src.write_text(_reported([("Model R", "Lab", "US", "mmlu", 70.0)]))
        return ["import-reported", str(src), "--results", str(results)]
    return ["check", "--results", str(results), "--claim", "c001-gap-9-to-2-mmlu"]


OWN_FOLDER = {"check": "claims", "index": "index", "import-reported": "reported"}
"""Where the commands without --out write, under the results folder."""
COMMANDS = ["leaderboard", "report", "check", "index", "import-reported"]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_file_where_the_output_folder_should_be_is_one_line(name, store, tmp_path):
    if name in OWN_FOLDER:
        target = store / OWN_FOLDER[name]
        out = None
    else:
        target = out = tmp_path / "out.txt"
    target.write_text("a file, not a folder\n")
    result = runner.invoke(app, _command(name, store, tmp_path, out))
    line = _one_error_line(result, target)
    assert "is a file, not a folder" in line
    assert target.read_text() == "a file, not a folder\n"


@pytest.mark.parametrize("name", COMMANDS)
def test_an_output_folder_under_a_file_is_one_line(name, store, tmp_path):
    blocker = tmp_path / "plain"
    blocker.write_text("x")
    if name in OWN_FOLDER:
        # the results folder itself lies under a file: nothing to read, nothing to write
        results, out = blocker / "results", None
        expected = results / OWN_FOLDER[name]
    else:
        results, out = store, blocker / "sub"
        expected = out
    result = runner.invoke(app, _command(name, results, tmp_path, out))
    line = _one_error_line(result, expected)
    assert f"{blocker} is a file, not a folder" in line


def test_schema_into_a_file_is_one_line(tmp_path):
    blocker = tmp_path / "plain"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        result = runner.invoke(app, ["schema", "--out", str(out)])
        assert "is a file, not a folder" in _one_error_line(result, out)
    good = runner.invoke(app, ["schema", "--out", str(tmp_path / "schemas")])
    assert good.exit_code == 0 and len(list((tmp_path / "schemas").iterdir())) == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("name", COMMANDS)
def test_a_read_only_output_folder_is_one_line(name, store, tmp_path):
    folder = store / OWN_FOLDER[name] if name in OWN_FOLDER else tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        out = None if name in OWN_FOLDER else folder
        result = runner.invoke(app, _command(name, store, tmp_path, out))
        assert "read-only" in _one_error_line(result, folder)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


@pytest.fixture
def disk_full_for(monkeypatch):
    """`disk_full_for(name)`: the temporary file staged for `name` is written to
    /dev/full, a real ENOSPC (root too); other files are written as usual."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    real = tempfile.mkstemp
    names: list[str] = []

    def mkstemp(*args, **kwargs):
        fd, path = real(*args, **kwargs)
        if any(kwargs.get("prefix", "") == f".{n}." for n in names):
            os.close(fd)
            fd = os.open("/dev/full", os.O_WRONLY)
        return fd, path

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    return names.append


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _add_record(results: Path) -> None:
    """A new record: every published table changes."""
    Store(results).put(record("cn-z", "CN", [True] * 45 + [False] * 5, "arc_easy", "2024-12-20"))


def test_leaderboard_on_a_full_disk_keeps_the_old_three_files(store, tmp_path, disk_full_for):
    out = tmp_path / "out"
    assert runner.invoke(app, _command("leaderboard", store, tmp_path, out)).exit_code == 0
    before = _tree(out)
    _add_record(store)
    disk_full_for("gaps.csv")  # the second of three: the first is staged already
    result = runner.invoke(app, _command("leaderboard", store, tmp_path, out))
    assert "No space left on device" in _one_error_line(result, out / "gaps.csv")
    assert _tree(out) == before  # not the new leaderboard.csv beside the old gaps.csv
    _no_temporaries(out)


def test_report_on_a_full_disk_keeps_both_old_pages(store, tmp_path, disk_full_for):
    out = tmp_path / "out"
    assert runner.invoke(app, _command("report", store, tmp_path, out)).exit_code == 0
    pages = {n: (out / n).read_bytes() for n in ("report.html", "report.md")}
    _add_record(store)
    disk_full_for("report.md")
    result = runner.invoke(app, _command("report", store, tmp_path, out))
    _one_error_line(result, out / "report.md")
    assert {n: (out / n).read_bytes() for n in pages} == pages
    _no_temporaries(out)


def test_check_on_a_full_disk_keeps_the_old_verdict(store, tmp_path, disk_full_for):
    claim = store / "claims" / "c001-gap-9-to-2-mmlu.json"
    args = _command("check", store, tmp_path, None)
    assert runner.invoke(app, args).exit_code == 0
    before = claim.read_bytes()
    disk_full_for(claim.name)
    claim.write_bytes(before + b" ")  # differs from what check writes: it must write
    result = runner.invoke(app, args)
    _one_error_line(result, claim)
    assert claim.read_bytes() == before + b" "
    _no_temporaries(store / "claims")


def test_import_reported_on_a_full_disk_keeps_the_old_file(store, tmp_path, disk_full_for):
    args = _command("import-reported", store, tmp_path, None)
    assert runner.invoke(app, args).exit_code == 0
    imported = store / "reported" / "imported.csv"
    before = imported.read_bytes()
    (tmp_path / "new.csv").write_text(_reported([("Model S", "Lab", "CN", "mmlu", 60.0)]))
    disk_full_for("imported.csv")
    result = runner.invoke(app, args)
    _one_error_line(result, imported)
    assert imported.read_bytes() == before
    _no_temporaries(store / "reported")


def test_index_on_a_full_disk_keeps_the_old_tables_and_no_key(store, tmp_path, disk_full_for):
    from gaptrack.compare.index import cache

    folder = store / "index"
    args = _command("index", store, tmp_path, None)
    assert runner.invoke(app, args).exit_code == 0, "first index"
    before = _tree(folder)
    _add_record(store)
    disk_full_for("too_few_benchmarks.csv")  # cn-z has one benchmark: this table changes
    result = runner.invoke(app, args)
    _one_error_line(result, folder / "too_few_benchmarks.csv")
    after = _tree(folder)
    assert cache.KEY_FILE not in after  # `report` fits again instead of trusting a mix
    assert after == {k: v for k, v in before.items() if k != cache.KEY_FILE}
    _no_temporaries(folder)


# --- CSV cells ------------------------------------------------------------------------


def test_the_cell_rule_quotes_text_that_a_spreadsheet_runs_and_can_be_undone():
    for risky in (HYPERLINK, "+A1", "-cmd", "-1+1", "@SUM(A1)", "\tx", "\r=1", "'=1", "''-x"):
        assert safe_text(risky) == "'" + risky
        assert restore(safe_text(risky)) == risky
    # plain numbers written as text run nothing: left as they are
    for plain in ("GPT-4o", "Qwen2.5", "'quoted'", "", "<1B", "US", "-3.2", "+1e-05", "'-3"):
        assert safe_text(plain) == plain and restore(plain) == plain
    assert safe_cell(-3.2) == -3.2 and safe_cell(-1) == -1 and safe_cell(None) is None
    frame = pd.DataFrame({"model": ["=1+1", "ok"], "gap": [-3.2, 1.0]})
    safe = safe_frame(frame)
    assert safe["model"].tolist() == ["'=1+1", "ok"] and safe["gap"].tolist() == [-3.2, 1.0]
    assert frame["model"].tolist() == ["=1+1", "ok"]  # the caller's frame is left alone
    plain = pd.DataFrame({"model": ["a"], "gap": [-1.0]})
    assert safe_frame(plain) is plain


def _cells(path: Path) -> list[str]:
    with path.open(newline="") as handle:
        return [c for row in csv.reader(handle) for c in row]


def _assert_no_formula(path: Path) -> None:
    """No cell begins as a formula, except numbers (a negative gap stays a number)."""
    for cell in _cells(path):
        if cell.startswith(TRIGGERS):
            float(cell)  # raises for text


def test_published_csvs_quote_formulas_and_keep_negative_numbers(store, tmp_path):
    evidence = tmp_path / "evil.csv"
    evidence.write_text(
        _reported(
            [
                (HYPERLINK, "@SUM(1+1)", "US", "mmlu", 60.0),
                ("-2+3", "+cmd", "CN", "mmlu", 70.0),  # CN ahead: the gap is negative
            ]
        )
    )
    (tmp_path / "doc.txt").write_text("=1+1 said nobody. " + DOC)
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS.replace("quote: by a wide margin", "quote: '=1+1 said nobody'"))
    options = CheckOptions(claims_file=claims, reported_files=[evidence])
    out = tmp_path / "out"
    write_tables(collect(store, title="t", options=options), out)
    for name in ("leaderboard.csv", "gaps.csv", "claims.csv"):
        _assert_no_formula(out / name)
    board = (out / "leaderboard.csv").read_text()
    assert '"\'=HYPERLINK(""http://example.org"";""x"")"' in board
    assert ",'@SUM(1+1)," in board and ",'-2+3,CN,'+cmd," in board
    gaps = pd.read_csv(out / "gaps.csv")
    mmlu = gaps[(gaps["benchmark"] == "mmlu") & (gaps["evidence"] == "reported")]
    assert (mmlu["gap"] < 0).any()  # numbers, read as numbers
    assert "'=1+1 said nobody" in pd.read_csv(out / "claims.csv")["quote"].tolist()


def test_scores_csv_quotes_formula_names(tmp_path):
    rec = record("x", "US", [True] * 3 + [False], "arc_easy")
    rec = rec.model_copy(update={"model": rec.model.model_copy(update={"name": "@evil()"})})
    path = write_scores([rec], tmp_path / "scores.csv")
    _assert_no_formula(path)
    row = pd.read_csv(path).iloc[0]
    assert row["model_name"] == "'@evil()" and row["value"] == 0.75


def test_imported_evidence_is_quoted_on_disk_and_read_back_as_given(store, tmp_path):
    from gaptrack.compare.evidence import read_reported

    src = tmp_path / "src.csv"
    src.write_text(_reported([(HYPERLINK, "Lab", "US", "mmlu", 70.0)]))
    args = ["import-reported", str(src), "--results", str(store)]
    assert runner.invoke(app, args).exit_code == 0
    imported = store / "reported" / "imported.csv"
    _assert_no_formula(imported)
    assert [r.model for r in read_reported(imported)] == [HYPERLINK]
    again = runner.invoke(app, args)
    assert "0 added, 0 replaced, 1 unchanged; 1 rows" in again.output  # same row id


def test_index_csvs_quote_formula_names_and_the_cache_reads_them_back(store, tmp_path):
    from gaptrack.compare.index import cache

    evidence = tmp_path / "evil.csv"
    evidence.write_text(
        _reported(
            [
                (HYPERLINK, "Lab", "US", "mmlu", 70.0),
                (HYPERLINK, "Lab", "US", "gpqa_diamond", 40.0),
            ]
        )
    )
    args = ["index", "--results", str(store), "--reported", str(evidence), "--boot", "2"]
    result = runner.invoke(app, [*args, "--no-epoch-check"])
    assert result.exit_code == 0, result.output
    for path in (store / "index").glob("*.csv"):
        _assert_no_formula(path)
    assert "'" + HYPERLINK in pd.read_csv(store / "index" / "models.csv")["model"].tolist()
    assert HYPERLINK in cache._read(store / "index", "models.csv")["model"].tolist()


# --- report.md ------------------------------------------------------------------------


def test_report_md_shows_html_from_data_as_text(store, tmp_path):
    script, img = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
    evidence = tmp_path / "evil.csv"
    evidence.write_text(
        _reported(
            [(script, img, "US", "arc_easy", 70.0), ("Model CN", "Lab", "CN", "arc_easy", 60.0)]
        )
    )
    (tmp_path / "doc.txt").write_text(DOC + " <b>bold</b> &amp; more")
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS.replace("quote: by a wide margin", "quote: '<b>bold</b> &amp; more'"))
    options = CheckOptions(claims_file=claims, reported_files=[evidence])
    out = tmp_path / "out"
    html, md = write_pages(collect(store, title="<i>t</i>", options=options), out)
    markdown, page = md.read_text(), html.read_text()
    for raw in ("<script", "<img", "<b>", "<i>", "</"):
        assert raw not in markdown
    assert "<script>alert" not in page and "<img src=x" not in page
    for other in out.rglob("*.html"):  # every page of the site: claims, benchmarks, ...
        text = other.read_text()
        assert "<script" not in text and "<img src=x" not in text and "<b>bold" not in text
    assert "&lt;script>alert(1)&lt;/script>" in markdown
    assert "&lt;img src=x onerror=alert(1)>" in markdown
    assert "&amp;amp; more" in markdown  # shows as `&amp;`, as in the document
    assert "| <1B |" in markdown  # a `<` that opens nothing stays as it was


# --- claims documents -----------------------------------------------------------------


@pytest.mark.parametrize("where", ["dotdot", "absolute", "link"])
def test_a_claims_document_outside_the_claims_folder_is_refused(tmp_path, where):
    folder = tmp_path / "claims"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text(DOC)
    name = {"dotdot": "../secret.txt", "absolute": str(secret), "link": "doc.txt"}[where]
    if where == "link":
        (folder / "doc.txt").symlink_to(secret)
    path = folder / "claims.yaml"
    path.write_text(CLAIMS.replace("file: doc.txt", f"file: {name}"))
    with pytest.raises(ConfigError) as info:
        load_claims(path)
    assert info.value.file == str(path) and info.value.field == "documents[0].file"
    assert "outside the claims file's folder" in info.value.message
    result = runner.invoke(app, ["check", "--claims", str(path), "--results", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    line = result.output.strip().splitlines()
    assert len(line) == 1 and line[0].startswith(f"error: {path}: documents[0].file: ")


def test_a_claims_document_in_a_subfolder_is_fine(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "doc.txt").write_text(DOC)
    path = tmp_path / "claims.yaml"
    path.write_text(CLAIMS.replace("file: doc.txt", "file: docs/../docs/doc.txt"))
    assert load_claims(path).documents[0].file == "docs/../docs/doc.txt"


def test_an_oserror_while_staging_replaces_nothing(store, tmp_path, monkeypatch):
    """An injected ENOSPC on the first file: the old set stays, no temporary is left."""
    from gaptrack.publish import files

    out = tmp_path / "out"
    findings = collect(store, title="t")
    write_tables(findings, out)
    before = _tree(out)
    (out / "leaderboard.csv").write_text("stale\n")  # so every file is rewritten
    stale = _tree(out)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(files.OutputError) as info:
        write_tables(findings, out)
    assert info.value.file == str(out / "leaderboard.csv")
    assert info.value.one_line().endswith("cannot write: No space left on device")
    assert _tree(out) == stale and before != stale
    _no_temporaries(out)
