"""leaderboard.csv, gaps.csv and claims.csv read back with pandas, against values worked
out by hand from a small store, a small evidence file and a two-claim registry; the
report's files are byte-identical on a second run."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.check import CheckOptions
from gaptrack.compare.publication import collect
from gaptrack.publish.csv_out import CLAIM_COLUMNS, GAP_COLUMNS, LEADERBOARD_HEAD
from gaptrack.publish.outputs import write_pages, write_tables
from gaptrack.store.store import Store
from tests.test_gaps import record

runner = CliRunner()

DOC = "Officials said the American model beats the Chinese one on ARC-Easy by a wide margin."
CLAIMS = """
documents:
  - id: d1
    file: doc.txt
    title: A test article
    publisher: Test Times
    date: 2025-06-15
claims:
  - id: t1-arc-gap
    document: d1
    quote: the American model beats the Chinese one on ARC-Easy
    made_by: Test Times
    kind: benchmark_gap
    statement:
      kind: gap_threshold
      quantity: {benchmarks: [arc_easy], unit: points, evidence: [measured]}
      conditions: [{at: 2025-06, op: ">", value: 0}]
  - id: t2-wide
    document: d1
    quote: by a wide margin
    made_by: Test Times
    kind: qualitative
    untestable_reason: vague
"""
REPORTED = (
    "quantity,model,organisation,origin,released,open_weights,benchmark,metric,value,stderr,"
    "published,source\n"
    "score,Model R-US,Lab A,US,2024-01-10,true,mmlu,5-shot,70.0,,2024-01-10,https://a.example\n"
    "score,Model R-CN,Lab B,CN,2024-03-05,true,mmlu,5-shot,65.0,1.0,2024-03-05,https://b.example\n"
)


@pytest.fixture
def small(tmp_path: Path) -> dict[str, Path]:
    """A store of three measured models on 50 ARC-Easy items, an evidence file, claims."""
    results = tmp_path / "results"
    store = Store(results)
    store.put(record("us-a", "US", [True] * 40 + [False] * 10, "arc_easy", "2024-11-01"))
    store.put(record("cn-b", "CN", [True] * 20 + [False] * 30, "arc_easy", "2024-12-01"))
    store.put(record("us-c", "US", [True] * 30 + [False] * 20, "arc_easy", "2024-12-15"))
    (tmp_path / "doc.txt").write_text(DOC)
    (tmp_path / "claims.yaml").write_text(CLAIMS)
    (tmp_path / "reported.csv").write_text(REPORTED)
    return {
        "results": results,
        "claims": tmp_path / "claims.yaml",
        "csv": tmp_path / "reported.csv",
    }


def _findings(small: dict[str, Path]):
    options = CheckOptions(claims_file=small["claims"], reported_files=[small["csv"]])
    return collect(small["results"], title="small", options=options)


def test_leaderboard_csv_by_hand(small, tmp_path):
    out = tmp_path / "out"
    write_tables(_findings(small), out)
    board = pd.read_csv(out / "leaderboard.csv")
    assert list(board.columns[: len(LEADERBOARD_HEAD)]) == LEADERBOARD_HEAD
    assert list(board.columns[-4:]) == ["suite_mean", "rank", "evidence", "keys"]
    # the suite (no config: every measured benchmark) comes first
    assert list(board.columns[10:12]) == ["arc_easy", "arc_easy_se"]
    measured = board[board.evidence == "measured"].set_index("id")
    assert list(measured.index) == ["us-a", "us-c", "cn-b"]  # by rank
    assert measured.loc["us-a", "arc_easy"] == 80.0
    assert measured.loc["us-a", "arc_easy_se"] == pytest.approx(
        100 * math.sqrt(0.8 * 0.2 / 49), abs=1e-4
    )
    assert list(measured["rank"]) == [1, 2, 3]
    assert measured.loc["cn-b", "suite_mean"] == 40.0
    assert measured.loc["us-a", "released"] == "2024-11-01"
    assert bool(measured.loc["us-a", "open_weights"]) is True
    assert len(measured.loc["us-a", "keys"]) == 20  # a store record key
    reported = board[board.evidence == "reported"].set_index("name")
    assert reported.loc["Model R-CN", "mmlu"] == 65.0
    assert reported.loc["Model R-CN", "mmlu_se"] == 1.0
    assert pd.isna(reported.loc["Model R-US", "mmlu_se"])  # missing is empty
    assert pd.isna(reported.loc["Model R-CN", "arc_easy"])  # never merged with measured
    assert pd.isna(reported.loc["Model R-CN", "rank"])  # no arc_easy score: no suite mean


def test_gaps_csv_by_hand(small, tmp_path):
    out = tmp_path / "out"
    write_tables(_findings(small), out)
    gaps = pd.read_csv(out / "gaps.csv")
    assert list(gaps.columns) == GAP_COLUMNS
    arc = gaps[(gaps.benchmark == "arc_easy") & (gaps.evidence == "measured")]
    # Nov 2024: no CN model released yet -> no row; Dec 2024: us-a vs cn-b, both pools
    assert list(arc.date) == ["2024-12-31", "2024-12-31"]
    assert set(arc.pool) == {"all", "open"}
    row = arc.iloc[0]
    assert (row.model_a, row.score_a, row.model_b, row.score_b) == ("us-a", 80.0, "cn-b", 40.0)
    assert row.gap == 40.0 and row.gap_rel == 100.0  # 80 - 40; (80 - 40) / 40
    assert row.gap_low < 40.0 < row.gap_high and row.uncertainty == "paired"
    assert "bootstrap" in row.method
    mmlu = gaps[(gaps.benchmark == "mmlu") & (gaps.evidence == "reported")]
    assert not mmlu.empty and (mmlu.date.str.len() == 10).all()


def test_claims_csv_by_hand(small, tmp_path):
    out = tmp_path / "out"
    write_tables(_findings(small), out)
    claims = pd.read_csv(out / "claims.csv").set_index("claim")
    assert list(claims.reset_index().columns) == CLAIM_COLUMNS
    tested = claims.loc["t1-arc-gap"]
    assert bool(tested.tested) and tested.verdict == "supported"
    assert tested.value == 40.0 and tested.ci_low > 0 and tested.evidence == "measured"
    assert tested.status == "verified" and tested.date == "2025-06-15"
    untested = claims.loc["t2-wide"]
    assert not bool(untested.tested) and untested.verdict == "untestable"
    assert pd.isna(untested.value) and untested.kind == "qualitative"


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_report_pages_and_byte_identical_rerun(small, tmp_path):
    out = tmp_path / "out"
    findings = _findings(small)
    html, md = write_pages(findings, out)
    write_tables(findings, out)
    first = _tree(out)
    text = html.read_text()
    assert "<title>How far behind is China? gaptrack report: small</title>" in text
    assert '<link rel="stylesheet" href="site.css">' in text and "<script" not in text
    site = "".join(v.decode() for k, v in first.items() if k.endswith(".html"))
    markdown = md.read_text()
    for needle in ("## Leaderboard", "t1-arc-gap", "> the American model", "## Provenance"):
        assert needle in markdown and needle.lstrip("#> ") in site
    assert 'href="claims/t1-arc-gap.html"' in text  # every claim one click away
    assert "plots/gap-arc_easy.png" in first["benchmarks/arc_easy.html"].decode()
    assert (out / "plots" / "gap-arc_easy.png").is_file()
    assert (out / "plots" / "gap-arc_easy.svg").is_file()
    again = _findings(small)
    write_pages(again, out)
    write_tables(again, out)
    assert _tree(out) == first
    # a page of a claim an earlier report had and this one has not is removed; what is
    # not a page of the site's own folders is left alone
    (out / "claims" / "c999-retired.html").write_text("<p>old verdict</p>")
    (out / "claims" / "notes.txt").write_text("mine")
    write_pages(again, out)
    assert not (out / "claims" / "c999-retired.html").exists()
    assert (out / "claims" / "notes.txt").read_text() == "mine"


def test_cli_writes_into_out(small, tmp_path):
    out = tmp_path / "cli"
    result = runner.invoke(
        app, ["leaderboard", "--results", str(small["results"]), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Leaderboard (measured)" in result.output and "us-a" in result.output
    assert [Path(p).name for p in result.output.split()[-4:]] == [
        "leaderboard.csv",
        "gaps.csv",
        "gap_markers.csv",
        "claims.csv",
    ]
    assert len(pd.read_csv(out / "claims.csv")) > 30  # the shipped registry


def test_report_evidence_table_takes_every_row_kind() -> None:
    """A claim's evidence can hold release rows (no benchmark, no value): the report's
    evidence table must not assume the fields of a score row."""
    from gaptrack.compare.evidence.csvio import read_reported, shipped_reported_files
    from gaptrack.publish.report import _evidence_cells

    rows = [r for f in shipped_reported_files() for r in read_reported(f)]
    kinds = {}
    for r in rows:
        kinds.setdefault(type(r).__name__, r)
    assert "ReleaseRow" in kinds and "ScoreRow" in kinds
    for row in kinds.values():
        cells = _evidence_cells(row)
        assert len(cells) == 8 and cells[0] == row.row_id
    assert _evidence_cells(kinds["ReleaseRow"])[4:6] == ["", ""]


def test_cli_report_draws_figures_while_the_index_fits_and_reruns_byte_identical(
    small, tmp_path, monkeypatch
):
    """`report` starts the gap figures in workers before it fits the index: the pages
    name every figure, each exists, and the same command into a second empty folder
    writes the same bytes."""
    from gaptrack.compare.index import analysis
    from gaptrack.publish import plots

    started = []
    original = plots.GapFigures.__init__

    def record_start(self, rows, folder, markers=()):
        started.append(("figures", folder))
        original(self, rows, folder, markers)

    fit = analysis.run_index

    def record_fit(*args, **kwargs):
        started.append(("index", None))
        return fit(*args, **kwargs)

    monkeypatch.setattr(plots.GapFigures, "__init__", record_start)
    monkeypatch.setattr(analysis, "run_index", record_fit)
    trees = []
    for name in ("a", "b"):
        args = ["report", "--results", str(small["results"]), "--out", str(tmp_path / name)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        trees.append(_tree(tmp_path / name))
    kinds = [kind for kind, _ in started]  # the index and its headline fit: two fits
    runs = [k for i, k in enumerate(kinds) if i == 0 or kinds[i - 1] != k]
    assert runs == ["figures", "index"] * 2  # figures first
    first, second = trees
    assert first == second
    site = "".join(v.decode() for k, v in first.items() if k.endswith(".html"))
    gaps = [p for p in first if p.startswith("plots/gap-") and p.endswith(".png")]
    assert "plots/gap-arc_easy.png" in gaps and "plots/index-frontier.png" in first
    curves = [p for p in first if p.startswith("plots/curve-") and p.endswith(".png")]
    assert "plots/curve-c001-competitive.png" in curves  # a claim's specification curve
    assert "plots/headline.png" in first  # the overview's chart
    # every figure drawn is shown on some page (the overview, a benchmark's, a claim's)
    pngs = [p for p in first if p.startswith("plots/") and p.endswith(".png")]
    assert all(f"plots/{Path(p).name}" in site for p in pngs)
    assert len(pngs) == len(gaps) + 3 + len(curves)  # + index frontier, months, headline


def test_a_gap_between_records_run_differently_says_so_everywhere(small, tmp_path):
    """The CN record run on vLLM, the US ones on hf: gaps.csv, the report's gap table and
    the claim's verdict notes all say the backends differ; hf against hf says nothing."""
    from gaptrack.compare.check import check_claims
    from gaptrack.publish.report import _latest_rows

    store = Store(small["results"])
    cn = record("cn-b", "CN", [True] * 20 + [False] * 30, "arc_easy", "2024-12-01")
    (store.items_dir / str(store.get(cn.key).items_file)).unlink()  # the fixture's hf run
    (store.records_dir / f"{cn.key}.json").unlink()
    key = cn.cache_key.model_copy(update={"backend": "vllm"})
    store.put(cn.model_copy(update={"cache_key": key, "key": key.digest()}))
    findings = _findings(small)
    write_tables(findings, tmp_path)
    gaps = pd.read_csv(tmp_path / "gaps.csv")
    assert list(gaps.columns) == GAP_COLUMNS and GAP_COLUMNS[-1] == "run_differences"
    measured = gaps[(gaps.evidence == "measured") & (gaps.benchmark == "arc_easy")]
    assert len(measured) > 0
    assert set(measured.run_differences) == {"backends differ: hf vs vllm"}
    assert gaps[gaps.evidence == "reported"].run_differences.isna().all()  # empty cells
    rows = _latest_rows([g for g in findings.gaps if g.benchmark == "arc_easy"])
    assert [(r[0], r[1], r[-1]) for r in rows] == [
        ("all", "measured", "backends differ: hf vs vllm"),
        ("open-weight", "measured", "backends differ: hf vs vllm"),
    ]
    options = CheckOptions(claims_file=small["claims"], reported_files=[small["csv"]])
    [verdict] = check_claims(small["results"], "t1-arc-gap", options)
    notes = [n for e in verdict.evaluations for n in e.notes]
    assert "The two sides' records were not run alike (backends differ: hf vs vllm)." in notes


