"""Recipes: an attack assembled from its parts (transformation, constraints, a default search),
as TextAttack's recipes are. ``--recipe`` names one; the objective and budget stay flags.

Add one: a module registering a ``Recipe`` with ``RECIPES.add`` and one line in the table below
(a plugin: an entry point in the ``metacompress.recipes`` group naming a ``Recipe``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...registry import Registry


@dataclass(frozen=True)
class Recipe:
    name: str
    transformation: str  # how candidates are made (attack/space.py)
    constraints: tuple[str, ...]  # names in attack.constraints.CONSTRAINTS, listed in report.md
    strategy: str | None = None  # the search it always uses; None: --strategy chooses


RECIPES: Registry[Recipe] = Registry("attack recipe", group="metacompress.recipes")
DEFAULT_RECIPE = "default"

#: the built-in recipes: name -> the module registering it
BUILTIN = {
    "default": "metacompress.attack.recipes.default",
    "alert": "metacompress.attack.recipes.alert",
}
RECIPES.declare(BUILTIN)


def recipe_names() -> list[str]:
    return [*BUILTIN, *(n for n in RECIPES.names() if n not in BUILTIN)]


def get_recipe(name: str) -> Recipe:
    return RECIPES.get(name)
