"""The user's copies of the evidence sources, under $GAPTRACK_DATA/sources/ (never in the
installed package): every fetched file and every file made from it is kept under its
sha256 in blobs/<sha256>/<file name>, and manifest.json lists the copies, oldest first, with URL, time of
fetch, ETag/Last-Modified and licence.

A copy is only ever added, once its every file has passed the shipped data's readers:
a rejected download leaves the folder as it was, and an older copy stays usable for
`--as-of` dates before the newer one was fetched."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from pathlib import Path

from pydantic import ValidationError

from gaptrack.base import Frozen
from gaptrack.errors import ConfigError
from gaptrack.paths import data_home
from gaptrack.store.atomic import write_bytes_atomic, write_text_atomic


class Copy(Frozen):
    """One accepted download of one source."""

    source: str
    url: str
    sha256: str
    """Of the bytes as downloaded."""
    bytes: int
    fetched_at: str
    """UTC, ISO 8601 with a `Z` (`2026-12-06T18:40:12.123456Z`): in use from then on."""
    etag: str | None = None
    last_modified: str | None = None
    licence: str
    files: dict[str, str]
    """Shipped file it replaces (relative to evidence/) -> sha256 of the file made from the
    download (the download itself for a plain CSV)."""
    blob_name: str = "download"
    """File name of the download under blobs/<sha256>/ (the URL's last part)."""

    @property
    def fetched(self) -> dt.datetime:
        return parse_utc(self.fetched_at)


def parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc)


def format_utc(when: dt.datetime) -> str:
    # microseconds: two updates within a second are still two points in time for --as-of
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class CopyStore:
    """$GAPTRACK_DATA/sources (or `root`)."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else data_home() / "sources"
        self.manifest_path = self.root / "manifest.json"
        self.blobs = self.root / "blobs"

    def copies(self) -> list[Copy]:
        """Every accepted copy, in the order fetched."""
        if not self.manifest_path.is_file():
            return []
        stat = self.manifest_path.stat()
        return list(_read_manifest(self.manifest_path, stat.st_mtime_ns, stat.st_size))

    def latest(self, source: str) -> Copy | None:
        mine = [c for c in self.copies() if c.source == source]
        return mine[-1] if mine else None

    def blob(self, digest: str, name: str) -> Path:
        """blobs/<sha256>/<name>: the folder is the digest, the file keeps the name its
        readers and messages know it by (`arena_catalog.csv`, not a digest)."""
        return self.blobs / digest / name

    def has_blob(self, digest: str, name: str) -> bool:
        return self.blob(digest, name).is_file()

    def add(self, copy: Copy, blobs: dict[tuple[str, str], bytes]) -> None:
        """Write the blobs ((digest, name) -> bytes) first, the manifest last and
        atomically: a copy is listed only once all its files are in place."""
        for (digest, name), data in blobs.items():
            path = self.blob(digest, name)
            if not path.is_file():
                write_bytes_atomic(path, data)
        copies = [*self.copies(), copy]
        text = json.dumps({"copies": [c.model_dump() for c in copies]}, indent=1) + "\n"
        write_text_atomic(self.manifest_path, text)


@functools.lru_cache(maxsize=8)
def _read_manifest(path: Path, mtime_ns: int, size: int) -> tuple[Copy, ...]:
    # Keyed by stat: the evidence hook asks for every file it reads, the file changes
    # only when `update` adds a copy.
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return tuple(Copy.model_validate(c) for c in data["copies"])
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        raise ConfigError(
            f"unreadable manifest of fetched sources ({type(exc).__name__}); "
            "move the folder away and run `gaptrack update` again",
            file=path,
        ) from None
