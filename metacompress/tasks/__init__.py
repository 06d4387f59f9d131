"""Tasks by name: what the data looks like, its language and labels, and what a relation rewrites.

    >>> from metacompress.tasks import get_task, sample
    >>> data = get_task("vulnerability-prediction").load("devign-test/")  # doctest: +SKIP
    >>> subset = sample(data.examples, limit=200, seed=0)  # doctest: +SKIP

Add a task: write a module with a ``Task`` subclass decorated with ``@register_task`` and add its
name and module to the table below (plugins: the ``metacompress.tasks`` entry point group, see
``metacompress.registry``).
"""

from __future__ import annotations

import random

from ..checks import check_whole_number
from .base import TASKS, Example, LoadedData, Skipped, Task, register_task

# The built-in tasks, each by the module whose ``@register_task`` class states that name.
TASKS.declare({
    "clone-detection": "metacompress.tasks.clone",
    "vulnerability-prediction": "metacompress.tasks.vulnerability",
    "code-classification": "metacompress.tasks.classification",
})


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


__all__ = ["Example", "LoadedData", "Skipped", "TASKS", "Task", "get_task", "register_task", "sample"]
