"""Constraints: what every candidate rewrite of an attack must satisfy, each a registered part
that says, for report.md, what it holds under the run's settings.

The checks themselves run where the candidate is built (``space.py``: names pass
``code.names.safe_new_name``, the text re-parses with the same errors, relations validate their
own output) and where it is queried (``search.py``: the budget); a recipe lists the ones it keeps.
Add one: a ``Constraint`` subclass with ``@register_constraint`` here or in a module of its own
(a plugin: the ``metacompress.constraints`` entry point group).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..registry import Registry


class Constraint:
    name: ClassVar[str]

    def describe(self, config: Any) -> str:
        raise NotImplementedError


CONSTRAINTS: Registry[type[Constraint]] = Registry("attack constraint", group="metacompress.constraints")
register_constraint = CONSTRAINTS.decorator(lambda cls: cls.name)


@register_constraint
class SameParse(Constraint):
    name = "same-parse"

    def describe(self, config: Any) -> str:
        return ("the rewrite re-parses with the original's parse errors (and compiles, for Python); "
                "every relation applied validates its own output")


@register_constraint
class SafeNames(Constraint):
    name = "safe-names"

    def describe(self, config: Any) -> str:
        return ("a new name is a valid identifier of the language, no keyword, builtin or reserved name, "
                "and no word of the snippet, so it neither captures nor is captured")


@register_constraint
class EditSize(Constraint):
    name = "edit-size"

    def describe(self, config: Any) -> str:
        limits = "".join(f"; at most {value} {what} per candidate" for value, what in (
            (config.max_renames, "variables renamed"), (config.max_token_change, "tokens changed")) if value is not None)
        return (f"at most {config.max_relations} relation(s) composed on top of the renamings; "
                f"{config.candidates} rename candidates per variable{limits}")


@register_constraint
class QueryBudget(Constraint):
    name = "query-budget"

    def describe(self, config: Any) -> str:
        return f"at most {config.budget} distinct candidates sent to each model per input"


def get_constraint(name: str) -> Constraint:
    return CONSTRAINTS.get(name)()
