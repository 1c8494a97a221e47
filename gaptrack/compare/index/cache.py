"""The index that `gaptrack index` wrote, reused by `gaptrack report` where nothing that
determines it has changed.

Fitting the index with its bootstrap is most of a report's time, and `gaptrack index` has
already written the same fit to `<results>/index/*.csv`. Beside them it writes
`inputs.json`: a digest of everything the fit depends on (every evidence row the fit reads,
in the order it reads them, which covers the store's measured scores, the reported and
Epoch AI rows; the bootstrap replicates and seed; the fitting options; the index code
itself and the numeric libraries' versions). The report recomputes the digest from the
evidence it has just read and reads the CSVs only where it matches; any difference,
or a missing or unreadable file, means the index is fitted again."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from gaptrack.compare.index.analysis import Estimate
from gaptrack.compare.index.prepare import Options
from gaptrack.csv_safe import restore

KEY_FILE = "inputs.json"
LIBRARIES = ("numpy", "pandas", "scipy")
"""Their versions enter the digest: a new release may change a fit's last digits."""


def inputs_digest(frame: pd.DataFrame, n_boot: int, seed: int, options: Options) -> str:
    """sha256 of the evidence frame (index.inputs.load_all's layout), the settings, the
    index code and the libraries' versions."""
    h = hashlib.sha256()
    settings = {
        "n_boot": n_boot,
        "seed": seed,
        "options": dataclasses.asdict(options),
        "libraries": {name: metadata.version(name) for name in LIBRARIES},
    }
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):  # the fit's own code
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(frame.to_csv(index=False).encode())
    return h.hexdigest()


@dataclass
class StoredIndex:
    """The parts of an IndexReport that the report draws, read from index/*.csv."""

    models: pd.DataFrame
    months: pd.DataFrame
    summary: dict[str, dict[str, Estimate]]
    headline: list | None = None
    """index.headline's figures, where `gaptrack index` stored them."""


# Columns that hold text: read as written ("" stays "", a model called "NA" stays "NA");
# every other empty field is a missing number.
_TEXT = {
    "models.csv": ("model", "released", "origin"),
    "months.csv": ("sides", "month", "b_best_model"),
    "summary.csv": ("sides", "figure"),
}


_NEEDED = {
    "models.csv": {"model", "origin", "released", "capability", "lo", "hi"},
    "months.csv": {"sides", "month", "lag_months", "lag_lo", "lag_hi"},
    "summary.csv": {"sides", "figure", "value", "lo", "hi"},
}
"""What the report draws from each file; a file without them is damaged."""


def _read(folder: Path, name: str) -> pd.DataFrame:
    text = _TEXT[name]
    header = pd.read_csv(folder / name, nrows=0).columns
    if not _NEEDED[name] <= set(header):
        raise ValueError(f"{name} lacks {sorted(_NEEDED[name] - set(header))}")
    frame = pd.read_csv(
        folder / name,
        keep_default_na=False,
        na_values={c: [""] for c in header if c not in text},
        dtype={c: "str" for c in text},
        float_precision="round_trip",  # to_csv wrote repr(): the same float comes back
    )
    if frame.empty:
        raise ValueError(f"{name} has no rows")  # a fitted index always has some
    for column in text:
        if column in frame.columns:  # the quote csv_safe put before a formula-like name
            frame[column] = frame[column].map(restore)
    return frame


def forget(folder: Path) -> None:
    """Drop the key before the CSVs are rewritten: a run stopped halfway leaves no key,
    so files of two different runs are never taken for one index."""
    (folder / KEY_FILE).unlink(missing_ok=True)


def key_text(digest: str) -> str:
    """The key file's content (publish.index_out writes it last, with the CSVs)."""
    return json.dumps({"inputs_sha256": digest}, indent=1) + "\n"


def remember(folder: Path, digest: str) -> Path:
    """Write the key once every CSV of the index is written."""
    path = folder / KEY_FILE
    path.write_text(key_text(digest))
    return path


def stored_index(folder: Path, digest: str) -> StoredIndex | None:
    """The index under `folder` if its key is `digest`, else None (fit it again)."""
    try:
        key = json.loads((folder / KEY_FILE).read_text())
        if key.get("inputs_sha256") != digest:
            return None
        models, months = _read(folder, "models.csv"), _read(folder, "months.csv")
        rows = _read(folder, "summary.csv")
    except (OSError, ValueError):
        return None  # no key, or a file edited or cut short: fit again
    summary: dict[str, dict[str, Estimate]] = {}
    for r in rows.itertuples(index=False):
        summary.setdefault(r.sides, {})[r.figure] = Estimate(r.value, r.lo, r.hi)
    from gaptrack.compare.index.headline import HEADLINE_FILE, read

    headline = read(folder / HEADLINE_FILE) if (folder / HEADLINE_FILE).is_file() else None
    return StoredIndex(models=models, months=months, summary=summary, headline=headline)
