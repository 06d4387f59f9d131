"""Transformations: how an attack turns one input into its edit space (the candidates a search
may propose and the code of each). Add one: a ``Transformation`` subclass with
``@register_transformation`` and a line in the table below (a plugin: the
``metacompress.transformations`` entry point group); a recipe names it."""

from __future__ import annotations

from typing import Any, ClassVar

from ..registry import Registry


class Transformation:
    name: ClassVar[str]

    def spaces(self, examples: list[Any], settings: Any) -> list[Any]:
        """One edit space per example (``attack.space.EditSpace`` or anything with its interface)."""
        raise NotImplementedError


TRANSFORMATIONS: Registry[type[Transformation]] = Registry("attack transformation",
                                                           group="metacompress.transformations")
register_transformation = TRANSFORMATIONS.decorator(lambda cls: cls.name)
TRANSFORMATIONS.declare({"renames-and-relations": "metacompress.attack.space"})


def get_transformation(name: str) -> Transformation:
    return TRANSFORMATIONS.get(name)()
