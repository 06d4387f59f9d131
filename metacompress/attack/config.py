"""AttackConfig: the model, data, judging and output settings ``run`` has (``metacompress.config``'s
concern groups) plus the attack's; not run's ``ReportSettings``: an attack writes all its files and
shows no progress bars.

``validate()`` checks every setting without loading data or models, like ``AuditConfig``'s, and
resolves the task, language, relations (the ones composed into candidates), gates and out folder.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field

from ..code.assumptions import assumption_names
from ..config import (REPORT_FORMATS, DataSettings, JudgingSettings, ModelSettings, OutputSettings, Plan, check_shared,
                      check_whole_number, select_relations, split_commas)
from ..errors import UsageError
from ..renderers import ATTACK, files
from .objectives import get_objective, objective_help, objective_names
from .recipes import DEFAULT_RECIPE, get_recipe, recipe_names
from .strategies import strategy_help, strategy_names

DEFAULT_STRATEGY = "bayes"
SUCCESS_AGAINST = ("prediction", "label")
SUBSTITUTE_SOURCES = ("auto", "data", "generated")
#: rename-identifiers is the attack's own renaming search: composing it would undo the chosen names
OWN_RELATION = "rename-identifiers"
#: compose may draw rename-identifiers as a step, undoing the chosen names too (and a candidate's
#: records would list renamings its code no longer has); the attack composes relations itself
COMPOSE = "compose"
#: what --out may hold; the first marks a previous attack
ATTACK_FILES = files(ATTACK)


# The bases are listed in reverse, as AuditConfig's: a dataclass's fields start with its last base's.
@dataclass(kw_only=True)
class AttackConfig(OutputSettings, JudgingSettings, DataSettings, ModelSettings):
    """Everything that determines an attack's figures (all of it is recorded in report.json).

    ``formats`` and ``progress`` are not settings of an attack: a library call may still pass them
    (as to ``AuditConfig``); ``progress`` changes nothing, and formats other than all of them are
    refused by ``validate``."""

    objective: str = field(default="flip-both", metadata={
        "help": objective_help(), "choices": objective_names, "metavar": "NAME"})
    strategy: str = field(default=DEFAULT_STRATEGY, metadata={
        "help": strategy_help(), "choices": strategy_names, "metavar": "NAME"})
    budget: int = field(default=100, metadata={
        "help": "Model queries per input and per model (the original's query is not counted; 0: no search)."})
    success_against: str = field(default="prediction", metadata={
        "help": "A flip succeeds when the prediction on the rewrite differs from the model's prediction on the "
                "original (prediction) or from the gold label (label: inputs it already gets wrong are not attacked).",
        "choices": lambda: SUCCESS_AGAINST, "metavar": "WHAT"})
    substitutes: str = field(default="auto", metadata={
        "help": "Rename candidates: the data's per-variable substitutes where a record has them, else generated "
                "(auto); only the data's (data); only generated (generated).",
        "choices": lambda: SUBSTITUTE_SOURCES, "metavar": "SOURCE"})
    substitutes_field: str = field(default="substitutes", metadata={
        "help": "Record field holding {variable: [candidate names]}.", "metavar": "FIELD"})
    candidates: int = field(default=30, metadata={
        "help": "Rename candidates kept per variable."})
    max_relations: int = field(default=2, metadata={
        "help": "Relations composed into one candidate on top of its renamings (0: renamings only)."})
    max_renames: int | None = field(default=None, metadata={
        "help": "At most this many variables renamed in one candidate (default: no limit).", "metavar": "N"})
    max_token_change: int | None = field(default=None, metadata={
        "help": "At most this many tokens (words and punctuation) changed by one candidate (default: no limit).",
        "metavar": "N"})
    assume: list[str] = field(default_factory=assumption_names, metadata={
        "help": "Comma-separated assumptions under which variables the analysis cannot prove safe to rename are "
                "renamed, as the literature's attacks rename them (default: all; 'none': proven renames only): "
                + ", ".join(assumption_names()) + ". adversarial.jsonl lists the ones each rewrite relies on.",
        "comma": True, "parse": split_commas, "metavar": "NAMES"})
    recipe: str = field(default=DEFAULT_RECIPE, metadata={
        "help": "The attack's assembly: how candidates are made, the constraints they keep and (if the recipe "
                "fixes one) the search.", "choices": recipe_names, "metavar": "NAME"})
    command: str = field(default="", metadata={"cli": False})
    formats: InitVar[list[str] | None] = None
    progress: InitVar[bool | None] = None

    def __post_init__(self, formats: list[str] | None, progress: bool | None) -> None:
        super().__post_init__()
        self._formats = formats

    def validate(self) -> Plan:
        """Check every setting without loading data or models; UsageError names the first bad one."""
        from ..outdir import check_out

        task, language, load_options, relations = check_shared(self, self._relations)
        self._check_attack_settings()
        from .gates import parse_attack_gates  # metrics and numpy: not at --help

        gates = parse_attack_gates(self.fail_on, self.objective, self.budget)
        sides = task.rewrite_sides(self.pair_side)
        out = check_out(self.out, self.overwrite, ATTACK_FILES) if self.out is not None else None
        return Plan(task, language, relations, sides, gates, out, load_options)

    def _relations(self, language: str) -> list[str]:
        if self.relations is None:
            return [n for n in select_relations(None, language) if n not in (OWN_RELATION, COMPOSE)]
        chosen = select_relations(self.relations, language)
        if OWN_RELATION in chosen:
            raise UsageError(f"--relations: {OWN_RELATION} is the attack's own renaming search; "
                             "leave it out (the relations named are composed on top of the renamings)")
        if COMPOSE in chosen:
            raise UsageError(f"--relations: {COMPOSE} may rename variables itself, undoing the attack's renamings; "
                             "leave it out (the attack composes up to --max-relations of the relations named)")
        return chosen

    def _check_attack_settings(self) -> None:
        for flag, value, allowed in (("--objective", self.objective, objective_names()),
                                     ("--strategy", self.strategy, strategy_names()),
                                     ("--recipe", self.recipe, recipe_names()),
                                     ("--success-against", self.success_against, SUCCESS_AGAINST),
                                     ("--substitutes", self.substitutes, SUBSTITUTE_SOURCES)):
            if value not in allowed:
                raise UsageError(f"{flag} must be one of {', '.join(allowed)}, not {value!r}")
        check_whole_number("--budget", self.budget, 0)
        check_whole_number("--candidates", self.candidates, 1)
        check_whole_number("--max-relations", self.max_relations, 0)
        self._check_assumptions()
        for flag, value in (("--max-renames", self.max_renames), ("--max-token-change", self.max_token_change)):
            if value is not None:
                check_whole_number(flag, value, 1)
        if not isinstance(self.substitutes_field, str) or not self.substitutes_field.strip():
            raise UsageError(f"--substitutes-field must name a field, not {self.substitutes_field!r}")
        if self._formats is not None and self._formats != list(REPORT_FORMATS):
            raise UsageError(f"formats {self._formats!r}: an attack always writes {', '.join(ATTACK_FILES)}; "
                             "leave formats out")
        for flag, value, default, why in (
                ("--rewrites", self.rewrites, 1, "the attack's random-rewrite baseline draws every relation once per input"),
                ("--p-adjust", self.p_adjust, "holm", "an attack runs no per-relation tests to adjust")):
            if value != default:
                raise UsageError(f"{flag} {value}: {why}; {flag} is run's option")
        if self.success_against != "prediction" and not get_objective(self.objective).reads_success_against:
            raise UsageError(f"--success-against {self.success_against}: the {self.objective} objective does not "
                             "flip a class, so it has nothing to measure against; leave --success-against out")
        recipe = get_recipe(self.recipe)
        if recipe.strategy is not None and self.strategy not in (recipe.strategy, DEFAULT_STRATEGY):
            raise UsageError(f"--strategy {self.strategy}: recipe {self.recipe} always searches with {recipe.strategy}")
        self.strategy = self.search_strategy  # so report.json names the search that ran

    def _check_assumptions(self) -> None:
        if not isinstance(self.assume, list) or not all(isinstance(name, str) for name in self.assume):
            raise UsageError(f"--assume must be a list of assumption names, not {self.assume!r}")
        if len(self.assume) > 1 and any(name.lower() == "none" for name in self.assume):
            raise UsageError(f"--assume {','.join(self.assume)}: 'none' means no assumption at all; "
                             "give it alone, or list the assumptions to allow")
        unknown = [name for name in self.assumptions if name not in assumption_names()]
        if unknown:
            raise UsageError(f"--assume: unknown assumption {unknown[0]!r} (known: {', '.join(assumption_names())}, "
                             "or none)")

    @property
    def assumptions(self) -> tuple[str, ...]:
        """The assumptions renames may rest on (``--assume none``: none)."""
        return () if self.assume in (["none"], ["None"]) else tuple(self.assume)

    @property
    def search_strategy(self) -> str:
        """The strategy the search runs: the recipe's, if it fixes one, else --strategy."""
        return get_recipe(self.recipe).strategy or self.strategy
