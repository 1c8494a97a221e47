"""Epoch AI's Benchmarking Hub rows (CC-BY 4.0), shipped under evidence/epoch/, as the
long table the capability index fits: one row per (model version, benchmark) score."""

from __future__ import annotations

import csv
import functools
import hashlib
from pathlib import Path

import pandas as pd

from gaptrack.compare.evidence.epochfiles import EPOCH_BENCHMARKS, EpochBenchmark, index_key
from gaptrack.errors import GaptrackError
from gaptrack.paths import evidence_file, shipped

EPOCH_DIR = shipped("evidence") / "epoch"  # package data: found from a wheel install too
APRIL_DIR = EPOCH_DIR / "april2026"
MANIFEST = EPOCH_DIR / "SOURCES.csv"

# Epoch's multi-country entries are joint developments; they belong to neither side.
_COUNTRIES = {
    "United States of America": "US",
    "China": "CN",
    "Hong Kong,China": "CN",
    "France": "FR",
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "Canada": "CA",
    "United Arab Emirates": "AE",
    "Germany": "DE",
    "Israel": "IL",
    "Japan": "JP",
    "Korea (Republic of)": "KR",
}


def manifest() -> list[dict[str, str]]:
    """The shipped files with origin repo, commit, path and sha256."""
    with open(MANIFEST, newline="") as fh:
        return list(csv.DictReader(fh))


def verify_digests() -> list[str]:
    """Files whose sha256 differs from the manifest (empty when all match)."""
    bad = []
    for row in manifest():
        data = (EPOCH_DIR / row["file"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != row["sha256"]:
            bad.append(row["file"])
    return bad


def country_code(text: object) -> str | None:
    """ISO code of an Epoch country cell; joint entries keep every code joined with '+'."""
    if not isinstance(text, str) or not text.strip():
        return None
    if text in _COUNTRIES:
        return _COUNTRIES[text]
    return "+".join(_COUNTRIES.get(part.strip(), part.strip()) for part in text.split(","))


def eci_table(which: str = "april2026") -> pd.DataFrame:
    """Epoch's ECI file: `april2026` (third-party copy, or the user's newer copy from
    `gaptrack update`) or `epoch_repo` (Epoch's, Nov 2025)."""
    return _eci_frame(evidence_file(f"epoch/{which}/epoch_capabilities_index.csv"))


def _eci_frame(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    frame["released"] = pd.to_datetime(frame["Release date"], errors="coerce")
    frame["origin"] = frame["Country"].map(country_code)
    frame["open_weights"] = frame["Model accessibility"].map(
        lambda a: a.startswith("Open weights") if isinstance(a, str) else None
    )
    return frame


def _benchmark_path(spec: EpochBenchmark) -> Path:
    return evidence_file(f"epoch/april2026/{spec.file}")


def read_benchmark(spec: EpochBenchmark, path: Path, eci: Path) -> pd.DataFrame:
    """One Epoch file read as the index reads it, from `path` (a fetched copy is checked
    with this before it is kept)."""
    return _read_one(spec, _versions(eci), path)


def _read_one(spec: EpochBenchmark, versions: pd.DataFrame, path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path)
    if spec.column not in raw.columns:
        raise GaptrackError(f"no column {spec.column!r}", file=path, field=spec.column)
    score = pd.to_numeric(raw[spec.column], errors="coerce") / spec.divisor
    out = pd.DataFrame(
        {
            "row_id": [f"epoch.{spec.file[:-4]}.{i + 2}" for i in range(len(raw))],
            "version": raw["Model version"],
            "benchmark": index_key(spec.name),
            "epoch_benchmark": spec.name,
            "score": score,
            "stderr": pd.to_numeric(raw.get("stderr"), errors="coerce")
            if "stderr" in raw
            else None,
            "released": pd.to_datetime(raw["Release date"], errors="coerce"),
            "origin": raw["Country"].map(country_code),
            "reporter": "third_party" if spec.epoch_run else _reporter(raw),
            "measured_by": "Epoch AI"
            if spec.epoch_run
            else raw.get("Source", pd.Series("collected by Epoch AI", index=raw.index)).fillna(
                "collected by Epoch AI"
            ),
            "kind": "epoch",
            "n_items": None,
            "source": f"evidence/epoch/april2026/{spec.file}",
        }
    )
    # A version's name, release date, origin and access come from Epoch's model table
    # where the row itself leaves them empty.
    merged = out.merge(versions, how="left", left_on="version", right_on="Model version")
    # Some names in Epoch's table carry a stray newline; identity must not depend on it.
    out["model"] = merged["Model name"].fillna(merged["version"]).str.strip().to_numpy()
    out["released"] = out["released"].fillna(merged["released_v"]).to_numpy()
    out["origin"] = out["origin"].fillna(merged["origin_v"]).to_numpy()
    out["open_weights"] = merged["open_weights_v"].to_numpy()
    return out


def _reporter(raw: pd.DataFrame) -> pd.Series:
    """developer where the collected figure comes from the developer's own paper or card."""
    source = raw.get("Source", pd.Series("", index=raw.index)).fillna("").str.lower()
    own = source.str.contains(
        "technical report|system card|model card|blog|announcement|paper|release", regex=True
    )
    return own.map({True: "developer", False: "third_party"})


def load_epoch_rows(names: frozenset[str] | None = None) -> pd.DataFrame:
    """Every Epoch score row (rows with no model version or no score included: the index
    reports and drops them), or those of the Epoch benchmarks in `names`, from the files
    in use (shipped, or fetched by `gaptrack update`). A fresh copy of a table read once
    per process and set of files."""
    specs = tuple(s for s in EPOCH_BENCHMARKS if names is None or s.name in names)
    paths = tuple(_benchmark_path(s) for s in specs)
    eci = evidence_file("epoch/april2026/epoch_capabilities_index.csv")
    return _epoch_rows(specs, paths, eci).copy()


@functools.cache
def _epoch_rows(
    specs: tuple[EpochBenchmark, ...], paths: tuple[Path, ...], eci: Path
) -> pd.DataFrame:
    # Keyed by the files read: a copy fetched (or an --as-of date) changes the key.
    frames = [_benchmark_rows(spec, path, eci) for spec, path in zip(specs, paths, strict=True)]
    return pd.concat(frames, ignore_index=True)


@functools.cache
def _benchmark_rows(spec: EpochBenchmark, path: Path, eci: Path) -> pd.DataFrame:
    # One read per file and process: `check`'s evidence (a few benchmarks) and the index
    # (all of them) in one `report` share the files both need.
    return _read_one(spec, _versions(eci), path)


@functools.cache
def _versions(path: Path) -> pd.DataFrame:
    eci = _eci_frame(path)
    versions = eci[["Model version", "Model name", "released", "origin", "open_weights"]]
    return versions.drop_duplicates("Model version").rename(
        columns={"released": "released_v", "origin": "origin_v", "open_weights": "open_weights_v"}
    )
