"""The capability index: recovery of known parameters from simulated data, the Jacobian, bad
input, non-convergence, months behind on a hand-made case and a small coverage simulation."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

from gaptrack.compare.index.analysis import Sides, lag_summary
from gaptrack.compare.index.bootstrap import bootstrap
from gaptrack.compare.index.core import fit_index
from gaptrack.compare.index.fit import FitError, Problem, solve
from gaptrack.compare.index.months import lag_series, month_grid, new_best_lags
from gaptrack.compare.index.prepare import Options, prepare
from gaptrack.compare.index.simulate import simulate

PLAIN = Options(chance=False)


def test_fit_recovers_simulated_capabilities_difficulties_and_slopes():
    sim = simulate(np.random.default_rng(1), n_models=60, n_bench=12, noise=0.03)
    prep = prepare(sim.rows, PLAIN)
    fit = fit_index(prep, sim.anchors)
    cap = pd.Series(fit.capability, index=prep.models["model"])
    assert np.corrcoef(cap, sim.capability[cap.index])[0, 1] > 0.95
    assert np.corrcoef(fit.difficulty, sim.difficulty[prep.benchmarks])[0, 1] > 0.95
    assert np.corrcoef(fit.slope, sim.slope[prep.benchmarks])[0, 1] > 0.95
    # the anchors sit exactly where they were put
    for name, value in sim.anchors:
        assert cap[name] == pytest.approx(value)


def test_analytic_jacobian_matches_finite_differences():
    rng = np.random.default_rng(2)
    m, b = rng.integers(0, 5, 30), rng.integers(0, 3, 30)
    problem = Problem(m, b, rng.uniform(0, 1, 30), 5, 3, weight=rng.integers(1, 3, 30))
    x = rng.normal(0, 1, problem.n_params)
    x[-3:] = np.abs(x[-3:]) + 0.5
    analytic = problem.jacobian(x, 0.01).toarray()
    numeric = np.array(
        [
            approx_fprime(x, lambda v, i=i: problem.residuals(v, 0.01)[i], 1e-7)
            for i in range(analytic.shape[0])
        ]
    )
    assert np.allclose(analytic, numeric, atol=1e-5)


def test_non_convergence_is_an_error_with_scipys_message():
    sim = simulate(np.random.default_rng(3), n_models=20, n_bench=6)
    prep = prepare(sim.rows, PLAIN)
    problem = Problem(
        prep.rows["mi"].to_numpy(),
        prep.rows["bi"].to_numpy(),
        prep.rows["y"].to_numpy(),
        len(prep.models),
        len(prep.benchmarks),
    )
    with pytest.raises(FitError, match="did not converge: The maximum number of function"):
        solve(problem, max_nfev=1)


def test_rows_that_cannot_identify_model_or_benchmark_are_left_out_and_named():
    sim = simulate(np.random.default_rng(4), n_models=20, n_bench=6)
    rows = sim.rows.copy()
    rows.loc[0, "released"] = pd.NaT
    rows.loc[1, "origin"] = None
    rows.loc[2, "benchmark"] = None
    rows.loc[3, ["model", "version"]] = None
    lone = rows.iloc[[4]].assign(model="lonely", version="lonely", row_id="sim.lonely")
    prep = prepare(pd.concat([rows, lone], ignore_index=True), PLAIN)
    reasons = dict(zip(prep.left_out["row_id"], prep.left_out["reason"], strict=True))
    assert reasons == {
        "sim.0": "no release date",
        "sim.1": "no origin",
        "sim.2": "no benchmark",
        "sim.3": "no model name",
    }
    assert list(prep.too_few["model"]) == ["lonely"]
    assert "lonely" not in set(prep.models["model"])


def test_chance_floor_removes_guessing():
    sim = simulate(np.random.default_rng(5), n_models=10, n_bench=4)
    rows = sim.rows.assign(benchmark="mmlu", score=0.25)
    prep = prepare(rows, Options(min_benchmarks=1))
    assert (prep.rows["y"] == 0).all()


def test_months_behind_on_a_hand_made_case():
    cap = np.array([1.0, 3.0, 2.0, 4.0, 3.5])
    released = np.array(
        ["2023-01-15", "2023-03-10", "2023-02-01", "2023-06-01", "2023-08-01"],
        dtype="datetime64[D]",
    )
    us = np.array([True, True, False, True, False])
    grid = month_grid("2023-01-01", "2023-09-30")
    lag = lag_series(cap, released, us, ~us, grid)
    # CN's best (2.0, out 1 Feb) was first reached by the US on 10 March: CN leads in February
    assert np.isnan(lag[:2]).all()
    assert lag[2] == pytest.approx(
        (np.datetime64("2023-03-31") - np.datetime64("2023-03-10")).astype(float) / (365.25 / 12)
    )
    # CN's new best 3.5 (1 August) was first reached by the US on 1 June: two months
    best = new_best_lags(cap, released, us, ~us, "2023-01-01")
    assert best["lag"].iloc[-1] == pytest.approx(2.0, abs=0.05)
    assert best["lag"].iloc[0] < 0


def test_bootstrap_interval_of_average_lag_covers_the_truth_in_a_small_simulation():
    rng = np.random.default_rng(11)
    grid = month_grid("2023-01-01", "2025-12-31")
    sides = Sides(name="CN behind US", a="US", b="CN")
    covered = 0
    for k in range(5):
        sim = simulate(rng, n_models=40, n_bench=10, per_model=6)
        prep = prepare(sim.rows, PLAIN)
        fit = fit_index(prep, sim.anchors)
        released = prep.models["released"].to_numpy().astype("datetime64[D]")
        origin = prep.models["origin"].to_numpy()
        truth = np.nanmean(
            lag_series(
                sim.capability[prep.models["model"]].to_numpy(),
                released,
                origin == "US",
                origin == "CN",
                grid,
            )
        )
        estimate = lag_summary(fit, bootstrap(fit, 30, seed=k), sides, grid)["average"]
        covered += estimate.lo <= truth <= estimate.hi
    assert covered >= 4


def test_index_command_prints_and_writes_pandas_readable_csvs(tmp_path):
    from typer.testing import CliRunner

    from gaptrack.cli import app

    result = CliRunner().invoke(
        app, ["index", "--results", str(tmp_path), "--boot", "3", "--no-epoch-check", "--verbose"]
    )
    assert result.exit_code == 0, result.output
    assert "Months behind: CN behind US" in result.output
    assert "c001-us-leads" in result.output
    models = pd.read_csv(tmp_path / "index" / "models.csv")
    assert models["model"].is_unique and {"capability", "lo", "hi"} <= set(models.columns)
    assert models.loc[models["model"] == "GPT-5", "capability"].item() == pytest.approx(150)
    months = pd.read_csv(tmp_path / "index" / "months.csv")
    assert not months.duplicated(["sides", "month"]).any()
    assert (pd.read_csv(tmp_path / "index" / "left_out.csv")["reason"] != "").all()


def test_measured_rows_are_redrawn_over_their_items():
    from gaptrack.compare.index.bootstrap import _item_redraw

    sim = simulate(np.random.default_rng(6), n_models=10, n_bench=4)
    rows = sim.rows.assign(kind="measured", n_items=50.0)
    fit = fit_index(prepare(rows, PLAIN), sim.anchors)
    draws = np.array([_item_redraw(fit, np.random.default_rng(k)) for k in range(200)])
    # binomial over 50 items: the spread of each redrawn score is sqrt(p(1-p)/50)
    p = fit.prep.rows["score"].to_numpy()
    expected = np.sqrt(p * (1 - p) / 50)
    assert np.allclose(draws.std(axis=0), expected, atol=0.02)


def test_fit_on_epochs_rows_agrees_with_epochs_eci():
    from gaptrack.compare.index.epochcheck import run_epoch_check

    check = run_epoch_check(n_boot=0)
    assert check.pooled.spearman >= 0.99
    assert check.pooled.n_common > 100
    assert 5 <= check.average.value <= 9
