"""Outputs pinned by digest: `check` (every claim file), `leaderboard` (its three CSVs)
and the capability index's evidence table on the shipped evidence and a demo-shaped
store (three models on three benchmarks, fixed items). A reshape of the code must leave
every byte as it was (issue 20).

The digests hold for the shipped evidence and claims as they are (`inputs` below); where
those change, or where a change of code is meant to change the outputs, regenerate with
`GAPTRACK_PIN=update python -m pytest tests/test_outputs_pinned.py` and say why in the
commit. The index's fitted figures are left out: their last digits follow the numeric
libraries and the machine (index.cache digests them with the library versions); the
table it fits is pinned."""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.index.inputs import load_all
from gaptrack.paths import shipped
from gaptrack.store.store import Store
from tests.test_gaps import record

PIN = Path(__file__).parent / "data" / "outputs_pinned.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _inputs() -> str:
    """Digest of the shipped evidence and seeds: the data the outputs come from."""
    h = hashlib.sha256()
    for name in ("evidence", "seeds"):
        root = shipped(name)
        # The extract scripts under evidence/sources/ are code, not data: a refactor of
        # theirs changes no row (their tests rebuild the shipped files byte-identical).
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".py"):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _store(folder: Path) -> None:
    """Demo-shaped: US and Chinese models on ARC-Easy, MMLU and HellaSwag."""
    rng = random.Random(0)
    store = Store(folder)
    models = [("us-a", "US", "2024-06-01", 0.7), ("cn-a", "CN", "2024-09-01", 0.6)]
    models.append(("cn-b", "CN", "2025-01-15", 0.75))
    for model, origin, released, p in models:
        for task, n in (("arc_easy", 40), ("mmlu", 57), ("hellaswag", 30)):
            correct = [rng.random() < p for _ in range(n)]
            store.put(record(model, origin, correct, task, released))


def _outputs(folder: Path) -> dict[str, str]:
    runner = CliRunner()
    for command in ("check", "leaderboard"):
        result = runner.invoke(app, [command, "--results", str(folder)])
        assert result.exit_code == 0, result.output
    files = sorted([*(folder / "claims").glob("*"), *folder.glob("*.csv")])
    digests = {str(p.relative_to(folder)): _sha(p.read_bytes()) for p in files}
    frame = load_all(folder)
    digests["index evidence table"] = _sha(frame.to_csv(index=False).encode())
    return digests


def test_outputs_are_byte_identical_to_the_pinned_ones(tmp_path):
    _store(tmp_path / "results")
    got = {"inputs": _inputs(), "outputs": _outputs(tmp_path / "results")}
    if os.environ.get("GAPTRACK_PIN") == "update":
        PIN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    pinned = json.loads(PIN.read_text())
    assert got["inputs"] == pinned["inputs"], (
        "the shipped evidence or seeds changed: regenerate the pins "
        "(GAPTRACK_PIN=update, see this file's docstring)"
    )
    changed = sorted(
        name
        for name in {*got["outputs"], *pinned["outputs"]}
        if got["outputs"].get(name) != pinned["outputs"].get(name)
    )
    assert not changed, f"outputs differ from the pinned ones: {changed}"
