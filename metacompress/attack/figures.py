"""The attack's figures: a report row, and shares with 95% intervals (inputs resampled)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..metrics.core import ATTACK, METRICS, Metric, attack_figure, ratio, register_metric
from ..metrics.intervals import bca_interval, resample_counts
from .outcome import ATTACKED, edit_size, queries_to_success

#: the teacher-student relations measured on adversarial inputs and on random rewrites
RELATION_METRICS = ("prediction_agreement", "probability_similarity", "high_confidence_preservation",
                    "calibration_alignment", "discrepancy_rate", "induced_discrepancy_rate")
ADVERSARIAL_METRICS = tuple(f"adversarial_{m}" for m in RELATION_METRICS)
ADVERSARIAL = "adversarial_"

_SUCCESSES = "over successful inputs"
#: an attack row's figures, in the order report.md and the terminal list them (attack/SCHEMA.md
#: says what each counts); an objective names those its rows hold
ROW_FIGURES = (
    ("success_rate", "Share of attacked inputs on which the search reached its goal.", "rate", False),
    ("success_rate_without_assumptions", "`success_rate` counting only successes whose rewrite rests on no "
     "assumption (`--assume`): proven semantics-preserving.", "rate", False),
    ("accuracy_before", "The model's accuracy on the originals.", "rate", True),
    ("accuracy_after", "Robust accuracy: inputs the model gets right on x and the attack could not flip.", "rate", True),
    ("accuracy_drop", "`accuracy_before - accuracy_after`: inputs it got right that the attack flipped.", "rate", True),
    ("relative_drop", "Share of the model's correct inputs that the attack flipped (`accuracy_drop / accuracy_before`).",
     "rate", True),
    ("transfer_rate", "`flip-both`: share of this model's successful rewrites that also flip the other model.", "rate", False),
    ("disagreement_rate_x", "Share of all inputs on which the models already disagree on the original.", "rate", False),
    ("disagreement_rate_after", "Share of all inputs on which they disagree on the original or on a rewrite found.",
     "rate", False),
    ("violations_per_query", "Distinct violating rewrites found / queries spent.", "value", False),
    ("random_rewrite_violations_per_query", "The same count over `run`'s random rewrites of inputs the models agree on.",
     "value", False),
    ("mean_queries_to_success", f"Mean queries to success, {_SUCCESSES}.", "value", False),
    ("median_queries_to_success", f"Median queries to success, {_SUCCESSES}.", "value", False),
    ("identifiers_renamed", f"Mean number of variables the best rewrite renames, {_SUCCESSES}.", "value", False),
    ("tokens_changed", f"Mean number of tokens that differ between x and the best rewrite, {_SUCCESSES}.", "value", False),
    ("codebleu", f"Mean CodeBLEU of the best rewrite against x (1: identical), {_SUCCESSES}.", "value", False),
)
#: the headline: gated without a scope
HEADLINE_FIGURES = (
    ("teacher_success_rate", "The `teacher` attack's `success_rate`.", "rate", False),
    ("student_success_rate", "The `student` attack's `success_rate`.", "rate", False),
    ("teacher_accuracy_drop", "The `teacher` attack's `accuracy_drop`.", "rate", True),
    ("student_accuracy_drop", "The `student` attack's `accuracy_drop`.", "rate", True),
    ("student_extra_drop", "`flip-both`: `student_accuracy_drop / teacher_accuracy_drop - 1`, the accuracy the student "
     "loses under attack beyond the teacher's loss.", "value", True),
    ("disagreement_found_rate", "The `disagree` attack's `success_rate`.", "rate", False),
)


def _register_figures() -> None:
    for name, description, kind, labels in ROW_FIGURES:
        register_metric(attack_figure(name, description, kind, needs_labels=labels))
    for name, description, kind, labels in HEADLINE_FIGURES:
        register_metric(attack_figure(name, description, kind, headline=True, needs_labels=labels))
    for name in RELATION_METRICS:
        audit = METRICS.get(name)
        register_metric(attack_figure(
            ADVERSARIAL + name, f"The audit's `{name}` with each input's best rewrite under this attack as x'.",
            audit.kind, needs_labels=audit.needs_labels))


def row_figures() -> list[str]:
    """Every figure an attack's row can hold, registered (built-ins first), the adversarial
    relations last."""
    names = METRICS.names(ATTACK)
    return [n for n in names if not n.startswith(ADVERSARIAL)] + [n for n in names if n.startswith(ADVERSARIAL)]


_register_figures()
#: the figures a search does not make (the originals', and run's random rewrites'): the only ones
#: with a value under --budget 0
NO_SEARCH_METRICS = ("accuracy_before", "disagreement_rate_x", "random_rewrite_violations_per_query")
NO_SEARCH = "no search (--budget 0)"


@dataclass
class Row:
    metrics: dict[str, Metric]
    counts: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def share(num: np.ndarray, den: np.ndarray, seed: int, n_bootstrap: int, count: bool = True,
          shift: float = 0.0, undefined: str = "no input") -> Metric:
    """sum(num) / sum(den) (+ shift) with a 95% BCa interval, inputs resampled."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    total_num, total_den = num.sum(), den.sum()
    n = int(round(total_den))
    counted = int(round(total_num)) if count else None
    if total_den <= 0:
        return Metric(None, counted, 0, null_reason=undefined)
    value = float(total_num / total_den) + shift
    if n_bootstrap == 0 or len(num) < 2:
        return Metric(value, counted, n)
    jackknife = ratio(total_num - num, total_den - den) + shift
    draws = [ratio(counts @ num, counts @ den) + shift
             for counts in resample_counts(len(num), n_bootstrap, np.random.default_rng(seed))]
    interval = bca_interval(value, np.concatenate(draws), jackknife)
    return Metric(value, counted, n, interval.ci, interval.note)


