"""What an update changed, as changes.md and changes.csv in the results folder (the
report puts changes.md at its top): new models by origin, rows added, changed and
removed per source, and how the headline figures moved."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from gaptrack.store.atomic import write_text_atomic
from gaptrack.update.run import UpdateResult

CHANGES_MD = "changes.md"
CHANGES_CSV = "changes.csv"
LISTED = 20
"""Changed rows listed by name in changes.md (all of them are in changes.csv)."""


def account_markdown(result: UpdateResult) -> str:
    lines = ["## What changed", ""]
    kept = result.kept
    stamp = ", ".join(f"{o.source} {o.fetched_at} ({o.sha256[:12]})" for o in kept)
    lines.append(f"New copies: {stamp or 'none'}.")
    lines.append("")
    models = Counter(origin or "unknown" for o in kept for origin, _ in o.new_models)
    if models:
        by = ", ".join(f"{origin} {n}" for origin, n in sorted(models.items()))
        lines.append(f"New models by origin: {by}.")
        for origin in ("US", "CN"):
            names = sorted({m for o in kept for org, m in o.new_models if org == origin})
            if names:
                more = f" and {len(names) - 10} more" if len(names) > 10 else ""
                lines.append(f"- {origin}: {', '.join(names[:10])}{more}")
        lines.append("")
    lines += ["| source | rows added | changed | removed |", "| --- | --- | --- | --- |"]
    for o in result.outcomes:
        if o.status == "new":
            n = Counter(c.change for c in o.changes)
            lines.append(f"| {o.source} | {n['added']} | {n['changed']} | {n['removed']} |")
        else:
            lines.append(f"| {o.source} | {o.status}: {o.detail} | | |")
    changed = [c for o in kept for c in o.changes if c.change == "changed"]
    if changed:
        lines += [
            "",
            "Rows whose value changed (both copies are kept; the new one counts from its fetch date):",
            "",
        ]
        for c in changed[:LISTED]:
            lines.append(f"- {c.source} `{c.row}` ({c.model}): {c.old} -> {c.new}")
        if len(changed) > LISTED:
            lines.append(f"- and {len(changed) - LISTED} more (changes.csv)")
    return "\n".join(lines) + "\n"


def account_csv(result: UpdateResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "source", "file", "row", "change", "model", "origin", "old", "new"])
    for o in result.kept:
        for c in o.changes:
            writer.writerow(
                ["row", c.source, c.file, c.row, c.change, c.model, c.origin, c.old, c.new]
            )
    return buffer.getvalue()


def write_account(result: UpdateResult, results_dir: Path) -> list[Path]:
    results_dir = Path(results_dir)
    md, table = results_dir / CHANGES_MD, results_dir / CHANGES_CSV
    write_text_atomic(md, account_markdown(result))
    write_text_atomic(table, account_csv(result))
    return [md, table]
