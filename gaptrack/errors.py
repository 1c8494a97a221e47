"""Errors a user can act on. The CLI prints them as one line and exits 2."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from pathlib import Path


class GaptrackError(Exception):
    """A problem with the user's input or environment, reported without a traceback."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | Path | None = None, field: str | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ": ".join(part for part in (self.file, self.field) if part)
        text = f"{where}: {self.message}" if where else self.message
        return " ".join(text.split())


class OutputError(GaptrackError):
    """An output file or folder that cannot be written. Raised with one argument (the line)
    so that it survives pickling from a worker process (the report's figures)."""


class ConfigError(GaptrackError):
    """A config, catalogue, claims or evidence file that does not validate."""


class SourceError(GaptrackError):
    """A model source that cannot be resolved (missing folder, bad checksum, missing package)."""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`name` is not among `known`: "did you mean 'x'?" with the closest names (difflib),
    or, where none is close, the known names; for the end of a one-line error."""
    import difflib

    names = sorted(set(known))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close)}?"
    return f"known: {', '.join(names)}" if names else "none are known"


def read_text_file(path: str | Path, what: str) -> str:
    """A UTF-8 text file gaptrack reads (config, catalogue, claims, evidence): any problem
    reading it is one ConfigError naming the file, never a traceback."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{what} not found", file=path) from None
    except IsADirectoryError:
        raise ConfigError(f"cannot read {what}: it is a folder", file=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", file=path) from None
    except ValueError as exc:  # a NUL byte in the name
        raise ConfigError(f"cannot read {what}: {exc}", file=path) from None
    # Excel and Notepad start UTF-8 files with a byte order mark; it is not part of the
    # text (a CSV's first column would otherwise be named "\ufeffquantity").
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start + bom})", file=path) from None


class FieldProblem(ValueError):
    """Raised inside a pydantic validator when the problem lies in a sub-field (a list item,
    a CSV column): the loader reads `field` from the error's context, never from the text."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def field_problem(error: dict) -> FieldProblem | None:
    """The FieldProblem behind one entry of `ValidationError.errors()`, if any."""
    problem = (error.get("ctx") or {}).get("error")
    return problem if isinstance(problem, FieldProblem) else None
