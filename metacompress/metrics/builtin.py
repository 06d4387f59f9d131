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


def _register_builtins() -> None:
    flips = [
        ("teacher_flip_rate", "teacher_flip", "Share of inputs where the teacher's label on x' differs from its label on x."),
        ("student_flip_rate", "student_flip", "Share of inputs where the student's label on x' differs from its label on x."),
        ("student_only_flip_rate", "student_only_flip", "Share of inputs where the student's label flips from x to x' while the teacher's holds."),
        ("teacher_only_flip_rate", "teacher_only_flip", "Share of inputs where the teacher's label flips from x to x' while the student's holds."),
    ]
    for name, flag, text in flips:
        register_metric(rate_metric(name, text, _flag(flag)))
    register_metric(rate_metric(
        "prediction_agreement", "Share of rewritten inputs x' where teacher and student give the same label.",
        lambda d: ~d.flags["label_disagree"]))
    register_metric(rate_metric(
        "prediction_agreement_original", "Share of original inputs x where teacher and student give the same label (for reference).",
        lambda d: d.pred("teacher", "x") == d.pred("student", "x")))
    register_metric(mean_metric(
        "probability_similarity", "Mean Jensen-Shannon distance (base 2, in [0, 1]; 0 = identical) between T(x') and S(x').",
        _flag("js_distance")))
    register_metric(rate_metric(
        "js_over_threshold_rate", "Share of x' where the JS distance between T(x') and S(x') exceeds the js_distance threshold.",
        _flag("js_violation")))
    register_metric(rate_metric(
        "high_confidence_preservation", "Among x' where the teacher's top probability is >= the confidence threshold (n), share where the student gives the teacher's label a probability >= that threshold too; None when n is 0.",
        lambda d: ~d.flags["confidence_violation"], where=_flag("teacher_confident")))
    register_metric(rate_metric(
        "discrepancy_rate", "Share of x' violating at least one per-input relation: labels differ, JS distance over its threshold, or a confident teacher's label given below the confidence threshold by the student.",
        _flag("violated")))
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
        "relative_drop", "(student accuracy drop - teacher accuracy drop) / teacher accuracy drop; None when the teacher's drop is 0.",
        _prefixed({"t": _drop_columns("teacher"), "s": _drop_columns("student")}), _relative_drop,
        needs_labels=True, kind="value"))
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


def _relative_drop(s: Sums):
    teacher = s["t.x"] - s["t.xp"]
    student = s["s.x"] - s["s.xp"]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(teacher != 0, (student - teacher) / np.where(teacher != 0, teacher, 1), np.nan)
    return value, None, s["t.n"]


_register_builtins()
