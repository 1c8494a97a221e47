"""What a reader says about a bad file: a RecordProblem, reported on stderr in one line,
once per file and command, by the `Warnings` of the Store that read it.

Each Store has its own `Warnings`; a command that opens several Stores on one folder
(`check --strict` reads the evidence twice, `report` also fits the index) runs inside
`one_command()`, which gives every Store opened within it the same `Warnings`, so a bad
file is named once per command. Outside such a scope no two Stores share anything."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from gaptrack.errors import GaptrackError

LEFT_OUT = "left out of every table and verdict"


class RecordProblem(GaptrackError):
    """A file in the store that is not a trustworthy record."""


class StoreWriteError(GaptrackError):
    """The store cannot be written (read-only, a file in the way, no space)."""


class Warnings:
    """The problems already printed, so that each bad file is reported once."""

    def __init__(self) -> None:
        self.printed: set[str] = set()

    def warn(self, problem: RecordProblem, consequence: str = LEFT_OUT) -> None:
        """One visible line per bad file, on stderr (tables go to stdout)."""
        line = problem.one_line()
        if line not in self.printed:
            self.printed.add(line)
            print(
                f"warning: {line}; {consequence} "
                "(nothing deleted; `gaptrack verify` lists every problem)",
                file=sys.stderr,
            )


# The Warnings of the command being run, if a command scope is open (the CLI opens one
# per command). A context variable, not a module global: it is set and reset by
# `one_command()` only, and holds nothing outside it.
_COMMAND: ContextVar[Warnings | None] = ContextVar("gaptrack_command_warnings", default=None)


@contextmanager
def one_command() -> Iterator[Warnings]:
    """A command's scope: every Store opened within it reports each bad file once."""
    warnings = Warnings()
    token = _COMMAND.set(warnings)
    try:
        yield warnings
    finally:
        _COMMAND.reset(token)


def command_warnings() -> Warnings:
    """The open command's Warnings, or new ones (a Store outside any command)."""
    return _COMMAND.get() or Warnings()
