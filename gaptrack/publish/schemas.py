"""`gaptrack schema`: the JSON Schema of the files gaptrack writes for other tools (a
result record, a failed attempt, a claim's verdict)."""

from __future__ import annotations

import json
from pathlib import Path

from gaptrack.publish.files import check_folder, write_files


def write_schemas(out: Path) -> list[Path]:
    """gaptrack-{record,failed-attempt,claim-result}.schema.json in `out`, as one batch;
    a file in the way or a read-only folder is one line, exit 2, before anything is written."""
    from gaptrack.compare.verdicts import ClaimVerdict
    from gaptrack.store.records import FailedAttempt, ResultRecord

    check_folder(out)
    files = {
        out / f"gaptrack-{name}.schema.json": json.dumps(model.model_json_schema(), indent=1) + "\n"
        for name, model in (
            ("record", ResultRecord),
            ("failed-attempt", FailedAttempt),
            ("claim-result", ClaimVerdict),
        )
    }
    return write_files(files)
