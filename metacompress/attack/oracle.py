"""The model oracle: both models behind one cache, batched, backed by the prediction store."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..distributed import Team
from ..store import stored_predictor


class Oracle:
    """Both models behind one cache keyed by model input: each distinct text runs once per model.

    The cache holds one input's search at a time (``begin``), so what a search sees never depends
    on which inputs were searched before it, nor on which process of a sharded run searches it.
    Behind it, the prediction store (``store``: this process's connection, None with --no-cache)
    gives what an earlier run computed and keeps what this one computes, step by step.
    """

    def __init__(self, task: Any, models: dict[str, Any], settings: Any, store: Any = None, team: Any = None):
        self.task = task
        self.models = models  # role -> audit.LoadedModel (model, order)
        self.settings = settings
        self.store = store
        self.team = team if team is not None else Team()  # the run's processes (default: this one alone)
        self.main = self.team.is_main  # holds the store in shared calls
        # each model's two prediction paths, built once: this process alone with its own store
        # (a search), and the whole team with the main process's store (originals, random rewrites)
        self.alone = {role: stored_predictor(m.model, settings, store, None) for role, m in models.items()}
        self.shared = {role: stored_predictor(m.model, settings, store if self.main else None, self.team)
                       for role, m in models.items()}
        self.from_store = {role: 0 for role in models}  # distinct inputs taken from the store
        self.computed = {role: 0 for role in models}  # distinct inputs the model computed
        self.cache: dict[str, dict[Any, np.ndarray]] = {role: {} for role in models}
        self.calls = 0  # predict_proba calls
        self.sent = 0  # inputs sent (cache misses)
        self.seconds = 0.0  # inside predict_proba
        self.phase = ""  # what the calls are for now: originals, search, random rewrites
        self.steps: list[tuple[str, str, list[Any]]] = []  # (phase, role, inputs) of every call, when recording

    record = False  # scripts/bench_attack.py sets it to replay the same calls without the search

    def begin(self, code: tuple[str, ...], original: dict[str, np.ndarray]) -> None:
        """Start one input's search: forget the last one's outputs, keep the models' rows on ``code``."""
        key = self.task.model_input(code)
        self.cache = {role: {key: original[role]} for role in self.models}

    def probs(self, role: str, codes: list[tuple[str, ...]]) -> np.ndarray:
        """[len(codes), labels] in task label order; a row of NaN where the model cannot take the input."""
        cache = self.cache[role]
        keys = [self.task.model_input(code) for code in codes]
        missing = list(dict.fromkeys(k for k in keys if k not in cache))
        if missing:
            cache.update(zip(missing, self._predict(role, missing, everywhere=False)))
        if not keys:
            return np.zeros((0, len(self.models[role].order)))
        return np.stack([cache[k] for k in keys])

    def probs_everywhere(self, role: str, codes: list[tuple[str, ...]]) -> np.ndarray:
        """``probs`` for inputs every process of a sharded run asks for together (the originals,
        the random rewrites): each process computes a share; nothing is read from the cache."""
        keys = [self.task.model_input(code) for code in codes]
        if not keys:
            return np.zeros((0, len(self.models[role].order)))
        return self._predict(role, keys, everywhere=True)

    def _predict(self, role: str, inputs: list[Any], everywhere: bool) -> np.ndarray:
        loaded = self.models[role]
        predictor = self.shared[role] if everywhere else self.alone[role]
        predicted, counts = predictor.predict(inputs)
        if self.main or not everywhere:  # a shared call's counts are the main process's
            self.from_store[role] += counts.from_store
            self.computed[role] += counts.computed
        self.calls += 1
        self.sent += len(dict.fromkeys(inputs))
        self.seconds += predicted.seconds
        if self.record:
            self.steps.append((self.phase, role, inputs))
        return predicted.probs[:, loaded.order]
