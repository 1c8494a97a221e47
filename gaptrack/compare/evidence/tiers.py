"""Whose number a row is: the source tier of an evidence row, and whether it was checked
against its primary source.

Three tiers:

* `third_party_run`: someone other than the model's developer ran the evaluation and the
  row was taken from that evaluator's own publication: Epoch AI's runs, LMArena's own
  leaderboard exports, gaptrack's measurements, an independent evaluator's paper (a
  developer running *another* developer's model counts: it is not that model's developer).
* `developer_reported`: the developer's own publication about its own model.
* `compilation`: a copy of either that the row was not checked against at the primary
  source: LLMStats, a third party's extraction of Arena files, Epoch AI's copies of
  developers' or leaderboards' figures, news or blog summaries, and figures derived from
  published figures.

The rule reads fields every row already has (no new column to fill in by hand), in this
order, the first that applies deciding:

1. `kind` measured (or `source_kind` `measured`): gaptrack's own run, or a run imported
   with `gaptrack import-run` -> `third_party_run` (`developer_reported` where the
   importer said the developer ran it: `reporter` `developer`).
2. `source_kind` `secondary` or `derived`: the file copied or computed the figure ->
   `compilation`, whatever the copy's own status (LLMStats rows are `verified` against the
   LLMStats file, not against the developer's page).
3. `status` `secondary`: the row names a primary source but the figure was found only in
   a copy -> `compilation`.
4. `reporter` `developer` -> `developer_reported`; `reporter` `third_party` ->
   `third_party_run`.
5. No `reporter` (a user's import may leave it empty): `third_party_run` only where
   `measured_by` names a known independent evaluator (INDEPENDENT_EVALUATORS), otherwise
   `developer_reported`: an unattributed number never enters a third-party series.

"Verified at source" (`verified_at_source`) is `status` `verified` in a tier other than
`compilation`: the figure was found at the primary source. A compilation row whose own
status is `verified` (found in the copy) is counted apart, and `--strict` does not admit
it even where the same figure is `verified` in another file.
"""

from __future__ import annotations

from typing import Literal

Tier = Literal["third_party_run", "developer_reported", "compilation"]
TIERS: tuple[Tier, ...] = ("third_party_run", "developer_reported", "compilation")
"""Every tier, strongest first (the order reports list them in)."""

INDEPENDENT_EVALUATORS = frozenset({"epoch ai", "lmarena", "lmsys", "lmsys / lmarena", "gaptrack"})
"""`measured_by` values (lower case) that make a row without `reporter` a third-party run."""


def tier_of(row: object) -> Tier:
    """The row's tier (module docstring: the rule). Works on any evidence row kind."""
    kind = str(getattr(row, "kind", ""))
    source_kind = getattr(row, "source_kind", "primary")
    if kind == "measured" or source_kind == "measured":  # an imported run may be the developer's
        return (
            "developer_reported"
            if getattr(row, "reporter", None) == "developer"
            else "third_party_run"
        )
    if source_kind in ("secondary", "derived") or getattr(row, "status", "") == "secondary":
        return "compilation"
    reporter = getattr(row, "reporter", None)
    if reporter == "developer":
        return "developer_reported"
    if reporter == "third_party":
        return "third_party_run"
    measured_by = (getattr(row, "measured_by", "") or "").strip().lower()
    return "third_party_run" if measured_by in INDEPENDENT_EVALUATORS else "developer_reported"


def source_status(row: object) -> str:
    """The row's status as checked at its primary source: a compilation's copy `verified`
    only against the copy is `secondary` (found only in a secondary source), so a verdict
    resting on it never reads `verified`."""
    status = getattr(row, "status", "verified")
    if status == "verified" and tier_of(row) == "compilation":
        return "secondary"
    return status


def verified_at_source(row: object) -> bool:
    """The figure was found at its primary source: `verified` and not a compilation."""
    return getattr(row, "status", "") == "verified" and tier_of(row) != "compilation"
