"""Cheap content fingerprints of local model folders.

A fully cached rerun looks results up by fingerprint before doing anything else, so this
must take milliseconds, not the seconds that hashing gigabytes of weights takes. Small
files are hashed every time; large ones once, with the digest remembered under
gaptrack's home keyed by (real path, size, mtime_ns)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from gaptrack.errors import SourceError
from gaptrack.paths import home
from gaptrack.refs import Fingerprint
from gaptrack.store.atomic import write_text_atomic

SMALL_FILE_BYTES = 1 << 20
"""Files up to this size (configs, most tokenizers) are hashed on every call."""

_CHUNK = 1 << 20
# Tool droppings that do not change what the model computes.
_SKIP_DIRS = {".git", "__pycache__", ".cache"}


def hash_cache_file() -> Path:
    return home() / "file_hashes.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _load_cache(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a missing or damaged cache only costs a recomputation
    return data if isinstance(data, dict) else {}


def _folder_files(folder: Path) -> list[Path]:
    out: list[Path] = []
    # followlinks: hub snapshot folders are symlinks into a blob store.
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        out.extend(Path(root) / name for name in files)
    return sorted(out, key=lambda p: p.relative_to(folder).as_posix())


def folder_fingerprint(folder: Path) -> Fingerprint:
    """sha256 over every file's relative name, size and content digest."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"model folder {folder} does not exist")
    cache_path = hash_cache_file()
    cache: dict[str, dict] | None = None
    changed = False
    total = hashlib.sha256()
    for file in _folder_files(folder):
        stat = file.stat()
        if stat.st_size <= SMALL_FILE_BYTES:
            digest = sha256_file(file)
        else:
            if cache is None:
                cache = _load_cache(cache_path)
            key = str(file.resolve())
            entry = cache.get(key)
            if (
                isinstance(entry, dict)
                and entry.get("size") == stat.st_size
                and entry.get("mtime_ns") == stat.st_mtime_ns
                and isinstance(entry.get("sha256"), str)
            ):
                digest = entry["sha256"]
            else:
                digest = sha256_file(file)
                cache[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
                changed = True
        rel = file.relative_to(folder).as_posix()
        total.update(f"{rel}\0{stat.st_size}\0{digest}\n".encode())
    if changed and cache is not None:
        # Entries of deleted files would only grow the file forever.
        live = {k: v for k, v in cache.items() if os.path.exists(k)}
        write_text_atomic(cache_path, json.dumps(live, indent=1, sort_keys=True))
    return Fingerprint.content(total.hexdigest())
