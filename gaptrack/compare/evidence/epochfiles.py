"""Epoch AI's Benchmarking Hub files as evidence: which file holds which benchmark, which
column its score and on what scale, and the one map from Epoch's benchmark names to
gaptrack's ids (the index and the evidence rows both read it)."""

from __future__ import annotations

from gaptrack.base import Frozen


class EpochBenchmark(Frozen):
    """One Epoch AI Benchmarking Hub file and how to read a score from it."""

    name: str
    """Benchmark name as Epoch AI spells it (matches its ECI difficulty table)."""
    file: str
    """File under evidence/epoch/april2026/."""
    column: str
    """Column that holds the score."""
    divisor: float = 1.0
    """Divide by this to get a fraction (100 for percent columns, 10 for a 0-10 rubric)."""
    epoch_run: bool = False
    """Epoch AI ran the evaluation itself (otherwise Epoch collected it from a third source)."""


_E = EpochBenchmark
EPOCH_BENCHMARKS: tuple[EpochBenchmark, ...] = (
    _E(name="ANLI", file="adversarial_nli_external.csv", column="Score"),
    _E(
        name="Aider polyglot",
        file="aider_polyglot_external.csv",
        column="Percent correct",
        divisor=100,
    ),
    _E(name="APEX-Agents", file="apex_agents_external.csv", column="Pass@1 score"),
    _E(name="ARC-AGI-2", file="arc_agi_2_external.csv", column="Score"),
    _E(name="ARC-AGI", file="arc_agi_external.csv", column="Score"),
    _E(name="ARC AI2", file="arc_ai2_external.csv", column="Challenge score"),
    _E(name="Balrog", file="balrog_external.csv", column="Average progress"),
    _E(name="BBH", file="bbh_external.csv", column="Average"),
    _E(name="CadEval", file="cad_eval_external.csv", column="Overall pass (%)"),
    _E(
        name="Chess Puzzles",
        file="chess_puzzles.csv",
        column="Best score (across scorers)",
        epoch_run=True,
    ),
    _E(name="CSQA2", file="common_sense_qa_2_external.csv", column="Score"),
    _E(name="Cybench", file="cybench_external.csv", column="Unguided % Solved"),
    _E(name="DeepResearch Bench", file="deepresearchbench_external.csv", column="Average score"),
    _E(name="Fiction.LiveBench", file="fictionlivebench_external.csv", column="16k token score"),
    _E(
        name="FrontierMath-2025-02-28-Private",
        file="frontiermath.csv",
        column="Best score (across scorers)",
        epoch_run=True,
    ),
    _E(
        name="FrontierMath-Tier-4-2025-07-01-Private",
        file="frontiermath_tier_4.csv",
        column="Best score (across scorers)",
        epoch_run=True,
    ),
    _E(name="GeoBench", file="geobench_external.csv", column="ACW Country %"),
    _E(
        name="GPQA diamond",
        file="gpqa_diamond.csv",
        column="Best score (across scorers)",
        epoch_run=True,
    ),
    _E(name="GSM8K", file="gsm8k_external.csv", column="EM"),
    _E(name="HellaSwag", file="hella_swag_external.csv", column="Overall accuracy"),
    _E(name="HLE", file="hle_external.csv", column="Accuracy"),
    _E(name="LAMBADA", file="lambada_external.csv", column="Score"),
    _E(
        name="Lech Mazur Writing",
        file="lech_mazur_writing_external.csv",
        column="Mean score",
        divisor=10,
    ),
    _E(name="LiveBench", file="live_bench_external.csv", column="Global average", divisor=100),
    _E(
        name="MATH level 5",
        file="math_level_5.csv",
        column="Best score (across scorers)",
        epoch_run=True,
    ),
    _E(name="MMLU", file="mmlu_external.csv", column="EM"),
    _E(name="OpenBookQA", file="open_book_qa_external.csv", column="Accuracy"),
    _E(name="OSWorld", file="os_world_external.csv", column="Score", divisor=100),
    _E(
        name="OTIS Mock AIME 2024-2025",
        file="otis_mock_aime_2024_2025.csv",
        column="Best score (across scorers)",
        epoch_run=True,
    ),
    _E(name="PIQA", file="piqa_external.csv", column="Score"),
    _E(name="PostTrainBench", file="posttrainbench_external.csv", column="Average (%)"),
    _E(name="ScienceQA", file="science_qa_external.csv", column="Score"),
    _E(name="SimpleBench", file="simplebench_external.csv", column="Score (AVG@5)"),
    _E(
        name="SimpleQA Verified",
        file="simpleqa_verified.csv",
        column="Best score (across scorers)",
        epoch_run=True,
    ),
    _E(
        name="SWE-Bench verified",
        file="swe_bench_verified.csv",
        column="Best score (across scorers)",
        epoch_run=True,
    ),
    _E(name="Terminal Bench", file="terminalbench_external.csv", column="Accuracy mean"),
    _E(name="The Agent Company", file="the_agent_company_external.csv", column="% Resolved"),
    _E(name="TriviaQA", file="trivia_qa_external.csv", column="EM"),
    _E(name="VideoMME", file="video_mme_external.csv", column="Overall (no subtitles)"),
    _E(name="VPCT", file="vpct_external.csv", column="Correct"),
    _E(name="WeirdML", file="weirdml_external.csv", column="Accuracy"),
    _E(name="Winogrande", file="wino_grande_external.csv", column="Accuracy"),
)

EPOCH_TO_GAPTRACK = {
    "MMLU": "mmlu",
    "GPQA diamond": "gpqa_diamond",
    "GSM8K": "gsm8k",
    "HellaSwag": "hellaswag",
    "ARC AI2": "arc_challenge",
    "MATH level 5": "math_level_5",
    "OTIS Mock AIME 2024-2025": "otis_mock_aime",
}
"""The one map from Epoch's benchmark names to gaptrack's benchmark ids (the index and the
evidence rows both read it): only where Epoch's file is the same test as the gaptrack id,
so that reported and measured rows land on the same difficulty as Epoch's rows. A variant
is its own id: Epoch's "MATH level 5" (the hardest 1,324 problems of MATH's test set) is
`math_level_5`, never `math` or `math_500`; its "OTIS Mock AIME 2024-2025" is
`otis_mock_aime`, never `aime_2024` or `aime_2025`; "GPQA diamond" is `gpqa_diamond`, not
`gpqa`. Epoch names not listed keep their own name as their key."""


def index_key(epoch_name: str) -> str:
    """The benchmark key used in the fit for an Epoch benchmark name."""
    return EPOCH_TO_GAPTRACK.get(epoch_name, epoch_name)
