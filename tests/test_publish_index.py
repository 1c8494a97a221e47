"""The report's capability-index section, from an index report's tables (the columns
gaptrack.compare.index gives them); without an index the report has no such section."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from gaptrack.errors import GaptrackError
from gaptrack.publish.index_section import index_section
from tests.test_publish import _findings, small  # noqa: F401  (fixture)


def _index_report() -> SimpleNamespace:
    models = pd.DataFrame(
        {
            "model": ["GPT-4", "Qwen-72B", "GPT-4o", "DeepSeek-V3"],
            "origin": ["US", "CN", "US", "CN"],
            "released": ["2023-03-14", "2023-11-30", "2024-05-13", "2024-12-26"],
            "capability": [120.0, 110.0, 128.0, 126.0],
            "lo": [118.0, 107.0, 126.0, 123.0],
            "hi": [122.0, 113.0, 130.0, 129.0],
        }
    )
    months = pd.DataFrame(
        {
            "sides": ["CN behind US"] * 3,
            "month": ["2024-01", "2024-06", "2024-12"],
            "lag_months": [14.0, 10.0, 6.0],
            "lag_lo": [11.0, 8.0, 3.0],
            "lag_hi": [17.0, 12.0, 9.0],
        }
    )
    average = SimpleNamespace(value=10.0, lo=7.5, hi=12.5)
    return SimpleNamespace(
        models=models, months=months, summary={"CN behind US": {"average": average}}
    )


def test_index_section_with_and_without_an_index(tmp_path):
    plots = tmp_path / "plots"
    blocks = index_section(_index_report(), plots)
    assert blocks[0].text == "Capability index"
    assert (plots / "index-frontier.png").is_file() and (
        plots / "index-months-behind.svg"
    ).is_file()
    assert blocks[-1].rows == [["CN behind US", "10.0", "[7.5, 12.5]"]]
    assert index_section(None, plots) == []
    note = index_section(GaptrackError("too few benchmarks"), plots)
    assert "too few benchmarks" in note[-1].text


def test_report_includes_the_index_section(small, tmp_path):  # noqa: F811
    from gaptrack.publish.outputs import write_pages

    html, md = write_pages(_findings(small), tmp_path / "out", _index_report())
    assert "## Capability index" in md.read_text()
    assert "index-frontier.png" in md.read_text()
    page = (html.parent / "capability-index.html").read_text()
    assert "plots/index-frontier.png" in page and 'href="capability-index.html"' in html.read_text()


def test_gap_plot_labels_that_would_overlap_are_left_out():
    import datetime as dt

    from gaptrack.publish.plots import _Labels

    def row(day: str, a: float, b: float) -> SimpleNamespace:
        at = dt.date.fromisoformat(day)
        return SimpleNamespace(at=at, a=SimpleNamespace(value=a), b=SimpleNamespace(value=b))

    # a year wide (x: 16 % = 58 days), 0-100 tall (y: 6 points between labels)
    labels = _Labels([row("2024-01-31", 0.0, 0.0), row("2025-01-31", 100.0, 50.0)])
    assert labels.fits(dt.date(2024, 6, 1), 50.0, "a")
    assert not labels.fits(dt.date(2024, 6, 20), 52.0, "a")  # 19 days, 2 points away
    assert labels.fits(dt.date(2024, 9, 1), 52.0, "a")  # 92 days away
    assert labels.fits(dt.date(2024, 6, 20), 70.0, "a")  # 20 points away
    # side B's label sits below its point: a B point 5.5 above an A point collides
    assert not labels.fits(dt.date(2024, 6, 1), 55.5, "b")
    assert labels.near_right_end(dt.date(2025, 1, 1)) and not labels.near_right_end(
        dt.date(2024, 6, 1)
    )
