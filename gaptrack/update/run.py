"""`gaptrack update` as a function: for each source, a conditional GET; a new copy is
made into the files it replaces, checked, compared with the files in use, and only then
kept. A source that fails is reported in one line and leaves the store as it was."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Literal

from gaptrack.base import Frozen
from gaptrack.update import active
from gaptrack.update.diff import RowChange, diff_file, new_models
from gaptrack.update.fetch import FetchError, FetchOptions, conditional_headers, get, http_date_day
from gaptrack.update.readers import Download, Rejected, made_files
from gaptrack.update.sources import Source
from gaptrack.update.store import Copy, CopyStore, format_utc, sha256

OFFLINE_VARS = ("GAPTRACK_OFFLINE", "HF_HUB_OFFLINE")


class SourceOutcome(Frozen):
    source: str
    status: Literal["new", "not-modified", "held", "rejected"]
    """new: a copy kept; not-modified: the server said 304; held: the bytes are a copy
    already kept (nothing written); rejected: a problem, the copy in use stays."""
    detail: str = ""
    sha256: str = ""
    fetched_at: str = ""
    changes: list[RowChange] = []
    new_models: list[tuple[str, str]] = []
    """(origin, model) named by no row of the file it replaces."""


class UpdateResult(Frozen):
    offline: str = ""
    """Why nothing was fetched (the flag or variable), else empty."""
    outcomes: list[SourceOutcome] = []
    store: Path

    @property
    def rejected(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    @property
    def kept(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "new"]


def offline_reason(flag: bool) -> str:
    if flag:
        return "--offline"
    for name in OFFLINE_VARS:
        if os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on"):
            return f"{name}={os.environ[name]}"
    return ""


def update(
    sources: list[Source],
    options: FetchOptions | None = None,
    offline: bool = False,
    store: CopyStore | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> UpdateResult:
    store = store or CopyStore()
    reason = offline_reason(offline)
    if reason:
        return UpdateResult(offline=reason, store=store.root)
    options = options or FetchOptions()
    clock = now or (lambda: dt.datetime.now(dt.timezone.utc))
    outcomes = []
    with active.as_of(None):  # the files in use now: every copy held
        for source in sources:
            outcomes.append(_one(source, options, store, clock))
    return UpdateResult(outcomes=outcomes, store=store.root)


def _one(
    source: Source, options: FetchOptions, store: CopyStore, clock: Callable[[], dt.datetime]
) -> SourceOutcome:
    latest = store.latest(source.name)
    headers = {}
    if latest is not None and store.has_blob(latest.sha256, latest.blob_name):
        headers = conditional_headers(latest.etag, latest.last_modified)
    try:
        resp = get(source.url, options, headers, label=source.name)
    except FetchError as exc:
        return SourceOutcome(source=source.name, status="rejected", detail=str(exc))
    if resp.status == 304:
        return SourceOutcome(source=source.name, status="not-modified", detail="HTTP 304")
    digest = sha256(resp.data)
    held = [c for c in store.copies() if c.source == source.name and c.sha256 == digest]
    if held:
        return SourceOutcome(
            source=source.name,
            status="held",
            detail=f"same bytes as the copy of {held[-1].fetched_at}",
            sha256=digest,
        )
    fetched = clock()
    fetched_at = format_utc(fetched)
    day = http_date_day(resp.last_modified) or fetched.date().isoformat()
    download = Download(data=resp.data, sha256=digest, date=day, url=source.url)
    try:
        files = made_files(source, download, lambda rel: active.resolve(rel, store))
    except Rejected as exc:
        return SourceOutcome(source=source.name, status="rejected", detail=str(exc))
    changes: list[RowChange] = []
    models: set[tuple[str, str]] = set()
    for rel, data in sorted(files.items()):
        current = active.resolve(rel, store)
        changes += diff_file(source.name, rel, current, data)
        models |= new_models(source.name, rel, current, data)
    name = PurePosixPath(source.url.split("?")[0]).name or "download"
    blobs = {(digest, name): resp.data}
    file_digests = {}
    for rel, data in files.items():
        file_digests[rel] = sha256(data)
        blobs[(file_digests[rel], PurePosixPath(rel).name)] = data
    copy = Copy(
        source=source.name,
        url=source.url,
        sha256=digest,
        bytes=len(resp.data),
        fetched_at=fetched_at,
        etag=resp.etag,
        last_modified=resp.last_modified,
        licence=source.licence,
        files=dict(sorted(file_digests.items())),
        blob_name=name,
    )
    store.add(copy, blobs)
    return SourceOutcome(
        source=source.name,
        status="new",
        detail=f"{len(files)} file(s)",
        sha256=digest,
        fetched_at=fetched_at,
        changes=changes,
        new_models=sorted(models),
    )
