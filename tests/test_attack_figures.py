"""An attack's figures are metrics on the one registry (issue 19): scoped apart from the audit's, the
names --fail-on accepts, and the rows report.md and the terminal list."""

from __future__ import annotations

import pytest

from metacompress.attack.gates import attack_metrics, headline_metrics, parse_attack_gates
from metacompress.attack.objectives import BUILTIN as BUILTIN_OBJECTIVES
from metacompress.attack.objectives import OBJECTIVES
from metacompress.attack.objectives.flip import FlipObjective
from metacompress.attack.render import render_terminal
from metacompress.errors import UsageError
from metacompress.metrics import METRICS, parse_gates, register_metric
from metacompress.metrics.core import ATTACK, ATTACK_HEADLINE, AUDIT, MetricSpec, attack_figure


class FlipStudentCounted(FlipObjective):
    """A plugin's objective whose student row holds a figure of its own."""

    name = "flip-student-counted"
    summary = "the student, with a figure of its own"
    attacks = ("student",)

    def figures(self):
        figures = super().figures()
        figures["student"] += ("plugin_rewrites_tried",)
        return figures


@pytest.fixture
def plugin_figure():
    register_metric(attack_figure("plugin_rewrites_tried", "Rewrites the plugin tried.", "value"))
    OBJECTIVES.add(FlipStudentCounted.name, FlipStudentCounted)
    yield "plugin_rewrites_tried"
    OBJECTIVES.remove(FlipStudentCounted.name)
    METRICS.remove("plugin_rewrites_tried", ATTACK)


def test_every_figure_an_objective_writes_is_registered_in_its_scope():
    for name in BUILTIN_OBJECTIVES:
        for row, figures in OBJECTIVES.get(name)().figures().items():
            scope = ATTACK_HEADLINE if row == "all" else ATTACK
            for figure in figures:
                assert METRICS.registered(figure, scope) is not None, (name, row, figure)


def test_audits_and_attacks_read_their_own_scope_of_one_registry():
    audit_names = METRICS.names()
    assert "success_rate" not in audit_names and "adversarial_discrepancy_rate" not in audit_names
    assert list(METRICS) == audit_names and "discrepancy_rate" in METRICS
    # one name, two definitions: run's relative_drop compares the models, an attack row's is one model's
    assert METRICS.get("relative_drop").columns is not None
    assert METRICS.get("relative_drop", ATTACK).columns is None
    assert METRICS.get("relative_drop").description != METRICS.get("relative_drop", ATTACK).description
    with pytest.raises(UsageError, match="unknown metric 'success_rate'"):
        parse_gates(["success_rate>0.5"])  # run's --fail-on
    assert set(headline_metrics()) == set(METRICS.names(ATTACK_HEADLINE))
    assert set(attack_metrics()) == set(METRICS.names(ATTACK)) | set(METRICS.names(ATTACK_HEADLINE))


def test_an_audit_metric_without_columns_is_refused():
    with pytest.raises(ValueError, match="needs its columns"):
        MetricSpec("no_columns", "nothing to compute it from")
    with pytest.raises(ValueError, match="scope 'compare'"):
        MetricSpec("elsewhere", "a figure of no known document", scope="compare")
    assert attack_figure("x", "y").scope == ATTACK and MetricSpec("z", "w", lambda d: {}, lambda s: s).scope == AUDIT


def test_a_registered_figure_is_a_gate_name_and_a_row_of_the_report(plugin_figure):
    gates = parse_attack_gates([f"student:{plugin_figure}>3"], FlipStudentCounted.name, 10)
    assert [(g.scope, g.metric) for g in gates] == [("student", plugin_figure)]
    with pytest.raises(UsageError, match="none of which computes plugin_rewrites_tried"):
        parse_attack_gates([f"student:{plugin_figure}>3"], "flip-student", 10)
    metric = {"value": 4.0, "count": None, "n": 2, "ci95": None, "ci_note": None, "null_reason": None}
    document = {"attacks": {"student": {"metrics": {"success_rate": metric, plugin_figure: metric,
                                                    "adversarial_discrepancy_rate": metric}, "counts": {}}},
                "headline": {"summary": []}, "run": {"data": {"skip_reasons": {}}}, "gates": []}
    lines = render_terminal(type("Report", (), {"data": document})).splitlines()
    shown = [line.split()[0] for line in lines[1:] if line.strip()]
    assert shown == ["success_rate", plugin_figure]  # registry order; the adversarial relations apart


def test_a_figure_nobody_registered_is_refused_by_name():
    with pytest.raises(UsageError, match="unknown metric 'plugin_rewrites_tried'"):
        parse_attack_gates(["student:plugin_rewrites_tried>3"], "flip-student", 10)
