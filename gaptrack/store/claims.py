"""Claiming work across concurrent runs: before a (model, task) key is evaluated, the run
holds an OS file lock on `<root>/locks/<key>.lock` until its record (or failure) is
stored. A run that finds a key claimed leaves it to the run that holds it. The lock is
`flock`-based (filelock), so the OS releases it when its process dies, even by SIGKILL;
nothing guesses staleness from timestamps."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout


class Claims:
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
        self.held[key] = lock
        return True

    def release(self, key: str) -> None:
        lock = self.held.pop(key, None)
        if lock is not None:
            lock.release()

    def release_all(self) -> None:
        for key in list(self.held):
            self.release(key)
