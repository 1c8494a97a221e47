"""Bad input of every class issue 14 lists, through the real CLI (beside the store's corpus in
line `error: ...` naming the file and the field (or the flag), exit code 2, no traceback,
and the results folder byte for byte as it was."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.evidence import CSV_COLUMNS

runner = CliRunner()

MODEL = (
    "  - {id: a, name: A, origin: US, organisation: O, released: 2024-01-01, params_b: 1,"
    " variant: base, source: {kind: hub, repo: a/b}}\n"
)
CONFIG = "name: x\nmodels:\n" + MODEL + "suite: {tasks: [arc_easy]}\nresults_dir: results\n"
GOOD_ROW = {
    "quantity": "score",
    "model": "M",
    "organisation": "O",
    "origin": "CN",
    "released": "2025-02-01",
    "benchmark": "mmlu",
    "value": "80",
    "source": "https://example.org",
}
CLAIMS = """documents:
  - {id: d, file: d.txt, title: T, publisher: P, date: 2025-01}
claims:
  - {id: c1, document: d, quote: "the gap is small now", made_by: P, kind: qualitative,
     untestable_reason: none, date: DATE}
"""


def _csv(row: dict[str, str]) -> str:
    cells = [str({**GOOD_ROW, **row}.get(c, "")) for c in CSV_COLUMNS]
    return ",".join(CSV_COLUMNS) + "\n" + ",".join(cells) + "\n"


def _config(tmp: Path, text: str | bytes) -> list[str]:
    path = tmp / "cfg.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return ["validate", "-c", str(path)]


def _evidence(tmp: Path, text: str | bytes) -> list[str]:
    path = tmp / "ev.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return ["import-reported", str(path), "--results", str(tmp / "results")]


def _claims(
    tmp: Path, text: str | bytes, document: bytes = b"... the gap is small now ..."
) -> list[str]:
    (tmp / "d.txt").write_bytes(document)
    path = tmp / "claims.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return ["check", "--claims", str(path), "--results", str(tmp / "results")]


def _eval(tmp: Path, *flags: str) -> list[str]:
    (tmp / "cfg.yaml").write_text(CONFIG)
    return ["eval", "-c", str(tmp / "cfg.yaml"), *flags]


Case = Callable[[Path], list[str]]
CASES: dict[str, tuple[Case, str]] = {
    # configs
    "config not UTF-8": (lambda t: _config(t, b"name: x\xff\n"), "cfg.yaml: not UTF-8 text"),
    "config nested too deeply": (
        lambda t: _config(t, "a: " + "[" * 3000 + "]" * 3000 + "\n"),
        "nested too deeply",
    ),
    "config impossible date": (
        lambda t: _config(t, CONFIG.replace("2024-01-01", "2024-02-30")),
        "models[0].released",
    ),
    "config infinite params": (
        lambda t: _config(t, CONFIG.replace("params_b: 1", "params_b: 1e400")),
        "models[0].params_b",
    ),
    "config negative batch size": (
        lambda t: _config(
            t, CONFIG.replace("{tasks: [arc_easy]}", "{tasks: [arc_easy], batch_size: -4}")
        ),
        "suite.batch_size",
    ),
    "config results_dir is a file": (
        lambda t: (t / "results").write_text("x") and _config(t, CONFIG),
        "results_dir: ",
    ),
    "catalogue not UTF-8": (
        lambda t: (
            (t / "cat.yaml").write_bytes(b"models: [\xff]\n")
            and _config(
                t, "name: x\ncatalogue: [cat.yaml]\nmodels: [a]\nsuite: {tasks: [arc_easy]}\n"
            )
        ),
        "cat.yaml: not UTF-8 text",
    ),
    "config unknown key": (lambda t: _config(t, CONFIG + "colour: red\n"), "colour: unknown key"),
    # CLI flags
    "eval --limit 0": (lambda t: _eval(t, "--limit", "0"), "--limit"),
    "eval unknown flag": (lambda t: _eval(t, "--bogus"), "No such option: --bogus"),
    "eval --only ghost": (lambda t: _eval(t, "--only", "ghost"), "--only 'ghost'"),
    "eval --tasks ghost": (lambda t: _eval(t, "--tasks", "ghost"), "--tasks 'ghost'"),
    "check --claim unknown": (
        lambda t: ["check", "--results", str(t / "results"), "--claim", "nope"],
        "no claim 'nope'",
    ),
    "check --results is a file": (
        lambda t: (t / "r").write_text("x") and ["check", "--results", str(t / "r")],
        "not a folder (a results folder was expected)",
    ),
    "config not found": (lambda t: ["results", "-c", str(t / "none.yaml")], "config not found"),
    # claims
    "claims not UTF-8": (
        lambda t: _claims(t, b"documents: \xff\n"),
        "claims.yaml: not UTF-8 text",
    ),
    "claim impossible date": (
        lambda t: _claims(t, CLAIMS.replace("DATE", "2025-02-30")),
        "claims[0].date",
    ),
    "claim document not UTF-8": (
        lambda t: _claims(t, CLAIMS.replace("DATE", "2025-02"), b"\xff\xfe"),
        "d.txt: not UTF-8 text",
    ),
    "claims nested too deeply": (
        lambda t: _claims(t, "documents: " + "[" * 3000 + "]" * 3000 + "\n"),
        "nested too deeply",
    ),
    # evidence
    "evidence not UTF-8": (lambda t: _evidence(t, _csv({}).encode() + b"\xff\n"), "not UTF-8 text"),
    "evidence NUL byte": (lambda t: _evidence(t, _csv({"model": "M\x00"})), "NUL byte"),
    "evidence NaN": (lambda t: _evidence(t, _csv({"value": "nan"})), "column value"),
    "evidence infinity": (lambda t: _evidence(t, _csv({"value": "inf"})), "column value"),
    "evidence 250 %": (lambda t: _evidence(t, _csv({"value": "250"})), "outside 0-100"),
    "evidence negative stderr": (lambda t: _evidence(t, _csv({"stderr": "-1"})), "column stderr"),
    "evidence ci_low above ci_high": (
        lambda t: _evidence(t, _csv({"ci_low": "90", "ci_high": "70"})),
        "column ci_low",
    ),
    "evidence negative params": (
        lambda t: _evidence(t, _csv({"params_b": "-7"})),
        "column params_b",
    ),
    "evidence impossible date": (
        lambda t: _evidence(t, _csv({"released": "2025-02-30"})),
        "column released",
    ),
    "evidence cell over the CSV limit": (
        lambda t: _evidence(t, _csv({"note": '"' + "x" * 200_000 + '"'})),
        "not a readable CSV",
    ),
    "evidence column not of this kind": (
        lambda t: _evidence(t, _csv({"quantity": "release", "value": "3", "benchmark": ""})),
        "does not apply to a release row",
    ),
}


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_exit_2_and_changes_nothing(tmp_path: Path, name: str) -> None:
    make, expected = CASES[name]
    args = make(tmp_path)
    before = _digest(tmp_path)
    result = runner.invoke(app, args)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert expected in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert _digest(tmp_path) == before
