"""compose: steps in order, seeded per step, skipped when not applicable, validated names."""

from __future__ import annotations

import pytest

from metacompress.errors import UsageError
from metacompress.relations import RELATIONS, transform
from metacompress.relations.compose import Compose, step_seed

from corpus_runner import run_programs, toolchain_missing

CODE = "int f(int n) {\n  int s = 0;\n  int t = 1;\n  for (int i = 0; i < n; i++) s += i * t;\n  return s;\n}\n"


def test_steps_chain_in_order_with_derived_seeds():
    seed = 5
    rewrite = transform(CODE, "c", "compose", seed=seed, relations="reorder-statements,loop-exchange")
    first = transform(CODE, "c", "reorder-statements", seed=step_seed(seed, 0))
    second = transform(first.code, "c", "loop-exchange", seed=step_seed(seed, 1))
    assert rewrite.applied and rewrite.code == second.code
    assert [site.description.split(":")[0] for site in rewrite.sites] == ["reorder-statements", "loop-exchange"]
    assert rewrite.sites[1].line == second.sites[0].line


def test_step_seeds_differ_per_step_and_seed():
    seeds = {step_seed(seed, index) for seed in range(4) for index in range(3)}
    assert len(seeds) == 12


def test_steps_that_do_not_apply_are_skipped():
    code = "int f(int n) {\n  int s = 0;\n  int t = 1;\n  return s + t;\n}\n"
    rewrite = transform(code, "c", "compose", relations="loop-exchange, reorder-statements")
    assert rewrite.applied
    assert [site.description.split(":")[0] for site in rewrite.sites] == ["reorder-statements"]


def test_not_applicable_names_each_step():
    rewrite = transform("int f(void) { return g(); }", "c", "compose", relations="loop-exchange,reorder-statements")
    assert not rewrite.applied and rewrite.code == rewrite.original
    assert "loop-exchange: no for or while loop" in rewrite.reason
    assert "reorder-statements: no two adjacent" in rewrite.reason


def test_steps_that_cancel_out_are_not_applied():
    code = "int f(void) {\n  int a = 1;\n  int b = 2;\n  return a + b;\n}\n"
    rewrite = transform(code, "c", "compose", relations="reorder-statements,reorder-statements")
    assert not rewrite.applied and "undid each other" in rewrite.reason


@pytest.mark.parametrize(
    "relations, message",
    [
        ("reorder-statments", "Did you mean 'reorder-statements'"),
        ("compose", "cannot compose compose"),
        ("loop-exchange,,reorder-statements", "comma-separated"),
        ("", "comma-separated"),
    ],
)
def test_bad_relation_lists_are_usage_errors(relations, message):
    with pytest.raises(UsageError, match=message):
        transform(CODE, "c", "compose", relations=relations)


def test_unknown_option_is_a_usage_error():
    with pytest.raises(UsageError, match="no option 'steps'"):
        transform(CODE, "c", "compose", steps="3")


def test_default_draws_three_distinct_supporting_relations():
    classes = {name: RELATIONS.get(name) for name in RELATIONS.names()}
    for language in ("java", "c", "python"):
        draws = {tuple(Compose().steps("random", language, seed)) for seed in range(12)}
        assert len(draws) > 1
        for steps in draws:
            assert len(set(steps)) == 3 and "compose" not in steps
            assert all(language in classes[name].languages for name in steps)
    assert Compose().steps("random", "c", 3) == Compose().steps("random", "c", 3)
    once = transform(CODE, "c", "compose", seed=2)
    assert once.code == transform(CODE, "c", "compose", seed=2).code


PROGRAM = """#include <stdio.h>
int main(void) {
    int s = 0;
    int t = 2;
    for (int i = 0; i < 10; i++) {
        if (i % 3 == 0) continue;
        s += i * t;
    }
    int u = 7;
    int w = s - 1;
    printf("%d %d %d\\n", s, u, w);
    return 0;
}
"""


@pytest.mark.slow
def test_composed_rewrites_run_like_the_original():
    missing = toolchain_missing("c")
    if missing:
        pytest.skip(missing)
    variants = {"original": ("main.c", PROGRAM)}
    for seed in range(6):
        rewrite = transform(PROGRAM, "c", "compose", seed=seed, relations="reorder-statements,loop-exchange,reorder-statements")
        assert rewrite.applied, rewrite.reason
        variants[f"seed{seed}"] = ("main.c", rewrite.code)
    outcomes = run_programs("c", variants)
    expected = outcomes.pop("original")
    assert expected.status == "exit 0"
    assert all(outcome == expected for outcome in outcomes.values())
