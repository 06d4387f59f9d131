"""default: renamings from the data's substitutes or generated names, plus composed relations;
every constraint; --strategy chooses the search."""

from __future__ import annotations

from . import RECIPES, Recipe

RECIPES.add("default", Recipe("default", transformation="renames-and-relations",
                              constraints=("same-parse", "safe-names", "edit-size", "query-budget")))
