"""What the extract_*.py maintenance scripts share: where they write, and reading a local
git copy of a source repository. Imported as `gitcopy` (a script's own folder is first on
its import path)."""

from __future__ import annotations

import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
"""evidence/sources/: the excerpts the tests check the shipped rows against."""
EVIDENCE = HERE.parent
"""evidence/: the shipped files."""


def git(repo: str, *args: str) -> bytes:
    """The output of `git -C REPO ARGS...` (a bare mirror or a checkout)."""
    return subprocess.check_output(["git", "-C", repo, *args])
