"""What an update changed: new models by origin, rows added, changed and removed per
source, and how the headline figures and claim verdicts moved (old vs new, with
intervals). Kept as <results>/updates/<time>.json (one per update that kept a copy, so an
--as-of report shows the account of its date), and written as changes.md and changes.csv
in the results folder; the report opens with the same blocks."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from gaptrack.base import Frozen
from gaptrack.publish.csv_safe import safe_cell
from gaptrack.publish.document import Block, Bullets, Heading, Para, Table, to_markdown
from gaptrack.store.atomic import write_text_atomic
from gaptrack.update.currency import STALE_DAYS, Reach, reaches
from gaptrack.update.figures import Figure, Headline
from gaptrack.update.run import SourceOutcome, UpdateResult
from gaptrack.update.store import parse_utc

CHANGES_MD = "changes.md"
CHANGES_CSV = "changes.csv"
HISTORY = "updates"
LISTED = 20
"""Changed rows listed by name (all of them are in changes.csv)."""


class FigureChange(Frozen):
    name: str
    old: Figure | None
    new: Figure | None


class VerdictChange(Frozen):
    claim: str
    old: str
    new: str


class Account(Frozen):
    updated_at: str
    """Fetch time of the newest copy this update kept (UTC)."""
    outcomes: list[SourceOutcome]
    figures: list[FigureChange] = []
    verdicts: list[VerdictChange] = []
    figures_note: str = ""
    """Why figures are missing (not computed, too little evidence), if they are."""
    stale: list[Reach] = []
    """Each source's reach after the update (gaptrack.update.currency)."""


def make_account(
    result: UpdateResult,
    old: Headline | None = None,
    new: Headline | None = None,
    stale: list[Reach] | None = None,
) -> Account:
    figures, verdicts, note = [], [], ""
    if old is None or new is None:
        note = "headline figures not computed (--no-figures)"
    else:
        before = {f.name: f for f in old.figures}
        after = {f.name: f for f in new.figures}
        names = [*after, *(n for n in before if n not in after)]
        figures = [FigureChange(name=n, old=before.get(n), new=after.get(n)) for n in names]
        verdicts = [
            VerdictChange(claim=c, old=old.verdicts.get(c, "none"), new=new.verdicts.get(c, "none"))
            for c in sorted(set(old.verdicts) | set(new.verdicts))
            if old.verdicts.get(c) != new.verdicts.get(c)
        ]
        note = new.problem
    return Account(
        updated_at=max(o.fetched_at for o in result.kept),
        outcomes=result.outcomes,
        figures=figures,
        verdicts=verdicts,
        figures_note=note,
        stale=reaches() if stale is None else stale,
    )


def _moved(f: FigureChange) -> str:
    if f.old is None or f.new is None or f.old.value is None or f.new.value is None:
        return "" if f.old == f.new else "new" if f.old is None else "gone"
    step = f.new.value - f.old.value
    moved = f"{step:+.1f}" if abs(step) >= 0.05 else ""
    if f.old.at != f.new.at:
        moved = f"{moved} ({f.old.at} -> {f.new.at})".strip()
    return moved


def account_blocks(account: Account) -> list[Block]:
    kept = [o for o in account.outcomes if o.status == "new"]
    blocks: list[Block] = [Heading(2, "What changed", "what-changed")]
    stamp = "; ".join(f"{o.source} fetched {o.fetched_at} (sha256 {o.sha256[:12]})" for o in kept)
    blocks.append(Para(f"Update of {account.updated_at[:10]}: new copies of {stamp}."))
    models = Counter(origin or "unknown" for o in kept for origin, _ in o.new_models)
    if models:
        items = []
        for origin, n in sorted(models.items()):
            names = sorted(
                {m for o in kept for org, m in o.new_models if (org or "unknown") == origin}
            )
            more = f" and {len(names) - 8} more" if len(names) > 8 else ""
            items.append(f"{origin}: {n} ({', '.join(names[:8])}{more})")
        blocks += [Para("New models by origin:"), Bullets(items)]
    rows = []
    for o in account.outcomes:
        if o.status == "new":
            n = Counter(c.change for c in o.changes)
            rows.append([o.source, str(n["added"]), str(n["changed"]), str(n["removed"])])
        else:
            rows.append([o.source, f"{o.status}: {o.detail}", "", ""])
    blocks.append(Table(["source", "rows added", "changed", "removed"], rows, frozenset([1, 2, 3])))
    changed = [c for o in kept for c in o.changes if c.change == "changed"]
    if changed:
        items = [f"{c.source} {c.row} ({c.model}): {c.old} -> {c.new}" for c in changed[:LISTED]]
        if len(changed) > LISTED:
            items.append(f"and {len(changed) - LISTED} more (changes.csv)")
        blocks += [
            Para(
                "Rows whose value changed (both copies are kept; the new one is used from "
                "its fetch date on, the old one by --as-of dates before it):"
            ),
            Bullets(items),
        ]
    if account.figures:
        blocks.append(
            Table(
                ["figure", "old", "new", "moved"],
                [
                    [
                        f.name,
                        f.old.text() if f.old else "none",
                        f.new.text() if f.new else "none",
                        _moved(f),
                    ]
                    for f in account.figures
                ],
                frozenset([3]),
            )
        )
    if account.verdicts:
        blocks += [
            Para("Claims whose verdict changed:"),
            Bullets([f"{v.claim}: {v.old} -> {v.new}" for v in account.verdicts]),
        ]
    elif account.figures:
        blocks.append(Para("No claim's verdict changed."))
    if account.figures_note:
        blocks.append(Para(account.figures_note, "note"))
    return blocks + stale_blocks(account)


