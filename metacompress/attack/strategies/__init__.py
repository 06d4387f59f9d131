"""Search strategies: how a search proposes candidates, step by step, until its budget is spent.

A strategy is a ``Strategy`` subclass with ``@register_strategy`` in a module of its own, and one
line in the table below (a plugin: an entry point in the ``metacompress.strategies`` group, whose
class states its ``name`` and ``summary``). ``--strategy`` names one.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, ClassVar

from ...registry import Registry

if TYPE_CHECKING:
    from ..search import Search


class Strategy:
    """Proposes candidates to ``search.evaluate`` until ``search.done`` (or nothing new is left)."""

    name: ClassVar[str]
    summary: ClassVar[str]  # one phrase of --strategy's help

    def run(self, search: "Search", rng: random.Random, max_relations: int) -> None:
        raise NotImplementedError


STRATEGIES: Registry[type[Strategy]] = Registry("attack strategy", group="metacompress.strategies")
register_strategy = STRATEGIES.decorator(lambda cls: cls.name)

#: the built-in strategies: name -> (module registering it, its phrase in --strategy's help)
BUILTIN = {
    "random": ("metacompress.attack.strategies.random", "sample edit sets"),
    "greedy": ("metacompress.attack.strategies.greedy",
               "a step of random edit sets, then rank variables and relations by how much editing them moves the "
               "objective and try candidates in that order (where single edits can add up to success), then genetic"),
    "genetic": ("metacompress.attack.strategies.genetic", "crossover and mutation of edit sets"),
    "alert": ("metacompress.attack.strategies.alert",
              "ALERT as published (--recipe alert): variables by importance, every name of each, then genetic"),
    "beam": ("metacompress.attack.strategies.beam",
             "BeamAttack's beam search: sites ranked by one probe each, the best edit sets extended site by site"),
    "switch": ("metacompress.attack.strategies.switch",
               "genetic while it makes progress, then a site-by-site climb from the best edit set (every name of "
               "each variable the budget allows), then genetic again"),
    "bayes": ("metacompress.attack.strategies.bayes",
              "Thompson sampling over an additive model of the edits' effects, fitted to every edit set queried"),
}
STRATEGIES.declare({name: module for name, (module, _) in BUILTIN.items()})


def strategy_names() -> list[str]:
    """The built-ins in table order, then plugins."""
    return [*BUILTIN, *(n for n in STRATEGIES.names() if n not in BUILTIN)]


def strategy_help() -> str:
    return "; ".join(f"{name}: {summary}" for name, (_, summary) in BUILTIN.items()) + "."


def get_strategy(name: str) -> Strategy:
    return STRATEGIES.get(name)()
