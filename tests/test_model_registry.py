"""The model registry (evidence/models.yaml): one identity and one date per model version,
whatever name a source uses; bad registry input is one line and exit 2."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.evidence.csvio import shipped_reported_files
from gaptrack.compare.evidence.registry import (
    conflicts,
    load_registry,
    lookup,
    read_registry,
    row_identity,
)
from gaptrack.errors import ConfigError
from gaptrack.paths import project_root, shipped

runner = CliRunner()


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_every_name_in_the_shipped_evidence_resolves(registry) -> None:
    missing = []
    for path in shipped_reported_files():
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["quantity"] not in ("score", "release"):
                    continue
                if row["model"].startswith("Top "):  # a leaderboard position, not a model
                    continue
                if registry.resolve(path.stem, row["model"]) is None:
                    missing.append((path.name, row["model"]))
    eci = shipped("evidence") / "epoch" / "april2026" / "epoch_capabilities_index.csv"
    with open(eci, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if registry.resolve("epoch", row["Model version"]) is None:
                missing.append(("epoch", row["Model version"]))
    for file in ("packaged_models.yaml", "catalogue.yaml"):
        data = yaml.safe_load((shipped("configs") / file).read_text(encoding="utf-8"))
        for model in data["models"]:
            if registry.resolve("gaptrack", model["id"]) is None:
                missing.append((file, model["id"]))
    assert not missing


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # the duplicate identities: one version under two names
        ("Claude 3.5 Sonnet (2024-10-22)", "claude-3-5-sonnet-20241022"),
        ("Claude 3.5 Sonnet (2024-10-22)", "Claude 3.5 Sonnet (October 2024)"),
        ("DeepSeek-V2 Chat (RL)", "DeepSeek-V2 (MoE-236B)"),
        ("DeepSeek-V2 Chat (RL)", "DeepSeek-V2"),
        ("o3-mini (high)", "o3-mini-2025-01-31_high"),
        ("Kimi k1.5 (long-CoT)", "Kimi k1.5"),
    ],
)
def test_one_version_under_several_names(registry, a: str, b: str) -> None:
    assert registry.resolve("reported", a).version == registry.resolve("epoch", b).version


def test_versions_of_one_model_keep_their_own_dates(registry) -> None:
    preview = registry.resolve("reported", "QwQ-32B-Preview")
    final = registry.resolve("llmstats", "QwQ-32B")
    assert preview.id == final.id == "qwq-32b"  # one model ...
    assert preview.version != final.version  # ... two versions, each with its date
    assert (preview.released, final.released) == ("2024-11-28", "2025-03-06")
    assert final.date_kind == "developer" and "qwenlm.github.io" in final.date_source


def test_deepseek_v2_5_is_dated_by_its_developer_not_by_a_compilation(registry) -> None:
    entry = registry.resolve("llmstats", "DeepSeek-V2.5")
    assert entry.released == "2024-09-05" and entry.date_kind == "developer"
    assert entry.version != registry.resolve("reported", "DeepSeek-V2").version
    found = [c for c in conflicts(registry) if c.version == entry.version]
    assert ("llmstats", "2024-05-08") in {(c.source, c.source_date) for c in found}


def test_llmstats_rows_named_alike_resolve_by_their_own_key() -> None:
    """LLMStats names two versions "Claude 3.5 Sonnet"; its row ids tell them apart."""

    class Row:
        model = "Claude 3.5 Sonnet"
        model_id = None
        released = None

        def __init__(self, row_id: str):
            self.row_id = row_id

    june = row_identity(Row("llmstats.claude-3-5-sonnet-20240620.mmlu"))
    october = row_identity(Row("llmstats.claude-3-5-sonnet-20241022.mmlu"))
    assert june[1].isoformat() == "2024-06-20" and october[1].isoformat() == "2024-10-22"
    assert lookup("Claude 3.5 Sonnet (2024-10-22)").version == october[0]


def test_a_model_the_registry_does_not_know_keeps_its_own_name_and_date() -> None:
    import datetime as dt

    class Row:
        model = "My Own Model 7B"
        model_id = "my-own-7b"
        row_id = "x"
        released = dt.date(2024, 1, 2)

    assert row_identity(Row()) == ("my-own-7b", dt.date(2024, 1, 2))


def test_the_registry_is_what_the_script_builds() -> None:
    """Hand fixes live in the script (MANUAL, DATES), so a rebuild never loses them."""
    script = project_root() / "scripts" / "build_model_registry.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


GOOD = """models:
  - id: a
    name: A
    origin: US
    versions:
      - {id: a-1, name: A 1, released: "2024-05", date_source: x, date_kind: developer,
         aliases: {reported: [A one]}}
  - id: b
    name: B
    origin: CN
    versions:
      - {id: b-1, name: B 1, aliases: {reported: [B one]}}
