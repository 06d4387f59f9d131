"""Statement positions: statement lists, the gaps between statements, indentation and jumps.

Relations that insert statements (dead code, unused variables), move them (reordering) or
rewrite loops all need the same structural facts, per language:

- which nodes hold a list of statements, and which of their children are statements
  (``statement_lists``);
- where a new statement may go so that the result still compiles (``choose_insertion``,
  ``insertion_points``, ``slot_at``, ``insertion_slots``): before an existing statement, never
  between a label and its statement, never before a Java ``this(...)``/``super(...)`` call,
  never before a Python docstring or ``__future__`` import, never mid-line in Python;
- how a line is indented and what one indentation step looks like there, so inserted code
  reads like its neighbours (``line_indent``, ``indent_unit``, ``render_lines``);
- which statements end control flow (``is_jump``, ``follows_jump``).

Why slots sit *before* an existing statement: a statement that was reachable stays reachable and
the inserted one is reachable exactly when its successor was, which keeps Java's
"unreachable statement" rule satisfied without a flow analysis.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tree_sitter import Node, Query

from .parsing import ParsedCode, get_language
from .sites import pick

R = TypeVar("R")

#: nodes whose children form a statement list, per language
CONTAINER_TYPES = {
    "java": ("block", "constructor_body", "switch_block_statement_group"),
    "c": ("compound_statement", "case_statement"),
    "python": ("block", "module"),
}

#: children of a container that are not statements
NON_STATEMENTS = frozenset({"comment", "line_comment", "block_comment", "switch_label"})

JUMP_TYPES = {
    "java": frozenset({"return_statement", "throw_statement", "break_statement", "continue_statement", "yield_statement"}),
    "c": frozenset({"return_statement", "break_statement", "continue_statement", "goto_statement"}),
    "python": frozenset({"return_statement", "raise_statement", "break_statement", "continue_statement"}),
}

C_PREPROC_PREFIX = "preproc_"


@dataclass(frozen=True)
class StatementList:
    """A node holding statements, and those statements in document order.

    ``after_label`` is True when the first statement directly follows a ``case``/``default``
    label (C ``case_statement``, Java ``switch_block_statement_group``): a C declaration may not
    go there before C23.
    """

    container: Node
    statements: tuple[Node, ...]
    after_label: bool = False


@dataclass(frozen=True)
class Slot:
    """A gap before ``before`` (a statement of ``owner``) where a new statement may go.

    ``offset`` is where inserted text goes. When ``indent`` is a string, ``before`` starts its
    line, ``offset`` is the start of that line and inserted text must be whole lines; when it is
    None the slot is mid-line (``{ a(); b(); }``) and inserted text goes just before ``before``.
    """

    offset: int
    indent: str | None
    owner: StatementList
    index: int

    @property
    def before(self) -> Node:
        return self.owner.statements[self.index]

    @property
    def previous(self) -> Node | None:
        return self.owner.statements[self.index - 1] if self.index else None

    @property
    def directly_after_label(self) -> bool:
        return self.index == 0 and self.owner.after_label


@functools.cache
def _container_query(language: str) -> Query:
    pattern = " ".join(f"({kind})" for kind in CONTAINER_TYPES[language])
    return Query(get_language(language), f"[{pattern}] @container")


def statement_containers(parsed: ParsedCode) -> list[Node]:
    """Every node that may hold a statement list, in document order (one query, no tree walk)."""
    return parsed.captures(_container_query(parsed.language)).get("container", [])


def statement_lists(parsed: ParsedCode, least: int = 1) -> list[StatementList]:
    """Every statement list of the snippet, in document order.

    C switch bodies (a compound statement of ``case`` groups), Python ``match`` bodies (a block
    of ``case`` clauses) and GNU statement expressions (``({ ...; value; })``, whose last
    statement is a value) are left out: inserting or moving statements there changes meaning or
    validity. ``least``: only lists of at least that many statements.
    """
    containers = statement_containers(parsed)
    if least > 1:  # statements are named children: fewer named children, fewer statements
        containers = [container for container in containers if container.named_child_count >= least]
    lists = (statement_list(container, parsed.language) for container in containers)
    return [entry for entry in lists if entry is not None and len(entry.statements) >= least]


def statement_list(container: Node, language: str) -> StatementList | None:
    """The statements of one container, or None when it holds none we may touch."""
    entry = _statement_list(container, language)
    return entry if entry is not None and entry.statements else None


def _statement_list(container: Node, language: str) -> StatementList | None:
    kind = container.type
    parent = container.parent
    if language == "c" and kind == "compound_statement" and parent is not None:
        if parent.type in ("switch_statement", "parenthesized_expression"):
            return None
    if language == "python" and parent is not None and parent.type == "match_statement":
        return None  # its block holds ``case`` clauses, not statements
    children = container.children
    after_label = False
    if kind == "case_statement":
        colon = next((i for i, child in enumerate(children) if child.type == ":"), None)
        if colon is None:
            return None
        children = children[colon + 1 :]
        after_label = True
    elif kind == "switch_block_statement_group":
        after_label = True
    statements = tuple(child for child in children if child.is_named and child.type not in NON_STATEMENTS)
    return StatementList(container, statements, after_label)


def line_start(source: bytes, offset: int) -> int:
    return source.rfind(b"\n", 0, offset) + 1


def line_indent(source: bytes, offset: int) -> str | None:
    """The whitespace before ``offset`` on its line, or None when anything else precedes it.

    A line continued from the previous one with a backslash counts as mid-line.
    """
    start = line_start(source, offset)
    prefix = source[start:offset]
    if prefix.strip(b" \t"):
        return None
    if source[max(0, start - 3) : start].rstrip(b"\r\n").endswith(b"\\"):
        return None
    return prefix.decode("ascii")


def newline_of(source: bytes) -> str:
    """The snippet's line ending, so inserted lines match it."""
    return "\r\n" if b"\r\n" in source else "\n"


