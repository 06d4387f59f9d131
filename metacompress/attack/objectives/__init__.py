"""Attack objectives: which attacks a run makes (each named by the report row it fills), the goal
each search climbs, and the figures, headline and sentences each row owns.

An objective is an ``AttackObjective`` subclass with ``@register_objective`` in a module of its
own, and one line in the table below (a plugin: an entry point in the ``metacompress.objectives``
group, whose class states its ``name`` and ``summary``). ``--objective`` names one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ...registry import Registry

if TYPE_CHECKING:
    from ..figures import Row
    from ..outcome import Outcome
    from ..search import Goal


class AttackObjective:
    """The attacks one ``--objective`` runs and everything the report says about them."""

    name: ClassVar[str]
    summary: ClassVar[str]  # one phrase of --objective's help
    attacks: ClassVar[tuple[str, ...]]  # the attacks it runs, each named by the row it fills
    hunt: ClassVar[bool] = False  # a search keeps going after a success, counting each one
    reads_success_against: ClassVar[bool] = False  # its goal is a flip away from --success-against's class

    def start(self, attack: str, config: Any, example: Any, original: dict[str, Any]) -> "Goal | str":
        """The goal of this input's search, or the status of an input that is not searched."""
        raise NotImplementedError

    def figures(self) -> dict[str, tuple[str, ...]]:
        """Per attack (its row) the figures its report holds; under ``all`` the headline figures.
        Each is a metric registered for an attack's row or headline (``attack/figures.py``; a
        plugin registers its own with ``register_metric(attack_figure(...))``)."""
        raise NotImplementedError

    def judge(self, attack: str, config: Any, attacked: Any, outcomes: list["Outcome"],
              labels: list[int] | None) -> "Row":
        """The row of one attack, before the adversarial relations are added."""
        raise NotImplementedError

    def finish(self, config: Any, attacked: Any, rows: dict[str, "Row"], random_per_query: tuple) -> None:
        """Figures that read several rows, or the random rewrites (added last to their rows)."""

    def headline(self, config: Any, attacked: Any, rows: dict[str, "Row"], labelled: bool) -> dict[str, Any]:
        raise NotImplementedError

    def sentences(self, headline: dict[str, Any], rows: dict[str, "Row"]) -> list[str]:
        raise NotImplementedError


OBJECTIVES: Registry[type[AttackObjective]] = Registry("attack objective", group="metacompress.objectives")
register_objective = OBJECTIVES.decorator(lambda cls: cls.name)

#: the built-in objectives: name -> (module registering it, its phrase in --objective's help)
BUILTIN = {
    "flip-student": ("metacompress.attack.objectives.flip", "flip-student / flip-teacher: attack one model"),
    "flip-teacher": ("metacompress.attack.objectives.flip", "flip-student / flip-teacher: attack one model"),
    "flip-both": ("metacompress.attack.objectives.flip", "flip-both: each model on its own"),
    "disagree": ("metacompress.attack.objectives.disagree",
                 "disagree: from inputs where both agree, search for one where they do not"),
}
OBJECTIVES.declare({name: module for name, (module, _) in BUILTIN.items()})


def objective_names() -> list[str]:
    """The built-ins in table order, then plugins."""
    return [*BUILTIN, *(n for n in OBJECTIVES.names() if n not in BUILTIN)]


def objective_help() -> str:
    return "; ".join(dict.fromkeys(phrase for _, phrase in BUILTIN.values())) + "."


def get_objective(name: str) -> AttackObjective:
    return OBJECTIVES.get(name)()


def usable_objectives() -> list[AttackObjective]:
    return [get_objective(name) for name in objective_names() if name in OBJECTIVES.usable()]
