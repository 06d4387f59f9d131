"""flip-student, flip-teacher, flip-both: move a model's label away from its reference, each model
searched on its own; the rows ``teacher`` and ``student``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...metrics.core import Metric
from ..figures import ADVERSARIAL_METRICS, Row, queries, share, sizes, status_counts
from ..outcome import ALREADY_WRONG, ATTACKED
from ..search import Goal
from . import AttackObjective, register_objective

FLIP_METRICS = ("success_rate", "success_rate_without_assumptions", "accuracy_before", "accuracy_after", "accuracy_drop", "relative_drop",
                "mean_queries_to_success", "median_queries_to_success", "transfer_rate",
                "identifiers_renamed", "tokens_changed", "codebleu")
ROLES = ("teacher", "student")


def flip_goal(role: str, reference: int) -> Goal:
    """Move the model away from class ``reference`` (its prediction on x, or the gold label).
    Distance: the log-odds of the reference class, which single edits shift roughly additively."""
    return Goal(
        (role,),
        score=lambda p: 1.0 - p[role][:, reference],
        success=lambda p: p[role].argmax(axis=1) != reference,
        distance=_log_odds_of_staying,
    )


def _log_odds_of_staying(score: float) -> float:
    staying = min(max(1.0 - score, 1e-12), 1.0 - 1e-12)
    return math.log(staying / (1.0 - staying))


class FlipObjective(AttackObjective):
    reads_success_against = True

    @property
    def both(self) -> bool:
        return set(ROLES) <= set(self.attacks)

    def start(self, attack: str, config: Any, example: Any, original: dict[str, np.ndarray]) -> Goal | str:
        predicted = int(original[attack][0].argmax())
        reference = predicted
        if config.success_against == "label" and example.label is not None:
            if predicted != example.label:
                return ALREADY_WRONG
            reference = int(example.label)
        return flip_goal(attack, reference)

    def figures(self) -> dict[str, tuple[str, ...]]:
        flip = tuple(m for m in FLIP_METRICS if m != "transfer_rate" or self.both)
        figures = {row: flip + ADVERSARIAL_METRICS for row in self.attacks}
        headline = [f"{role}_{m}" for role in ROLES if role in self.attacks for m in ("success_rate", "accuracy_drop")]
        if self.both:
            headline.append("student_extra_drop")
        figures["all"] = tuple(headline)
        return figures

    def judge(self, attack: str, config: Any, attacked: Any, outcomes: list, labels: list[int] | None) -> Row:
        seed, b = config.seed, config.bootstrap
        won = np.array([o.success for o in outcomes])
        tried = np.array([o.status in ATTACKED for o in outcomes])
        metrics = {"success_rate": share(won, tried, seed, b)}
        proven = np.array([o.success and not space.assumptions(o.candidate)
                           for o, space in zip(outcomes, attacked.spaces)], dtype=bool)
        metrics["success_rate_without_assumptions"] = share(proven, tried, seed, b)
        if labels is not None:
            correct = attacked.originals[attack].argmax(axis=1) == np.asarray(labels)
            robust = correct & ~won
            lost = correct & won
            ones = np.ones(len(won))
            metrics["accuracy_before"] = share(correct, ones, seed, b)
            metrics["accuracy_after"] = share(robust, ones, seed, b)
            metrics["accuracy_drop"] = share(lost, ones, seed, b, count=False)
            metrics["relative_drop"] = share(lost, correct, seed, b, count=False)
        metrics["mean_queries_to_success"], metrics["median_queries_to_success"] = queries(outcomes)
        metrics["identifiers_renamed"], metrics["tokens_changed"], metrics["codebleu"] = sizes(attacked, outcomes)
        counts = status_counts(outcomes)
        counts["queries"] = int(sum(o.queries for o in outcomes))
        return Row(metrics, counts)

    def finish(self, config: Any, attacked: Any, rows: dict[str, Row], random_per_query: tuple) -> None:
        if self.both:
            _transfer(attacked, rows)

    def headline(self, config: Any, attacked: Any, rows: dict[str, Row], labelled: bool) -> dict[str, Metric]:
        metrics: dict[str, Metric] = {}
        for role in ROLES:
            if role in rows:
                metrics[f"{role}_success_rate"] = rows[role].metrics["success_rate"]
                if labelled:
                    metrics[f"{role}_accuracy_drop"] = rows[role].metrics["accuracy_drop"]
        if labelled and self.both:
            labels = np.array([e.label for e in attacked.examples])
            lost = {}
            for role in ROLES:
                won = np.array([o.success for o in attacked.outcomes[role]])
                lost[role] = (attacked.originals[role].argmax(axis=1) == labels) & won
            metrics["student_extra_drop"] = share(lost["student"], lost["teacher"], config.seed, config.bootstrap,
                                                  count=False, shift=-1.0, undefined="the teacher lost no accuracy")
        return metrics

    def sentences(self, headline: dict[str, Metric], rows: dict[str, Row]) -> list[str]:
        lines = []
        extra = headline.get("student_extra_drop")
        if extra is not None and extra.value is not None:
            if extra.value <= -1:
                lines.append("the student loses no accuracy under attack; the teacher does")
            else:
                more = "more" if extra.value >= 0 else "less"
                lines.append(f"the student loses {abs(extra.value):.0%} {more} accuracy under attack than the teacher")
        for role in ROLES:
            metric = headline.get(f"{role}_success_rate")
            if metric is not None and metric.value is not None:
                lines.append(f"attacks on the {role} succeed on {metric.value:.1%} of attacked inputs "
                             f"({metric.count}/{metric.n})")
        return lines


def _transfer(attacked, rows: dict[str, Row]) -> None:
    """Share of one model's successful adversarial inputs that also flip the other model."""
    for source, target in (("teacher", "student"), ("student", "teacher")):
        outcomes = attacked.outcomes[source]
        original = attacked.originals[target].argmax(axis=1)
        wins = [k for k, o in enumerate(outcomes) if o.success]
        fooled = [int(outcomes[k].probs[target].argmax()) != int(original[k]) for k in wins]
        value = float(np.mean(fooled)) if wins else None
        rows[source].metrics["transfer_rate"] = Metric(value, int(sum(fooled)), len(wins),
                                                       null_reason=None if wins else "no success")


@register_objective
class FlipStudent(FlipObjective):
    name = "flip-student"
    summary = "attack the student"
    attacks = ("student",)


@register_objective
class FlipTeacher(FlipObjective):
    name = "flip-teacher"
    summary = "attack the teacher"
    attacks = ("teacher",)


@register_objective
class FlipBoth(FlipObjective):
    name = "flip-both"
    summary = "each model on its own"
    attacks = ("teacher", "student")
