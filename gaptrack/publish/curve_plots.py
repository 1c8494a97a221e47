"""The specification curve of a claim (matplotlib, like plots.py): every specification with
evidence, ordered by value, each point coloured by its outcome with its 95 % interval and
the claim's threshold; below, which choices each specification made."""

from __future__ import annotations

from pathlib import Path

from gaptrack.compare.verdicts import ClaimVerdict
from gaptrack.publish.plots import OKABE_ITO, _pyplot, inputs_digest, save, up_to_date

OUTCOME_COLOURS = {
    "supported": OKABE_ITO["green"],
    "contradicted": OKABE_ITO["vermillion"],
    "not independent": OKABE_ITO["purple"],
    "inconclusive": "#888888",
}
CHOICES = ("model_set", "tier", "board", "date_rule", "threshold")


def _choice_rows(outcomes) -> list[tuple[str, str]]:
    """(choice, option) pairs that vary among the specifications, in a stable order."""
    rows = []
    for field in CHOICES:
        options = []
        for o in outcomes:
            value = getattr(o.spec, field)
            if value is not None and value not in options:
                options.append(value)
        if len(options) > 1:
            rows += [(field, option) for option in options]
    return rows


def curve_figure(verdict: ClaimVerdict, stem: Path) -> list[Path] | None:
    """The claim's curve as PNG and SVG, or None where fewer than two specifications have
    evidence (nothing to draw a curve of)."""
    curve = verdict.curve
    if curve is None:
        return None
    shown = [o for o in curve.outcomes if o.outcome != "no evidence"]
    if len(shown) < 2:
        return None
    digest = inputs_digest("curve", verdict.claim.id, curve.model_dump(mode="json"))
    if up_to_date(stem, digest):
        return [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    plt = _pyplot()
    n_checks = max(len(o.values) for o in shown)
    choices = _choice_rows(shown)
    fig, axes = plt.subplots(
        n_checks + 1,
        1,
        figsize=(9, 2.2 * n_checks + 0.25 * len(choices) + 1),
        sharex=True,
        height_ratios=[3] * n_checks + [max(1, 0.35 * len(choices))],
        squeeze=False,
    )
    order = sorted(
        range(len(shown)), key=lambda i: (shown[i].values[0] is None, shown[i].values[0] or 0)
    )
    labels = shown[0].labels
    for k in range(n_checks):
        ax = axes[k][0]
        for x, i in enumerate(order):
            o = shown[i]
            value = o.values[k] if k < len(o.values) else None
            if value is None:
                continue
            colour = OUTCOME_COLOURS.get(o.outcome, "#888888")
            iv = o.intervals[k] if k < len(o.intervals) else None
            if iv is not None:
                ax.plot([x, x], iv, color=colour, linewidth=1.2, alpha=0.7)
            main = curve.main is not None and o is curve.outcomes[curve.main]
            ax.plot([x], [value], "D" if main else "o", color=colour, markersize=7 if main else 4)
        ax.set_ylabel("value")
        ax.set_title(labels[k] if k < len(labels) else "", fontsize=9, loc="left")
        ax.axhline(0, color="#cccccc", linewidth=0.6)
    bottom = axes[n_checks][0]
    for row, (field, option) in enumerate(choices):
        xs = [x for x, i in enumerate(order) if getattr(shown[i].spec, field) == option]
        bottom.plot(xs, [row] * len(xs), "s", color="#333333", markersize=3)
    bottom.set_yticks(range(len(choices)))
    bottom.set_yticklabels(
        [f"{f.replace('_', ' ')}: {str(o).replace('_', ' ')}" for f, o in choices], fontsize=7
    )
    bottom.invert_yaxis()
    bottom.set_xlabel(f"specifications with evidence, by value ({curve.text()})", fontsize=8)
    bottom.set_xticks([])
    fig.suptitle(
        f"{verdict.claim.id}: {verdict.verdict} (diamond: main specification; green supported, "
        "red contradicted, grey inconclusive)",
        fontsize=9,
    )
    fig.subplots_adjust(left=0.28, right=0.98, top=0.9, bottom=0.08, hspace=0.35)
    try:
        return save(fig, stem, digest)
    finally:
        plt.close(fig)


def curve_figures(verdicts, folder: Path) -> dict[str, list[Path]]:
    """claim id -> [png, svg] for every claim with a curve to draw."""
    out = {}
    for verdict in verdicts:
        paths = curve_figure(verdict, folder / f"curve-{verdict.claim.id}")
        if paths is not None:
            out[verdict.claim.id] = paths
    return out
