"""--fail-on gates: what a CI job writes, what it means, and what a typo does."""

from __future__ import annotations

import pytest

from metacompress.errors import GateBreached, UsageError
from metacompress.gates import breached, evaluate_gates, parse_gate, parse_gates, raise_if_breached
from metacompress.metrics import Baseline, Metric, RelationSummary, Summary


def _row(**values):
    return RelationSummary(applied=10, not_applicable=0, skip_reasons={},
                           metrics={name: Metric(value, None, 10) for name, value in values.items()})


REPORT = Summary(
    relations={
        "rename-identifiers": _row(student_flip_rate=0.08, discrepancy_rate=0.2),
        "swap-if-else": _row(student_flip_rate=0.01, discrepancy_rate=0.05, high_confidence_preservation=None),
    },
    all_relations=_row(student_flip_rate=0.045, discrepancy_rate=0.125, prediction_agreement=0.95),
    baseline=Baseline(10, {"student_accuracy_x": Metric(0.7, None, 10)}),
)


def test_parse_forms():
    gate = parse_gate("discrepancy_rate>0.10")
    assert (gate.scope, gate.metric, gate.op, gate.threshold) == ("all", "discrepancy_rate", ">", 0.1)
    gate = parse_gate(" rename-identifiers : student_flip_rate >= 5% ")
    assert (gate.scope, gate.metric, gate.op, gate.threshold) == ("rename-identifiers", "student_flip_rate", ">=", 0.05)
    assert parse_gate("*:prediction_agreement<0.9").scope == "*"
    assert parse_gate("all:prediction_agreement<=0.9").op == "<="
    assert parse_gate("baseline:student_accuracy_x<0.8").scope == "baseline"


@pytest.mark.parametrize("condition, words", [
    ("discrepancy>0.1", ["unknown metric 'discrepancy'", "did you mean 'discrepancy_rate'", "known:"]),
    ("student_flip_rate=0.1", ["expected [RELATION:]METRIC OP NUMBER"]),
    ("student_flip_rate>", ["expected [RELATION:]METRIC OP NUMBER"]),
    ("student_flip_rate>lots", ["'lots' is not a number"]),
    ("baseline:student_flip_rate>0.1", ["unknown metric 'student_flip_rate'"]),
    # a share's gate beyond [0, 1] could never be breached (or always would be)
    ("student_flip_rate>150%", ["student_flip_rate is a share", "between 0 and 1", "not 150%"]),
    ("discrepancy_rate>-0.1", ["discrepancy_rate is a share"]),
])
def test_parse_errors_name_the_condition(condition, words):
    with pytest.raises(UsageError) as error:
        parse_gate(condition)
    message = str(error.value)
    assert repr(condition) in message and "\n" not in message
    for word in words:
        assert word in message
    assert error.value.exit_code == 2


def test_unknown_relation_is_a_usage_error_with_a_hint():
    with pytest.raises(UsageError, match="did you mean 'rename-identifiers'"):
        evaluate_gates(["rename-identifier:student_flip_rate>0.1"], REPORT)
    with pytest.raises(UsageError, match="not in this run"):
        parse_gates(["loop-exchange:student_flip_rate>0.1"], relations=["swap-if-else"])


def test_no_prefix_means_the_all_relations_row():
    [result] = evaluate_gates(["discrepancy_rate>0.10"], REPORT)
    assert (result.relation, result.value, result.holds, result.status) == ("all", 0.125, True, "breached")
    [result] = evaluate_gates(["prediction_agreement<0.9"], REPORT)
    assert (result.holds, result.status) == (False, "passed")


def test_star_checks_every_relation():
    results = evaluate_gates(["*:student_flip_rate>=0.05"], REPORT)
    assert [(r.relation, r.holds) for r in results] == [("rename-identifiers", True), ("swap-if-else", False)]
    assert [r.relation for r in breached(results)] == ["rename-identifiers"]


@pytest.mark.parametrize("op, threshold, holds", [
    (">", 0.08, False), (">=", 0.08, True), ("<", 0.08, False), ("<=", 0.08, True), ("<", 0.1, True),
])
def test_operators_at_the_boundary(op, threshold, holds):
    [result] = evaluate_gates([f"rename-identifiers:student_flip_rate{op}{threshold}"], REPORT)
    assert result.holds is holds


def test_missing_value_is_not_evaluated_and_does_not_breach():
    results = evaluate_gates(["swap-if-else:high_confidence_preservation<0.9",  # value None
                              "student_accuracy_drop>0.05"], REPORT)  # absent: no labels
    assert [(r.status, r.holds, r.value) for r in results] == [("not evaluated", False, None)] * 2
    raise_if_breached(results)  # nothing raised
    assert results[0].as_dict()["status"] == "not evaluated"


def test_raise_if_breached_names_each_breach():
    results = evaluate_gates(["*:discrepancy_rate>0.1", "baseline:student_accuracy_x<0.8"], REPORT)
    with pytest.raises(GateBreached) as error:
        raise_if_breached(results)
    assert error.value.exit_code == 1
    assert "2 --fail-on gate(s) breached" in str(error.value)
    assert "rename-identifiers: discrepancy_rate = 0.2" in str(error.value)
    assert "baseline: student_accuracy_x = 0.7" in str(error.value)


def test_the_paired_discrepancy_figures_are_gateable():
    report = Summary(REPORT.relations, _row(induced_discrepancy_rate=0.092),
                     Baseline(10, {"discrepancy_rate_x": Metric(0.597, None, 10)}))
    results = evaluate_gates(["induced_discrepancy_rate>0.05", "baseline:discrepancy_rate_x>0.5",
                              "induced_discrepancy_rate>10%"], report)
    assert [(r.metric, r.status) for r in results] == [
        ("induced_discrepancy_rate", "breached"), ("discrepancy_rate_x", "breached"),
        ("induced_discrepancy_rate", "passed")]


def test_a_figure_that_is_not_a_share_takes_any_threshold():
    assert parse_gate("flip_asymmetry>2").threshold == 2
    assert parse_gate("all:net_discrepancy_change<-0.2").threshold == -0.2
    assert parse_gate("student_flip_rate>=100%").threshold == 1
