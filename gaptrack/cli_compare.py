"""`gaptrack check` and `gaptrack import-reported`: a thin layer over gaptrack.compare.
Errors are not caught here: the main CLI prints a GaptrackError as one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import typer


def _table(rows: list[dict[str, str]], columns: list[str]) -> str:
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    widths["models"] = len("models")  # last column runs free
    head = "  ".join(c.ljust(widths[c]) for c in columns)
    body = ["  ".join(r[c].ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return "\n".join([head.rstrip(), *body])


def check(
    claim: str | None = typer.Option(None, "--claim", help="Check only this claim id."),
    results: Path = typer.Option(
        Path("results"), "--results", help="Results folder: the store, and where claims/*.json go."
    ),
    claims: Path | None = typer.Option(
        None, "--claims", help="Claims registry (default: seeds/claims.yaml)."
    ),
    reported: list[Path] = typer.Option(
        [], "--reported", help="Extra reported-evidence CSV (repeatable)."
    ),
) -> None:
    """Give every claim a verdict from measured and reported evidence."""
    from gaptrack.compare.check import (
        CheckOptions,
        check_claims,
        claims_dir,
        load_evidence,
        reproduction_checks,
        status_share,
        summary_lines,
    )

    options = CheckOptions(claims_file=claims, reported_files=list(reported))
    verdicts = check_claims(results, claim, options)
    rows = [line for v in verdicts for line in summary_lines(v)]
    columns = ["claim", "kind", "verdict", "value", "interval", "evidence", "models"]
    typer.echo(_table(rows, columns))
    for verdict in verdicts:
        for ev in verdict.evaluations:
            for chk in ev.checks:
                if chk.published is not None:
                    pub = chk.published
                    outcome = (
                        "reproduced within rounding" if pub.within_rounding else "NOT reproduced"
                    )
                    typer.echo(
                        f"{verdict.claim.id}: {chk.label}: computed {chk.value:.4g}, "
                        f"published {pub.value:g} -> {outcome} "
                        f"(rounding band {pub.band_low:.3f}..{pub.band_high:.3f})"
                    )
    tested = sum(1 for v in verdicts if v.verdict != "untested")
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    summary = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
    typer.echo(
        f"{len(verdicts)} claims: {tested} tested, {len(verdicts) - tested} untested "
        f"({summary}). Details: {claims_dir(results)}/<claim_id>.json"
    )
    evidence = load_evidence(results, options)
    share = status_share(evidence)
    total = sum(share.values())
    typer.echo(
        f"reported evidence: {share['verified']} of {total} rows verified at their source "
        f"({100 * share['verified'] / max(total, 1):.0f} %), {share['secondary']} secondary, "
        f"{share['unverified']} unverified"
    )
    if claim is None:
        for r in reproduction_checks(evidence):
            typer.echo(
                f"reproduction: {r.model} {r.benchmark}: measured {r.measured:.1f} "
                f"(n={r.measured_n}) vs reported {r.reported:.1f} "
                f"[{r.reported_id}] ({r.reported_source}): {r.difference:+.1f} pts"
            )


def import_reported(
    file: Path = typer.Argument(..., help="CSV with the columns of evidence/reported.csv."),
    results: Path = typer.Option(Path("results"), "--results", help="Results folder."),
) -> None:
    """Validate reported figures and merge them into <results>/reported/imported.csv."""
    from gaptrack.compare.evidence import import_reported as do_import

    result = do_import(file, results)
    typer.echo(
        f"{result.path}: read {result.read} rows: {result.added} added, "
        f"{result.replaced} replaced, {result.unchanged} unchanged; "
        f"{result.total} rows in the file"
    )


def register(app: typer.Typer) -> None:
    """Add `check` and `import-reported` to the main app."""
    app.command("check")(check)
    app.command("import-reported")(import_reported)
