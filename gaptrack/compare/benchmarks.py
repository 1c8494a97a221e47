"""The vocabulary claims and evidence share: benchmarks, non-benchmark figures and events.

A claim or an evidence row that names something outside these lists is an error, so a
typo cannot silently turn a testable claim into one with no evidence."""

from __future__ import annotations

from typing import Literal

from gaptrack.base import Frozen


class Benchmark(Frozen):
    """A scored benchmark or leaderboard."""

    id: str
    """Identifier used in claims.yaml and in the evidence's `benchmark` column."""
    name: str
    """Display name."""
    unit: Literal["percent", "elo"]
    """Scale of a score: accuracy in percent (0-100), or an Elo-style rating."""
    resolution: float
    """Smallest step in which sources print a score (0.1 for accuracies, 1 for Arena
    ratings); half of it bounds the rounding error of a published score."""
    measured_tasks: tuple[str, ...] = ()
    """lm-eval task names whose stored records measure this benchmark."""
    leaderboard: bool = False
    """Scores are ratings on a dated leaderboard snapshot rather than fixed test sets."""


class Figure(Frozen):
    """A non-benchmark quantity (downloads, investment, counts) or a dated event."""

    id: str
    """Identifier used in claims.yaml and in the evidence's `benchmark` column."""
    description: str
    """What the number counts, with its unit."""
    event: bool = False
    """An event: the row's `snapshot` is the date it happened; it has no value."""


BENCHMARKS: dict[str, Benchmark] = {
    b.id: b
    for b in [
        Benchmark(
            id="chatbot_arena",
            name="LMSYS Chatbot Arena rating",
            unit="elo",
            resolution=1.0,
            leaderboard=True,
        ),
        Benchmark(id="mmlu", name="MMLU", unit="percent", resolution=0.1, measured_tasks=("mmlu",)),
        Benchmark(id="mmmu", name="MMMU", unit="percent", resolution=0.1),
        Benchmark(
            id="math",
            name="MATH",
            unit="percent",
            resolution=0.1,
            measured_tasks=("minerva_math", "hendrycks_math"),
        ),
        Benchmark(id="math_500", name="MATH-500", unit="percent", resolution=0.1),
        Benchmark(
            id="gpqa_diamond",
            name="GPQA Diamond",
            unit="percent",
            resolution=0.1,
            measured_tasks=("gpqa_diamond_zeroshot",),
        ),
        Benchmark(
            id="humaneval",
            name="HumanEval (pass@1)",
            unit="percent",
            resolution=0.1,
            measured_tasks=("humaneval",),
        ),
        Benchmark(id="aime_2024", name="AIME 2024 (pass@1)", unit="percent", resolution=0.1),
        Benchmark(id="aime_2025", name="AIME 2025 (pass@1)", unit="percent", resolution=0.1),
        Benchmark(id="mmlu_pro", name="MMLU-Pro", unit="percent", resolution=0.1),
        Benchmark(
            id="livecodebench",
            name="LiveCodeBench (pass@1; problem window differs between sources)",
            unit="percent",
            resolution=0.1,
        ),
        Benchmark(
            id="gsm8k", name="GSM8K", unit="percent", resolution=0.1, measured_tasks=("gsm8k",)
        ),
        Benchmark(
            id="arc_easy",
            name="ARC-Easy",
            unit="percent",
            resolution=0.1,
            measured_tasks=("arc_easy",),
        ),
        Benchmark(
            id="arc_challenge",
            name="ARC-Challenge",
            unit="percent",
            resolution=0.1,
            measured_tasks=("arc_challenge",),
        ),
        Benchmark(
            id="hellaswag",
            name="HellaSwag",
            unit="percent",
            resolution=0.1,
            measured_tasks=("hellaswag",),
        ),
    ]
}

FIGURES: dict[str, Figure] = {
    f.id: f
    for f in [
        Figure(id="open_models_released", description="open-weight models released (count)"),
        Figure(id="hf_downloads_m", description="cumulative Hugging Face downloads (millions)"),
        Figure(id="derivative_models", description="derivative models on Hugging Face (count)"),
        Figure(
            id="ai_vc_investment_usd_b",
            description="venture capital invested in AI in one year (USD billions)",
        ),
        Figure(id="state_ai_fund_usd_b", description="state AI fund pledged (USD billions)"),
        Figure(
            id="ai_financing_cny_b", description="AI-sector financing in a quarter (CNY billions)"
        ),
        Figure(
            id="ai_financing_yoy_pct",
            description="year-on-year growth of AI-sector financing (percent)",
        ),
        Figure(
            id="frontier_lag_months",
            description="months by which the origin's best model trails the US frontier",
        ),
        Figure(
            id="months_to_gpt4_level",
            description="months after GPT-4 until the origin's first GPT-4-level model",
        ),
        Figure(
            id="training_compute_growth_x",
            description="yearly growth factor of top models' training compute",
        ),
        Figure(id="notable_models", description="notable models released in a year (count)"),
        Figure(
            id="task_margin_pct",
            description="extra share of agentic tasks solved by the best US model (percent)",
        ),
        Figure(
            id="qwen_passes_llama_hf_downloads",
            event=True,
            description="Qwen passes Llama in cumulative Hugging Face downloads",
        ),
    ]
}


def benchmark(benchmark_id: str) -> Benchmark:
    return BENCHMARKS[benchmark_id]


def benchmark_for_task(task_name: str) -> str:
    """The benchmark a stored lm-eval task measures; an unmapped task keeps its own name."""
    for bench in BENCHMARKS.values():
        if task_name == bench.id or task_name in bench.measured_tasks:
            return bench.id
    return task_name


def check_benchmark(value: str) -> str:
    if value not in BENCHMARKS:
        known = ", ".join(sorted(BENCHMARKS))
        raise ValueError(f"{value!r} is not a known benchmark (known: {known})")
    return value


def check_figure(value: str) -> str:
    if value not in FIGURES:
        known = ", ".join(sorted(FIGURES))
        raise ValueError(f"{value!r} is not a known figure (known: {known})")
    return value
