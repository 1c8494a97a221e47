"""Run locks: how concurrent runs share work. Before a (model, task) key is evaluated, the run
holds an OS file lock on `<root>/locks/<key>.lock` until its record (or failure) is
stored. A run that finds a key claimed leaves it to the run that holds it. The lock is
`flock`-based (filelock), so the OS releases it when its process dies, even by SIGKILL;
nothing guesses staleness from timestamps."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from gaptrack.errors import GaptrackError


class LockError(GaptrackError):
    """A lock file that cannot be taken (a symbolic link, a folder in the way)."""

    def __init__(self, path: Path, exc: OSError):
        why = (
            "a symbolic link, not a lock file (links in locks/ are never followed; remove it)"
            if path.is_symlink()
            else f"cannot take the lock ({exc.strerror or exc})"
        )
        super().__init__(why, file=path)


class Locks:
    """The locks one run holds in one store."""

    def __init__(self, root: str | Path):
        self.dir = Path(root) / "locks"
        self.held: dict[str, FileLock] = {}

    def try_claim(self, key: str) -> bool:
        """Claim `key` now, or return False at once if another run holds it."""
        if key in self.held:
            return True
        self.dir.mkdir(parents=True, exist_ok=True)
        # flock only: a soft (file-exists) lock would outlive a killed run. A lock file
        # without a live holder means nothing; filelock handles its removal races.
        lock = FileLock(self.dir / f"{key}.lock", is_singleton=False, fallback_to_soft=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return False
        except OSError as exc:  # a symbolic link (never followed), a folder in the way
            raise LockError(self.dir / f"{key}.lock", exc) from None
        self.held[key] = lock
        return True

    def wait_for(self, key: str) -> None:
        """Block until the run that holds `key` lets it go (it stored its record or
        failure, or died), without keeping it: the record is then in the store."""
        lock = FileLock(self.dir / f"{key}.lock", is_singleton=False, fallback_to_soft=False)
        try:
            lock.acquire()
        except OSError as exc:
            raise LockError(self.dir / f"{key}.lock", exc) from None
        lock.release()

    def release(self, key: str) -> None:
        lock = self.held.pop(key, None)
        if lock is not None:
            lock.release()

    def release_all(self) -> None:
        for key in list(self.held):
            self.release(key)
