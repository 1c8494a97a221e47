"""`<results>/claims/<claim_id>.json`: each claim with its verdict and the evidence rows
it used, as `gaptrack check` keeps them (schema: `gaptrack schema`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gaptrack.compare.verdicts import ClaimVerdict
from gaptrack.publish.files import write_files


def claims_dir(results_dir: str | Path) -> Path:
    return Path(results_dir) / "claims"


def write_claim_files(verdicts: Sequence[ClaimVerdict], results_dir: str | Path) -> list[Path]:
    """One file per verdict. Same verdicts give the same bytes (check_claims has a fixed
    bootstrap seed, sorted rows, no timestamps), and an unchanged file is not rewritten.
    One batch: a failure (no space) leaves the previous verdicts, not a mix."""
    folder = claims_dir(results_dir)
    return write_files(
        {folder / f"{v.claim.id}.json": v.model_dump_json(indent=1) + "\n" for v in verdicts}
    )
