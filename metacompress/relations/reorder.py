"""reorder-statements: swap two adjacent statements that provably cannot observe each other.

Only simple statements move (assignments, ``++``/``--``, local declarations): no calls, jumps,
labels or compound statements. Two of them trade places only when the data-flow summary of
each (``dataflow``) shows that neither reads or writes what the other writes, no declaration
passes a use of its name, and no exception or hidden user code could tell the order. The two
statements keep their exact text and the gap between them (comments, blank lines) stays put.

Speed: candidate pairs are visited in a seeded random order and analysed lazily until one is
independent. The first independent pair of a uniformly random order is a uniform choice among
all independent pairs, so this picks exactly as "analyse all, then choose" would, in law.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Container

from tree_sitter import Node

from ..code.analysis import declared_by, protecting_block, visible_locals
from ..code.c import CFunctionFacts, CStatement
from ..code.dataflow import EVERY_NAME, NO_NAME, Access, Unmovable, conflicts
from ..code.effects import volatile_names
from ..code.java import JavaStatement, is_analysable_statement
from ..code.parsing import ParsedCode, nested_deeper_than
from ..code.python import PythonScope, PythonStatement, is_assignment_statement
from ..code.statements import StatementList, python_scope, statement_lists
from ..errors import NotApplicable
from .base import Edit, Relation, register_relation

#: statement kinds that may move at all; everything else is skipped without analysis
SIMPLE_TYPES = {
    "java": frozenset({"local_variable_declaration", "expression_statement"}),
    "c": frozenset({"declaration", "expression_statement"}),
    "python": frozenset({"expression_statement"}),
}
#: statements nested deeper than this stay where they are (real code nests a few dozen levels)
MAX_DEPTH = 200


@register_relation
class ReorderStatements(Relation):
    name = "reorder-statements"
    summary = "swap two adjacent statements that provably cannot observe each other (no calls, jumps or aliasing)"
    example = ("int a = 1;\nint b = x + 2;\nreturn a * b;", "int b = x + 2;\nint a = 1;\nreturn a * b;")

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        candidates = adjacent_simple_pairs(parsed)
        if not candidates:
            raise NotApplicable("no two adjacent simple statements (assignments, declarations) in one block")
        rng.shuffle(candidates)
        analyser = Analyser(parsed)
        for owner, index in candidates:
            if analyser.independent(owner, index):
                return [swap(parsed, owner.statements[index], owner.statements[index + 1])]
        raise NotApplicable("no two adjacent statements are provably independent (shared names, calls, aliasing)")


def adjacent_simple_pairs(parsed: ParsedCode) -> list[tuple[StatementList, int]]:
    """(statement list, index) of each adjacent pair of simple statements, in document order."""
    language = parsed.language
    simple_types = SIMPLE_TYPES[language]
    found = []
    for owner in statement_lists(parsed, least=2):
        statements = owner.statements
        if language == "python" and python_scope(statements[0]) == "class":
            continue  # class bodies: definition order is observable (dataclasses, enums)
        clean = _clean(parsed, owner)
        simple = [s.type in simple_types and ok for s, ok in zip(statements, clean)]
        for index in range(len(statements) - 1):
            if not (simple[index] and simple[index + 1]):
                continue
            # next to a parse error a "statement" may be the tail of a macro construct
            if (index and not clean[index - 1]) or (index + 2 < len(statements) and not clean[index + 2]):
                continue
            if owner.after_label and index == 0 and language == "c" and statements[1].type == "declaration":
                continue  # a C label may not be followed by a declaration
            found.append((owner, index))
    return found


def _clean(parsed: ParsedCode, owner: StatementList) -> list[bool]:
    """Per statement: outside every error region (``ParsedCode.in_error``, but cheaper: error
    nodes nest with the others, so a statement of a clean container overlaps an error only by
    containing one)."""
    statements = owner.statements
    if not parsed.error_ranges:
        return [True] * len(statements)
    if parsed.in_error(owner.container) and _inside_error(owner.container):
        return [False] * len(statements)
    return [not (s.has_error or s.is_error or s.is_missing) for s in statements]


def _inside_error(node: Node) -> bool:
    current = node
    while current is not None:
        if current.is_error or current.is_missing:
            return True
        current = current.parent
    return False


def independent_pairs(parsed: ParsedCode) -> list[tuple[Node, Node]]:
    """Every pair of adjacent statements that may trade places, in document order."""
    analyser = Analyser(parsed)
    return [
        (owner.statements[index], owner.statements[index + 1])
        for owner, index in adjacent_simple_pairs(parsed)
        if analyser.independent(owner, index)
    ]


def swap(parsed: ParsedCode, first: Node, second: Node) -> Edit:
    """One edit that exchanges two statements' texts and keeps the gap between them."""
    source = parsed.source
    gap = source[first.end_byte : second.start_byte]
    text = (source[second.start_byte : second.end_byte] + gap + source[first.start_byte : first.end_byte]).decode("utf-8")
    description = f"swapped {_preview(parsed, first)} with {_preview(parsed, second)}"
    return Edit(first.start_byte, second.end_byte, text, description)


