"""Choosing where a relation acts: seeded, deterministic, and cheap when checks are costly.

Candidates come in document order and ``attempt`` turns one into a site (or None when it does
not qualify). The seeded rng draws candidates until one qualifies, so the same input and seed
always pick the same site, other seeds may pick others, and on a large function only a few
candidates are examined (checking every one would cost more than parsing). ``ErrorGuard``
keeps a relation from choosing a site whose rewrite would upset the parse of code with errors.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..errors import NotApplicable
from .edits import Edit, splice
from .parsing import ParsedCode

T = TypeVar("T")
R = TypeVar("R")

#: random draws before falling back to a full shuffle of what is left
QUICK_DRAWS = 8


def pick(candidates: Sequence[T], rng: random.Random, attempt: Callable[[T], R | None]) -> R | None:
    """The first non-None ``attempt(candidate)`` in a seeded order (None when all fail).

    A few uniform draws first; when they keep failing, the untried rest in a shuffled order, so
    every candidate is tried before giving up.
    """
    count = len(candidates)
    tried: set[int] = set()
    for _ in range(min(QUICK_DRAWS, count)):
        index = rng.randrange(count)
        if index in tried:
            continue
        tried.add(index)
        result = attempt(candidates[index])
        if result is not None:
            return result
    rest = [index for index in range(count) if index not in tried]
    rng.shuffle(rest)
    for index in rest:
        result = attempt(candidates[index])
        if result is not None:
            return result
    return None


class ErrorGuard:
    """Refuses rewrites that would change how the parser recovers from the input's errors.

    tree-sitter's error recovery is not local: an insertion far from a macro the parser could not
    read can change which tokens end up in the ERROR node. ``Relation.apply`` would then refuse
    the whole rewrite; checking the chosen site here lets the relation try another one instead.
    Clean input costs nothing; otherwise each check is one parse (the accepted one is reused by
    the final check), at most ``budget`` of them.
    """

    def __init__(self, parsed: ParsedCode, budget: int = 4):
        self.parsed = parsed
        self.budget = budget
        self.refused = 0

    def keeps_errors(self, edits: list[Edit]) -> bool:
        if not self.parsed.error_ranges:
            return True
        if self.budget <= 0:
            self.refused += 1
            return False
        self.budget -= 1
        # ParsedCode.parse keeps recent parses: Relation.apply's own check reuses this one.
        after = ParsedCode.parse(splice(self.parsed.source, edits).decode("utf-8"), self.parsed.language)
        if after.parse_errors() == self.parsed.parse_errors():
            return True
        self.refused += 1
        return False

    def reason(self, default: str) -> str:
        """Why nothing applied: ``default``, unless sites were refused for disturbing errors."""
        if self.refused:
            return "every site tried would change how the parser reads the code's error regions"
        return default


def by_span(node) -> tuple[int, int]:
    """Sort key: start byte, then end byte."""
    return node.start_byte, node.end_byte


def one_guarded_edit(candidates: Sequence[T], rng: random.Random, rewrite: Callable[[T], Edit | None],
                     guard: "ErrorGuard", no_site: str) -> list[Edit]:
    """The edit of the first seeded candidate whose rewrite keeps the parse errors as they are;
    NotApplicable, with ``no_site`` and the guard's reason, when none. The candidates' order is
    the caller's (it decides which site a seed picks)."""
    def attempt(node: T) -> Edit | None:
        edit = rewrite(node)
        return edit if edit is not None and guard.keeps_errors([edit]) else None

    edit = pick(candidates, rng, attempt)
    if edit is None:
        raise NotApplicable(guard.reason(no_site))
    return [edit]
