"""The report site without a browser: the overview's figures are the typed results
(compare.overview) and nothing else, pages escape what the data says, tables fold their
secondary columns, claim pages sit at stable URLs, and --archive keeps dated copies with an
index page of the headline figure over report dates."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from gaptrack.compare.overview import Overview, index_numbers, verdict_counts
from gaptrack.publish.document import Link, Table
from gaptrack.publish.site import benchmark_path, claim_path, environment
from tests.test_publish import _findings, small  # noqa: F401  (fixture)
from tests.test_publish_index import _index_report


def _index(last_lag: float | None = 6.0, leads: bool = False) -> SimpleNamespace:
    index = _index_report()
    months = index.months.copy()
    months.loc[len(months) - 1, "lag_months"] = last_lag
    months["b_leads"] = [False] * (len(months) - 1) + [leads]
    summary = {
        "CN behind US": {
            "average": SimpleNamespace(value=10.0, lo=7.5, hi=12.5),
            "gap_points": SimpleNamespace(value=4.0, lo=1.0, hi=7.0),
            "gap_year_ago_points": SimpleNamespace(value=9.0, lo=5.0, hi=13.0),
        }
    }
    return SimpleNamespace(models=index.models, months=months, summary=summary)


def test_overview_numbers_are_the_index_figures():
    months, gaps = index_numbers(_index(), headline=None)
    latest = {n.key: n for n in months}["months_latest"]
    assert (latest.value, latest.lo, latest.hi, latest.at) == (6.0, 3.0, 9.0, "2024-12")
    assert latest.tier == "all evidence" and latest.models == 4
    today, year_ago = gaps
    assert (today.value, today.at) == (4.0, "2024-12")
    assert (year_ago.value, year_ago.lo, year_ago.hi, year_ago.at) == (9.0, 5.0, 13.0, "2023-12")
    assert year_ago.text() == "9.0 [5.0, 13.0]"


def test_a_month_where_china_leads_says_so_instead_of_an_older_lag():
    months, _ = index_numbers(_index(last_lag=float("nan"), leads=True), headline=None)
    latest = {n.key: n for n in months}["months_latest"]
    assert latest.value is None and latest.at == "2024-12"
    assert latest.text() == "China's best leads"


def test_the_headline_basis_comes_first(small):  # noqa: F811
    from gaptrack.compare.index.headline import HeadlineFigure
    from gaptrack.compare.overview import overview

    headline = [
        HeadlineFigure(basis="headline", figure="average", value=7.0, lo=6.0, hi=9.0, models=9),
        HeadlineFigure(
            basis="headline", figure="latest", month="2024-12", value=8.0, lo=2.0, hi=10.0
        ),
    ]
    ov = overview(_findings(small), _index(), headline)
    lead = ov.lead()
    assert lead.key == "months_third_party_latest" and lead.tier == "third-party runs"
    assert (lead.value, lead.at) == (8.0, "2024-12")
    counts = {c.verdict: c.count for c in ov.verdicts}
    assert sum(counts.values()) == len(_findings(small).verdicts)
    assert list(counts)[0] == "supported" and list(counts)[-1] == "untestable"
    assert Overview.model_validate_json(ov.model_dump_json()) == ov  # overview.json reads back


def test_verdict_counts_keep_every_label_and_the_registry_order():
    verdicts = [
        SimpleNamespace(claim=SimpleNamespace(id=i), verdict=v)
        for i, v in (("b", "supported"), ("a", "supported"), ("c", "untestable"))
    ]
    counts = verdict_counts(verdicts)
    assert [c.count for c in counts] == [2, 0, 0, 0, 0, 1]
    assert counts[0].claims == ["b", "a"] and counts[0].anchor == "verdict-supported"


def test_tables_fold_secondary_columns_and_escape_cells():
    env = environment()
    macro = env.from_string('{% from "_blocks.html" import table %}{{ table(t, "../") }}')
    t = Table(
        ["claim", "quote"],
        [[Link("c1", "claims/c1.html"), "<script>x</script>"], [Link("u", "https://e.org/a"), ""]],
        secondary=frozenset([1]),
    )
    html = macro.render(t=t)
    assert '<td><a href="../claims/c1.html">c1</a></td>' in html  # relative to the page
    assert '<a href="https://e.org/a">' in html  # absolute stays absolute
    assert '<td class="sec">&lt;script&gt;x&lt;/script&gt;</td>' in html
    assert '<th scope="col" class="sec">quote</th>' in html and "fold-note" in html
    css = (Path(__file__).parent.parent / "gaptrack/publish/templates/site.css").read_text()
    assert re.search(r"@media \(max-width:640px\)\{[^@]*\.sec\{display:none\}", css)


def test_page_urls_are_stable():
    assert claim_path("c001-gap-9-to-2") == "claims/c001-gap-9-to-2.html"
    assert benchmark_path("arc_easy") == "benchmarks/arc_easy.html"
    assert benchmark_path("a/b c") == "benchmarks/a-b-c.html"


def _fake_report(folder: Path, as_of: str, value: float | None) -> list[Path]:
    from gaptrack.compare.overview import Number

    lead = (
        [
            Number(
                key="m",
                label="m",
                value=value,
                lo=value - 1,
                hi=value + 2,
                unit="months",
                tier="third-party runs",
                at=as_of[:7],
            )
        ]
        if value is not None
        else []
    )
    ov = Overview(title="t", as_of=as_of, sources=f"as of {as_of}", months=lead, verdicts=[])
    (folder / "plots").mkdir(parents=True)
    (folder / "plots" / "headline.png").write_bytes(b"png")
    (folder / "plots" / "stale.png").write_bytes(b"old")
    (folder / "report.html").write_text('<img src="plots/headline.png" alt="x">')
    (folder / "overview.json").write_text(ov.model_dump_json())
    (folder / "headline.csv").write_text("figure\n")
    return [folder / "report.html", folder / "overview.json"]


def test_archive_keeps_dated_copies_and_plots_the_headline_over_report_dates(tmp_path):
    from gaptrack.publish.archive import write_archive

    archive = tmp_path / "archive"
    for as_of, value in (("2026-01-05", 9.0), ("2026-03-02", 7.5), ("2026-02-02", None)):
        folder = tmp_path / as_of
        write_archive(folder, _fake_report(folder, as_of, value), archive)
    assert sorted(p.name for p in archive.iterdir() if p.is_dir()) == [
        "2026-01-05",
        "2026-02-02",
        "2026-03-02",
    ]
    copy = archive / "2026-03-02"
    assert (copy / "plots" / "headline.png").is_file() and (copy / "headline.csv").is_file()
    assert not (copy / "plots" / "stale.png").exists()  # only what the pages show
    page = (archive / "index.html").read_text()
    rows = re.findall(r'<tr><td><a href="([^"]+)">', page)
    assert rows == ["2026-03-02/report.html", "2026-02-02/report.html", "2026-01-05/report.html"]
    assert "7.5 [6.5, 9.5]" in page and "9.0 [8.0, 11.0]" in page
    assert (archive / "months-behind.png").is_file() and (archive / "site.css").is_file()
    alt = re.search(r'<img src="months-behind.png" alt="([^"]+)"', page).group(1)
    assert "2 reports from 2026-01-05 to 2026-03-02" in alt and "7.5 [6.5, 9.5]" in alt
    before = {p: p.read_bytes() for p in archive.rglob("*") if p.is_file()}
    write_archive(tmp_path / "2026-03-02", [tmp_path / "2026-03-02" / "report.html"], archive)
    assert {p: p.read_bytes() for p in archive.rglob("*") if p.is_file()} == before


def test_archive_refuses_a_report_without_a_date(tmp_path):
    from gaptrack.errors import GaptrackError
    from gaptrack.publish.archive import write_archive

    folder = tmp_path / "r"
    written = _fake_report(folder, "2026-01-05", 1.0)
    data = json.loads((folder / "overview.json").read_text())
    (folder / "overview.json").write_text(json.dumps({**data, "as_of": ""}))
    with pytest.raises(GaptrackError, match="no as-of date"):
        write_archive(folder, written, tmp_path / "archive")


def test_months_table_without_optional_columns_is_read():
    """A StoredIndex read from an older index/months.csv has no b_leads column."""
    index = _index()
    index.months = index.months.drop(columns=["b_leads"])
    months, _ = index_numbers(index, headline=None)
    assert {n.key: n for n in months}["months_latest"].value == 6.0
    assert isinstance(index.months, pd.DataFrame)
