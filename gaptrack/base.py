"""The base of gaptrack's typed data (configs, claims, evidence, verdicts): an unknown
field is an error, never silently ignored, and instances are immutable."""

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
