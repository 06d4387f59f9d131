"""Semantics-preserving code transformations (metamorphic relations), by name.

    >>> from metacompress.relations import transform
    >>> rewrite = transform("int f(int a) { return a + 1; }", "c", "rename-identifiers", seed=1)
    >>> rewrite.applied, rewrite.code  # doctest: +SKIP

Add a relation: write a module with a ``Relation`` subclass decorated with ``@register_relation``
and add its name and module to the table below. From your own package, decorate the class and
import its module, or offer it through the ``metacompress.relations`` entry point group
(``metacompress.registry`` explains both).
"""

from __future__ import annotations

from ..code.parsing import LANGUAGES
from .base import RELATIONS, Edit, Relation, Rewrite, Site, register_relation

# The built-in relations, each by the module whose ``@register_relation`` class states that name.
RELATIONS.declare({
    "rename-identifiers": "metacompress.relations.rename",
    "insert-dead-code": "metacompress.relations.dead_code",
    "reorder-statements": "metacompress.relations.reorder",
    "loop-exchange": "metacompress.relations.loops",
    "swap-if-else": "metacompress.relations.branches",
    "swap-operands": "metacompress.relations.operands",
    "add-unused-variable": "metacompress.relations.unused",
    "compose": "metacompress.relations.compose",
    "insert-comment": "metacompress.relations.comments",
    "double-negation": "metacompress.relations.negation",
    "add-braces": "metacompress.relations.braces",
    "remove-braces": "metacompress.relations.braces",
    "return-temporary": "metacompress.relations.temporaries",
    "split-declarations": "metacompress.relations.declarations",
    "expand-compound-assignment": "metacompress.relations.compound",
    "increment-form": "metacompress.relations.increments",
    "ternary-to-if": "metacompress.relations.ternary",
    "constant-rewrite": "metacompress.relations.constants",
    "contract-compound-assignment": "metacompress.relations.contraction",
})


def get_relation(name: str) -> Relation:
    return RELATIONS.get(name)()


def transform(code: str | bytes, language: str, relation: str, seed: int = 0, **options: str) -> Rewrite:
    """Apply one relation to one snippet: the library call the audit and the CLI use."""
    return get_relation(relation).apply(code, language, seed=seed, **options)


__all__ = ["Edit", "LANGUAGES", "RELATIONS", "Relation", "Rewrite", "Site", "get_relation", "register_relation",
           "transform"]
