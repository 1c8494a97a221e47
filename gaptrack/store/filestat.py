"""When a derived copy of a file can be trusted without reading the file again: its stat
(size, mtime, ctime, inode) is unchanged, and the file last changed more than `RACY_NS`
before the copy was made. The summary cache (store/cache.py) and the remembered items
(store/checked_items.py) both follow this rule."""

from __future__ import annotations

import os
from typing import NamedTuple

RACY_NS = 2_000_000_000
"""A file changed this close to (or after) the start of the scan that cached it is
re-read: file timestamps tick coarsely, so such a change could leave its stat as it was."""


class FileStat(NamedTuple):
    """What changes when a file's content can have changed."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileStat:
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    @property
    def changed_ns(self) -> int:
        return max(self.mtime_ns, self.ctime_ns)
