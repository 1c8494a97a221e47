"""Config validation: good files load, bad files give one line naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaptrack.config import load_config
from gaptrack.config.schema import size_class
from gaptrack.errors import ConfigError
from gaptrack.paths import project_root

CONFIGS = project_root() / "configs"


@pytest.mark.parametrize("name", ["qwen_vs_llama", "seed_families"])
def test_shipped_configs_load(name: str) -> None:
    config = load_config(name)
    origins = {m.origin for m in config.models}
    assert {"US", "CN"} <= origins
    assert all(m.source.kind == "hub" for m in config.models)
    assert all(m.trust_remote_code is False for m in config.models if m.organisation == "Meta")


def test_qwen_vs_llama_has_matched_size_classes() -> None:
    config = load_config("qwen_vs_llama")
    by_class: dict[str, set[str]] = {}
    for m in config.models:
        by_class.setdefault(m.size_class, set()).add(m.origin)
    for size in ("~1B", "~3B", "~7B", "~70B"):
        assert by_class[size] == {"US", "CN"}, size
    assert {"mmlu", "arc_challenge", "hellaswag", "gsm8k", "cmmlu", "ceval-valid"} <= {
        t.name for t in config.suite.tasks
    }


def test_tiny_config_resolves_paths(tiny_config: Path, tiny_llama: Path) -> None:
    config = load_config(tiny_config)
    assert config.models[0].source.path == tiny_llama
    assert config.suite.tasks[0].name == "tiny_mc"
    assert config.source_file == tiny_config.resolve()


def test_find_config_by_name() -> None:
    assert load_config("qwen_vs_llama").source_file == (CONFIGS / "qwen_vs_llama.yaml").resolve()


def test_size_classes() -> None:
    assert [size_class(x) for x in (0.135, 1.24, 2.03, 3.2, 7.6, 32, 72.7, 671)] == [
        "<1B",
        "~1B",
        "~1B",
        "~3B",
        "~7B",
        "~30B",
        "~70B",
        ">150B",
    ]


BROKEN = {
    "unknown key": (
        "  - {id: a, name: A, origin: US, organisation: O, released: 2024-01-01, params_b: 1,"
        " variant: base, colour: red, source: {kind: hub, repo: a/b}}",
        "models[0].colour",
        "unknown key",
    ),
    "bad origin": (
        "  - {id: a, name: A, origin: XX, organisation: O, released: 2024-01-01, params_b: 1,"
        " variant: base, source: {kind: hub, repo: a/b}}",
        "models[0].origin",
        "ISO 3166",
    ),
    "bad date": (
        "  - {id: a, name: A, origin: US, organisation: O, released: 2024-13-45, params_b: 1,"
        " variant: base, source: {kind: hub, repo: a/b}}",
        "models[0].released",
        "date",
    ),
    "missing folder": (
        "  - {id: a, name: A, origin: US, organisation: O, released: 2024-01-01, params_b: 1,"
        " variant: base, source: {kind: local, path: no/such/folder}}",
        "models[0].source.path",
        "does not exist",
    ),
    "duplicate id": (
        "  - {id: a, name: A, origin: US, organisation: O, released: 2024-01-01, params_b: 1,"
        " variant: base, source: {kind: hub, repo: a/b}}\n"
        "  - {id: a, name: B, origin: CN, organisation: O, released: 2024-01-01, params_b: 1,"
        " variant: base, source: {kind: hub, repo: a/c}}",
        "models[1].id",
        "duplicate",
    ),
    "bad source kind": (
        "  - {id: a, name: A, origin: US, organisation: O, released: 2024-01-01, params_b: 1,"
        " variant: base, source: {kind: ftp, repo: a/b}}",
        "models[0].source",
        "kind",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_configs_name_file_and_field(tmp_path: Path, case: str) -> None:
    models, field, words = BROKEN[case]
    path = tmp_path / "broken.yaml"
    path.write_text(f"name: broken\nmodels:\n{models}\nsuite:\n  tasks: [arc_easy]\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    line = info.value.one_line()
    assert "\n" not in line
    assert line.startswith(f"{path}: {field}: "), line
    assert words in line


def test_unknown_top_level_key_and_yaml_syntax(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("name: x\nmodelz: []\n")
    with pytest.raises(ConfigError, match="modelz: unknown key"):
        load_config(path)
    path.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"line \d+: invalid YAML"):
        load_config(path)


def test_catalogue_reference_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        f"name: x\ncatalogue: [{CONFIGS / 'catalogue.yaml'}]\nmodels: [no-such-model]\n"
        "suite: {tasks: [arc_easy]}\n"
    )
    with pytest.raises(
        ConfigError, match=r"models\[0\]: 'no-such-model' is not a model of the catalogue"
    ):
        load_config(path)
