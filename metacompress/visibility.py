"""Did a rewrite change what a model actually reads?

Models read only their first ``max_length`` tokens. An edit past that point, or one the
tokenizer normalises away, leaves the model's input unchanged: such a row says nothing about
the model and must not dilute its rates. The audit decides it per model by comparing the token
ids of x and x' (``Predictions.digests``); rows neither model saw are ``unseen``.

Before inference, ``BothSee`` lets the rewriting stage retry a relation whose first rewrite
fell outside a truncating model's window (see ``rewriting.VISIBLE_ATTEMPTS``).
"""

from __future__ import annotations

from typing import Sequence

from .models.base import CodeClassifier
from .tasks.base import Example, Task

class BothSee:
    """A rewriting-stage check: does every model's input change between x and x'?

    Only inputs that some model truncates are tokenised again: when nothing is cut, a textual
    change reaches the model (short of whitespace its tokenizer folds, which the final check
    after inference still catches). Each model's units are tokenised once (``UnitTokens``):
    a pair's unchanged side, and a rewritten method shared by many pairs, come from memory.
    """

    def __init__(self, task: Task, models: Sequence[CodeClassifier], examples: Sequence[Example]):
        from .inference import UnitTokens

        self.task = task
        self.models = list(models)
        self._tokens = [UnitTokens(m) for m in self.models]
        originals = [task.model_input(e.code) for e in examples]
        self._original: dict[tuple[str, ...], list[tuple[int, bool]]] = {}
        per_model = [tokens(originals) for tokens in self._tokens]
        for k, example in enumerate(examples):
            self._original[example.code] = [(int(d[k]), bool(t[k])) for d, t in per_model]

    def tokens(self, model: CodeClassifier):
        """What this check has tokenised for ``model`` (``inference.UnitTokens``), for inference to reuse."""
        return next(tokens for tokens in self._tokens if tokens.model is model)

    def __call__(self, original: tuple[str, ...], rewritten: tuple[str, ...]) -> bool:
        known = self._original.get(original)
        if known is None:
            return True
        for tokens, (digest, truncated) in zip(self._tokens, known):
            if truncated:
                new, _ = tokens([self.task.model_input(rewritten)])
                if int(new[0]) == digest:
                    return False
        return True