def indent_unit(source: bytes, indent: str) -> str:
    """One indentation step in this snippet: a tab where the code indents with tabs, else spaces.

    The width of spaces follows the given indentation when it is a multiple of 2 but not of 4.
    """
    if "\t" in indent or (not indent and b"\n\t" in source):
        return "\t"
    if indent and len(indent) % 4 and len(indent) % 2 == 0:
        return "  "
    return "    "


def render_lines(slot: Slot, lines: list[tuple[int, str]], unit: str, newline: str = "\n") -> str:
    """Text that inserts ``lines`` (depth, text) at ``slot``: whole indented lines, or inline."""
    if slot.indent is None:
        return " ".join(text for _, text in lines) + " "
    return "".join(slot.indent + unit * depth + text + newline for depth, text in lines)


def insertion_points(parsed: ParsedCode, lists: list[StatementList] | None = None) -> list[tuple[StatementList, int]]:
    """Every (statement list, index) whose statement a new one could precede, in order.

    Cheap and unchecked: ``slot_at`` does the checks, so a relation checks only the candidates it
    looks at. Python docstrings and ``__future__`` imports are already left out here.
    """
    points = []
    for owner in lists if lists is not None else statement_lists(parsed):
        first = _first_insertable(owner, parsed.language)
        points.extend((owner, index) for index in range(first, len(owner.statements)))
    return points


def choose_insertion(parsed: ParsedCode, rng: random.Random, attempt: Callable[[tuple[StatementList, int]], R | None]) -> R | None:
    """A seeded insertion point that ``attempt`` accepts: a statement list first, then a place in it.

    Lists are built only for the containers looked at, which keeps a rewrite of a large function
    cheaper than parsing it. Every point is tried before giving up (None).
    """
    language = parsed.language

    def within(container: Node) -> R | None:
        owner = statement_list(container, language)
        if owner is None:
            return None
        places = range(_first_insertable(owner, language), len(owner.statements))
        return pick(places, rng, lambda index: attempt((owner, index)))

    return pick(statement_containers(parsed), rng, within)


def slot_at(parsed: ParsedCode, point: tuple[StatementList, int]) -> Slot | None:
    """The slot before statement ``point``, or None when nothing may be inserted there.

    Refused: a neighbour in an error region, a Java ``this(...)``/``super(...)`` call (it must
    come first), a Python statement that does not start its line, a C preprocessor line that
    does not either.
    """
    owner, index = point
    before = owner.statements[index]
    if parsed.error_ranges and (parsed.in_error(before) or (index and parsed.in_error(owner.statements[index - 1]))):
        return None
    if before.type == "explicit_constructor_invocation":
        return None
    indent = line_indent(parsed.source, before.start_byte)
    if indent is not None:
        return Slot(line_start(parsed.source, before.start_byte), indent, owner, index)
    if parsed.language == "python" or before.type.startswith(C_PREPROC_PREFIX):
        return None
    return Slot(before.start_byte, None, owner, index)


def insertion_slots(parsed: ParsedCode, lists: list[StatementList] | None = None) -> list[Slot]:
    """Every checked slot of the snippet, in document order (see ``slot_at``)."""
    slots = (slot_at(parsed, point) for point in insertion_points(parsed, lists))
    return [slot for slot in slots if slot is not None]


def _first_insertable(owner: StatementList, language: str) -> int:
    """Index of the first statement a Python insertion may precede (docstrings, __future__)."""
    if language != "python":
        return 0
    statements = owner.statements
    first = 1 if is_docstring(statements[0]) else 0
    if owner.container.type == "module":
        for index, statement in enumerate(statements):
            if statement.type == "future_import_statement":
                first = index + 1
    return first


def is_docstring(statement: Node) -> bool:
    """A Python statement that is a bare string literal (a docstring when it comes first)."""
    return (
        statement.type == "expression_statement"
        and statement.named_child_count == 1
        and statement.named_children[0].type in ("string", "concatenated_string")
    )


def python_scope(node: Node) -> str:
    """What scope a Python statement runs in: "function", "class" or "module"."""
    current = node.parent
    while current is not None:
        if current.type == "function_definition":
            return "function"
        if current.type == "class_definition":
            return "class"
        current = current.parent
    return "module"


def is_jump(node: Node, language: str) -> bool:
    """True for return/throw/raise/break/continue/goto (and Java ``yield``)."""
    return node.type in JUMP_TYPES[language]


def follows_jump(statement: Node, language: str) -> bool:
    """True when the statement just before this one (comments aside) jumps away.

    Code there is reached only through a label; Java rejects it as unreachable.
    """
    previous = statement.prev_named_sibling
    while previous is not None and previous.type in NON_STATEMENTS:
        previous = previous.prev_named_sibling
    return previous is not None and is_jump(previous, language)
