"""Who an imported run evaluated: the model named in someone's files, resolved to one of
gaptrack's model entries (a config's models, then the shipped catalogues) by its hub id,
or by the id the importer names. Never guessed: an unknown model is refused."""

from __future__ import annotations

import re
from pathlib import Path

from gaptrack.config.schema import Config, HubSource, LocalSource, ModelSpec
from gaptrack.errors import GaptrackError
from gaptrack.refs import Fingerprint


def known_models(config: Config | None) -> dict[str, ModelSpec]:
    """The config's models (if any) and every shipped catalogue's, by id; the config's
    entry wins where both name an id."""
    from gaptrack.config.loader import SHIPPED_CATALOGUES, load_catalogue, shipped_configs_dir

    models: dict[str, ModelSpec] = {}
    for name in SHIPPED_CATALOGUES.values():
        models.update(load_catalogue(shipped_configs_dir() / name))
    if config is not None:
        models.update({m.id: m for m in config.models})
    return models


def _same_folder(one: Path, other: str) -> bool:
    try:
        return one.resolve() == Path(other).expanduser().resolve()
    except (OSError, ValueError):
        return False


def resolve_model(
    name: str, model_id: str | None, models: dict[str, ModelSpec], file: Path, field: str
) -> ModelSpec:
    """The entry for the model a file names (`name`, at `field`): `model_id` where the
    importer gave one, else the entry whose hub repository (or local folder) is `name`."""
    if model_id is not None:
        if model_id not in models:
            raise GaptrackError(
                f"--model-id {model_id!r} is not a model of the config or the shipped "
                "catalogues (gaptrack models -c CONFIG lists them)",
                file=file,
            )
        return models[model_id]
    found = [
        spec
        for spec in models.values()
        if (isinstance(spec.source, HubSource) and spec.source.repo.lower() == name.lower())
        or (isinstance(spec.source, LocalSource) and _same_folder(spec.source.path, name))
    ]
    if len({m.id for m in found}) > 1:
        ids = ", ".join(sorted({m.id for m in found}))
        raise GaptrackError(f"model {name!r} matches several entries ({ids}): pass --model-id")
    if not found:
        raise GaptrackError(
            f"unknown model {name!r}: pass --model-id ID naming a model of the config or the "
            f"catalogue, or add an entry with source: {{kind: hub, repo: {name}}}",
            file=file,
            field=field,
        )
    return found[0]


def fingerprint_of(spec: ModelSpec, name: str, revision: str | None) -> Fingerprint:
    """The weights an imported run evaluated, as gaptrack fingerprints its own: the entry's
    own fingerprint only where the files name the same weights (the same hub repository at
    the entry's revision, or the same local folder); otherwise the files' own name and
    revision, so a run of other weights never shares a native record's identity."""
    from gaptrack.weights import model_fingerprint
    from gaptrack.weights.fingerprint import folder_fingerprint

    source = spec.source
    if isinstance(source, HubSource) and source.repo.lower() == name.lower():
        # An entry at a branch (`main`) is keyed by the branch, as gaptrack's own runs of it
        # are, whatever commit it pointed to; one pinned to a commit only by that commit.
        pinned = re.fullmatch(r"[0-9a-f]{40}", source.revision) is not None
        if revision is None or revision == source.revision or not pinned:
            return model_fingerprint(source)
        return Fingerprint.hub(source.repo, revision)
    if isinstance(source, LocalSource) and _same_folder(source.path, name):
        return model_fingerprint(source)
    folder = Path(name).expanduser()
    if folder.is_dir() and (folder / "config.json").is_file():
        return folder_fingerprint(folder)
    repo = name if "/" in name else f"unnamed/{name}"
    return Fingerprint.hub(repo, revision)
