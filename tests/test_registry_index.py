"""The index, the cadence claim and the gap engine read model identity and release dates
from the registry (evidence/models.yaml). Each test pins a defect of issue 21 that the
shipped evidence showed before the registry: a compilation's date for DeepSeek-V2.5, a
pooled group dated by its earliest member (QwQ), one model fitted under two names, and
pre-2023 models setting 2023's lags."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from gaptrack.compare.claims import load_claims
from gaptrack.compare.evidence import load_reported
from gaptrack.compare.gaps import contenders, released_of
from gaptrack.compare.index.analysis import SIDES, run_index
from gaptrack.compare.index.inputs import load_all
from gaptrack.compare.index.months import new_best_lags
from gaptrack.compare.index.prepare import INDEX_SINCE, index_options
from gaptrack.compare.verdicts.cadence import evaluate_cadence


@pytest.fixture(scope="module")
def report():
    """The index of the shipped evidence (no store), as `gaptrack index` fits it; no
    bootstrap: the point estimates are what these defects were about."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return run_index(
            load_all(None), index_options(), n_boot=0, start=INDEX_SINCE, sides=SIDES[:1]
        )


@pytest.fixture(scope="module")
def reported():
    return load_reported(None)


def _model(report, pk: str) -> pd.Series:
    models = report.fit.prep.models
    return models[models["pk"] == pk].iloc[0]


def test_deepseek_v2_5_is_dated_september_2024_in_the_index(report) -> None:
    assert _model(report, "deepseek-v2.5")["released"] == pd.Timestamp("2024-09-05")
    months = report.months.set_index("month")
    # LLMStats' date (V2's, 2024-05-08) made V2.5 China's best model from May 2024
    for month in ("2024-05", "2024-06", "2024-07", "2024-08"):
        assert months.loc[month, "b_best_model"] != "DeepSeek-V2.5"


def test_cadence_has_no_two_day_v2_to_v2_5_interval(reported) -> None:
    claim = next(c for c in load_claims().claims if c.id == "c002-cadence")
    (evaluation,) = evaluate_cadence(claim, reported)
    assert not any("DeepSeek-V2.5 (2024-05" in m for m in evaluation.models)
    intervals = evaluation.checks[0].reason.split("intervals (days): ")[1]
    assert 2 not in eval(intervals)  # noqa: S307 (a list of ints the check itself printed)


def test_qwq_versions_keep_their_own_dates_and_give_china_no_lead(report) -> None:
    assert _model(report, "qwq-32b")["released"] == pd.Timestamp("2025-03-06")
    assert _model(report, "qwq-32b-preview")["released"] == pd.Timestamp("2024-11-28")
    months = report.months
    assert not months.loc[months["month"].between("2024-11", "2025-02"), "b_leads"].any()
    models = report.fit.prep.models
    released = models["released"].to_numpy().astype("datetime64[D]")
    us, cn = (models["origin"] == "US").to_numpy(), (models["origin"] == "CN").to_numpy()
    lags = new_best_lags(report.fit.capability, released, us, cn, INDEX_SINCE)
    assert (lags["lag"].dropna() >= 0).all()


@pytest.mark.parametrize(
    "names",
    [
        ("Claude 3.5 Sonnet (2024-10-22)", "Claude 3.5 Sonnet (October 2024)"),
        ("DeepSeek-V2 Chat (RL)", "DeepSeek-V2 (MoE-236B)"),
        ("QwQ-32B-Preview",),  # reported.csv, LLMStats and Epoch AI's version rows alike
    ],
)
def test_one_model_under_several_names_is_fitted_once(report, names) -> None:
    rows = report.fit.prep.rows
    mine = rows[rows["model"].isin(names) | rows["version"].isin(names)]
    assert mine["model"].nunique() >= 1 and mine["pk"].nunique() == 1, mine[["model", "pk"]]
    kinds = set(mine["kind"])
    assert "epoch" in kinds and "reported" in kinds  # the two sources really are pooled


def test_the_index_window_starts_in_2023(report) -> None:
    assert report.fit.prep.models["released"].min() >= pd.Timestamp(INDEX_SINCE)
    months = report.months
    lag_2023 = months.loc[months["month"].str.startswith("2023"), "lag_months"]
    assert np.nanmax(lag_2023.to_numpy()) < 12  # was 20.6: GPT-3.5 and PaLM set them


def test_the_gap_engine_dates_and_pools_by_the_registry(reported) -> None:
    v25 = [r for r in reported if r.row_id.startswith("llmstats.deepseek-v2.5.")]
    assert v25 and all(r.released == dt.date(2024, 5, 8) for r in v25)  # as LLMStats has it
    assert {released_of(r) for r in v25} == {dt.date(2024, 9, 5)}
    sonnet = [
        r
        for r in reported
        if r.model in ("Claude 3.5 Sonnet (2024-10-22)",)
        or "claude-3-5-sonnet-20241022" in r.row_id
    ]
    mmlu = [r for r in sonnet if r.benchmark == "mmlu"]
    assert {r.model for r in mmlu} == {"Claude 3.5 Sonnet", "Claude 3.5 Sonnet (2024-10-22)"}
    (one,) = contenders(mmlu, ["mmlu"])  # one model, not two
    assert one.released == dt.date(2024, 10, 22)


def test_as_of_keeps_epoch_rows_by_their_registry_date() -> None:
    """Epoch AI dates Qwen2.5-7B-Instruct 2025-02-26; the registry, by Qwen's own news
    line, 2024-09-19: an index as of December 2024 has it, and no later release."""
    from gaptrack.compare.evidence.epochdata import load_epoch_rows
    from gaptrack.compare.evidence.sources.epoch import known_by_as_of
    from gaptrack.update.active import as_of

    with as_of("2024-12-01"):
        kept = known_by_as_of(load_epoch_rows())
    assert "qwen2.5-7b-instruct" in set(kept["version"])
    assert "DeepSeek-V3" not in set(kept["version"])  # 2024-12-26
    assert not {"unit", "unit_name", "unit_released"} & set(kept.columns)
