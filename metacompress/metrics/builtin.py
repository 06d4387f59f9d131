"""The built-in metrics. Their names are a contract: report.json and ``--fail-on`` use them.

Registered in this order, which is the order reports list them in.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .core import (MODELS, SIDES, Columns, Judged, MetricSpec, Sums, mean_metric, rate_metric, ratio,
                   register_metric)


def _confusion(model: str, side: str) -> Columns:
    """tp/fp/fn per class (two labels: the positive class only) of one model on one side."""
    def columns(d: Judged) -> dict[str, np.ndarray]:
        pred, gold = d.pred(model, side), d.labels
        classes = [d.positive_label] if d.n_labels == 2 else range(d.n_labels)
        out = {"n": np.ones(d.n)}
        for c in classes:
            out[f"tp{c}"] = (pred == c) & (gold == c)
            out[f"fp{c}"] = (pred == c) & (gold != c)
            out[f"fn{c}"] = (pred != c) & (gold == c)
        return out
    return columns


def _f1_reduce(s: Sums):
    classes = [k[2:] for k in s if k.startswith("tp")]
    per_class = np.stack([ratio(2 * s[f"tp{c}"], 2 * s[f"tp{c}"] + s[f"fp{c}"] + s[f"fn{c}"])
                          for c in classes], axis=1)
    defined = np.isfinite(per_class)
    # macro F1 averages the classes that occur (in gold labels or predictions) in the sample
    total = np.where(defined, per_class, 0.0).sum(axis=1)
    return ratio(total, defined.sum(axis=1).astype(np.float64)), None, s["n"]


def _ece(model: str, side: str) -> Columns:
    def columns(d: Judged) -> dict[str, np.ndarray]:
        probs = d.probs(model, side)
        conf, correct = probs.max(axis=1), probs.argmax(axis=1) == d.labels
        bins = d.thresholds.ece_bins
        which = np.minimum((conf * bins).astype(np.int64), bins - 1)
        out = {"n": np.ones(d.n)}
        for k in range(bins):
            out[f"conf{k}"] = np.where(which == k, conf, 0.0)
            out[f"correct{k}"] = (which == k) & correct
        return out
    return columns


def _ece_value(s: Sums, prefix: str = "") -> np.ndarray:
    bins = sum(1 for k in s if k.startswith(prefix + "conf"))
    gaps = sum(np.abs(s[f"{prefix}correct{k}"] - s[f"{prefix}conf{k}"]) for k in range(bins))
    return ratio(gaps, s[prefix + "n"])


def _prefixed(parts: dict[str, Columns]) -> Columns:
    def columns(d: Judged) -> dict[str, np.ndarray]:
        return {f"{p}.{c}": v for p, fn in parts.items() for c, v in fn(d).items()}
    return columns


def _correct(model: str, side: str) -> Callable[[Judged], np.ndarray]:
    return lambda d: d.pred(model, side) == d.labels


def _drop_columns(model: str) -> Columns:
    def columns(d: Judged) -> dict[str, np.ndarray]:
        return {"x": _correct(model, "x")(d), "xp": _correct(model, "xp")(d), "n": np.ones(d.n)}
    return columns


def _flag(name: str) -> Callable[[Judged], np.ndarray]:
    return lambda d: d.flags[name]


_SIDE_WORDS = {"x": "the originals x", "xp": "the rewritten x'"}


_SIDE_TEXT = {"x": "x", "xp": "x'"}
# The x' metric (its name kept from schema 1.0) -> its counterpart on the originals x.
X_COUNTERPARTS = {
    "discrepancy_rate": "discrepancy_rate_x",
    "prediction_agreement": "prediction_agreement_original",
    "probability_similarity": "probability_similarity_x",
    "js_over_threshold_rate": "js_over_threshold_rate_x",
    "high_confidence_preservation": "high_confidence_preservation_x",
}
_NO_CONFIDENT = "no input where the teacher is confident"


def _side_flag(name: str, side: str) -> Callable[[Judged], np.ndarray]:
    return _flag(name if side == "xp" else f"{name}_x")


def _register_discrepancy() -> None:
    register_metric(rate_metric(
        "induced_discrepancy_rate", "Share of inputs discrepant on x' but not on x: the discrepancies the rewrite causes.",
        _flag("induced_discrepancy")))
    register_metric(rate_metric(
        "resolved_discrepancy_rate", "Share of inputs discrepant on x but not on x': the discrepancies the rewrite removes.",
        _flag("resolved_discrepancy")))
    register_metric(MetricSpec(
        "net_discrepancy_change", "induced_discrepancy_rate - resolved_discrepancy_rate, which equals discrepancy_rate - discrepancy_rate_x (in [-1, 1]).",
        lambda d: {"up": d.flags["induced_discrepancy"], "down": d.flags["resolved_discrepancy"], "n": np.ones(d.n)},
        lambda s: (ratio(s["up"] - s["down"], s["n"]), None, s["n"]), kind="value"))
    for side in ("x", "xp"):
        register_metric(rate_metric(
            X_COUNTERPARTS["discrepancy_rate"] if side == "x" else "discrepancy_rate",
            f"Share of {_SIDE_TEXT[side]} violating at least one per-input relation: labels differ, JS distance over its threshold, or a confident teacher's label given below the confidence threshold by the student." + (" Standing disagreement, before any rewrite." if side == "x" else ""),
            _side_flag("violated", side)))


def _agreement_specs(side: str) -> list[MetricSpec]:
    """Teacher-student agreement on one side; x' keeps the schema-1.0 names."""
    s = _SIDE_TEXT[side]

    def name(base: str) -> str:
        return X_COUNTERPARTS[base] if side == "x" else base

    return [
        rate_metric(name("prediction_agreement"), f"Share of {s} where teacher and student give the same label.",
                    _negated(_side_flag("label_disagree", side))),
        mean_metric(name("probability_similarity"), f"Mean Jensen-Shannon distance (base 2, in [0, 1]; 0 = identical) between T({s}) and S({s}).",
                    _side_flag("js_distance", side)),
        rate_metric(name("js_over_threshold_rate"), f"Share of {s} where the JS distance between T({s}) and S({s}) exceeds the js_distance threshold.",
                    _side_flag("js_violation", side)),
        rate_metric(name("high_confidence_preservation"), f"Among {s} where the teacher's top probability is >= the confidence threshold (n), share where the student gives the teacher's label a probability >= that threshold too; None when n is 0.",
                    _negated(_side_flag("confidence_violation", side)),
                    where=_side_flag("teacher_confident", side), undefined=_NO_CONFIDENT),
    ]


