"""alert: ALERT's attack (Yang et al., ICSE 2022) for setting results beside its published numbers:
renames only, every candidate name of the data's substitutes (or generated ones), greedy over the
variables by importance then genetic on failures (strategies/alert.py)."""

from __future__ import annotations

from . import RECIPES, Recipe

RECIPES.add("alert", Recipe("alert", transformation="renames-and-relations",
                            constraints=("same-parse", "safe-names", "edit-size", "query-budget"), strategy="alert"))