def plain(value: float | None, n: int, why: str = "no input") -> Metric:
    return Metric(value, None, n, null_reason=None if value is not None else why)


def status_counts(outcomes) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


#: the edit-size measures of a success, each with its distribution in report.json's ``edit_size``
EDIT_MEASURES = ("identifiers_renamed", "tokens_changed", "codebleu")
QUANTILES = (("min", 0), ("q1", 25), ("median", 50), ("q3", 75), ("max", 100))


def edit_measures(language: str, code: tuple[str, ...], outcome) -> dict[str, float | None]:
    """Identifiers renamed, tokens changed and CodeBLEU of an outcome's best rewrite (0, 0 and
    None when it has none)."""
    from .naturalness import codebleu

    renamed, changed = edit_size(code, outcome)
    similarity = codebleu(code, outcome.code, language) if outcome.code is not None else None
    return {"identifiers_renamed": renamed, "tokens_changed": changed, "codebleu": similarity}


def success_measures(attacked, outcomes) -> list[dict[str, float | None]]:
    return [edit_measures(space.language, e.code, o)
            for e, o, space in zip(attacked.examples, outcomes, attacked.spaces) if o.success]


def sizes(attacked, outcomes) -> tuple[Metric, ...]:
    """Mean identifiers renamed, tokens changed and CodeBLEU over the successful rewrites."""
    wins = success_measures(attacked, outcomes)
    if not wins:
        return tuple(plain(None, 0, "no success") for _ in EDIT_MEASURES)
    return tuple(plain(float(np.mean([w[m] for w in wins])), len(wins)) for m in EDIT_MEASURES)


def distribution(values: list[float]) -> dict[str, float | int | None]:
    """n, min, quartiles (numpy's linear interpolation), median and max; None values when n is 0."""
    if not values:
        return {"n": 0, **{name: None for name, _ in QUANTILES}}
    points = np.percentile(np.asarray(values, dtype=np.float64), [q for _, q in QUANTILES])
    return {"n": len(values), **{name: round(float(v), 6) for (name, _), v in zip(QUANTILES, points)}}


def edit_distributions(attacked, outcomes) -> dict[str, dict[str, float | int | None]]:
    """report.json's ``edit_size`` of one attack: each measure's distribution over its successes."""
    wins = success_measures(attacked, outcomes)
    return {m: distribution([w[m] for w in wins]) for m in EDIT_MEASURES}


