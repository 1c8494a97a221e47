"""The capability index's verdicts on lead and trend claims are ClaimVerdicts like every
other (verdicts.index): the same vocabulary, the same interval fields, the same comparison,
and an explanation of what would change them."""

from __future__ import annotations

import json
from typing import get_args

import numpy as np
import pytest

from gaptrack.compare.claims import GapThreshold, GapTrend, load_claims
from gaptrack.compare.index.analysis import run_index
from gaptrack.compare.index.prepare import Options
from gaptrack.compare.index.simulate import simulate
from gaptrack.compare.verdicts.base import ClaimVerdict, Label, compare
from gaptrack.compare.verdicts.index import index_verdict


@pytest.fixture(scope="module")
def report():
    sim = simulate(np.random.default_rng(7), n_models=40, n_bench=10, per_model=6)
    return run_index(sim.rows, Options(chance=False), n_boot=20, seed=3, anchors=sim.anchors)


def _verdicts(report, seed=3):
    registry = load_claims()
    return [
        v
        for c in registry.claims
        if (v := index_verdict(c, registry.document(c.document), report, seed)) is not None
    ]


def test_lead_and_trend_claims_get_the_one_verdict_type(report):
    verdicts = _verdicts(report)
    kinds = {type(v.claim.statement) for v in verdicts}
    assert kinds == {GapThreshold, GapTrend}
    for v in verdicts:
        assert isinstance(v, ClaimVerdict) and v.verdict in get_args(Label)
        (ev,) = v.evaluations
        (check,) = ev.checks
        assert ev.evidence_kind is None  # the index is fitted on every kind together
        assert check.verdict == ev.verdict == v.verdict
        method = check.interval.method
        replicates = len(report.reps.capability)  # those that converged, of 20
        assert (method.kind, method.resamples, method.seed) == ("index_bootstrap", replicates, 3)
        assert check.interval.low <= check.interval.high
        assert "index refitted" in method.text
        # the same rule as every claim: verdicts.base.compare on the interval
        op = "<" if getattr(v.claim.statement, "direction", "") == "narrowing" else ">"
        assert compare(check.value, check.interval, op, 0.0)[0] == v.verdict
        assert v.explanation.startswith(v.verdict) and "would" in v.explanation
        assert json.loads(v.model_dump_json())["verdict"] == v.verdict  # as a claim file


def test_other_claim_kinds_get_none(report):
    registry = load_claims()
    others = [
        c
        for c in registry.claims
        if c.statement is not None and not isinstance(c.statement, GapThreshold | GapTrend)
    ]
    assert others
    for claim in others:
        assert index_verdict(claim, registry.document(claim.document), report) is None


def test_without_replicates_the_verdict_is_inconclusive_and_says_why():
    sim = simulate(np.random.default_rng(7), n_models=40, n_bench=10, per_model=6)
    bare = run_index(sim.rows, Options(chance=False), n_boot=0, anchors=sim.anchors)
    for v in _verdicts(bare):
        check = v.evaluations[0].checks[0]
        assert v.verdict == "inconclusive" and check.interval is None
        assert check.point_verdict in ("supported", "contradicted")
        assert check.no_interval and "no interval" in v.explanation
