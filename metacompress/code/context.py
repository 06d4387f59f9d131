"""Per-snippet facts several relations share, computed on first use, and small questions about
an assignment's position and target (expand-, contract-compound-assignment, increment-form,
ternary-to-if, return-temporary)."""

from __future__ import annotations

import re

from tree_sitter import Node

from .arith import IMMUTABLE_CALLS, DeclaredTypes, bound_names, immutable_names
from .effects import looks_like_macro, volatile_names
from .parsing import ParsedCode

PREPROCESSOR_LINE = re.compile(rb"^[ \t]*#", re.MULTILINE)


class Context:
    """Per-snippet facts, computed on first use: declared types, volatile names, Python scopes."""

    def __init__(self, parsed: ParsedCode):
        self.parsed = parsed
        self._types: DeclaredTypes | None = None
        self._volatile: frozenset[str] | None = None
        self._immutable: dict[int, frozenset[str]] = {}
        self._rebound: frozenset[str] | None = None

    @property
    def types(self) -> DeclaredTypes:
        if self._types is None:
            self._types = DeclaredTypes(self.parsed)
        return self._types

    @property
    def volatile(self) -> frozenset[str]:
        if self._volatile is None:
            self._volatile = volatile_names(self.parsed)
        return self._volatile

    def immutable(self, scope: Node) -> frozenset[str]:
        if self._rebound is None:
            rebound = set(bound_names(self.parsed, self.parsed.root))
            if re.search(rb"\bimport\s*\*", self.parsed.source):
                rebound |= IMMUTABLE_CALLS  # a star import may rebind any builtin
            self._rebound = frozenset(rebound)
        if scope.start_byte not in self._immutable:
            self._immutable[scope.start_byte] = immutable_names(self.parsed, scope, self._rebound)
        return self._immutable[scope.start_byte]


def in_statement_position(node: Node) -> bool:
    """True when the expression's value is discarded: a statement, a for update, a comma operand there."""
    current = node
    parent = node.parent
    while parent is not None and parent.type == "comma_expression":
        current, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type == "expression_statement":
        return True
    if parent.type == "for_statement":
        return any(u.start_byte <= current.start_byte and current.end_byte <= u.end_byte
                   for u in parent.children_by_field_name("update"))
    return False


def crosses_preprocessor(parsed: ParsedCode, node: Node) -> bool:
    """C: a preprocessor line inside the node (``#ifdef`` between its tokens): leave it whole."""
    return parsed.language == "c" and PREPROCESSOR_LINE.search(parsed.source, node.start_byte, node.end_byte) is not None


def plain_target(context: Context, target: Node) -> str | None:
    """The name when ``target`` is a plain name we may write twice, else None."""
    parsed = context.parsed
    if target.type != "identifier":
        return None
    name = parsed.node_text(target)
    if parsed.language == "c" and (looks_like_macro(name) or name in context.volatile):
        return None
    return name
