"""The corpus of broken inputs: each case is one file gaptrack is given (a config, a
claims registry, a reported-evidence CSV, a record in the store), the command that reads
it, and the one-line error it must give. To add a case, append a `Case` to `CASES`.

A case's `content` is the file's bytes, or for a record a function from a good record's
JSON text (bytes) to the bytes written in its place."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    id: str
    """Test id."""
    kind: str
    """What the file is and which command reads it: `config` (validate), `eval-config`
    (eval), `claims` (check --claims), `reported` (check --reported), `import`
    (import-reported), `record` (verify, with the file replacing a good record whose items
    are inline, the JSON layout) or `items` (verify, with the file replacing a good
    record's Parquet items file)."""
    content: bytes | Callable[[bytes], bytes]
    """The broken file."""
    expected: str
    """Text the one error line must contain (after the file name)."""


# ------------------------------------------------------------------ configs

MODEL = (
    "  - {id: a, name: A, origin: US, organisation: O, released: 2024-01-01, params_b: 1,"
    " variant: base, source: {kind: hub, repo: a/b}}\n"
)
GOOD_CONFIG = "name: x\nmodels:\n" + MODEL + "suite: {tasks: [arc_easy]}\n"


def config(old: str, new: str) -> bytes:
    assert old in GOOD_CONFIG, old
    return GOOD_CONFIG.replace(old, new, 1).encode()


CONFIG_CASES = [
    ("empty", b"", "expected a mapping at the top level"),
    ("top-list", b"- a\n- b\n", "expected a mapping at the top level"),
    ("yaml-syntax", b"name: x\nmodels: [\n", "line 3: invalid YAML"),
    ("tab-indent", b"name: x\n\tmodels: []\n", "line 2: invalid YAML"),
    ("invalid-utf8", b"name: caf\xe9\n", "not UTF-8 text (byte 9)"),
    ("utf16-bom", GOOD_CONFIG.encode("utf-16"), "not UTF-8 text (byte 0)"),
    ("unknown-top-key", config("name: x\n", "name: x\ncolour: red\n"), "colour: unknown key"),
    ("no-models-key", config("models:\n" + MODEL, ""), "models: Field required"),
    (
        "models-empty",
        config("models:\n" + MODEL, "models: []\n"),
        "models: List should have at least 1 item",
    ),
    (
        "models-not-list",
        config("models:\n" + MODEL, "models: 3\n"),
        "models: Input should be a valid list",
    ),
    ("no-suite", config("suite: {tasks: [arc_easy]}\n", ""), "suite: Field required"),
    ("suite-no-tasks", config("{tasks: [arc_easy]}", "{}"), "suite.tasks: Field required"),
    (
        "suite-tasks-empty",
        config("[arc_easy]", "[]"),
        "suite.tasks: List should have at least 1 item",
    ),
    (
        "unknown-model-key",
        config("variant: base", "variant: base, colour: 1"),
        "models[0].colour: unknown key",
    ),
    (
        "bad-origin",
        config("origin: US", "origin: ZZ"),
        "models[0].origin: 'ZZ' is not an ISO 3166-1 alpha-2 country code",
    ),
    (
        "bad-date",
        config("2024-01-01", "01/02/2024"),
        "models[0].released: Input should be a valid date",
    ),
    (
        "impossible-date",
        config("2024-01-01", "2024-02-30"),
        "models[0].released: Input should be a valid date or datetime, day value",
    ),
    (
        "params-negative",
        config("params_b: 1", "params_b: -1"),
        "models[0].params_b: Input should be greater than 0",
    ),
    (
        "params-text",
        config("params_b: 1", "params_b: big"),
        "models[0].params_b: Input should be a valid number",
    ),
    (
        "bad-variant",
        config("variant: base", "variant: chat"),
        "models[0].variant: Input should be 'base' or 'instruct'",
    ),
    ("bad-id", config("id: a", "id: A B"), "models[0].id: String should match pattern"),
    ("missing-name", config("name: A, ", ""), "models[0].name: Field required"),
    (
        "source-unknown-kind",
        config("{kind: hub, repo: a/b}", "{kind: ftp, repo: a/b}"),
        "models[0].source: source.kind must be one of: hub, local, packaged",
    ),
    (
        "source-bad-repo",
        config("repo: a/b", "repo: not a repo"),
        "models[0].source.repo: String should match pattern",
    ),
    (
        "source-local-missing",
        config("{kind: hub, repo: a/b}", "{kind: local, path: nowhere}"),
        "models[0].source.path: model folder",
    ),
    (
        "source-not-mapping",
        config("{kind: hub, repo: a/b}", "hub"),
        "models[0].source: Input should be a valid dictionary",
    ),
    ("duplicate-model", config(MODEL, MODEL + MODEL), "models[1].id: duplicate model id 'a'"),
    (
        "bad-dtype",
        config("variant: base", "variant: base, dtype: float8"),
        "models[0].dtype: Input should be 'auto'",
    ),
    (
        "duplicate-top-key",
        config("suite:", "models:\n" + MODEL + "suite:"),
        "line 4: duplicate key 'models' (first given on line 2)",
    ),
    (
        "duplicate-model-key",
        config("origin: US,", "origin: US, origin: CN,"),
        "line 3: duplicate key 'origin' (first given on line 3)",
    ),
    (
        "alias-bomb",
        (
            "name: x\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
            + "catalogue: [*a8]\nmodels: [a]\nsuite: {tasks: [arc_easy]}\n"
        ).encode(),
        "invalid YAML: aliases expand to",
    ),
    (
        "catalogue-not-a-name",
        config("models:", "catalogue: [[a, b]]\nmodels:"),
        "catalogue[0]: expected a catalogue file name",
    ),
    ("recursive-alias", b"name: &a [*a]\n", "invalid YAML: an alias refers to the node"),
    (
        "origin-xx",
        config("origin: US", "origin: XX"),
        "models[0].origin: 'XX' is not an ISO 3166-1 alpha-2 country code",
    ),
    (
        "params-zero",
        config("params_b: 1", "params_b: 0"),
        "models[0].params_b: Input should be greater than 0",
    ),
    (
        "params-nan",
        config("params_b: 1", "params_b: .nan"),
        "models[0].params_b: Input should be a finite number",
    ),
    (
        "results-dir-nul",
        config("suite:", 'results_dir: "r\\0"\nsuite:'),
        "results_dir: a path cannot hold a NUL byte",
    ),
    (
        "source-path-nul",
        config("{kind: hub, repo: a/b}", '{kind: local, path: "w\\0"}'),
        "models[0].source.path: a path cannot hold a NUL byte",
    ),
    (
        "task-paths-nul",
        config("{tasks: [arc_easy]}", '{tasks: [arc_easy], task_paths: ["t\\0"]}'),
        "suite.task_paths[0]: a path cannot hold a NUL byte",
    ),
    (
        "released-future",
        config("2024-01-01", "2999-01-01"),
        "models[0].released: 2999-01-01 is in the future (more than 31 days after today",
    ),
]

# ------------------------------------------------------------------ claims registries

DOC = "documents:\n  - {id: d1, file: f.txt, title: t, publisher: p, date: 2025}\n"
CLAIM = (
    "  - {id: c1, document: d1, quote: 'a quote long enough', made_by: author,"
    " kind: qualitative, untestable_reason: opinion}\n"
)


def claims(old: str, new: str) -> bytes:
    text = DOC + "claims:\n" + CLAIM
    assert old in text, old
    return text.replace(old, new, 1).encode()


CLAIMS_CASES = [
    ("claims-empty", b"", "expected a mapping with `documents` and `claims`"),
    ("claims-yaml-syntax", b"documents: [\n", "not valid YAML"),
    ("claims-invalid-utf8", (DOC + "claims: []\n# \xff\n").encode("latin-1"), "not UTF-8 text"),
    ("claims-top-list", b"- 1\n", "expected a mapping with `documents` and `claims`"),
    ("claims-unknown-key", claims("claims:", "extra: 1\nclaims:"), "extra"),
    ("claims-no-claims", DOC.encode(), "claims"),
    ("claims-no-documents", claims("documents:", "documents: []\nold:"), "documents"),
    ("claims-doc-bad-id", claims("id: d1", "id: 'Bad Id'"), "documents[0].id"),
    ("claims-doc-missing-file", claims("file: f.txt, ", ""), "documents[0].file: Field required"),
    ("claims-doc-bad-date", claims("date: 2025", "date: someday"), "'someday' is not a date"),
    ("claims-claim-not-mapping", claims(CLAIM, "  - 3\n"), "claims[0]"),
    ("claims-bad-kind", claims("kind: qualitative", "kind: gossip"), "claims[0].kind"),
    ("claims-short-quote", claims("'a quote long enough'", "short"), "claims[0].quote"),
    ("claims-unknown-claim-key", claims("made_by: author", "made_by: author, mood: 1"), "mood"),
    (
        "claims-bad-statement-kind",
        claims("untestable_reason: opinion", "statement: {kind: vibes}"),
        "claims[0].statement",
    ),
    (
        "claims-doc-file-too-long",
        claims("file: f.txt", "file: " + "a" * 300),
        "documents[0].file: document 'aaaa",
    ),
    (
        "claims-doc-file-nul",
        claims("file: f.txt", 'file: "f\\0.txt"'),
        "documents[0].file: a file name cannot hold a NUL byte",
    ),
    (
        "claims-duplicate-key",
        claims("made_by: author", "made_by: author, made_by: other"),
        "line 4: duplicate key 'made_by' (first given on line 4)",
    ),
    (
        "claims-doc-future-date",
        claims("date: 2025", "date: 2999-05"),
        "documents[0].date: 2999-05 is in the future (more than 31 days after today",
    ),
    (
        "claims-claim-future-date",
        claims("made_by: author", "made_by: author, date: 2999"),
        "claims[0].date: 2999 is in the future",
    ),
]

# ------------------------------------------------------------------ reported evidence

HEADER = "quantity,model,organisation,origin,released,benchmark,metric,value,published,source,source_kind\n"
ROW = "score,M,Org,US,2024-01-01,mmlu,5-shot,70.0,2024-02-01,https://example.org/paper,primary\n"


def reported(old: str, new: str) -> bytes:
    assert old in ROW, old
    return (HEADER + ROW.replace(old, new, 1)).encode()


REPORTED_CASES = [
    (
        "csv-invalid-utf8",
        (HEADER + ROW).encode().replace(b"Org", b"\xffrg"),
        "not UTF-8 text (byte 104)",
    ),
    (
        "csv-unknown-column",
        (HEADER.replace("note", "").rstrip() + ",colour\n" + ROW.rstrip() + ",red\n").encode(),
        "header: unknown column 'colour'",
    ),
    (
        "csv-missing-quantity",
        (HEADER.replace("quantity,", "") + ROW.replace("score,", "")).encode(),
        "header: missing column 'quantity'",
    ),
    (
        "csv-too-many-cells",
        (HEADER + ROW.rstrip() + ",extra\n").encode(),
        "row 1: more cells than header columns",
    ),
    (
        "csv-bad-value",
        reported("70.0", "seventy"),
        "row 1, column value: 'seventy' is not a number",
    ),
    (
        "csv-bad-origin",
        reported(",US,", ",XX,"),
        "row 1, column origin: 'XX' is not an ISO 3166-1 alpha-2 country code",
    ),
    (
        "csv-bad-released",
        reported("2024-01-01", "Jan 2024"),
        "row 1, column released: 'Jan 2024' is not a date",
    ),
    (
        "csv-bad-published",
        reported("2024-02-01", "2024-13-01"),
        "row 1, column published: '2024-13-01' is not a date",
    ),
    (
        "csv-bad-quantity",
        reported("score,", "vibes,"),
        "row 1, column quantity: 'vibes' is not one of",
    ),
    (
        "csv-unknown-benchmark",
        reported("mmlu", "nosuchbench"),
        "row 1, column benchmark: 'nosuchbench' is not a known benchmark",
    ),
    (
        "csv-bad-source-kind",
        reported(",primary", ",rumour"),
        "row 1, column source_kind: 'rumour' is not one of",
    ),
    ("csv-empty-model", reported(",M,", ",,"), "row 1, column model: model is empty"),
    (
        "csv-params-zero",
        (
            HEADER.replace(",benchmark", ",params_b,benchmark") + ROW.replace(",mmlu", ",0,mmlu")
        ).encode(),
        "row 1, column params_b: Input should be greater than 0",
    ),
    (
        "csv-released-future",
        reported("2024-01-01", "2999-01-01"),
        "row 1, column released: '2999-01-01' is in the future (more than 31 days after today",
    ),
    (
        "csv-published-future",
        reported("2024-02-01", "2999"),
        "row 1, column published: '2999' is in the future",
    ),
    (
        "csv-value-above-interval",
        (
            HEADER.replace(",published", ",ci_low,ci_high,published")
            + ROW.replace(",2024-02-01", ",60,65,2024-02-01")
        ).encode(),
        "row 1, column value: 70 is above its own interval's ci_high 65",
    ),
    (
        "csv-value-below-interval",
        (
            HEADER.replace(",published", ",ci_low,ci_high,published")
            + ROW.replace(",2024-02-01", ",75,80,2024-02-01")
        ).encode(),
        "row 1, column value: 70 is below its own interval's ci_low 75",
    ),
    (
        "csv-bom-then-bad-origin",  # the BOM is read as such: the header is fine
        b"\xef\xbb\xbf" + reported(",US,", ",XX,"),
        "row 1, column origin: 'XX' is not an ISO 3166-1 alpha-2 country code",
    ),
    (
        "csv-bom-then-bad-utf8",  # byte offsets still count the BOM
        b"\xef\xbb\xbf" + (HEADER + ROW).encode().replace(b"Org", b"\xffrg"),
        "not UTF-8 text (byte 107)",
    ),
]

# ------------------------------------------------------------------ records in the store


def _edit(change: Callable[[dict], None]) -> Callable[[bytes], bytes]:
    def apply(good: bytes) -> bytes:
        data = json.loads(good)
        change(data)
        return json.dumps(data, indent=1).encode()

    return apply


def _set_metric(value: float) -> Callable[[dict], None]:
    return lambda d: d["metrics"][0].update(value=value)


RECORD_CASES = [
    ("record-empty", lambda good: b"", "not valid JSON (truncated?)"),
    ("record-truncated", lambda good: good[: len(good) // 2], "not valid JSON (truncated?)"),
    ("record-not-utf8", lambda good: good.replace(b'"acc"', b'"\xffcc"', 1), "not UTF-8 text"),
    ("record-not-object", lambda good: b"[1, 2]", "Input should be a valid dictionary"),
    ("record-score-edited", _edit(_set_metric(0.99)), "content digest mismatch"),
    (
        "record-item-flipped",
        _edit(lambda d: d["items"][0].update(correct=not d["items"][0]["correct"])),
        "items digest mismatch",
    ),
    ("record-item-dropped", _edit(lambda d: d["items"].pop()), "items digest mismatch"),
    (
        "record-digest-edited",
        _edit(lambda d: d.update(content_digest="sha256:" + "0" * 64)),
        "content digest mismatch",
    ),
    (
        "record-newer-schema",
        _edit(lambda d: d.update(schema_version=99)),
        "schema_version 99 is newer than this gaptrack reads",
    ),
    (
        "record-bad-schema-version",
        _edit(lambda d: d.update(schema_version="two")),
        "schema_version 'two' is not a positive integer",
    ),
    (
        "record-unknown-field",
        _edit(lambda d: d.update(colour="red")),
        "colour: Extra inputs are not permitted",
    ),
    (
        "record-key-mismatch",
        _edit(lambda d: d.update(key="0" * 20)),
        "does not match the file name",
    ),
    (
        "record-no-metrics",
        _edit(lambda d: d.update(metrics=[])),
        "metrics: List should have at least 1 item",
    ),
    (
        "record-bad-scale",
        _edit(lambda d: d["metrics"][0].update(scale="per-mille")),
        "metrics.0.scale: Input should be 'fraction', 'percent' or 'unbounded'",
    ),
    (
        "record-bad-source",
        _edit(lambda d: d["model"].update(source={"kind": "ftp"})),
        "model.source: Input tag 'ftp'",
    ),
]


def _resealed_score(good: bytes) -> bytes:
    """A score edited with the digest recomputed: only the items betray it."""
    from gaptrack.store.records import ResultRecord

    record = ResultRecord.model_validate_json(good)
    metric = record.metrics[0].model_copy(update={"value": 0.99})
    return record.model_copy(update={"metrics": [metric]}).sealed().model_dump_json().encode()


RECORD_CASES.append(("record-score-resealed", _resealed_score, "but its 5 items average 0.6"))


def _resealed_model(**update) -> Callable[[bytes], bytes]:
    """A record whose model fields are edited (unvalidated) and the digests recomputed: the
    record's own schema must refuse the values."""

    def apply(good: bytes) -> bytes:
        from gaptrack.store.records import ResultRecord

        record = ResultRecord.model_validate_json(good)
        model = record.model.model_copy(update=update)
        edited = record.model_copy(update={"model": model}).sealed()
        return json.dumps(edited.model_dump(mode="json"), indent=1).encode()

    return apply


RECORD_CASES += [
    (
        "record-origin-xx",
        _resealed_model(origin="XX"),
        "model.origin: 'XX' is not an ISO 3166-1 alpha-2 country code",
    ),
    (
        "record-params-zero",
        _resealed_model(params_b=0),
        "model.params_b: Input should be greater than 0",
    ),
    (
        "record-released-future",
        _resealed_model(released="2999-01-01"),
        "model.released: 2999-01-01 is in the future",
    ),
]


def _parquet_edit(change: Callable) -> Callable[[bytes], bytes]:
    """Rewrite a Parquet items file through `change(table) -> table`."""

    def apply(good: bytes) -> bytes:
        import io

        import pyarrow.parquet as pq

        out = io.BytesIO()
        pq.write_table(change(pq.read_table(io.BytesIO(good))), out)
        return out.getvalue()

    return apply


def _flip_first(table):
    import pyarrow as pa

    flipped = [not c if i == 0 else c for i, c in enumerate(table.column("correct").to_pylist())]
    return table.set_column(
        table.column_names.index("correct"), "correct", pa.array(flipped, pa.bool_())
    )


ITEMS_CASES = [
    ("items-empty", lambda good: b"", "unreadable items file"),
    ("items-truncated", lambda good: good[: len(good) // 2], "unreadable items file"),
    ("items-not-parquet", lambda good: b"doc_id,correct\n0,1\n", "unreadable items file"),
    ("items-flipped", _parquet_edit(_flip_first), "items file sha256 mismatch"),
    ("items-row-dropped", _parquet_edit(lambda t: t.slice(1)), "items file sha256 mismatch"),
    (
        "items-column-dropped",
        _parquet_edit(lambda t: t.drop(["prompt_hash"])),
        "items file sha256 mismatch",
    ),
]

CASES: list[Case] = [
    *(Case(i, "config", c, e) for i, c, e in CONFIG_CASES),
    *(Case(i, "claims", c, e) for i, c, e in CLAIMS_CASES),
    *(Case(i, "reported", c, e) for i, c, e in REPORTED_CASES),
    *(Case(i, "record", c, e) for i, c, e in RECORD_CASES),
    *(Case(i, "items", c, e) for i, c, e in ITEMS_CASES),
    # The same readers behind other commands.
    *(Case(f"eval-{i}", "eval-config", c, e) for i, c, e in CONFIG_CASES[:4]),
    *(Case(f"import-{i}", "import", c, e) for i, c, e in REPORTED_CASES[:6]),
]
