"""Names: keywords and builtins per language, and fresh identifiers that collide with nothing.

Every relation that introduces a name (renaming, dead code, unused variables) draws it here, so
the rule "never a keyword, a builtin or a name already used in the snippet" lives in one place.
"""

from __future__ import annotations

import builtins
import keyword
import random

from .parsing import ParsedCode, walk

JAVA_RESERVED = frozenset(
    """abstract assert boolean break byte case catch char class const continue default do double
    else enum extends final finally float for goto if implements import instanceof int interface
    long native new package private protected public return short static strictfp super switch
    synchronized this throw throws transient try void volatile while true false null var yield
    record sealed permits non-sealed when module open requires exports opens to uses provides with
    transitive String Object System Math Integer Long Double Float Boolean Character Byte Short
    Exception Error Thread Class List Map Set""".split()
)

C_RESERVED = frozenset(
    """auto break case char const continue default do double else enum extern float for goto if
    inline int long register restrict return short signed sizeof static struct switch typedef union
    unsigned void volatile while _Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Generic
    _Noreturn _Static_assert _Thread_local bool true false NULL main printf fprintf sprintf
    snprintf malloc calloc realloc free memcpy memset strlen strcmp stdin stdout stderr errno
    size_t ssize_t uint8_t uint16_t uint32_t uint64_t int8_t int16_t int32_t int64_t FILE EOF
    asm typeof""".split()
)

PYTHON_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | {
    "self",
    "cls",
}

RESERVED = {"java": JAVA_RESERVED, "c": C_RESERVED, "python": PYTHON_RESERVED}

IDENTIFIER_TYPES = frozenset(
    {"identifier", "type_identifier", "field_identifier", "statement_identifier", "primitive_type"}
)


def identifiers_in(parsed: ParsedCode) -> set[str]:
    """Every identifier-like token text in the snippet, error regions included."""
    names = {parsed.node_text(n) for n in walk(parsed.root) if n.type in IDENTIFIER_TYPES or n.type.endswith("identifier")}
    # Error regions may hide identifiers as bare tokens: take every word-like run there too.
    for start, end in parsed.error_ranges:
        chunk = parsed.source[start:end].decode("utf-8", "replace")
        names.update(_words(chunk))
    return names


class TextNames:
    """A ``taken`` set for ``fresh_name`` in which every substring of the snippet's text is taken.

    Stricter than ``identifiers_in`` (a name inside a string, a comment or a longer word counts
    too) and far cheaper: no tree walk, no scan up front, one substring test per name drawn.
    """

    def __init__(self, text: str):
        self.text = text
        self.drawn: set[str] = set()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self.drawn or name in self.text)

    def add(self, name: str) -> None:
        self.drawn.add(name)


def _words(text: str) -> set[str]:
    word, found = [], set()
    for char in text + " ":
        if char.isalnum() or char == "_":
            word.append(char)
        elif word:
            found.add("".join(word))
            word = []
    return found


def is_usable(name: str, language: str, taken: set[str] | TextNames) -> bool:
    return name.isidentifier() and name not in RESERVED[language] and name not in taken


def fresh_name(language: str, taken: set[str] | TextNames, rng: random.Random, stems: tuple[str, ...] = ("tmp", "aux", "val")) -> str:
    """A name not in ``taken`` and not reserved; adds it to ``taken`` so callers can draw again."""
    stem = rng.choice(stems)
    for number in range(rng.randrange(10), 10_000):
        candidate = f"{stem}{number}"
        if is_usable(candidate, language, taken):
            taken.add(candidate)
            return candidate
    raise RuntimeError("no fresh name available")  # unreachable for real snippets
