"""Tasks by name: what the data looks like, its language and labels, and what a relation rewrites.

    >>> from metacompress.tasks import get_task, sample
    >>> data = get_task("vulnerability-prediction").load("devign-test/")  # doctest: +SKIP
    >>> subset = sample(data.examples, limit=200, seed=0)  # doctest: +SKIP

Add a task: write a module with a ``Task`` subclass and register it below (or call
``TASKS.register`` from your own code).
"""

from __future__ import annotations

import random

from ..config import check_whole_number
from ..registry import Registry
from .base import Example, LoadedData, Skipped, Task

TASKS: Registry[type[Task]] = Registry("task")
for _name, _entry in {
    "clone-detection": "metacompress.tasks.clone:CloneDetection",
    "vulnerability-prediction": "metacompress.tasks.vulnerability:VulnerabilityPrediction",
    "code-classification": "metacompress.tasks.classification:CodeClassification",
}.items():
    TASKS.register(_name, _entry)


def get_task(name: str) -> Task:
    return TASKS.get(name)()


def sample(examples: list[Example], limit: int | None, seed: int = 0) -> list[Example]:
    """A seeded subset of ``limit`` examples, kept in file order (all of them when limit is None)."""
    if limit is not None:
        check_whole_number("--limit", limit, 1)
    if limit is None or limit >= len(examples):
        return list(examples)
    chosen = sorted(random.Random(seed).sample(range(len(examples)), limit))
    return [examples[i] for i in chosen]


__all__ = ["Example", "LoadedData", "Skipped", "TASKS", "Task", "get_task", "sample"]
