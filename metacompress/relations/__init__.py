"""Semantics-preserving code transformations (metamorphic relations), by name.

    >>> from metacompress.relations import transform
    >>> rewrite = transform("int f(int a) { return a + 1; }", "c", "rename-identifiers", seed=1)
    >>> rewrite.applied, rewrite.code  # doctest: +SKIP

Add a relation: write a module with a ``Relation`` subclass and register it below (or call
``RELATIONS.register`` from your own code).
"""

from __future__ import annotations

from ..code.parsing import LANGUAGES
from ..registry import Registry
from .base import Edit, Relation, Rewrite, Site

RELATIONS: Registry[type[Relation]] = Registry("relation")
for _name, _entry in {
    "rename-identifiers": "metacompress.relations.rename:RenameIdentifiers",
    "insert-dead-code": "metacompress.relations.dead_code:InsertDeadCode",
    "reorder-statements": "metacompress.relations.reorder:ReorderStatements",
    "loop-exchange": "metacompress.relations.loops:LoopExchange",
    "swap-if-else": "metacompress.relations.branches:SwapIfElse",
    "swap-operands": "metacompress.relations.operands:SwapOperands",
    "add-unused-variable": "metacompress.relations.unused:AddUnusedVariable",
    "compose": "metacompress.relations.compose:Compose",
    "insert-comment": "metacompress.relations.comments:InsertComment",
    "double-negation": "metacompress.relations.negation:DoubleNegation",
    "add-braces": "metacompress.relations.braces:AddBraces",
    "remove-braces": "metacompress.relations.braces:RemoveBraces",
    "return-temporary": "metacompress.relations.temporaries:ReturnTemporary",
    "split-declarations": "metacompress.relations.declarations:SplitDeclarations",
    "expand-compound-assignment": "metacompress.relations.compound:ExpandCompoundAssignment",
    "increment-form": "metacompress.relations.increments:IncrementForm",
    "ternary-to-if": "metacompress.relations.ternary:TernaryToIf",
    "constant-rewrite": "metacompress.relations.constants:ConstantRewrite",
    "contract-compound-assignment": "metacompress.relations.contraction:ContractCompoundAssignment",
}.items():
    RELATIONS.register(_name, _entry)


def get_relation(name: str) -> Relation:
    return RELATIONS.get(name)()


def transform(code: str | bytes, language: str, relation: str, seed: int = 0, **options: str) -> Rewrite:
    """Apply one relation to one snippet: the library call the audit and the CLI use."""
    return get_relation(relation).apply(code, language, seed=seed, **options)


__all__ = ["Edit", "LANGUAGES", "RELATIONS", "Relation", "Rewrite", "Site", "get_relation", "transform"]
