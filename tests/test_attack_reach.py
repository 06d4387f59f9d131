"""Issue 20, reach: renames the analysis cannot prove safe are made by the attack under named
assumptions (code.assumptions), never by run's rename-identifiers, and every rewrite says which
assumptions it relies on."""

from __future__ import annotations

import re

import pytest

from metacompress.attack import AttackConfig
from metacompress.attack.space import Candidate, SpaceSettings, build_spaces
from metacompress.code.assumptions import ASSERTION_TEXT, ASSUMPTIONS, STATEMENT_MACROS, UNPARSED_CODE
from metacompress.code.parsing import ParsedCode
from metacompress.errors import NotApplicable, UsageError
from metacompress.relations import get_relation
from metacompress.relations.rename import renamable_variables
from metacompress.tasks import Example

STATEMENT_MACRO = "int f(int n) {\n    int count = n * 2;\n    DPRINTF(\"value\\n\");\n    return count;\n}\n"
ASSERTION = "int g(int n) {\n    int total = n + 1;\n    assert(total > 0);\n    return total;\n}\n"
#: a Devign-style function whose closing braces were lost: the parser reads none of it as a function
UNPARSED = ("void OPPROTO op_udiv(void)\n{\n    uint64_t x0;\n    uint32_t x1;\n    x0 = T0 | ((uint64_t) env->y << 32);\n"
            "    x1 = T1;\n    x0 = x0 / x1;\n    if (x0 > 0xffffffff) {\n        T0 = 0xffffffff;\n    } else {\n"
            "        T0 = x0;\n")


def names(code: str, assumptions=()) -> dict[str, tuple[str, ...]]:
    parsed = ParsedCode.parse(code, "c")
    return {v.name: v.assumptions_needed(assumptions) for v in renamable_variables(parsed, assumptions=assumptions)}


@pytest.mark.parametrize("code, variable, assumption", [(STATEMENT_MACRO, "count", STATEMENT_MACROS),
                                                        (ASSERTION, "total", ASSERTION_TEXT),
                                                        (UNPARSED, "x0", UNPARSED_CODE)])
def test_a_rename_resting_on_an_assumption_is_made_only_under_it(code, variable, assumption):
    assert variable not in names(code)  # run's proofs: not renamable
    assert names(code, [assumption])[variable] == (assumption,)
    others = [name for name in ASSUMPTIONS if name != assumption]
    assert variable not in names(code, others)


@pytest.mark.parametrize("code, variable", [(STATEMENT_MACRO, "count"), (ASSERTION, "total"), (UNPARSED, "x0")])
def test_run_rename_identifiers_still_keeps_their_names(code, variable):
    try:
        rewrite = get_relation("rename-identifiers").apply(code, "c", seed=0)
    except NotApplicable:
        return
    assert re.search(rf"\b{variable}\b", rewrite.code)


def space_of(code: str, assumptions=tuple(ASSUMPTIONS)):
    settings = SpaceSettings("c", (0,), [], {}, "generated", "substitutes", 5, 0, 0, tuple(assumptions))
    return build_spaces([Example("1", (code,), 0)], settings)[0]


def test_an_unparsed_function_is_renamed_at_every_token_and_still_parses_alike():
    space = space_of(UNPARSED)
    slot = next(k for k, s in enumerate(space.slots) if s.name == "x0")
    candidate = Candidate(((slot, "quotient"),))
    code = space.build(candidate)
    assert code is not None
    assert "x0" not in code[0]
    assert code[0].count("quotient") == UNPARSED.count("x0")
    assert space.assumptions(candidate) == (UNPARSED_CODE,)
    assert space.describe(candidate)[0]["assumes"] == [UNPARSED_CODE]


def test_without_assumptions_the_space_holds_only_proven_renames():
    assert space_of(UNPARSED, ()).empty
    proven = space_of(STATEMENT_MACRO + ASSERTION, ())
    assert all(slot.assumptions == () for slot in proven.slots)


def test_assume_names_are_checked_and_none_means_none():
    base = dict(teacher="t", student="s", task="clone-detection", data="d.jsonl")
    assert AttackConfig(**base).assumptions == tuple(ASSUMPTIONS)
    assert AttackConfig(**base, assume=["none"]).assumptions == ()
    with pytest.raises(UsageError, match="--assume: unknown assumption 'macros'"):
        AttackConfig(**base, assume=["macros"])._check_assumptions()


def test_an_adversarial_record_lists_the_assumptions_its_renames_rely_on():
    from types import SimpleNamespace

    import numpy as np

    from metacompress.attack.outcome import SUCCESS, Outcome
    from metacompress.attack.summary import records

    code = STATEMENT_MACRO + ASSERTION
    space = space_of(code)
    slots = {slot.name: k for k, slot in enumerate(space.slots)}
    candidate = Candidate(((slots["count"], "tally"), (slots["n"], "size")))
    probs = {"teacher": np.array([0.5, 0.5]), "student": np.array([0.2, 0.8])}
    attacked = SimpleNamespace(examples=[Example("1", (code,), 0)], originals={r: p[None] for r, p in probs.items()},
                               spaces=[space], outcomes={"student": [Outcome(SUCCESS, 3, 3, 1, candidate,
                                                                             space.build(candidate), probs)]})
    record = records(attacked, ("a", "b"))[0]["attacks"]["student"]
    assert record["assumptions"] == [STATEMENT_MACROS]
    assert sorted((edit["from"], tuple(edit["assumes"])) for edit in record["edits"]) == [
        ("count", (STATEMENT_MACROS,)), ("n", ())]
