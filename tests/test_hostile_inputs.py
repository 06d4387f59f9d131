"""No input kills a rewrite: every relation answers with a rewrite, "not applicable" or a
one-line InputError, whatever the snippet holds (deep nesting, half a surrogate pair), and the
audit's Rewriter turns even a relation's bug on one snippet into a skipped row."""

from __future__ import annotations

import pytest

from metacompress.errors import InputError
from metacompress.relations import RELATIONS, get_relation
from metacompress.rewriting import Rewriter
from metacompress.tasks.base import Example

DEPTH = 1000  # past Python's recursion limit (1000 frames) for any walk that recurses per level


def c_like(expression: str) -> str:
    e = expression
    return (
        f"int f(int x, int y, int *a) {{ int z = {e}; int w = 1; z = {e}; w = {e}; if ({e} < y) {{ y = 1; }} "
        f"else {{ y = 2; }} while ({e} < y) {{ y--; }} for (int i = 0; i < y; i++) {{ y--; }} return {e}; }}"
    )


def python(expression: str) -> str:
    e = expression
    return (
        f"def f(x, y, a):\n    z = {e}\n    w = 1\n    z = {e}\n    if {e} < y:\n        y = 1\n    else:\n"
        f"        y = 2\n    for i in range(y):\n        y -= 1\n    return {e}\n"
    )


EXPRESSIONS = {
    "parentheses": "(" * DEPTH + "x" + ")" * DEPTH,
    "operator chain": " + ".join(["x"] * DEPTH * 5),
    "unary chain": "- " * DEPTH * 5 + "x",
    "subscripts": "a" + "[0]" * DEPTH * 5,
}
DEEP = [
    *((f"{kind} ({language})", language, c_like(e)) for kind, e in EXPRESSIONS.items() for language in ("java", "c")),
    *((f"{kind} (python)", "python", python(e)) for kind, e in EXPRESSIONS.items()),
    ("nested tuple target (python)", "python", python("x").replace("    w = 1\n", "    " + "(" * DEPTH + "w," + ")," * (DEPTH - 1) + ") = x\n")),
    ("nested blocks in a loop body (java)", "java", "int f(int y) { for (int i = 0; i < y; i++) { " + "{" * DEPTH + "y--;" + "}" * DEPTH + " } return y; }"),
    ("nested blocks in a loop body (c)", "c", "int f(int y) { for (int i = 0; i < y; i++) { " + "{" * DEPTH + "y--;" + "}" * DEPTH + " } return y; }"),
]
PAIRS = [(name, language) for name in RELATIONS.names() for language in ("java", "c", "python")]


def outcome(relation: str, code: str, language: str) -> str:
    """"applied", "not applicable: ..." or "input error: ..."; anything else fails the test."""
    try:
        rewrite = get_relation(relation).apply(code, language, seed=3)
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message and message, message
        return f"input error: {message}"
    return "applied" if rewrite.applied else f"not applicable: {rewrite.reason}"


@pytest.mark.parametrize("case,language,code", DEEP, ids=[case for case, _, _ in DEEP])
def test_deep_nesting_never_crashes_a_relation(case, language, code):
    for relation in RELATIONS.names():
        if language not in get_relation(relation).languages:
            continue
        result = outcome(relation, code, language)
        if result.startswith("input error"):
            assert "too deeply nested" in result, (relation, result)


def test_statements_too_deep_to_analyse_stay_put_and_others_still_move():
    deep = "(" * DEPTH + "x" + ")" * DEPTH
    code = f"int f(int x) {{\n    int z = {deep};\n    int a = 1;\n    int b = 2;\n    return z + a + b;\n}}\n"
    rewrite = get_relation("reorder-statements").apply(code, "c")
    assert rewrite.applied and "int b = 2;\n    int a = 1;" in rewrite.code


def test_python_too_deep_for_compile_is_an_input_error():
    code = python(" + ".join(["x"] * 20_000))
    for relation in ("insert-dead-code", "swap-if-else"):
        with pytest.raises(InputError, match="too deeply nested for Python's compile"):
            get_relation(relation).apply(code, "python")
    # a renaming needs no compile(): it is proven to compile wherever the original does
    # (code.same_tokens), and here neither does, so it rewrites without crashing
    rewrite = get_relation("rename-identifiers").apply(code, "python")
    assert rewrite.applied and rewrite.code.count("+") == code.count("+")


@pytest.mark.parametrize("relation,language", PAIRS)
def test_a_lone_surrogate_is_an_input_error(relation, language):
    code = {"java": "int f(int x) { return x; }", "c": "int f(int x) { return x; }", "python": "def f(x):\n    return x\n"}[language]
    broken = code.replace("x", "x\ud800", 1)
    with pytest.raises(InputError, match=f"not valid UTF-8: lone surrogate at character {broken.index(chr(0xD800))}$"):
        get_relation(relation).apply(broken, language)


def test_the_rewriter_records_bad_input_and_internal_errors_as_skipped_rows(monkeypatch):
    rewriter = Rewriter("c", seed=0)
    fine = "int f(int a) {\n    int b = a + 1;\n    return b;\n}\n"
    examples = [Example("0", (fine,)), Example("1", ("int f(int x\ud800) { return 0; }",))]
    bad = rewriter.rewrite_example(1, examples[1], "rename-identifiers", (0,))
    assert not bad.applied and bad.reason.startswith("bad input: ") and "lone surrogate" in bad.reason

    def broken(self, parsed, rng, options):
        raise ValueError("boom\nsecond line")

    monkeypatch.setattr(RELATIONS.get("swap-operands"), "_edits", broken)
    row = Rewriter("c", seed=0).rewrite_example(0, examples[0], "swap-operands", (0,))
    assert not row.applied and row.code == (fine,)
    assert row.reason == "internal error in swap-operands: ValueError: boom second line"
    still = Rewriter("c", seed=0).rewrite_example(0, examples[0], "rename-identifiers", (0,))
    assert still.applied


def test_the_rewriter_lets_interrupts_through(monkeypatch):
    def interrupted(self, parsed, rng, options):
        raise KeyboardInterrupt

    monkeypatch.setattr(RELATIONS.get("swap-operands"), "_edits", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Rewriter("c", seed=0).rewrite("swap-operands", "int f(int a) { return a < 1; }")
