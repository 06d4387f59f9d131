"""compose: apply several relations in sequence, each step seeded from the compose seed.

Each step is a full ``Relation.apply`` on the previous step's output, so every step is checked
on its own (re-parse, same parse errors); steps that do not apply are skipped, and compose
applies when at least one step did. Sites name their step: "rename-identifiers: renamed ...",
with the line numbers of that step's input. Step i gets ``step_seed(seed, i)``; like every
relation, compose draws its own choice of steps from ``snippet_seed`` (the seed and the code).
"""

from __future__ import annotations

import functools
import random

from ..errors import UsageError
from .base import Relation, Rewrite, Site, register_relation, snippet_seed

RANDOM = "random"
DEFAULT_STEPS = 3


@register_relation
class Compose(Relation):
    name = "compose"
    summary = (
        "apply several relations in sequence, seeded per step; option relations=a,b,c "
        f"(default: {DEFAULT_STEPS} distinct ones drawn from the seed)"
    )
    #: the allowed values list only the default: any comma-separated list of relation names works too
    options = {"relations": (RANDOM,)}
    example = ("for (int i = 0; i < n; i++) s += i;", "int var0 = 0;\nwhile (var0 < n) { s += var0; var0++; }")

    def _rewrite(self, text: str, language: str, seed: int, chosen: dict[str, str]) -> Rewrite:
        steps = self.steps(chosen["relations"], language, snippet_seed(seed, self.name, text))
        current, sites, skipped = text, [], []
        for index, name in enumerate(steps):
            rewrite = _relation(name).apply(current, language, seed=step_seed(seed, index))
            if not rewrite.applied:
                skipped.append(f"{name}: {rewrite.reason}")
                continue
            current = rewrite.code
            sites.extend(Site(site.line, f"{name}: {site.description}") for site in rewrite.sites)
        if not sites:
            return self._not_applicable(text, language, "no step applied (" + "; ".join(skipped) + ")")
        if current == text:
            return self._not_applicable(text, language, "the steps undid each other")
        return Rewrite(self.name, language, text, current, True, "", tuple(sites))

    def steps(self, relations: str, language: str, seed: int) -> list[str]:
        """The relation names to apply, in order: the given list, or a seeded draw."""
        if relations != RANDOM:
            return [name.strip() for name in relations.split(",")]
        supported = _builtin_steps(self.name, language)
        rng = random.Random(f"{self.name}|{language}|{seed}")
        return rng.sample(supported, min(DEFAULT_STEPS, len(supported)))

    def _check_options(self, options: dict[str, str]) -> dict[str, str]:
        """``relations`` is free text: a comma-separated list of registered relation names."""
        from . import RELATIONS

        relations = options.get("relations")
        rest = {key: value for key, value in options.items() if key != "relations"}
        chosen = super()._check_options(rest)
        if relations is None or relations.strip() == RANDOM:
            return chosen
        names = [name.strip() for name in relations.split(",")]
        if not all(names):
            raise UsageError(f"relation {self.name}: relations must be a comma-separated list of names, not {relations!r}")
        for name in names:
            if name == self.name:
                raise UsageError(f"relation {self.name}: cannot compose {self.name} with itself")
            if name not in RELATIONS:
                raise UsageError(f"relation {self.name}: {RELATIONS.unknown_message(name)}")
        chosen["relations"] = ",".join(names)
        return chosen


@functools.cache
def _builtin_steps(compose: str, language: str) -> list[str]:
    """The built-in relations (but compose) for ``language``, sorted: installing a plugin must
    not change what a seed gives, and the built-ins never change within a process."""
    from . import RELATIONS

    return [n for n in sorted(RELATIONS.builtins()) if n != compose and language in RELATIONS.get(n).languages]


@functools.lru_cache(maxsize=1024)
def step_seed(seed: int, index: int) -> int:
    """A seed for step ``index`` that differs per step and per compose seed, reproducibly."""
    return random.Random(f"compose-step|{seed}|{index}").getrandbits(32)


def _relation(name: str) -> Relation:
    from . import RELATIONS

    return RELATIONS.get(name)()