def test_records_run_alike_give_an_empty_run_differences_column(small, tmp_path):
    write_tables(_findings(small), tmp_path)
    gaps = pd.read_csv(tmp_path / "gaps.csv")
    assert (gaps.evidence == "measured").any() and gaps.run_differences.isna().all()


def test_report_shows_the_reported_models_closest_to_the_suite_and_counts_the_rest(
    small, monkeypatch
):
    """The report's reported table keeps the REPORTED_SHOWN models with the most suite
    benchmarks (then the highest mean over them); a note counts the rest (the CSV keeps
    them all)."""
    from gaptrack.publish import report
    from gaptrack.publish.document import Para, Table

    # a suite of MMLU, which hundreds of the shipped reported models have
    board = _findings(small).leaderboard.model_copy(update={"suite": ["mmlu"]})
    reported = [e for e in board.entries if e.evidence == "reported"]
    in_suite = [e for e in reported if "mmlu" in e.scores]
    assert len(in_suite) > 3
    monkeypatch.setattr(report, "REPORTED_SHOWN", 3)
    blocks = report.leaderboard_blocks(board)
    notes = [b.text for b in blocks if isinstance(b, Para) and "lists every model" in b.text]
    assert notes == [
        f"The 3 of {len(reported)} reported models with the most suite benchmarks (then the "
        "highest mean over them); leaderboard.csv lists every model."
    ]
    measured_table, reported_table = [b for b in blocks if isinstance(b, Table)]
    best = sorted(in_suite, key=lambda e: (e.rank is None, e.rank or 0, -e.scores["mmlu"].value))
    assert [row[1] for row in reported_table.rows] == [e.name for e in best[:3]]
    assert len(measured_table.rows) == 3


def test_writers_are_one_table_and_a_new_format_is_one_entry(small, tmp_path, monkeypatch):
    """Issue 20: output formats are listed in one table (format -> writer); the API writes
    through it, so a new format is one function and one entry."""
    from gaptrack.publish import outputs

    assert set(outputs.WRITERS) == {"csv", "site"}
    findings = _findings(small)
    by_table = outputs.write_formats(["csv"], findings, tmp_path / "a")
    direct = write_tables(findings, tmp_path / "b")
    assert [p.name for p in by_table] == [p.name for p in direct]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(by_table, direct, strict=True))

    def titles(findings, out, extras):
        out.mkdir(parents=True, exist_ok=True)
        (out / "titles.txt").write_text(findings.title + "\n")
        return [out / "titles.txt"]

    monkeypatch.setitem(outputs.WRITERS, "titles", titles)
    written = outputs.write_formats(["csv", "titles"], findings, tmp_path / "c")
    assert written[-1].name == "titles.txt" and len(written) == len(direct) + 1
