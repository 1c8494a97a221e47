"""What `gaptrack index` prints and the CSV files it writes under <results>/index/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from gaptrack.compare.index.analysis import Estimate
from gaptrack.compare.index.cache import KEY_FILE
from gaptrack.compare.index.epochcheck import TOLERANCE, EpochCheck
from gaptrack.compare.index.headline import HEADLINE_FILE, sentence, to_frame
from gaptrack.compare.index.outcome import CAISI_DATE, IndexOutcome
from gaptrack.publish.csv_safe import safe_frame
from gaptrack.publish.files import write_files

Say = Callable[[str], None]


def _e(est: Estimate | None, unit: str = "", digits: int = 1) -> str:
    if est is None or not np.isfinite(est.value):
        return "n/a"
    band = "" if not np.isfinite(est.lo) else f" [{est.lo:.{digits}f}, {est.hi:.{digits}f}]"
    return f"{est.value:.{digits}f}{unit}{band}"


def _table(frame: pd.DataFrame, floats: int = 1) -> str:
    return frame.to_string(index=False, float_format=lambda v: f"{v:.{floats}f}")


def write_csvs(
    outcome: IndexOutcome,
    folder: Path,
    key: str | None = None,
    also: dict[Path, str] | None = None,
) -> list[Path]:
    """One file per table (layouts in results/README.md), written as one batch (a failure
    leaves the old tables, publish.files), text cells neutralised (csv_safe), with the
    files of `also`; `key`: the index cache's key file content, written last, once every
    table is in place. Returns the paths written, the key file left out."""
    r = outcome.report
    rows = [
        {"sides": s, "figure": k, "value": e.value, "lo": e.lo, "hi": e.hi}
        for s, figures in r.summary.items()
        for k, e in figures.items()
    ]
    tables = {
        "models.csv": r.models.drop(columns=["n_rows"]),
        "benchmarks.csv": r.benchmarks,
        "months.csv": r.months,
        "summary.csv": pd.DataFrame(rows),
        "left_out.csv": r.fit.prep.left_out,
        "too_few_benchmarks.csv": r.fit.prep.too_few,
        "self_reported.csv": outcome.self_report.pairs,
    }
    if outcome.headline is not None:
        tables[HEADLINE_FILE] = to_frame(outcome.headline)
    files: dict[Path, str] = {
        folder / name: safe_frame(frame).to_csv(index=False) for name, frame in tables.items()
    }
    files.update(also or {})
    if key is not None:
        files[folder / KEY_FILE] = key
    written = write_files(files)
    return written if key is None else written[:-1]


def _verdict(value: float, target: float, tol: float) -> str:
    off = abs(value - target) - tol
    return "within tolerance" if off <= 0 else f"OUTSIDE tolerance by {off:.1f}"


def print_epoch(check: EpochCheck, say: Say) -> None:
    say("\nCheck against Epoch AI's published figures (tolerances in README, set beforehand)")
    for a in (check.pooled, check.versions):
        say(f"  Spearman with Epoch's ECI, {a.label}: {a.spearman:.4f} over {a.n_common} models")
    ok = "within tolerance" if check.pooled.spearman >= TOLERANCE["spearman"] else "OUTSIDE"
    say(f"  -> pooled fit {ok} (>= {TOLERANCE['spearman']}); largest disagreements:")
    say("    " + _table(check.pooled.worst).replace("\n", "\n    "))
    target, tol = TOLERANCE["average"]
    say(
        f"  average months CN behind US, 2023-01..2025-12: {_e(check.average)} "
        f"(Epoch: about 7) -> {_verdict(check.average.value, target, tol)} (7 +/- 2); "
        f"version-level fit: {check.version_average:.1f}"
    )
    (low_t, low_tol), (high_t, high_tol) = TOLERANCE["range"]

    def ends(lo: float, hi: float) -> str:
        return (
            f"low end {_verdict(lo, low_t, low_tol)}, high end "
            f"{_verdict(hi, high_t, high_tol)} (4 +/- 2, 14 +/- 2)"
        )

    lo, hi = check.monthly_range
    say(f"  range on the monthly grid: {lo:.1f} to {hi:.1f} months (Epoch: 4-14): {ends(lo, hi)}")
    nb = check.new_best
    ahead = nb[nb["lag"] > 0]["lag"]
    say(
        f"  range at each release setting a new Chinese best: {ahead.min():.1f} to "
        f"{ahead.max():.1f} months, leaving out {int((nb['lag'] <= 0).sum())} release(s) where "
        f"China led: {ends(ahead.min(), ahead.max())}; Epoch's wording ('between 4 and 14', "
        "'14 months after GPT-4') fits this definition:"
    )
    say("    " + _table(nb).replace("\n", "\n    "))
    target, tol = TOLERANCE["gpt4_parity"]
    for name, (month, share) in check.parity.items():
        shares = ", ".join(f"{k} {v:.0%}" for k, v in share.items())
        months_off = 0 if month == "not yet" else (pd.Period(month, "M") - pd.Period(target, "M")).n
        off = "no Chinese model yet" if month == "not yet" else _verdict(months_off, 0, tol)
        say(
            f"  first Chinese model at {name}'s level: {month} (Epoch: {target}, +/- {tol} "
            f"months) -> {off}; replicates: {shares}"
        )


SUMMARY_TOP = 10
"""Models the one-screen summary ranks (--top overrides; --verbose: 25)."""


def print_outcome_summary(outcome: IndexOutcome, say: Say, top: int = SUMMARY_TOP) -> None:
    """`gaptrack index` on one screen: the headline, the evidence used, the top models,
    each side's months behind, the third-party and self-report comparisons, the claims'
    verdicts counted, and Epoch AI's check; every table is in the CSVs (--verbose prints
    them)."""
    r = outcome.report
    prep = r.fit.prep
    if outcome.headline is not None:
        say(f"Headline: {sentence(outcome.headline)}\n")
    say(
        f"Evidence: {outcome.n_rows} rows read, {len(prep.rows)} used, {len(prep.left_out)} "
        f"left out (left_out.csv); {len(prep.too_few)} models with fewer than 2 benchmarks"
    )
    say(f"\nCapability, top {min(top, len(r.models))} of {len(r.models)} (95 % intervals):")
    cols = ["rank", "model", "origin", "released", "capability", "lo", "hi"]
    say(_table(r.models[cols].head(top)))
    say("")
    for sides, figures in r.summary.items():
        say(
            f"{sides}: average {_e(figures['average'])} months (min {_e(figures['min'])}, "
            f"max {_e(figures['max'])}); frontier gap at the last month "
            f"{_e(figures['gap_percent'], ' %')}"
        )
    third = outcome.third_party
    if third is not None:
        say(
            "third-party evidence only: average months CN behind US "
            f"{third.summary['CN behind US']['average'].value:.1f}"
        )
    sr = outcome.self_report
    if sr.us_minus_cn is not None:
        say(
            f"self-reported minus third-party ({len(sr.pairs)} pairs), US minus CN: "
            f"{_e(sr.us_minus_cn)} points"
        )
    counts: dict[str, int] = {}
    for v in outcome.claims:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    if counts:
        found = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
        say(f"claims about a lead or a trend, on this index: {found}")
    say(f"months CN behind US on {CAISI_DATE}: {_e(outcome.caisi)} (NIST CAISI: about 8)")
    check = outcome.epoch
    if check is not None:
        target, tol = TOLERANCE["average"]
        say(
            f"Epoch AI check: Spearman {check.pooled.spearman:.3f} over {check.pooled.n_common} "
            f"models; average months CN behind {_e(check.average)} (Epoch: about 7) -> "
            f"{_verdict(check.average.value, target, tol)}"
        )
    say("--verbose prints every table (difficulties, months, left-out rows, Epoch's check)")


def print_outcome(outcome: IndexOutcome, say: Say, top: int = 25, verbose: bool = True) -> None:
    """What `gaptrack index` prints: every table (`verbose`), or print_outcome_summary."""
    if not verbose:
        print_outcome_summary(outcome, say, top)
        return
    r = outcome.report
    prep = r.fit.prep
    if outcome.headline is not None:
        say(f"Headline: {sentence(outcome.headline)}\n")
    say(
        f"Evidence: {outcome.n_rows} rows read, {len(prep.rows)} used; "
        f"{len(prep.left_out)} left out (cannot identify model or benchmark):"
    )
    left = prep.left_out
    epoch = left["row_id"].str.startswith("epoch.")
    # The user's own rows are named one per line; Epoch's many are summarised by reason
    # (every one is named in left_out.csv).
    for row_id, reason in zip(left.loc[~epoch, "row_id"], left.loc[~epoch, "reason"], strict=True):
        say(f"  left out {row_id}: {reason}")
    for reason, n in left.loc[epoch, "reason"].value_counts().items():
        example = left.loc[epoch & (left["reason"] == reason), "row_id"].iloc[0]
        say(f"  left out {n} Epoch AI rows: {reason} (e.g. {example})")
    names = ", ".join(f"{m} ({n})" for m, n in prep.too_few.head(8).itertuples(index=False))
    more = "" if len(prep.too_few) <= 8 else ", ... (all in too_few_benchmarks.csv)"
    say(f"{len(prep.too_few)} models get no index, fewer than 2 benchmarks: {names}{more}")
    anchors = ", ".join(f"{n} = {v:g}" for n, v in r.fit.anchors)
    failed = f"; {len(r.reps.failed)} failed: {r.reps.failed[0]}" if r.reps.failed else ""
    say(
        f"\nCapability (anchors {anchors}; 95 % intervals from {len(r.reps.capability)} "
        f"bootstrap replicates{failed}); top {top} of {len(r.models)}:"
    )
    cols = ["rank", "model", "origin", "released", "n_benchmarks", "capability", "lo", "hi"]
    say(_table(r.models[cols].head(top)))
    say("\nBenchmark difficulty (same scale) and slope:")
    say(_table(r.benchmarks, 3))
    for sides, figures in r.summary.items():
        series = r.months[r.months["sides"] == sides]
        say(f"\nMonths behind: {sides}")
        say(_table(series.drop(columns=["sides"]).dropna(subset=["b_best_capability"])))
        say(
            f"  average {_e(figures['average'])}, min {_e(figures['min'])}, "
            f"max {_e(figures['max'])} months; frontier gap at the last month "
            f"{_e(figures['gap_points'], ' points')} = {_e(figures['gap_percent'], ' %')}; "
            f"{int(series['b_leads'].sum())} months where side B led"
        )
    third = outcome.third_party
    if third is not None:
        moved = (
            third.summary["CN behind US"]["average"].value
            - r.summary["CN behind US"]["average"].value
        )
        say(
            f"\nThird-party evidence only: average months CN behind US "
            f"{third.summary['CN behind US']['average'].value:.1f} ({moved:+.1f} vs all evidence)"
        )
    sr = outcome.self_report
    say(
        f"\nSelf-reported minus third-party, same model and benchmark ({len(sr.pairs)} pairs), "
        "percentage points:"
    )
    for side, est in sr.by_origin.items():
        say(f"  {side}: {_e(est)}")
    if sr.us_minus_cn is not None:
        say(
            f"  US minus CN: {_e(sr.us_minus_cn)} (an interval containing 0: no evidence that "
            "they differ)"
        )
    say("\nClaims about a lead or a trend, second verdict on this index (gap in points):")
    for v in outcome.claims:  # verdicts.index: one evaluation, one check
        ev, check = v.evaluations[0], v.evaluations[0].checks[0]
        lo, hi = (check.interval.low, check.interval.high) if check.interval else (np.nan,) * 2
        context = "".join(f"; {note}" for note in ev.notes)  # months CN behind
        say(
            f"  {v.claim.id}: {check.label}: {check.value:+.1f} [{lo:+.1f}, {hi:+.1f}] -> "
            f"{v.verdict}{context}"
        )
    say("\nComparisons (different benchmarks and methods: comparisons, not reproductions):")
    say(
        f"  months CN behind US on {CAISI_DATE}: {_e(outcome.caisi)} beside NIST CAISI's about "
        "8 months for DeepSeek V4 Pro (IRT Elo over 9 benchmarks, 2 private)"
    )
    gap = r.summary["CN behind US"]["gap_percent"]
    say(
        f"  frontier capability gap {_e(gap, ' %')} beside 'Close, But How Close?' 1.4-6.8 % "
        "(index-dependent)"
    )
    if outcome.epoch is not None:
        print_epoch(outcome.epoch, say)
