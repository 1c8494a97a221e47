"""Where gaptrack keeps things. Every location can be moved by an environment variable,
which is how the tests keep each run inside its own temporary directory."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """gaptrack's own cache: converted models, generated task folders, fingerprints."""
    explicit = os.environ.get("GAPTRACK_HOME")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "gaptrack"


def models_cache() -> Path:
    return home() / "models"


def tasks_cache() -> Path:
    return home() / "tasks"


def project_root() -> Path:
    """The checkout this package runs from (configs/, seeds/ live there); in a wheel
    install, the site-packages folder, where they do not: use `shipped` for them."""
    return Path(__file__).resolve().parent.parent


def data_home() -> Path:
    """Where results of configs run straight from an installed package go (the package
    folder is no place for them): $GAPTRACK_DATA, else $XDG_DATA_HOME/gaptrack, else
    ~/.local/share/gaptrack."""
    explicit = os.environ.get("GAPTRACK_DATA")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "gaptrack"


def inside_package(path: Path) -> bool:
    """True for a file of an installed package (not a checkout's file reached by a link)."""
    return Path(path).resolve().is_relative_to(Path(__file__).resolve().parent)


def shipped(name: str) -> Path:
    """A folder gaptrack ships as package data: `configs`, `seeds` (the claims registry and
    its documents) or `evidence`. In a checkout these are links to the folders at its top;
    in a wheel, copies inside the package, so every install finds them."""
    return Path(__file__).resolve().parent / "data" / name


def evidence_file(rel: str) -> Path:
    """The evidence file `evidence/<rel>` a reader should open: the shipped one, or the
    user's newer checked copy from `gaptrack update` fetched by the run's as-of date
    (gaptrack.update.active). Every reader of shipped evidence files asks here."""
    from gaptrack.update.active import resolve

    return resolve(rel)
