"""Issue 21: the index headline reads as Epoch AI reads its own index (third-party runs,
>= 4 benchmarks per model, models released from 2023), with the all-evidence figure
beside it."""

from __future__ import annotations

from gaptrack.compare.index.headline import (
    HEADLINE_OPTIONS,
    HeadlineFigure,
    read,
    sentence,
    to_frame,
)


def test_headline_options():
    assert HEADLINE_OPTIONS.reporters == ("third_party",)
    assert HEADLINE_OPTIONS.min_benchmarks == 4
    assert HEADLINE_OPTIONS.since == "2023-01-01"


def test_headline_sentence_sets_the_all_evidence_figure_beside(tmp_path):
    figures = [
        HeadlineFigure(basis="headline", figure="average", value=7.4, lo=5.9, hi=10.3, models=129),
        HeadlineFigure(
            basis="headline", figure="latest", month="2026-04", value=8.7, lo=4.9, hi=12.2
        ),
        HeadlineFigure(
            basis="all evidence", figure="average", value=8.6, lo=6.9, hi=11.7, models=259
        ),
    ]
    text = sentence(figures)
    assert text.startswith("China trails the US by 7.4 [5.9, 10.3] months on average")
    assert "third-party runs, >= 4 benchmarks per model, models from 2023" in text
    assert "all evidence: 8.6 [6.9, 11.7] on average (259 models)" in text
    path = tmp_path / "headline_summary.csv"
    to_frame(figures).to_csv(path, index=False)
    assert read(path) == figures  # what `gaptrack index` stores, `report` reads back
