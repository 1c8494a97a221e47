"""The chance floor of every benchmark the capability index reads and where that floor
comes from (which column of Epoch AI's files holds a score: evidence.epochfiles).

A floor is the score of random guessing. Scores are rescaled as (s - floor) / (1 - floor) and
clipped at 0, so a model at chance carries no capability (the same treatment as Epoch AI's
data preparation, where multiple-choice scores are corrected for guessing)."""

from __future__ import annotations

from gaptrack.base import Frozen


class Floor(Frozen):
    """Chance score of one benchmark."""

    value: float
    """Expected fraction correct by random guessing."""
    source: str
    """Why: answer format and the paper that defines it."""


_MC4 = "four answer options"
FLOORS: dict[str, Floor] = {
    "mmlu": Floor(value=0.25, source=f"{_MC4} (Hendrycks et al. 2020, arXiv 2009.03300)"),
    "gpqa_diamond": Floor(value=0.25, source=f"{_MC4} (Rein et al. 2023, arXiv 2311.12022)"),
    "hellaswag": Floor(value=0.25, source="four endings (Zellers et al. 2019, arXiv 1905.07830)"),
    "arc_challenge": Floor(
        value=0.25, source=f"{_MC4}, a few 3/5 (Clark et al. 2018, arXiv 1803.05457)"
    ),
    "arc_easy": Floor(value=0.25, source=f"{_MC4} (Clark et al. 2018, arXiv 1803.05457)"),
    "mmmu": Floor(
        value=0.221,
        source="random-choice baseline 22.1 % on validation "
        "(Yue et al. 2023, arXiv 2311.16502, Table 2)",
    ),
    "OpenBookQA": Floor(value=0.25, source=f"{_MC4} (Mihaylov et al. 2018, arXiv 1809.02789)"),
    "Winogrande": Floor(value=0.5, source="two options (Sakaguchi et al. 2019, arXiv 1907.10641)"),
    "PIQA": Floor(value=0.5, source="two solutions (Bisk et al. 2019, arXiv 1911.11641)"),
    "ANLI": Floor(value=1 / 3, source="three labels (Nie et al. 2019, arXiv 1910.14599)"),
    "CSQA2": Floor(value=0.5, source="yes/no answers (Talmor et al. 2021, arXiv 2201.05320)"),
    "VideoMME": Floor(value=0.25, source=f"{_MC4} (Fu et al. 2024, arXiv 2405.21075)"),
    "ScienceQA": Floor(
        value=0.3983,
        source="random-chance row 39.83 % (Lu et al. 2022, arXiv 2209.09513, Table 3), 2-5 options",
    ),
}
"""Benchmarks not listed have floor 0: free-form answers (MATH, GSM8K, AIME, HumanEval,
FrontierMath, ...), agentic task success, or mixed formats without a published chance row
(BBH: its multiple-choice tasks have floors but the exact-match tasks have none)."""


def floor_of(benchmark: str) -> Floor:
    """The chance floor of a benchmark key (0 where none applies)."""
    return FLOORS.get(benchmark, Floor(value=0.0, source="free-form or no published chance row"))
