"""The base of gaptrack's typed data (configs, claims, evidence, verdicts): an unknown
field is an error, never silently ignored, and instances are immutable."""

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unsupported(Frozen):
    """An explicit "cannot be done, and why" result, returned where a caller decides what
    to do about it (instead of a bare string that could be mistaken for a value)."""

    reason: str
    """Why not, in words a user can act on."""