def _preview(parsed: ParsedCode, node: Node, width: int = 40) -> str:
    line = parsed.node_text(node).split("\n", 1)[0].strip()
    return repr(line if len(line) <= width else line[: width - 3] + "...")


@dataclass
class Analyser:
    """Decides pairs on demand, caching what several pairs of one snippet share."""

    parsed: ParsedCode
    _cache: dict[object, object] = field(default_factory=dict)

    def independent(self, owner: StatementList, index: int) -> bool:
        first = self._access(owner, index)
        second = self._access(owner, index + 1) if first is not None else None
        if first is None or second is None:
            return False
        return not conflicts(first, second, self._exposed(owner.container))

    def _access(self, owner: StatementList, index: int) -> Access | None:
        statement = owner.statements[index]
        if nested_deeper_than(statement, MAX_DEPTH):
            return None  # the statement analysers recurse once per level
        language = self.parsed.language
        try:
            if language == "python":
                if not is_assignment_statement(statement):
                    return None  # refused by PythonStatement anyway: no scope to build
                return PythonStatement(lambda: self._python_scope(owner.container)).statement(statement)
            if language == "java" and not is_analysable_statement(statement):
                return None  # refused by JavaStatement anyway: no locals to look up
            if language == "java":
                return JavaStatement(self._visible(owner, index), self._volatile()).statement(statement)
            return CStatement(lambda: self._visible(owner, index), lambda: self._c_facts(owner.container)).statement(statement)
        except Unmovable:
            return None

    def _visible(self, owner: StatementList, index: int) -> "_Visible":
        """Locals in scope just before statement ``index`` of ``owner``."""
        key = ("visible", owner.container.id)
        if key not in self._cache:
            language = self.parsed.language
            declared: dict[str, tuple[int, str]] = {}
            for position, statement in enumerate(owner.statements):
                for name, kind in declared_by(statement, language).items():
                    declared.setdefault(name, (position, kind))
            self._cache[key] = (visible_locals(owner.container, language), declared)
        outer, declared = self._cache[key]  # type: ignore[misc]
        return _Visible(outer, declared, index)

    def _exposed(self, container: Node) -> Container[str]:
        """Local names an exception handler in this frame could read (see ``conflicts``)."""
        key = ("exposed", container.id)
        if key not in self._cache:
            block = protecting_block(container, self.parsed.language)
            if block is None:
                exposed: Container[str] = NO_NAME
            elif self.parsed.language == "python":
                exposed = EVERY_NAME  # function scope: the handler sees every local
            else:
                exposed = frozenset(visible_locals(block, self.parsed.language))
            self._cache[key] = exposed
        return self._cache[key]  # type: ignore[return-value]

    def _volatile(self) -> frozenset[str]:
        if "volatile" not in self._cache:
            self._cache["volatile"] = volatile_names(self.parsed)
        return self._cache["volatile"]  # type: ignore[return-value]

    def _c_facts(self, node: Node) -> CFunctionFacts:
        function = _enclosing(node, "function_definition") or self.parsed.root
        key = ("facts", function.id)
        if key not in self._cache:
            self._cache[key] = CFunctionFacts.of(function, self._volatile())
        return self._cache[key]  # type: ignore[return-value]

    def _python_scope(self, node: Node) -> PythonScope:
        function = _enclosing(node, "function_definition")
        key = ("scope", function.id if function is not None else None)
        if key not in self._cache:
            self._cache[key] = PythonScope.of(function)
        return self._cache[key]  # type: ignore[return-value]


@dataclass(frozen=True)
class _Visible:
    """name -> declared type of the locals in scope at one statement of a block, computed per
    block once: those of enclosing scopes, and those the block declares before the statement."""

    outer: dict[str, str]
    declared: dict[str, tuple[int, str]]
    index: int

    def __contains__(self, name: object) -> bool:
        entry = self.declared.get(name)  # type: ignore[call-overload]
        return (entry is not None and entry[0] < self.index) or name in self.outer

    def __getitem__(self, name: str) -> str:
        entry = self.declared.get(name)
        if entry is not None and entry[0] < self.index:
            return entry[1]
        return self.outer[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self[name] if name in self else default


def _enclosing(node: Node, kind: str) -> Node | None:
    current = node if node.type == kind else node.parent
    while current is not None and current.type != kind:
        current = current.parent
    return current
