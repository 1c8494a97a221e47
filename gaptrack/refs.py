"""Small typed values that used to travel as strings with meaning inside them: a metric
reference (lm-eval metric + filter) and a model fingerprint (hub revision or content
digest). On disk each keeps its old string form, so stored records and cache keys are
unchanged; in code each is a value with named parts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_serializer, model_validator

from gaptrack.base import Frozen


class MetricRef(Frozen):
    """One of lm-eval's metrics under one of its filters; written `acc`, `acc_norm` or
    `exact_match/strict-match` (the filter `none` is left out)."""

    name: str
    """lm-eval's metric name (`acc`, `acc_norm`, `exact_match`)."""
    filter: str = "none"
    """lm-eval's filter (`none`, `strict-match`, `flexible-extract`)."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            name, _, filt = value.partition("/")
            return {"name": name, "filter": filt or "none"}
        return value

    @model_serializer
    def _as_text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return self.name if self.filter == "none" else f"{self.name}/{self.filter}"

    @classmethod
    def parse(cls, text: str) -> MetricRef:
        return cls.model_validate(text)


class Fingerprint(Frozen):
    """What identifies a model's weights: a hub repository at a revision, or the sha256
    of the files (local folders, packaged GGUFs). Written `hub:<repo>@<revision>` or
    `sha256:<hex>`, the form cache keys have always hashed."""

    kind: Literal["hub", "sha256"]
    """`hub`: named by repository and revision; `sha256`: by content."""
    repo: str | None = None
    """Hub repository (`Qwen/Qwen2.5-0.5B`)."""
    revision: str | None = None
    """Hub revision (branch, tag or commit) as the config gives it."""
    digest: str | None = None
    """Content digest (hex) for `sha256`."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            kind, _, rest = value.partition(":")
            if kind == "hub":
                repo, _, revision = rest.partition("@")
                return {"kind": "hub", "repo": repo, "revision": revision or None}
            if kind == "sha256":
                return {"kind": "sha256", "digest": rest}
            raise ValueError(f"{value!r} is not a model fingerprint (hub:... or sha256:...)")
        return value

    @model_validator(mode="after")
    def _parts(self) -> Fingerprint:
        if (self.kind == "hub") != (self.repo is not None) or (self.kind == "sha256") != (
            self.digest is not None
        ):
            raise ValueError(f"a {self.kind} fingerprint has the wrong parts")
        return self

    @model_serializer
    def _as_text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        if self.kind == "sha256":
            return f"sha256:{self.digest}"
        return f"hub:{self.repo}" + (f"@{self.revision}" if self.revision else "")

    @classmethod
    def hub(cls, repo: str, revision: str | None) -> Fingerprint:
        return cls(kind="hub", repo=repo, revision=revision)

    @classmethod
    def content(cls, digest: str) -> Fingerprint:
        return cls(kind="sha256", digest=digest)
