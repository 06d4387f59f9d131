"""One scope analysis per language, for every relation that needs one.

Renaming asks for every local variable and all its occurrences (``local_variables``);
reordering, loop rewriting and Java's completion check ask which locals are in scope at a
statement (``visible_locals``), which names a statement declares for the ones after it
(``declared_by``) and which ``try`` body may catch what a statement throws
(``protecting_block``). Each language module (c, java, python) answers all of these from its
own declaration rules, behind the ``LanguageAnalysis`` protocol below.
"""

from __future__ import annotations

from typing import Protocol

from tree_sitter import Node

from . import scopes
from .c import CAnalysis, unparsed_locals
from .java import JavaAnalysis
from .parsing import ParsedCode
from .python import PythonAnalysis
from .scopes import Ban, Variable, finish


class LanguageAnalysis(Protocol):
    """What one language's scope rules say about a parsed snippet."""

    language: str
    #: try-like statements whose handlers run in the same frame
    handler_types: frozenset[str]
    #: nodes that start a new frame (a handler outside one never sees an exception inside it)
    frame_types: frozenset[str]

    def variables(self, parsed: ParsedCode) -> tuple[list[Variable], list[Ban]]:
        """Every local and parameter with its occurrences, and the bans ``finish`` applies."""
        ...

    def declared_by(self, statement: Node) -> dict[str, str]:
        """Names a statement of a block declares for the statements after it (name -> type)."""
        ...


class BlockScoped(LanguageAnalysis, Protocol):
    """A language whose locals are visible from their declaration to the end of a block."""

    def visible_locals(self, container: Node) -> dict[str, str]:
        """Locals declared before ``container`` in enclosing scopes: name -> declared type text."""
        ...


ANALYSES: dict[str, LanguageAnalysis] = {"c": CAnalysis(), "java": JavaAnalysis(), "python": PythonAnalysis()}


def analysis(language: str) -> LanguageAnalysis:
    return ANALYSES[language]


def local_variables(parsed: ParsedCode) -> list[Variable]:
    """Every local variable and parameter of every function in the snippet, renamable or not."""
    variables, bans = analysis(parsed.language).variables(parsed)
    return finish(parsed, variables, bans)


def visible_locals(container: Node, language: str) -> dict[str, str]:
    """Locals declared before ``container`` in enclosing scopes (Java and C): name -> type text."""
    block_scoped: BlockScoped = ANALYSES[language]  # type: ignore[assignment]
    return block_scoped.visible_locals(container)


def declared_by(statement: Node, language: str) -> dict[str, str]:
    """Names a statement of a block declares for the statements after it."""
    return ANALYSES[language].declared_by(statement)


def protecting_block(node: Node, language: str) -> Node | None:
    """The innermost ``try`` body (or Python ``with`` body) around ``node`` in its frame."""
    rules = ANALYSES[language]
    return scopes.protecting_block(node, rules.handler_types, rules.frame_types)


def locals_in_unparsed_code(parsed: ParsedCode, known: set[str]) -> list[Variable]:
    """Variables declared in regions the parser could not read, renamable only under the
    UNPARSED_CODE assumption (C; other languages: none)."""
    if parsed.language != "c" or not parsed.error_ranges:
        return []
    return unparsed_locals(parsed, known)
