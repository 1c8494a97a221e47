"""`<results>/claims/<claim_id>.json`: each claim with its verdict, the evidence rows it
used and the source copies they were read from, as `gaptrack check` keeps them (schema:
`gaptrack schema`)."""

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
    from gaptrack.update.active import claim_copies, row_files

    folder = claims_dir(results_dir)
    files = row_files()  # once for every claim
    stamped = [
        v.model_copy(
            update={
                "copies": claim_copies({r.row_id for ev in v.evaluations for r in ev.rows}, files)
            }
        )
        for v in verdicts
    ]
    return write_files(
        {folder / f"{v.claim.id}.json": v.model_dump_json(indent=1) + "\n" for v in stamped}
    )
