"""The shipped Epoch AI subset is the source, byte for byte, and the third-party copy
(April 2026) agrees with Epoch's own repository where the two overlap."""

import pandas as pd

from gaptrack.compare.evidence import epochdata
from gaptrack.compare.evidence.epochfiles import EPOCH_BENCHMARKS

DIR = epochdata.EPOCH_DIR


def test_every_shipped_file_matches_its_source_digest():
    # The digest was taken from the origin repo@commit at copy time, so equal digests mean
    # the shipped rows are exactly the source file's rows.
    assert epochdata.verify_digests() == []
    listed = {row["file"] for row in epochdata.manifest()}
    on_disk = {str(p.relative_to(DIR)) for p in DIR.rglob("*.csv")} - {"SOURCES.csv"}
    assert on_disk == listed
    for row in epochdata.manifest():
        assert len(row["commit"]) == 40 and row["origin_repo"] and row["copied"]


def test_every_benchmark_column_reads_as_a_fraction():
    rows = epochdata.load_epoch_rows()
    assert set(rows["epoch_benchmark"]) == {b.name for b in EPOCH_BENCHMARKS}
    scores = rows["score"].dropna()
    assert scores.between(0, 1).all()
    assert rows.groupby("epoch_benchmark")["score"].count().min() > 5


def test_collected_mmlu_rows_equal_epochs_own_file():
    april = pd.read_csv(DIR / "april2026" / "mmlu_external.csv")
    own = pd.read_csv(DIR / "epoch_repo" / "external_benchmark_mmlu.csv")
    own["value"] = pd.to_numeric(own["EM"].str.rstrip("%"), errors="coerce") / 100
    both = april.merge(own, on="id")
    assert len(both) > 200
    assert ((both["EM_x"] - both["value"]).abs() < 6e-4).all()


def test_epoch_runs_equal_epochs_own_run_table():
    runs = pd.read_csv(DIR / "epoch_repo" / "benchmarks_runs.csv")
    total = 0
    for name in ("gpqa_diamond", "math_level_5", "otis_mock_aime_2024_2025", "frontiermath"):
        april = pd.read_csv(DIR / "april2026" / f"{name}.csv")
        both = april.merge(runs, on="id")
        col = "Best score (across scorers)"
        assert ((both[f"{col}_x"] - both[f"{col}_y"]).abs() < 1e-3).all(), name
        total += len(both)
    assert total > 250


def test_eci_copy_agrees_with_epochs_own_eci_file():
    april = epochdata.eci_table("april2026")
    own = epochdata.eci_table("epoch_repo")
    both = april.merge(own, on="Model version").dropna(subset=["ECI Score_x", "ECI Score_y"])
    # Epoch refits the whole index as data arrive, so scores move a little between
    # November 2025 and April 2026; the ranking must not.
    assert len(both) > 120
    assert both["ECI Score_x"].corr(both["ECI Score_y"], method="spearman") > 0.98
    # Origins agree except for Google DeepMind's models (Gemini, Gemma): United Kingdom and
    # United States in November 2025, United States alone in April 2026.
    differ = both[both["origin_x"].fillna("") != both["origin_y"].fillna("")]
    assert differ["Model version"].str.match("gemini|gemma").all()
    assert set(differ["origin_y"]) == {"GB+US"}
