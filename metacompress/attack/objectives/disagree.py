"""disagree: from inputs where teacher and student agree, hunt rewrites on which they do not;
the row ``disagree``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...metrics.core import Metric, js_distance
from ..figures import ADVERSARIAL_METRICS, Row, plain, queries, share, sizes, status_counts
from ..outcome import ALREADY_DISAGREE, ATTACKED
from ..search import Goal
from . import AttackObjective, register_objective

DISAGREE_METRICS = ("success_rate", "disagreement_rate_x", "disagreement_rate_after", "violations_per_query",
                    "random_rewrite_violations_per_query", "mean_queries_to_success", "median_queries_to_success",
                    "identifiers_renamed", "tokens_changed", "codebleu")


def disagree_goal(js_threshold: float) -> Goal:
    """Drive teacher and student apart: guided by their JS distance; success at a label
    disagreement or a JS distance over the threshold."""
    def score(p):
        return js_distance(p["teacher"], p["student"]) + (p["teacher"].argmax(axis=1) != p["student"].argmax(axis=1))

    def success(p):
        differ = p["teacher"].argmax(axis=1) != p["student"].argmax(axis=1)
        return differ | (js_distance(p["teacher"], p["student"]) > js_threshold)

    return Goal(("teacher", "student"), score, success)


@register_objective
class Disagree(AttackObjective):
    name = "disagree"
    summary = "from inputs where both agree, search for one where they do not"
    attacks = ("disagree",)
    hunt = True

    def start(self, attack: str, config: Any, example: Any, original: dict[str, np.ndarray]) -> Goal | str:
        goal = disagree_goal(config.js_threshold)
        return ALREADY_DISAGREE if goal.success(original)[0] else goal

    def figures(self) -> dict[str, tuple[str, ...]]:
        return {"disagree": DISAGREE_METRICS + ADVERSARIAL_METRICS, "all": ("disagreement_found_rate",)}

    def judge(self, attack: str, config: Any, attacked: Any, outcomes: list, labels: list[int] | None) -> Row:
        seed, b = config.seed, config.bootstrap
        won = np.array([o.success for o in outcomes])
        tried = np.array([o.status in ATTACKED for o in outcomes])
        standing = np.array([o.status == ALREADY_DISAGREE for o in outcomes])
        ones = np.ones(len(won))
        spent = sum(o.queries for o in outcomes)
        metrics = {
            "success_rate": share(won, tried, seed, b),
            "disagreement_rate_x": share(standing, ones, seed, b),
            "disagreement_rate_after": share(standing | won, ones, seed, b),
            "violations_per_query": plain(float(sum(o.successes for o in outcomes) / spent) if spent else None,
                                          spent, "no query"),
        }
        metrics["mean_queries_to_success"], metrics["median_queries_to_success"] = queries(outcomes)
        metrics["identifiers_renamed"], metrics["tokens_changed"], metrics["codebleu"] = sizes(attacked, outcomes)
        return Row(metrics, {**status_counts(outcomes), "queries": int(spent),
                             "violations": int(sum(o.successes for o in outcomes))})

    def finish(self, config: Any, attacked: Any, rows: dict[str, Row], random_per_query: tuple) -> None:
        per_query, counted = random_per_query
        rows["disagree"].metrics["random_rewrite_violations_per_query"] = plain(
            per_query, counted, "no rewrite of an input the models agree on")

    def headline(self, config: Any, attacked: Any, rows: dict[str, Row], labelled: bool) -> dict[str, Metric]:
        return {"disagreement_found_rate": rows["disagree"].metrics["success_rate"]}

    def sentences(self, headline: dict[str, Metric], rows: dict[str, Row]) -> list[str]:
        m = rows["disagree"].metrics
        found, standing = m["success_rate"], m["disagreement_rate_x"]
        if found.value is None:
            return []
        return [f"from inputs where the models agree, rewrites made them disagree on {found.value:.1%} "
                f"({found.count}/{found.n}); they already disagreed on {standing.value:.1%} of the originals"]
