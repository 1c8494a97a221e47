"""A record's per-item correctness as last read and checked from its items file, kept
with the store's summary cache (store/cache.py): pairing a thousand models then opens a
few items files (one per distinct list of items, so about one per task) instead of a
thousand.

Derived data under the cache's rules, never evidence:
- an entry is used only while its items file has the size, mtime, ctime and inode it had
  when it was read, and that file last changed more than `RACY_NS` before the read
  (the same "racily clean" rule as the records'); otherwise the file is read and checked
  again (its sha256 against the record), so an items file edited since is still reported;
- an entry stores the item keys only as a digest: the keys themselves come from a file
  read and checked by the same Store (`ItemKeys`) that has the same digest;
- an entry is used only where its keys' digest, length and bits hash to the record's
  `correct_digest` (sealed with the record): bits edited in the cache are never used.
Entries are made by a Store's readers, in memory, and written with its summary cache."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gaptrack.store import filestat
from gaptrack.store.filestat import FileStat
from gaptrack.store.records import ItemKey, correctness_digest, correctness_of


@dataclass(frozen=True, slots=True)
class CheckedItems:
    """Whether each binary item of a record was answered correctly, as read and checked."""

    stat: FileStat
    """The items file's stat, taken before it was read."""
    read_ns: int
    """When it was read (before the stat)."""
    keys: str
    """sha256 of the item keys (subtask, doc id, prompt hash) in file order, as JSON."""
    n: int
    """Number of binary items."""
    bits: bytes
    """Their correctness in key order (numpy.packbits)."""

    @property
    def settled(self) -> bool:
        """Read more than RACY_NS after the file last changed: an unchanged stat then
        means unchanged bytes."""
        return self.stat.changed_ns < self.read_ns - filestat.RACY_NS  # read when called


def _stat(path: Path) -> FileStat | None:
    try:
        return FileStat.of(path.stat())
    except OSError:
        return None


def replaces(new: CheckedItems, old: CheckedItems | None) -> bool:
    """Whether `new` (just read) should replace `old` in the cache: it is new, the file
    changed, or `old` was read too soon after the file changed to be trusted. A file
    read again only because its keys were not known yet changes nothing stored."""
    return (
        old is None
        or (old.stat, old.keys, old.n, old.bits) != (new.stat, new.keys, new.n, new.bits)
        or not old.settled
    )


class ItemKeys:
    """Item keys by digest, from the items files one Store read and checked: an entry
    names its keys by digest only, and is recalled only where they are known here."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[ItemKey, ...]] = {}

    def remember(self, stat: FileStat, read_ns: int, correct: dict[ItemKey, bool]) -> CheckedItems:
        """An entry for `correct`, just read and checked from a file that had `stat`."""
        digest, n, bits = correctness_of(correct)
        self.known.setdefault(digest, tuple(correct))
        return CheckedItems(stat, read_ns, digest, n, bits)

    def recall(
        self, path: Path, checked: CheckedItems, sealed: str | None = None
    ) -> dict[ItemKey, bool] | None:
        """The remembered correctness, or None where the file may have changed since, no
        file with these keys was read yet, or the entry does not hash to `sealed` (the
        record's `correct_digest`, itself covered by the record's seal: an entry edited
        in the cache is never used)."""
        keys = self.known.get(checked.keys)
        if keys is None or not checked.settled or _stat(path) != checked.stat:
            return None
        if sealed is None or correctness_digest(checked.keys, checked.n, checked.bits) != sealed:
            return None
        bits = np.unpackbits(np.frombuffer(checked.bits, dtype=np.uint8), count=checked.n)
        return dict(zip(keys, bits.astype(bool).tolist(), strict=True))

    def read(
        self,
        path: Path,
        known: CheckedItems | None,
        load: Callable[[], dict[ItemKey, bool]],
        sealed: str | None = None,
    ) -> tuple[dict[ItemKey, bool], CheckedItems | None]:
        """The correctness of the items file at `path`: `known`'s where it can be trusted
        (see `recall`), else `load()` (which reads and checks the file, {} where it fails);
        and the entry to remember instead of `known`, None where nothing changes."""
        correct = self.recall(path, known, sealed) if known is not None else None
        if correct is not None:
            return correct, None
        read_ns = time.time_ns()
        stat = _stat(path)
        correct = load()
        if not correct or stat is None:
            return correct, None
        new = self.remember(stat, read_ns, correct)
        return correct, new if replaces(new, known) else None
