"""Where a model's weights come from, turned into what lm-eval's HFLM loads.

`model_fingerprint` is cheap and runs before every result-cache lookup;
`materialize` may do real work once (joining and converting a packaged GGUF)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gaptrack.config.schema import HubSource, LocalSource, ModelSpec, PackagedSource
from gaptrack.errors import SourceError
from gaptrack.paths import models_cache
from gaptrack.refs import Fingerprint
from gaptrack.weights.fingerprint import folder_fingerprint
from gaptrack.weights.packaged import MANIFEST, materialize_packaged, packages_label

__all__ = [
    "MANIFEST",
    "ResolvedModel",
    "SourceError",
    "materialize",
    "model_fingerprint",
    "prepare_models",
]

AnySource = HubSource | LocalSource | PackagedSource


@dataclass(frozen=True)
class ResolvedModel:
    pretrained: str
    """What HFLM gets as `pretrained`: a hub id or a local folder path."""
    revision: str | None
    """Hub revision; None for folders."""
    fingerprint: Fingerprint
    """Identifies the weights in the results cache key."""
    description: str
    """Human-readable provenance for reports and logs."""


def model_fingerprint(source: AnySource) -> Fingerprint:
    if isinstance(source, HubSource):
        return Fingerprint.hub(source.repo, source.revision)
    if isinstance(source, PackagedSource):
        # The declared digest: materialize refuses files that do not match it.
        return Fingerprint.content(source.sha256)
    if isinstance(source, LocalSource):
        return folder_fingerprint(_checked_folder(source.path))
    raise TypeError(f"unknown model source {type(source).__name__}")


def _checked_folder(path: Path) -> Path:
    if not path.is_dir():
        raise SourceError(f"model folder {path} does not exist")
    if not (path / "config.json").is_file():
        raise SourceError(f"model folder {path} has no config.json (not a save_pretrained folder)")
    return path


def materialize(
    source: AnySource,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ResolvedModel:
    if isinstance(source, HubSource):
        # HFLM downloads on the user's machine; nothing to do here.
        return ResolvedModel(
            pretrained=source.repo,
            revision=source.revision,
            fingerprint=model_fingerprint(source),
            description=f"hub {source.repo}@{source.revision}",
        )
    if isinstance(source, LocalSource):
        folder = _checked_folder(source.path)
        return ResolvedModel(
            pretrained=str(folder),
            revision=None,
            fingerprint=folder_fingerprint(folder),
            description=f"local folder {folder}",
        )
    if isinstance(source, PackagedSource):
        folder, manifest = materialize_packaged(
            source, Path(cache_dir) if cache_dir is not None else models_cache(), progress
        )
        versions = manifest.get("versions") or {}
        return ResolvedModel(
            pretrained=str(folder),
            revision=None,
            fingerprint=model_fingerprint(source),
            description=(
                f"packaged GGUF {packages_label(source)} (sha256 {source.sha256[:12]}…), "
                f"dequantised to {manifest.get('dtype', 'float32')}, converted with "
                f"transformers {versions.get('transformers', '?')}"
            ),
        )
    raise TypeError(f"unknown model source {type(source).__name__}")


def prepare_models(
    specs: list[ModelSpec],
    progress: Callable[[str], None] | None = None,
    cache_dir: Path | None = None,
) -> dict[str, ResolvedModel]:
    """Resolve every model by id, converting packaged ones now (slow only the first
    time) so that a run does not stall on it halfway through."""
    say = progress or (lambda _msg: None)
    out: dict[str, ResolvedModel] = {}
    for spec in specs:
        if isinstance(spec.source, PackagedSource):
            say(f"{spec.id}: preparing packaged model")
            out[spec.id] = materialize(
                spec.source, cache_dir, progress=lambda msg, i=spec.id: say(f"{i}: {msg}")
            )
            say(f"{spec.id}: ready at {out[spec.id].pretrained}")
        else:
            out[spec.id] = materialize(spec.source, cache_dir)
    return out
