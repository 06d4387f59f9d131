"""constant-rewrite: an integer literal written another way: ``255`` <-> ``0xff``, ``0`` -> ``(1 - 1)``.

The value and the type must stay the same, and the literal must stay a constant expression
(case labels, array sizes, annotation values and bit-field widths require one; ``(1 - 1)`` and
hexadecimal literals are constant expressions everywhere a decimal one is). Where the base of a
literal decides its type, only values that have one type in every base are rewritten: at most
``2**31 - 1`` (Java: an ``int``; with ``L``, still a ``long``; C: an ``int`` in both bases, while
``0xFFFFFFFF`` is ``unsigned int`` and ``4294967295`` a ``long``), suffixes kept. Java's hex
literals above that are negative ints, which decimal cannot write, and ``2147483648`` exists only
after a unary minus. Python ints have no such limit.

A Python ``case`` pattern takes literals only, so a zero there becomes ``0x0``, never ``(1 - 1)``.

Skipped: octal and binary literals, literals with ``_`` digit separators, Python literals followed
directly by ``.`` (``0xff.real`` is valid, ``255.real`` is not), C literals in preprocessor lines or
in the arguments of a call (a macro may stringify its argument: ``#x``), Python literals in f-string
fields (``f"{0=}"`` prints its text), anything overlapping an error region.
"""

from __future__ import annotations

import functools
import random
import re

from tree_sitter import Node, Query

from ..code.parsing import ParsedCode, get_language
from ..code.sites import ErrorGuard, by_span, one_guarded_edit
from .base import Edit, Relation, register_relation

QUERIES = {
    "java": "[(decimal_integer_literal) (hex_integer_literal)] @literal",
    "c": "(number_literal) @literal",
    "python": "(integer) @literal",
}
SUFFIXES = {"java": "[lL]?", "c": "[uU]?(?:[lL]{1,2})?|(?:[lL]{1,2})[uU]?", "python": ""}
LIMIT = 2**31 - 1
TEXT_VISIBLE = {"c": frozenset({"call_expression"}), "java": frozenset(), "python": frozenset({"interpolation"})}
STOP_TYPES = frozenset({"compound_statement", "block", "module", "translation_unit", "program", "function_definition",
                        "expression_statement", "class_body"})


@functools.cache
def _pattern(language: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:0[xX](?P<hex>[0-9a-fA-F]+)|(?P<dec>[1-9][0-9]*|0))(?P<suffix>{SUFFIXES[language]})$")


@register_relation
class ConstantRewrite(Relation):
    name = "constant-rewrite"
    summary = "write an integer constant another way (decimal <-> hexadecimal, 0 -> (1 - 1)), same value and type"
    example = ("if (n > 255) n = 0;", "if (n > 0xff) n = (1 - 1);")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        found = sorted(parsed.captures(_query(parsed.language)).get("literal", []), key=by_span)
        return one_guarded_edit(found, rng, lambda node: _rewrite(parsed, node, rng), ErrorGuard(parsed),
                                "no decimal or hexadecimal integer literal that can be rewritten outside error regions")


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), QUERIES[language])


def _rewrite(parsed: ParsedCode, node: Node, rng: random.Random) -> Edit | None:
    language = parsed.language
    if parsed.in_error(node) or _hidden(node, language):
        return None
    text = parsed.node_text(node)
    match = _pattern(language).match(text)
    if match is None:
        return None
    source = parsed.source
    if language == "python":
        following = source[node.end_byte : node.end_byte + 1]
        if following == b"." or following.isalnum() or following == b"_":
            return None
    suffix = match.group("suffix")
    value = int(match.group("hex"), 16) if match.group("hex") else int(match.group("dec"))
    if language != "python" and value > LIMIT:
        return None
    choices = []
    if match.group("hex"):
        choices.append(f"{value}{suffix}")
    else:
        choices.append(f"0x{value:x}{suffix}" if rng.random() < 0.5 else f"0x{value:X}{suffix}")
        if value == 0 and not suffix and not _in_pattern(node):
            choices.append("(1 - 1)")
    new = rng.choice(choices)
    return Edit(node.start_byte, node.end_byte, new, f"{text} -> {new}")


def _in_pattern(node: Node) -> bool:
    """A Python ``case`` pattern takes literals only: ``case 0x0:`` is fine, ``case (1 - 1):`` is not."""
    current = node.parent
    while current is not None and current.type not in STOP_TYPES:
        if current.type.endswith("pattern") or current.type == "case_clause":
            return True
        current = current.parent
    return False


def _hidden(node: Node, language: str) -> bool:
    """In a C preprocessor line or macro argument, or a Python f-string field: text is observable."""
    kinds = TEXT_VISIBLE[language]
    current = node.parent
    while current is not None and current.type not in STOP_TYPES:
        if current.type in kinds or current.type.startswith("preproc"):
            return True
        current = current.parent
    return False
