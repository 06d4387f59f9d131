"""The transform stage of an audit: every selected relation applied to every sampled example.

Each (relation, snippet) gets its own seed derived from the run's seed and the snippet's text,
so the same snippet is rewritten the same way wherever it appears (BigCloneBench reuses 911
methods across 4,000 pairs) and the result does not depend on sampling order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable

from .errors import InputError, UsageError
from .relations import get_relation
from .relations.base import Rewrite
from .tasks.base import Example


@dataclass(frozen=True)
class RewrittenExample:
    """One example under one relation: the snippets to feed the models, or why there are none."""

    example_index: int
    relation: str
    applied: bool
    code: tuple[str, ...]  # the rewritten snippets (the originals where a side was not rewritten)
    reason: str = ""  # why not applied; '' when applied
    sides: tuple[int, ...] = ()  # which snippets were actually rewritten
    sites: str = ""  # "side 0, line 3: renamed a -> var0; ..."


def snippet_seed(seed: int, relation: str, code: str) -> int:
    digest = hashlib.sha256(f"{seed}\x00{relation}\x00{code}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big")


class Rewriter:
    """Applies relations with a cache keyed on (relation, snippet), for one run's seed and options."""

    def __init__(self, language: str, seed: int, options: dict[str, dict[str, str]] | None = None):
        self.language = language
        self.seed = seed
        self.options = options or {}
        self._cache: dict[tuple[str, str], Rewrite | InputError] = {}

    def rewrite(self, relation: str, code: str) -> Rewrite | InputError:
        key = (relation, code)
        if key not in self._cache:
            try:
                self._cache[key] = get_relation(relation).apply(
                    code, self.language, seed=snippet_seed(self.seed, relation, code), **self.options.get(relation, {})
                )
            except InputError as exc:
                self._cache[key] = exc
            except RecursionError:
                self._cache[key] = InputError("nested too deeply to rewrite (Python's recursion limit)")
            except UsageError:
                raise
            except Exception as exc:  # one snippet must not end the audit; its row says what happened
                self._cache[key] = InputError(f"{relation} failed on this snippet ({type(exc).__name__}: {exc})")
        return self._cache[key]

    def rewrite_example(self, index: int, example: Example, relation: str, sides: tuple[int, ...]) -> RewrittenExample:
        code = list(example.code)
        applied_sides: list[int] = []
        reasons: list[str] = []
        sites: list[str] = []
        for side in sides:
            outcome = self.rewrite(relation, example.code[side])
            label = f"side {side}" if len(example.code) > 1 else ""
            if isinstance(outcome, InputError):
                return RewrittenExample(index, relation, False, example.code, f"bad input: {outcome}")
            if outcome.applied:
                code[side] = outcome.code
                applied_sides.append(side)
                sites += [", ".join(filter(None, [label, f"line {s.line}: {s.description}"])) for s in outcome.sites]
            else:
                reasons.append(outcome.reason)
        if not applied_sides:
            reason = "not applicable: " + "; ".join(dict.fromkeys(reasons))
            return RewrittenExample(index, relation, False, example.code, reason)
        return RewrittenExample(index, relation, True, tuple(code), "", tuple(applied_sides), "; ".join(sites))


def rewrite_all(
    examples: list[Example],
    relations: list[str],
    language: str,
    sides: tuple[int, ...],
    seed: int,
    options: dict[str, dict[str, str]] | None = None,
    progress: bool = True,
) -> list[RewrittenExample]:
    from tqdm.auto import tqdm

    rewriter = Rewriter(language, seed, options)
    # disable=None: bars on a terminal only, so CI logs stay readable.
    jobs: Iterable[tuple[str, int]] = [(r, i) for r in relations for i in range(len(examples))]
    bar = tqdm(jobs, total=len(relations) * len(examples), desc="transform", unit="input", disable=None if progress else True)
    return [rewriter.rewrite_example(i, examples[i], relation, sides) for relation, i in bar]
