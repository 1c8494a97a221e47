"""Writing published files: atomically, and not at all when the bytes are already there
(an unchanged file keeps its modification time, so git, make and rsync see nothing new).

A folder that cannot take the files (read-only, a file in its place or above it, a full
disk) is one OutputError naming the path, never a traceback. Files published together
(the three CSVs of `leaderboard`, the two pages of `report`, a claim file per verdict,
the index CSVs) are written as one batch: every file goes to a temporary name beside its
target first, and only when all of them are on disk are they renamed over the old ones,
so a failure while writing (no space) leaves the old set whole and no file cut short.
The renames themselves need no space and are not undone: a failure between two of them
(rare: the files share a folder that was writable a moment before) can leave some files
new and some old, never one cut short."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from gaptrack.errors import OutputError  # here too: where every writer imports it from


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _first_existing(folder: Path) -> Path:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def check_folder(folder: str | Path) -> Path:
    """Before any work is done: `folder` is a writable folder, or one that can be made
    (its nearest existing ancestor is a writable folder). Creates nothing."""
    folder = Path(folder)
    existing = _first_existing(folder)
    made = "" if existing == folder else f"cannot make this folder: {existing} "
    if not existing.is_dir():
        raise OutputError(f"{made or 'output folder '}is a file, not a folder", file=folder)
    # access(2) also answers EROFS for a read-only file system; root passes mode checks
    # here, as it does when it writes.
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{made or 'output folder '}is read-only", file=folder)
    return folder


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.read_bytes() == data
    except OSError:
        return False  # unreadable: write it again


def write_files(files: Mapping[Path, str | bytes]) -> list[Path]:
    """Write every file of one publication, all or none (see the module's note); files are
    renamed in the mapping's order, so a key file listed last lands last. Returns the
    paths, in order."""
    staged: list[tuple[str, Path]] = []
    current: Path | None = None
    try:
        for path, content in files.items():
            current = path
            data = content.encode("utf-8") if isinstance(content, str) else content
            if _unchanged(path, data):
                continue
            if path.is_dir():
                raise OutputError("cannot write: a folder is in the way", file=path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())  # on disk before it replaces the old file
            os.chmod(tmp, 0o644)  # published files are meant to be read by others
        while staged:
            tmp, current = staged[0]
            os.replace(tmp, current)
            staged.pop(0)
    except OSError as exc:
        raise OutputError(f"cannot write: {_reason(exc)}", file=current) from None
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
    return list(files)


def write_if_changed(path: Path, content: str | bytes) -> Path:
    return write_files({path: content})[0]
