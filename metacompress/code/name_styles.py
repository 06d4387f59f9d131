"""New names for renamed variables: realistic words, or the other case style.

The checks that a name is free (not reserved, not used anywhere in the snippet) live in
names.py; this module only proposes candidates, following each language's convention for
multi-word names (Java camelCase, C and Python snake_case).
"""

from __future__ import annotations

import random
import re

#: common words of programs, combined two at a time (``itemCount``, ``item_count``)
WORDS = tuple(
    """
    account action address amount answer array attempt base batch block body bound buffer
    cache call cell chain char check child chunk class client code column command config
    content context count counter current cursor data date delta depth digest digit entry
    error event field file filter first flag format frame group handle hash head header
    height holder index info input item key label last length level limit line link list
    local lock mark mask match message meta mode model name node number object offset order
    origin output owner packet page pair parent part path payload point pointer port position
    prefix previous price queue range rate reader record ref region report request result
    retry root round row sample scale score section seed segment sender shift sign size slot
    source span stack start state status step store stream string suffix sum table tag target
    task temp text time token total tree type unit value version view weight width window
    word worker writer
    """.split()
)

CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def random_words(rng: random.Random, language: str) -> str:
    first, second = rng.choice(WORDS), rng.choice(WORDS)
    while second == first:
        second = rng.choice(WORDS)
    return join_words([first, second], language)


def join_words(words: list[str], language: str) -> str:
    if language == "java":
        return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    return "_".join(w.lower() for w in words)


def switch_case(name: str) -> str:
    """camelCase -> snake_case and snake_case (or SCREAMING_CASE) -> camelCase; the name
    itself when it has only one word (``i``, ``count``, ``URL``)."""
    core = name.strip("_")
    if not core:
        return name
    lead = name[: len(name) - len(name.lstrip("_"))]
    trail = name[len(name.rstrip("_")) :]
    if "_" in core:
        parts = [p for p in core.split("_") if p]
        if len(parts) < 2:
            return name
        converted = parts[0].lower() + "".join(p[:1].upper() + p[1:].lower() for p in parts[1:])
    else:
        parts = CAMEL_BOUNDARY.split(core)
        if len(parts) < 2:
            return name
        converted = "_".join(p.lower() for p in parts)
    return lead + converted + trail
