"""The claims registry: every quote is in its document, and bad entries are one-line errors
naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaptrack.compare.claims import default_claims_file, load_claims
from gaptrack.errors import ConfigError

SEEDS = default_claims_file().parent


def test_registry_covers_all_five_seed_documents():
    registry = load_claims()  # checks every quote against its document
    seed_files = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(seed_files) == 5
    assert sorted(d.file for d in registry.documents if d.file.endswith(".txt")) == seed_files
    per_doc = {d.id: sum(c.document == d.id for c in registry.claims) for d in registry.documents}
    assert all(n >= 5 for doc, n in per_doc.items() if doc != "ref"), per_doc
    assert 35 <= len(registry.claims) <= 80
    kinds = {c.kind for c in registry.claims}
    assert {
        "benchmark_gap",
        "competitiveness",
        "trend",
        "cadence",
        "adoption",
        "forecast",
        "investment",
        "market",
    } <= kinds
    for claim in registry.claims:
        assert claim.date is not None  # filled from the document


def test_famous_claim_is_structured():
    claim = load_claims().claim("c001-gap-9-to-2")
    assert claim.statement.kind == "gap_threshold"
    assert claim.statement.quantity.edition.label() == "AI Index 2025"
    # the AI Index's 9 % and 2 % in rating points (of its own 1112 and 1362): a percentage
    # of a rating depends on where the scale is anchored
    assert claim.statement.quantity.unit == "points"
    assert [(c.at, c.op, c.value) for c in claim.statement.conditions] == [
        ("2024-01", ">", 100.0),
        ("2025-02", "<", 27.0),
    ]
    assert claim.date_reading.dates == {"2025-02": "2025-02-14"}
    assert claim.date == "2025-07"


def _write(
    tmp_path: Path, claim: str, quote_doc: str = "Chinese models trail US ones a lot."
) -> Path:
    (tmp_path / "doc.txt").write_text(quote_doc)
    path = tmp_path / "claims.yaml"
    path.write_text(f"""
documents:
  - {{id: d, file: doc.txt, title: T, publisher: P, date: 2025-01}}
claims:
  - {{id: ok, document: d, quote: "Chinese models trail", made_by: X, kind: qualitative,
      untestable_reason: none}}
  - {claim}
""")
    return path


GOOD_QUANTITY = "{benchmarks: [mmlu], unit: points}"


@pytest.mark.parametrize(
    ("claim", "field", "message"),
    [
        (
            "{id: c, document: d, quote: 'Chinese models trail', made_by: X, kind: lead, statement: "
            "{kind: gap_threshold, quantity: {benchmarks: [mmlu], unit: points, origin_b: XX}, "
            "conditions: [{at: 2024-01, op: '>', value: 0}]}}",
            "claims[1].statement.quantity.origin_b",
            "'XX' is not an ISO 3166-1 alpha-2 country code",
        ),
        (
            "{id: c, document: d, quote: 'Chinese models trail', made_by: X, kind: lead, statement: "
            "{kind: gap_threshold, quantity: {benchmarks: [mmlux], unit: points}, "
            "conditions: [{at: 2024-01, op: '>', value: 0}]}}",
            "claims[1].statement.quantity.benchmarks[0]",
            "'mmlux' is not a known benchmark",
        ),
        (
            "{id: c, document: d, quote: 'Chinese models trail', made_by: X, kind: lead, statement: "
            f"{{kind: gap_threshold, quantity: {GOOD_QUANTITY}, "
            "conditions: [{at: 2024/01, op: '>', value: 0}]}}",
            "claims[1].statement.conditions[0].at",
            "'2024/01' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
        ),
        (
            "{id: c, document: d, quote: 'Chinese models trail', made_by: X, kind: lead, statement: "
            f"{{kind: gap_threshold, quantity: {GOOD_QUANTITY}, "
            "conditions: [{at: 2024-01, op: '~', value: 0}]}}",
            "claims[1].statement.conditions[0].op",
            "Input should be",
        ),
        (
            "{id: c, document: d, quote: 'Chinese models trail', made_by: X, kind: lead, colour: red, "
            "untestable_reason: r}",
            "claims[1].colour",
            "Extra inputs are not permitted",
        ),
        (
            "{id: c, document: d, quote: 'Chinese models trail', made_by: X, kind: lead}",
            "claims[1]",
            "a claim without a statement needs an untestable_reason",
        ),
        (
            "{id: c, document: d, quote: 'Chinese models lead by far', made_by: X, kind: lead, "
            "untestable_reason: r}",
            "claims[1].quote",
            "quote not found in document 'd'",
        ),
        (
            "{id: c, document: nope, quote: 'Chinese models trail', made_by: X, kind: lead, "
            "untestable_reason: r}",
            "claims[1].document",
            "unknown document 'nope'",
        ),
        (
            "{id: c, document: d, quote: 'Chinese models trail', made_by: X, kind: lead, statement: "
            "{kind: figure, figure: downloads, subject: Qwen, start: 2026, end: 2026, op: '>', "
            "value: 1}}",
            "claims[1].statement.figure",
            "'downloads' is not a known figure",
        ),
    ],
)
def test_bad_claims_are_one_line_errors_naming_file_and_field(tmp_path, claim, field, message):
    path = _write(tmp_path, claim)
    with pytest.raises(ConfigError) as info:
        load_claims(path)
    err = info.value
    assert err.file == str(path) and err.field == field
    assert message in err.message
    assert "\n" not in err.one_line()
    assert err.one_line().startswith(f"{path}: {field}: ")


def test_example_error_line(tmp_path):
    path = _write(
        tmp_path,
        "{id: c, document: d, quote: 'Chinese models trail', made_by: X, "
        "kind: lead, statement: {kind: gap_parity, quantity: "
        "{benchmarks: [mmlu], unit: points, origin_b: XX}, at: 2024-01, "
        "within: 2}}",
    )
    with pytest.raises(ConfigError, match=r"claims\[1\]\.statement\.quantity\.origin_b: 'XX'"):
        load_claims(path)


def test_unreadable_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="claims file not found"):
        load_claims(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("claims: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_claims(bad)
