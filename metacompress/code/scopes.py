"""Scope machinery the language modules (c, java, python) share.

Renaming is only safe when every occurrence of a variable is known and nothing else shares its
name where it is visible. The language modules find the declarations and uses; this module
holds what they share: the ``Variable`` record, lexical block scoping for Java and C, and the
final exclusions (error regions, banned names). Data flow asks a narrower question, which
locals are in scope at one statement; ``enclosing_declarations`` and ``protecting_block``
answer it for every language from the language's own declaration rules.

A variable that cannot be proven safe keeps its name: it is returned with ``excluded`` set to
the reason, so callers can say why nothing was renamed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from collections.abc import Callable, Container

from tree_sitter import Node

from .assumptions import UNPARSED_CODE
from .parsing import ParsedCode, error_nodes

Span = tuple[int, int]

WORD = re.compile(r"\w+")


@dataclass
class Variable:
    """One local variable or parameter: where it is visible and where its name is written."""

    name: str
    kind: str  # "parameter" or "local"
    extent: Span  # bytes where the variable is visible
    occurrences: list[Span] = field(default_factory=list)
    excluded: str = ""  # why it must keep its name; empty when it may be renamed
    #: assumption (code.assumptions) -> the exclusion it waives; a variable every one of whose
    #: exclusions an assumption waives may be renamed under those assumptions (the attack's reach)
    assumed: dict[str, str] = field(default_factory=dict)
    firm: bool = False  # excluded for a reason no assumption waives
    #: occurrences in code the parser could not read, renamed only under UNPARSED_CODE
    unparsed_occurrences: list[Span] = field(default_factory=list)

    def exclude(self, reason: str, assumption: str | None = None) -> None:
        if not self.excluded:
            self.excluded = reason
        if assumption is None:
            self.firm = True
        else:
            self.assumed.setdefault(assumption, reason)

    def assumptions_needed(self, allowed: Container[str]) -> tuple[str, ...] | None:
        """The assumptions renaming this variable relies on (() when it is proven safe), or None
        when it may not be renamed under ``allowed``."""
        if not self.excluded:
            return ()
        if self.firm or any(name not in allowed for name in self.assumed):
            return None
        return tuple(sorted(self.assumed))


@dataclass
class Ban:
    """Variables named ``name`` whose extent overlaps ``span`` (None: anywhere) keep their name."""

    name: str
    reason: str
    span: Span | None = None


class _Binding:
    __slots__ = ("visible_from", "visible_to", "variable")

    def __init__(self, visible_from: int, visible_to: int, variable: Variable | None):
        self.visible_from = visible_from
        self.visible_to = visible_to
        self.variable = variable  # None: a name that shadows others but is never renamed


class BlockScopes:
    """Lexical block scoping as in Java and C: a name is visible from its declaration to the
    end of the enclosing scope, and the innermost visible declaration wins.

    All declarations are registered first; uses are then resolved by position, so the order in
    which a language module reports things does not matter. Names are the source bytes.
    """

    def __init__(self) -> None:
        self._bindings: dict[bytes, list[_Binding]] = {}
        self._by_scope: dict[tuple[bytes, Span], Variable] = {}
        self.variables: list[Variable] = []
        #: ranges that a use must not cross to reach its declaration (Java nested class bodies)
        self.barriers: list[Span] = []

    def declare(self, name: bytes, span: Span, scope: Span, visible_from: int, kind: str = "local") -> Variable:
        """A renamable declaration; a second one of the same name in the same scope (C code
        declaring it in both branches of an ``#if``) is the same variable."""
        key = (name, scope)
        variable = self._by_scope.get(key)
        if variable is None:
            variable = Variable(name.decode("utf-8", "replace"), kind, (visible_from, scope[1]))
            self._by_scope[key] = variable
            self.variables.append(variable)
            self._bindings.setdefault(name, []).append(_Binding(visible_from, scope[1], variable))
        else:
            variable.extent = (min(variable.extent[0], visible_from), variable.extent[1])
        variable.occurrences.append(span)
        return variable

    def shadow(self, name: bytes, scope: Span, visible_from: int) -> None:
        """A declaration that hides outer ones but is never renamed (an extern, a prototype)."""
        self._bindings.setdefault(name, []).append(_Binding(visible_from, scope[1], None))

    def resolve(self, name: bytes, position: int) -> Variable | None:
        bindings = self._bindings.get(name)
        if not bindings:
            return None
        best: _Binding | None = None
        for binding in bindings:
            if binding.visible_from <= position < binding.visible_to:
                if best is None or binding.visible_from > best.visible_from:
                    best = binding
        if best is None or best.variable is None:
            return None
        variable = best.variable
        for start, end in self.barriers:
            if best.visible_from < start <= position < end:
                variable.exclude("used inside a nested class, where an inherited field may hide it")
        return variable

    def use_all(self, identifiers: list[Node], source: bytes, handled: set[int], unclear: "SpanSet", reason: str) -> None:
        """Resolve every identifier not already handled; one inside ``unclear`` only pins.

        The hot loop of the analysis: most identifiers name no local at all (methods, types,
        fields), so the name test comes first.
        """
        bindings = self._bindings
        for node in identifiers:
            start = node.start_byte
            end = node.end_byte
            name = source[start:end]
            if name not in bindings or start in handled:
                continue
            if unclear and unclear.contains(start):
                self.pin(name, start, reason)
                continue
            variable = self.resolve(name, start)
            if variable is not None:
                variable.occurrences.append((start, end))

    def pin(self, name: bytes, position: int, reason: str, assumption: str | None = None) -> None:
        """A mention whose meaning is unclear: the variable it may denote keeps its name (unless
        ``assumption``, a name in code.assumptions, is made)."""
        variable = self.resolve(name, position)
        if variable is not None:
            variable.exclude(reason, assumption)


class SpanSet:
    """A union of byte ranges with a fast membership test (ranges may nest or overlap)."""

    def __init__(self, spans: list[Span]):
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def contains(self, position: int) -> bool:
        index = bisect.bisect_right(self.starts, position) - 1
        return index >= 0 and position < self.ends[index]

    def overlaps(self, span: Span) -> bool:
        index = bisect.bisect_right(self.starts, span[1] - 1) - 1
        return index >= 0 and self.ends[index] > span[0]


def finish(parsed: ParsedCode, variables: list[Variable], bans: list[Ban]) -> list[Variable]:
    """Apply the exclusions every language shares and order variables by first occurrence."""
    kept = [v for v in variables if v.occurrences]
    by_name: dict[str, list[Variable]] = {}
    for variable in kept:
        by_name.setdefault(variable.name, []).append(variable)
    for ban in bans:
        for variable in by_name.get(ban.name, ()):
            if ban.span is None or _overlaps(variable.extent, ban.span):
                variable.exclude(ban.reason)
    if parsed.error_ranges:
        _exclude_near_errors(parsed, kept)
    for variable in kept:
        if len(variable.occurrences) > 1:
            variable.occurrences.sort()
    kept.sort(key=lambda v: (v.occurrences[0][0], v.name))
    return kept


def _exclude_near_errors(parsed: ParsedCode, variables: list[Variable]) -> None:
    """An occurrence in or beside an unparsed region (error recovery may read the same tokens
    differently once a name changes), or the name appearing in one at all, may hide a use we
    cannot see: such a variable keeps its name."""
    errors = error_nodes(parsed.tree)
    nearby = SpanSet([_statement_around(parsed, node) for node in errors])
    regions = [(span, set(WORD.findall(parsed.source[span[0] : span[1]].decode("utf-8", "replace")))) for span in parsed.error_ranges]
    unparsed_words: dict[str, list[Span]] | None = None
    for variable in variables:
        if any(nearby.overlaps(occurrence) for occurrence in variable.occurrences):
            variable.exclude("occurs in or beside a region the parser could not read", UNPARSED_CODE)
        for span, words in regions:
            if variable.name in words and _overlaps(variable.extent, span):
                variable.exclude("its name appears in a region the parser could not read", UNPARSED_CODE)
                if unparsed_words is None:
                    unparsed_words = _identifier_tokens(parsed, errors)
                known = set(variable.occurrences)
                variable.unparsed_occurrences = [s for s in unparsed_words.get(variable.name, ())
                                                 if s not in known and variable.extent[0] <= s[0] < variable.extent[1]]
                break


def _identifier_tokens(parsed: ParsedCode, nodes: list[Node]) -> dict[str, list[Span]]:
    """Every identifier token under ``nodes``, by name (what a token-by-token rename would change)."""
    found: dict[str, list[Span]] = {}
    for node in nodes:
        for identifier in identifiers_under(node):
            found.setdefault(parsed.source[identifier.start_byte:identifier.end_byte].decode("utf-8", "replace"),
                             []).append(span(identifier))
    return found


#: nodes that hold statements: an error directly inside one does not taint its neighbours
CONTAINERS = frozenset(
    {"compound_statement", "block", "translation_unit", "program", "module", "class_body", "declaration_list",
     "field_declaration_list", "switch_block", "switch_block_statement_group", "constructor_body", "case_statement",
     "enum_body", "interface_body", "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "ERROR"}
)
#: nodes with a body: an error in their header taints only the words next to it
COMPOUND = frozenset(
    {"function_definition", "method_declaration", "constructor_declaration", "class_declaration", "if_statement",
     "for_statement", "while_statement", "do_statement", "switch_statement", "try_statement", "catch_clause",
     "enhanced_for_statement", "lambda_expression", "class_definition", "with_statement", "for_in_clause",
     "try_with_resources_statement", "labeled_statement", "switch_expression", "synchronized_statement"}
)
# the word just before and after, unless a statement boundary lies between
PREVIOUS_WORD = re.compile(rb"\w+[^\w;{}]*$")
NEXT_WORD = re.compile(rb"[^\w;{}]*\w+")


def _statement_around(parsed: ParsedCode, node: Node) -> Span:
    """The bytes whose parse may change when a name in them changes length: tree-sitter's error
    recovery weighs skipped characters, so it may skip a different neighbour after a rename."""
    start, end = node.start_byte, node.end_byte
    parent = node.parent
    if parent is not None and parent.type not in CONTAINERS and parent.type not in COMPOUND:
        start, end = parent.start_byte, parent.end_byte
    before = PREVIOUS_WORD.search(parsed.source, max(0, start - 256), start)
    after = NEXT_WORD.match(parsed.source, end, end + 256)
    return (before.start() if before else start, after.end() if after else end)


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class Container(NamedTuple):
    """A node that may hold declarations: its bytes, its kind (a capture name) and the node."""

    start: int
    end: int
    kind: str
    node: Node


def innermost(containers: list[Container], positions: list[int]) -> dict[int, Container | None]:
    """For each position, the innermost container holding it: one sweep in document order.

    Cheaper than climbing with ``Node.parent``, which tree-sitter answers by descending from
    the root every time.
    """
    ordered = sorted(containers, key=lambda c: (c.start, -c.end))
    stack: list[Container] = []
    found: dict[int, Container | None] = {}
    index = 0
    for position in sorted(positions):
        while index < len(ordered) and ordered[index].start <= position:
            stack.append(ordered[index])
            index += 1
        while stack and not (stack[-1].start <= position < stack[-1].end):
            stack.pop()
        found[position] = stack[-1] if stack else None
    return found


def span(node: Node) -> Span:
    return (node.start_byte, node.end_byte)


def identifiers_under(node: Node) -> list[Node]:
    """Every ``identifier`` node in a subtree (the per-language analyses filter them further)."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            found.append(current)
        stack.extend(current.children)
    return found


def enclosing_declarations(
    container: Node, stops: frozenset[str], declare: Callable[[Node, Node, dict[str, str]], None]
) -> dict[str, str]:
    """Locals declared before ``container`` in the scopes around it, up to a ``stops`` node.

    ``declare(parent, child, found)`` adds what ``parent`` declares before its part ``child``
    (name -> declared type text). The search may miss locals but never invents one: a name it
    does not find is treated as memory, the conservative reading.
    """
    found: dict[str, str] = {}
    child, parent = container, container.parent
    while parent is not None and parent.type not in stops:
        declare(parent, child, found)
        child, parent = parent, parent.parent
    return found


def protecting_block(node: Node, handlers: frozenset[str], frames: frozenset[str]) -> Node | None:
    """The innermost ``try`` body (or Python ``with`` body) around ``node`` in its frame.

    An exception raised at ``node`` may be caught there, within the same frame. Code in a
    ``catch`` or ``finally`` clause is protected only by a ``try`` further out.
    """
    child, current = node, node.parent
    while current is not None and current.type not in frames:
        if current.type in handlers and current.child_by_field_name("body") == child:
            return child
        child, current = current, current.parent
    return None
