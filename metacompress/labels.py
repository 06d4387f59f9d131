"""Line up each model's output indices with the task's labels, or refuse before any inference.

Models name their outputs in different orders: the Devign students put "vulnerable" at index 0,
a Hugging Face model may say LABEL_0/LABEL_1, a user's model may say "clone". The audit compares
probabilities label by label, so every model's columns are reordered into the task's label order
first. Generic names (LABEL_0, ...) are taken positionally; real names must match the task's
(case, '_' and spaces ignored); anything else needs an explicit ``--label-map``.
"""

from __future__ import annotations

import re
from typing import Sequence

from .errors import UsageError

_GENERIC = re.compile(r"^label_?\d+$", re.IGNORECASE)
_SYNONYMS = {
    "clone": ("clone", "1", "true", "positive", "yes", "similar"),
    "not-clone": ("not-clone", "non-clone", "0", "false", "negative", "no", "different"),
    "vulnerable": ("vulnerable", "1", "true", "positive", "yes", "defective", "buggy"),
    "not-vulnerable": ("not-vulnerable", "non-vulnerable", "0", "false", "negative", "no", "clean", "safe"),
}


def normalise(name: str) -> str:
    return re.sub(r"[\s_]+", "-", str(name).strip().lower())


def _known_as(task_label: str) -> tuple[str, ...]:
    key = normalise(task_label)
    return _SYNONYMS.get(key, (key,))


def parse_label_list(text: str) -> list[str]:
    """``"vulnerable,not-vulnerable"`` -> names per output index."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if len(names) < 2:
        raise UsageError(f"--label-map {text!r}: give at least two comma-separated label names, one per output index")
    return names


def align(model_labels: Sequence[str], task_labels: Sequence[str], who: str) -> list[int]:
    """For each task label, the model output index that carries it."""
    if len(model_labels) != len(task_labels):
        raise UsageError(
            f"{who} has {len(model_labels)} output labels {list(model_labels)}, "
            f"but the task has {len(task_labels)} {list(task_labels)}"
        )
    if all(_GENERIC.match(str(name)) for name in model_labels):
        return list(range(len(task_labels)))
    model_norm = [normalise(name) for name in model_labels]
    order: list[int] = []
    for task_label in task_labels:
        matches = [i for i, name in enumerate(model_norm) if name in _known_as(task_label)]
        if len(matches) != 1:
            raise UsageError(
                f"{who}'s labels {list(model_labels)} do not match the task's labels {list(task_labels)}; "
                f"say which output index means what with --label-map {who.split()[0]}=NAME0,NAME1,..."
            )
        order.append(matches[0])
    if sorted(order) != list(range(len(task_labels))):
        raise UsageError(f"{who}'s labels {list(model_labels)} map ambiguously onto {list(task_labels)}")
    return order