def _register_agreement() -> None:
    """Each figure on x beside its counterpart on x'."""
    for on_x, on_xp in zip(_agreement_specs("x"), _agreement_specs("xp")):
        register_metric(on_x)
        register_metric(on_xp)


def _negated(flag: Callable[[Judged], np.ndarray]) -> Callable[[Judged], np.ndarray]:
    return lambda d: ~flag(d)


def _register_builtins() -> None:
    _register_discrepancy()
    flips = [
        ("student_only_flip_rate", "student_only_flip", "Share of inputs where the student's label flips from x to x' while the teacher's holds."),
        ("teacher_only_flip_rate", "teacher_only_flip", "Share of inputs where the teacher's label flips from x to x' while the student's holds."),
        ("student_flip_rate", "student_flip", "Share of inputs where the student's label on x' differs from its label on x."),
        ("teacher_flip_rate", "teacher_flip", "Share of inputs where the teacher's label on x' differs from its label on x."),
    ]
    for name, flag, text in flips[:2]:
        register_metric(rate_metric(name, text, _flag(flag)))
    register_metric(MetricSpec(
        "flip_asymmetry", "student_only_flip_rate - teacher_only_flip_rate (in [-1, 1]; > 0: the student flips alone more often). Its cluster interval is the pooled row's counterpart of McNemar's test, which assumes independent rows.",
        lambda d: {"s": d.flags["student_only_flip"], "t": d.flags["teacher_only_flip"], "n": np.ones(d.n)},
        lambda s: (ratio(s["s"] - s["t"], s["n"]), None, s["n"]), kind="value"))
    for name, flag, text in flips[2:]:
        register_metric(rate_metric(name, text, _flag(flag)))
    _register_agreement()
    for model in MODELS:
        for side in SIDES:
            register_metric(rate_metric(
                f"{model}_accuracy_{side}", f"Accuracy of the {model} on {_SIDE_WORDS[side]}.",
                _correct(model, side), needs_labels=True))
    for model in MODELS:
        for side in SIDES:
            register_metric(MetricSpec(
                f"{model}_f1_{side}", f"F1 of the {model} on {_SIDE_WORDS[side]} (two labels: of the positive label; more: macro F1 over the labels present).",
                _confusion(model, side), _f1_reduce, needs_labels=True, kind="value"))
    for model in MODELS:
        register_metric(MetricSpec(
            f"{model}_accuracy_drop", f"The {model}'s accuracy on x minus its accuracy on x'.",
            _drop_columns(model), lambda s: (ratio(s["x"] - s["xp"], s["n"]), None, s["n"]),
            needs_labels=True, kind="value"))
    register_metric(MetricSpec(
        "relative_drop", "(student accuracy drop - teacher accuracy drop) / teacher accuracy drop, only where the teacher loses at least 10 correct answers; None otherwise, when the ratio would divide by (nearly) 0 or invert its sign. Read it beside both drops.",
        _prefixed({"t": _drop_columns("teacher"), "s": _drop_columns("student")}), _relative_drop,
        needs_labels=True, kind="value", undefined=_NO_TEACHER_DROP))
    for model in MODELS:
        for side in SIDES:
            register_metric(MetricSpec(
                f"{model}_ece_{side}", f"Expected calibration error of the {model} on {_SIDE_WORDS[side]} (equal-width bins on the top probability, ece_bins of them).",
                _ece(model, side), lambda s: (_ece_value(s), None, s["n"]), needs_labels=True, kind="value"))
    register_metric(MetricSpec(
        "calibration_alignment", "|ECE of the student on x' - ECE of the teacher on x'| (0 = equally calibrated).",
        _prefixed({"t": _ece("teacher", "xp"), "s": _ece("student", "xp")}),
        lambda s: (np.abs(_ece_value(s, "s.") - _ece_value(s, "t.")), None, s["t.n"]),
        needs_labels=True, kind="value"))


# A ratio over a near-zero denominator is noise (Devign pooled: 3.600 from a teacher drop of 5
# answers in 1,735): relative_drop needs the teacher to lose at least this many correct answers.
MIN_TEACHER_DROP = 10
_NO_TEACHER_DROP = (f"the teacher's accuracy drops by fewer than {MIN_TEACHER_DROP} correct answers "
                    f"(a ratio over a near-zero denominator)")


def _relative_drop(s: Sums):
    # Counts of correct answers are integers: the drop is a count of answers lost.
    teacher = s["t.x"] - s["t.xp"]
    student = s["s.x"] - s["s.xp"]
    return ratio(student - teacher, np.where(teacher >= MIN_TEACHER_DROP - 1e-9, teacher, 0.0)), None, s["t.n"]


_register_builtins()