def edit_size_table(attacks: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of report.md's edit-size table, one row per attack and measure, from
    report.json's ``attacks``: for any renderer."""
    header = ["attack", "measure", "n", *(name for name, _ in QUANTILES)]
    rows = []
    for attack, row in attacks.items():
        for measure, d in row.get("edit_size", {}).items():
            rows.append([attack, measure, str(d["n"]),
                         *("-" if d[name] is None else f"{d[name]:.4g}" for name, _ in QUANTILES)])
    return header, rows


def queries(outcomes) -> tuple[Metric, Metric]:
    """Mean and median queries to success."""
    mean, median = queries_to_success(outcomes)
    wins = sum(o.success for o in outcomes)
    return plain(mean, wins, "no success"), plain(median, wins, "no success")


#: the budgets a curve reports (those under the run's --budget, then the budget itself)
CURVE_BUDGETS = (1, 2, 5, 10, 20, 50, 100, 200, 400, 1000, 2000, 5000)


def curve_budgets(budget: int) -> list[int]:
    return [b for b in CURVE_BUDGETS if b < budget] + ([budget] if budget > 0 else [])


def budget_curve(outcomes, budget: int, seed: int, n_bootstrap: int) -> list[dict[str, Any]]:
    """Success rate (95% interval, inputs resampled) had the budget been each of curve_budgets:
    an input counts as a success at budget b when its first success came within b queries. The
    searches are the same at every budget (a strategy that shares its budget among sites would
    spend a smaller one differently), so the curve is the run's own, read at each budget."""
    tried = np.array([o.status in ATTACKED for o in outcomes])
    points = []
    for b in curve_budgets(budget):
        won = np.array([o.success and o.queries_to_success is not None and o.queries_to_success <= b
                        for o in outcomes])
        points.append({"queries": b, "success_rate": share(won, tried, seed, n_bootstrap).as_dict()})
    return points


#: report.json's key of the student-minus-teacher gap at each budget (flip-both runs only)
GAP_CURVE = "gap_curve"
GAP_UNDEFINED = "one model has no searched input"


def gap_curve(teacher, student, budget: int, seed: int, n_bootstrap: int) -> list[dict[str, Any]]:
    """The student's success rate minus the teacher's had the budget been each of curve_budgets,
    each rate over the inputs its own search tried. The interval is paired: one resample of the
    inputs (the same draws at every budget) re-weights both models' searches together, so what
    the inputs share (an easy input is easy for both) cancels out of the gap's spread."""
    tried_t = np.array([o.status in ATTACKED for o in teacher], dtype=np.float64)
    tried_s = np.array([o.status in ATTACKED for o in student], dtype=np.float64)
    return [{"queries": b, "student_minus_teacher": _gap(_won(teacher, b), tried_t, _won(student, b), tried_s,
                                                         seed, n_bootstrap).as_dict()}
            for b in curve_budgets(budget)]


def _won(outcomes, budget: int) -> np.ndarray:
    return np.array([o.success and o.queries_to_success is not None and o.queries_to_success <= budget
                     for o in outcomes], dtype=np.float64)


def _gap(won_t: np.ndarray, tried_t: np.ndarray, won_s: np.ndarray, tried_s: np.ndarray,
         seed: int, n_bootstrap: int) -> Metric:
    inputs = len(tried_t)
    if tried_t.sum() <= 0 or tried_s.sum() <= 0:
        return Metric(None, None, inputs, null_reason=GAP_UNDEFINED)
    value = float(won_s.sum() / tried_s.sum() - won_t.sum() / tried_t.sum())
    if n_bootstrap == 0 or inputs < 2:
        return Metric(value, None, inputs)

    def gap_of(weights: np.ndarray) -> np.ndarray:
        return ratio(weights @ won_s, weights @ tried_s) - ratio(weights @ won_t, weights @ tried_t)

    draws = [gap_of(counts) for counts in resample_counts(inputs, n_bootstrap, np.random.default_rng(seed))]
    jackknife = ratio(won_s.sum() - won_s, tried_s.sum() - tried_s) - ratio(won_t.sum() - won_t, tried_t.sum() - tried_t)
    interval = bca_interval(value, np.concatenate(draws), jackknife)
    return Metric(value, None, inputs, interval.ci, interval.note)
