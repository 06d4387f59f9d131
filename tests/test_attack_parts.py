"""An attack is assembled from registered parts (issue 19): a strategy, an objective or a recipe
added by registering it (as a plugin would) is usable by name, its figures are gate names, and the
recipe's constraints are listed in report.md."""

from __future__ import annotations

import json

import pytest

from audit_fixtures import build_models, write_pairs
from metacompress.attack import AttackConfig, run_attack
from metacompress.attack.constraints import CONSTRAINTS
from metacompress.attack.gates import attack_metrics, parse_attack_gates
from metacompress.attack.objectives import BUILTIN as BUILTIN_OBJECTIVES
from metacompress.attack.objectives import OBJECTIVES
from metacompress.attack.objectives.flip import FlipObjective
from metacompress.attack.recipes import BUILTIN as BUILTIN_RECIPES
from metacompress.attack.recipes import RECIPES, Recipe
from metacompress.attack.strategies import BUILTIN as BUILTIN_STRATEGIES
from metacompress.attack.strategies import STRATEGIES, Strategy
from metacompress.attack.summary import recorded_settings
from metacompress.attack.transformations import TRANSFORMATIONS
from metacompress.errors import UsageError

BASE = dict(teacher="teacher", student="student", task="clone-detection", data="pairs.jsonl")


class OneCandidate(Strategy):
    """Queries one random edit set, then stops."""

    name = "one-candidate"
    summary = "one random edit set"

    def run(self, search, rng, max_relations):
        search.evaluate([search.space.random_candidate(rng, max_relations)])


class FlipStudentTwice(FlipObjective):
    name = "flip-the-student"
    summary = "the student, under another name"
    attacks = ("student",)


@pytest.fixture
def registered():
    STRATEGIES.add(OneCandidate.name, OneCandidate)
    OBJECTIVES.add(FlipStudentTwice.name, FlipStudentTwice)
    RECIPES.add("random-only", Recipe("random-only", "renames-and-relations", ("same-parse",), strategy="random"))
    yield
    STRATEGIES.remove(OneCandidate.name)
    OBJECTIVES.remove(FlipStudentTwice.name)
    RECIPES.remove("random-only")


def test_every_built_in_part_registers_the_name_its_table_gives():
    for registry, names in ((STRATEGIES, BUILTIN_STRATEGIES), (OBJECTIVES, BUILTIN_OBJECTIVES),
                            (RECIPES, BUILTIN_RECIPES), (TRANSFORMATIONS, TRANSFORMATIONS.builtins())):
        for name in names:
            assert getattr(registry.get(name), "name") == name
    recipe = RECIPES.get("default")
    assert TRANSFORMATIONS.get(recipe.transformation)
    assert all(CONSTRAINTS.get(name).name == name for name in recipe.constraints)


def test_an_added_objective_is_accepted_and_its_rows_scope_gates(registered):
    gates = parse_attack_gates(["student:success_rate>0.5"], FlipStudentTwice.name, 10)
    assert [(g.scope, g.metric) for g in gates] == [("student", "success_rate")]
    with pytest.raises(UsageError, match="no attack 'teacher' in a flip-the-student run"):
        parse_attack_gates(["teacher:success_rate>0.5"], FlipStudentTwice.name, 10)
    with pytest.raises(UsageError, match="--objective disagree does"):
        parse_attack_gates(["disagreement_found_rate>0.1"], FlipStudentTwice.name, 10)


def test_an_unknown_part_is_refused_naming_the_added_ones(registered):
    with pytest.raises(UsageError, match="--strategy must be one of random, greedy, genetic, alert, beam, switch, bayes, one-candidate"):
        AttackConfig(**BASE, strategy="swarm").validate()
    with pytest.raises(UsageError, match="--recipe must be one of default, alert, random-only"):
        AttackConfig(**BASE, recipe="hogvul").validate()


def test_a_recipe_that_fixes_its_search_refuses_another_and_is_recorded(registered):
    config = AttackConfig(**BASE, recipe="random-only")
    assert config.search_strategy == "random"
    assert recorded_settings(config)["recipe"] == "random-only"
    assert "recipe" not in recorded_settings(AttackConfig(**BASE))
    with pytest.raises(UsageError, match="recipe random-only always searches with random"):
        AttackConfig(**BASE, recipe="random-only", strategy="genetic").validate()


def test_gate_names_come_from_the_objectives():
    names = attack_metrics()
    for objective in BUILTIN_OBJECTIVES:
        for figures in OBJECTIVES.get(objective)().figures().values():
            assert set(figures) <= set(names)


@pytest.mark.slow
def test_an_added_strategy_runs_the_search_and_report_md_lists_the_constraints(registered, tmp_path):
    models = build_models(tmp_path / "models")
    pairs = write_pairs(tmp_path / "pairs.jsonl", count=4)
    out = tmp_path / "run"
    config = AttackConfig(teacher=str(models["teacher"]), student=str(models["perturbed"]), task="clone-detection",
                          data=str(pairs), out=str(out), bootstrap=0, budget=12, progress=False,
                          strategy=OneCandidate.name, objective=FlipStudentTwice.name, max_relations=1)
    run_attack(config)
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["config"]["strategy"] == OneCandidate.name
    assert list(report["attacks"]) == ["student"]
    attacked = [line for line in (out / "adversarial.jsonl").read_text().splitlines()]
    queries = [json.loads(line)["attacks"]["student"]["queries"] for line in attacked]
    assert queries and max(queries) == 1  # one candidate per input, whatever the budget
    markdown = (out / "report.md").read_text()
    constraints = markdown.split("## Constraints", 1)[1]
    for name in RECIPES.get("default").constraints:
        assert f"<code>{name}</code>" in constraints
    assert "at most 12 distinct candidates" in constraints and "at most 1 relation(s)" in constraints
