"""``--fail-on`` on an attack's figures: the names the metric registry holds for an attack's rows and
its headline (``metrics.core.ATTACK``, ``ATTACK_HEADLINE``), which of them each objective's rows hold,
and the parser.

The conditions go through the same parser as ``run``'s gates (``metrics.gates.parse_gates``), with
the attack's rows as scopes.
"""

from __future__ import annotations

import difflib

from ..errors import UsageError
from ..metrics.core import ATTACK, ATTACK_HEADLINE, METRICS
from ..metrics.gates import ALL, ANY, parse_gates, share_metrics
from .figures import ADVERSARIAL, NO_SEARCH_METRICS, row_figures
from .objectives import get_objective, objective_names, usable_objectives


def attack_metrics() -> tuple[str, ...]:
    """Every figure a gate may name: the rows' figures, then the headline's, then the adversarial
    relations (the objectives are loaded first: a plugin's module registers its own figures)."""
    usable_objectives()
    rows = row_figures()
    return tuple([n for n in rows if not n.startswith(ADVERSARIAL)] + list(headline_metrics())
                 + [n for n in rows if n.startswith(ADVERSARIAL)])


def headline_metrics() -> tuple[str, ...]:
    return tuple(METRICS.names(ATTACK_HEADLINE))


def attack_figures(objective: str) -> dict[str, tuple[str, ...]]:
    """The figures the objective's report can hold: per attack (its row) and, under ``all``, the
    headline figures."""
    return get_objective(objective).figures()


def _check_gate_has_a_figure(gate, objective: str, budget: int | None) -> None:
    """UsageError for a gate that could never be evaluated: on a figure no attack of the objective
    computes, or on a search's figure when --budget 0 runs no search."""
    figures = attack_figures(objective)
    rows = [row for row in figures if row != "all"] if gate.scope == ANY else [gate.scope]
    if not any(gate.metric in figures[row] for row in rows):
        where = [o for o in objective_names() if any(gate.metric in f for f in attack_figures(o).values())]
        raise UsageError(f"--fail-on {gate.condition!r}: {objective} runs the attacks "
                         f"{', '.join(get_objective(objective).attacks)}, none of which computes {gate.metric} "
                         f"(--objective {' or '.join(where)} does)")
    # Refused rather than left "not evaluated": a CI job would pass a gate that checked nothing.
    if budget == 0 and gate.metric not in NO_SEARCH_METRICS:
        raise UsageError(f"--fail-on {gate.condition!r}: --budget 0 runs no search, so {gate.metric} has no "
                         f"value; give a budget, or gate on {', '.join(NO_SEARCH_METRICS)}")


def parse_attack_gates(conditions: list[str], objective: str | None = None, budget: int | None = None):
    """``--fail-on`` conditions on the attack's figures; the scope is an attack of the objective
    (teacher, student, disagree) or ``*`` (each), and none for a headline figure. Usage errors speak
    of attacks, not of ``run``'s relations; a gate on a figure the run cannot have (another
    objective's, or a search's under ``--budget 0``) is one."""
    rows = get_objective(objective).attacks if objective in objective_names() else ()
    headlines = headline_metrics()
    example = "student" if "student" in rows or not rows else rows[0]
    headline = "disagreement_found_rate" if example == "disagree" else f"{example}_success_rate"
    form = (f"[ATTACK:]METRIC OP NUMBER with OP one of > >= < <= and ATTACK one of {', '.join(rows) or '(none)'} "
            f"or '*' (no ATTACK for a headline figure), e.g. '{example}:success_rate>0.3' or '{headline}>0.3'")
    run = f"a {objective} run" if rows else "this run"
    gates = parse_gates(conditions, None, attack_metrics(), form, share_metrics(ATTACK, ATTACK_HEADLINE))
    for gate in gates:
        if gate.scope == ALL and gate.metric not in headlines:
            raise UsageError(f"--fail-on {gate.condition!r}: {gate.metric} is a figure of each attack; scope it, "
                             f"e.g. '{example}:{gate.metric}' (unscoped gates take {', '.join(headlines)})")
        if gate.scope not in (ALL, ANY) and gate.scope not in rows:
            close = difflib.get_close_matches(gate.scope, rows, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"--fail-on {gate.condition!r}: no attack {gate.scope!r} in {run}{hint}; "
                             f"scope a figure with {', '.join(rows) or '(none)'} or '*' (every attack), "
                             f"or leave the scope out for a headline figure")
        if gate.scope != ALL and gate.metric in headlines:
            raise UsageError(f"--fail-on {gate.condition!r}: {gate.metric} is a headline figure; leave the scope out")
        if rows:
            _check_gate_has_a_figure(gate, objective, budget)
    return gates