def stale_blocks(account: Account) -> list[Block]:
    """The sources whose newest row is older than STALE_DAYS before the update: the
    figures above are only as current as these."""
    if not account.stale:
        return []  # an account kept before reaches were recorded: it says nothing of them
    day = account.updated_at[:10]
    old = sorted((r for r in account.stale if r.stale), key=lambda r: (r.reaches, r.source))
    if not old:
        return [Para(f"Every source has rows within {STALE_DAYS} days of {day}.")]
    return [
        Para(
            f"Stale sources (newest row more than {STALE_DAYS} days before {day}, with "
            "this update's copies): figures resting on them say where the evidence stood "
            "on that row's date, not on the day of the update."
        ),
        Bullets([f"{r.source}: newest row {r.reaches}" for r in old]),
    ]


def account_summary(account: Account) -> list[str]:
    """The console's short account: figures that moved and verdicts that changed."""
    lines = []
    for f in account.figures:
        old, new = (f.old.text() if f.old else "none"), (f.new.text() if f.new else "none")
        if old != new:
            lines.append(f"  {f.name}: {old} -> {new}")
    lines += [f"  {v.claim}: {v.old} -> {v.new}" for v in account.verdicts]
    if account.figures and not lines:
        lines.append("  headline figures and verdicts unchanged")
    return lines


class _SafeRows:
    """A csv writer whose text cells a spreadsheet would run get a quote (csv_safe)."""

    def __init__(self, writer):
        self.writer = writer

    def writerow(self, cells: list) -> None:
        self.writer.writerow([safe_cell(c) for c in cells])


def account_csv(account: Account) -> str:
    buffer = io.StringIO()
    csv_writer = csv.writer(buffer, lineterminator="\n")
    writer = _SafeRows(csv_writer)  # model names and figures come from the sources
    writer.writerow(["kind", "source", "file", "row", "change", "model", "origin", "old", "new"])
    for o in account.outcomes:
        for c in o.changes:
            writer.writerow(
                ["row", c.source, c.file, c.row, c.change, c.model, c.origin, c.old, c.new]
            )
    for f in account.figures:
        old, new = (f.old.text() if f.old else "none"), (f.new.text() if f.new else "none")
        writer.writerow(["figure", "", "", f.name, "", "", "", old, new])
    for v in account.verdicts:
        writer.writerow(["verdict", "", "", v.claim, "", "", "", v.old, v.new])
    return buffer.getvalue()


def write_account(account: Account, results_dir: Path) -> list[Path]:
    results_dir = Path(results_dir)
    stamp = account.updated_at.replace(":", "")
    history = results_dir / HISTORY / f"{stamp}.json"
    write_text_atomic(history, account.model_dump_json(indent=1) + "\n")
    md, table = results_dir / CHANGES_MD, results_dir / CHANGES_CSV
    text = to_markdown(account_blocks(account), [])
    write_text_atomic(md, text[: text.rfind("\n\n---")] + "\n")  # no footer rule
    write_text_atomic(table, account_csv(account))
    return [md, table, history]


def account_as_of(results_dir: Path, when) -> Account | None:
    """The newest account of an update made by `when` (None: the newest of all)."""
    folder = Path(results_dir) / HISTORY
    if not folder.is_dir():
        return None
    chosen = None
    for path in sorted(folder.glob("*.json")):
        try:
            account = Account.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, ValidationError):
            continue  # an account is a note beside the results: a bad one is skipped
        if when is None or parse_utc(account.updated_at) <= when:
            chosen = account
    return chosen