"""


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (GOOD.replace("[B one]", "[a-one]"), "models[1].versions[0].aliases.reported", "alias"),
        (GOOD.replace('"2024-05"', '"2024-13-01"'), "models[0].versions[0].released", "date"),
        (GOOD.replace('"2024-05"', '"May 2024"'), "models[0].versions[0].released", "date"),
        (GOOD.replace("origin: CN", "origin: XX"), "models[1].origin", "ISO 3166"),
        (GOOD.replace("id: b\n", "id: a\n"), "models[1].id", "used twice"),
        (GOOD.replace("date_kind: developer", "date_kind: rumour"), "date_kind", "developer"),
        (GOOD.replace("name: B\n", "name: B\n    colour: red\n"), "models[1].colour", "unknown"),
    ],
)
def test_bad_registry_is_one_line_naming_file_and_field(
    tmp_path: Path, text: str, field: str, words: str
) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_registry(path)
    line = err.value.one_line()
    assert str(path) in line and field in line and words in line, line
    result = runner.invoke(app, ["models", "--conflicts", "--registry", str(path)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "Traceback" not in result.output
    assert field in result.output


def test_a_good_registry_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(GOOD, encoding="utf-8")
    registry = read_registry(path)
    entry = registry.resolve("reported", "a one")  # case, spaces and punctuation aside
    assert (entry.id, entry.version, entry.released_on.isoformat()) == ("a", "a-1", "2024-05-31")


def test_models_conflicts_lists_the_disagreeing_dates() -> None:
    result = runner.invoke(app, ["models", "--conflicts"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("deepseek-v2.5 "))
    assert "2024-09-05" in line and "developer" in line and "2024-05-08" in line


def test_the_leaderboard_lists_a_reported_model_once_under_the_registry_name():
    """Issue 24: "GPT-4" (a paper's table) and "GPT-4 (Mar 2023)" (Epoch's name) were two
    leaderboard rows; the registry says they are one version, named and dated by it."""
    from gaptrack.compare.evidence.rows import ScoreRow
    from gaptrack.compare.leaderboard import reported_entries

    def row(model: str, bench: str, value: float) -> ScoreRow:
        return ScoreRow(
            model=model,
            origin="US",
            released="2023-03-01",  # the paper's own date: the registry's wins
            benchmark=bench,
            value=value,
            metric="acc",
            source="test",
            reporter="developer",
        )

    entries = reported_entries([row("GPT-4", "mmlu", 86.4), row("GPT-4 (Mar 2023)", "gsm8k", 92.0)])
    assert len(entries) == 1
    (gpt4,) = entries
    assert gpt4.id == "gpt-4-mar-2023" and gpt4.name == "GPT-4 (Mar 2023)"
    assert str(gpt4.released) == "2023-03-14"
    assert set(gpt4.scores) == {"mmlu", "gsm8k"}
    unknown = reported_entries([row("Nobody's Model 7B", "mmlu", 50.0)])
    assert [e.id for e in unknown] == ["nobody-s-model-7b"]
