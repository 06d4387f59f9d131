"""loop-exchange: for <-> while with continue, scope and reachability kept; run before/after."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from corpus_runner import run_programs, toolchain_missing

RELATION = "loop-exchange"


def exchanged(code: str, language: str, seed: int = 0) -> str:
    rewrite = transform(code, language, RELATION, seed=seed)
    assert rewrite.applied, rewrite.reason
    return rewrite.code


def reason(code: str, language: str) -> str:
    rewrite = transform(code, language, RELATION)
    assert not rewrite.applied and rewrite.code == code
    return rewrite.reason


# --- Java and C: for -> while ----------------------------------------------------------------


def test_c_continue_runs_the_update_but_not_in_nested_loops():
    code = (
        "void f(int n) {\n"
        "    for (int i = 0; i < n; i++) {\n"
        "        switch (i) { case 1: continue; }\n"
        "        for (int j = 0; j < 2; j++) { continue; }\n"
        "        while (n) continue;\n"
        "        if (i) continue;\n"
        "    }\n"
        "}\n"
    )
    # seeds differ in which loop they pick; find the outer one
    outer = next(
        out for seed in range(20) if "int i = 0;\n    while (i < n) {" in (out := exchanged(code, "c", seed))
    )
    assert outer == (
        "void f(int n) {\n"
        "    int i = 0;\n"
        "    while (i < n) {\n"
        "        switch (i) { case 1: { i++; continue; } }\n"
        "        for (int j = 0; j < 2; j++) { continue; }\n"
        "        while (n) continue;\n"
        "        if (i) { i++; continue; }\n"
        "        i++;\n"
        "    }\n"
        "}\n"
    )


def test_init_keeps_its_scope_with_braces_when_the_name_is_used_again():
    code = "int f(int n) {\n  int s = 0;\n  for (int i = 0; i < n; i++) s += i;\n  int i = 7;\n  return s + i;\n}\n"
    assert "  { int i = 0; while (i < n) { s += i; i++; } }\n  int i = 7;" in exchanged(code, "c")
    nested = "int f(int n) {\n  if (n) for (i = 0; i < n; i++)\n    n--;\n  return n;\n}\n"
    assert "if (n) { i = 0; while (i < n) {\n    n--;\n    i++;\n  } }" in exchanged(nested, "c")


def test_empty_condition_becomes_true_and_missing_update_needs_nothing():
    assert "while (1) { if (x) break; }" in exchanged("void f(int x) { for (;;) { if (x) break; } }", "c")
    java = "class A { void f(boolean x) { for (;;) { if (x) break; } } }"
    assert "while (true) { if (x) break; }" in exchanged(java, "java")


def test_java_labelled_continue_and_label_stays_on_the_loop():
    code = (
        "class A { int f(int n) {\n"
        "  int s = 0;\n"
        "  outer:\n"
        "  for (int i = 0; i < n; i++) {\n"
        "    for (String t : names) { if (t == null) continue outer; s++; }\n"
        "  }\n"
        "  return s;\n"
        "} }\n"
    )
    out = exchanged(code, "java")
    assert "int i = 0;\n  outer:\n  while (i < n) {" in out
    assert "if (t == null) { i++; continue outer; }" in out
    assert out.count("i++;") == 2


def test_java_no_update_after_a_body_that_cannot_complete():
    code = "class A { int f(int n) { for (int i = 0; i < n; i++) { if (i > 2) continue; return i; } return -1; } }"
    out = exchanged(code, "java")
    assert "while (i < n) { if (i > 2) { i++; continue; } return i; }" in out


def test_loops_left_alone_with_reasons():
    undecidable = "class A { void f(int n, boolean b) { for (int i = 0; i < n; i++) { do { } while (b); } } }"
    assert "completes normally" in reason(undecidable, "java")
    finally_ = "class A { void f(int n) { for (int i = 0; i < n; i++) { try { continue; } finally { g(i); } } } }"
    assert "try/finally" in reason(finally_, "java")
    shadow = "void f(int n) { for (int i = 0; i < n; i += step) { int step = 2; n -= step; } }"
    assert "declares step" in reason(shadow, "c")
    macro = "void f(int n) { for (int i = 0; i < n; i++) { CHECK(i); } }"
    assert "macro" in reason(macro, "c")
    assert "enhanced for" in reason("class A { void f(int[] xs) { for (int x : xs) { } } }", "java")
    assert "no for or while loop" in reason("int f(void) { return 1; }", "c")


def test_error_regions_block_for_loops():
    code = "void f(int n) {\n  for (int i = 0; i < n; i++) { FOO(i) BAR baz; }\n}\n"
    assert "parse error" in reason(code, "c")


# --- while -> for ----------------------------------------------------------------------------


def test_while_becomes_for_keeping_the_body():
    assert exchanged("void f(int n) { while (n > 0) /* c */ n--; }", "c") == "void f(int n) { for (; n > 0;) /* c */ n--; }"
    java = "class A { void f(int n) { while (n-- > 0) { g(); } } }"
    assert "for (; n-- > 0;) { g(); }" in exchanged(java, "java")


# --- Python ----------------------------------------------------------------------------------


def test_python_for_becomes_exact_while():
    code = "def f(xs):\n    s = 0\n    for x in xs:\n        if x:\n            continue\n        s += 1\n    return s\n"
    out = exchanged(code, "python")
    iterator = out.split(" = iter(xs)")[0].split()[-1]
    assert iterator.startswith("_it")
    assert out == (
        "def f(xs):\n    s = 0\n"
        f"    {iterator} = iter(xs)\n"
        "    while True:\n"
        "        try:\n"
        f"            x = next({iterator})\n"
        "        except StopIteration:\n"
        "            break\n"
        "        if x:\n            continue\n        s += 1\n    return s\n"
    )


def test_python_patterns_inline_bodies_and_tuples():
    out = exchanged("for a, b in 1, 2:  print(a)\n", "python")
    assert "= iter((1, 2))\nwhile True:\n    try:\n" in out
    assert "    a, b = _item" in out and "\n    print(a)\n" in out
    compile(out, "<test>", "exec")


@pytest.mark.parametrize(
    "code, why",
    [
        ("for x in y:\n    pass\nelse:\n    pass\n", "else"),
        ("class K:\n    for x in y:\n        pass\n", "class body"),
        ("next = 3\nfor x in y:\n    pass\n", "rebinds"),
        ("async def f():\n    async for x in y:\n        pass\n", "async"),
        ("while x:\n    x -= 1\n", "no for loop"),
    ],
)
def test_python_loops_left_alone(code, why):
    assert why in reason(code, "python")


def test_deterministic_and_seeds_differ():
    code = "void f(int n) { for (int i = 0; i < n; i++) n--; while (n) n--; for (;;) break; }"
    outputs = {exchanged(code, "c", seed) for seed in range(10)}
    assert len(outputs) > 1
    assert exchanged(code, "c", 4) == exchanged(code, "c", 4)


# --- behaviour -------------------------------------------------------------------------------

C_PROGRAM = """#include <stdio.h>
int main(void) {
    int s = 0, k, m;
    for (int i = 0; i < 12; i++) {
        switch (i % 4) { case 0: continue; case 1: s += 3; break; default: s += i; }
        for (int j = 0; j < i; j++) { if (j % 2) continue; s += j; }
        if (s > 1000) break;
        s++;
    }
    for (k = 0, m = 5; k < m; k++, m--) s += k * m;
    int n = 10;
    while (n > 0) { n -= 3; if (n == 4) continue; s -= n; }
    for (;;) { if (++n > 5) break; }
    printf("%d %d %d %d\\n", s, k, m, n);
    return 0;
}
"""

JAVA_PROGRAM = """public class Main {
    static int run(int n) {
        int s = 0;
        outer:
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (j > i) continue outer;
                if ((i + j) % 3 == 0) continue;
                s += i * j;
            }
            switch (i % 3) { case 0: continue; default: s++; }
        }
        for (int i = 0; i < n; i++) { if (i == 5) return s + i; }
        int k = n;
        while (k > 0) k -= 2;
        return s + k;
    }
    public static void main(String[] args) {
        System.out.println(run(4));
        System.out.println(run(9));
    }
}
"""

PYTHON_PROGRAM = """def run(rows):
    total = 0
    for i, row in enumerate(rows):
        if not row:
            continue
        for x in row:
            if x < 0:
                break
            total += x * i
    for c in "ab": total += ord(c)
    seen = []
    for item in iter([3, 1, 2]):
        seen.append(item)
    return total, seen, i, x

print(run([[1, 2], [], [3, -1, 5], [4]]))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "language, name, program",
    [("c", "main.c", C_PROGRAM), ("java", "Main.java", JAVA_PROGRAM), ("python", "main.py", PYTHON_PROGRAM)],
)
def test_rewrites_run_like_the_original(language, name, program):
    missing = toolchain_missing(language)
    if missing:
        pytest.skip(missing)
    variants = {"original": (name, program)}
    for seed in range(12):
        variants[f"seed{seed}"] = (name, exchanged(program, language, seed))
    assert len({code for _, code in variants.values()}) >= 4
    outcomes = run_programs(language, variants)
    expected = outcomes.pop("original")
    assert expected.status == "exit 0", expected.status
    for key, outcome in outcomes.items():
        assert outcome == expected, (key, variants[key][1])


# --- Java reachability (completion.py) -------------------------------------------------------


@pytest.mark.parametrize(
    "body, completes",
    [
        ("{ x = 1; }", True),
        ("{ if (a) return; }", True),
        ("{ if (a) return; else throw e; }", False),
        ("{ while (true) { for (;;) break; } }", False),
        ("{ L: while (true) { for (;;) break L; } }", True),
        ("{ for (int j = 0; j < n; j++) { } }", True),  # j is not final: not a constant
        ("{ while (FLAG) { } }", None),  # FLAG may be a constant variable
        ("{ switch (n) { case 1: return; default: return; } }", False),
        ("{ switch (n) { case 1: break; default: return; } }", True),
        ("{ try { return; } catch (RuntimeException e) { } }", True),
        ("{ try { } finally { return; } }", False),
    ],
)
def test_java_can_complete_normally(body, completes):
    from metacompress.code.completion import can_complete
    from metacompress.code.parsing import ParsedCode

    parsed = ParsedCode.parse("class A { void f(int n, boolean a) " + body + " }", "java")
    block = parsed.root.children[0].child_by_field_name("body").named_children[0].child_by_field_name("body")
    assert can_complete(block) is completes


def test_java_body_ending_in_a_nested_loop_gets_the_update():
    code = "class A { void f(int n) { for (int i = 0; i < n; i++) { for (int j = 0; j < i; j++) { } } } }"
    outputs = {exchanged(code, "java", seed) for seed in range(8)}
    assert any("while (i < n) { for (int j = 0; j < i; j++) { } i++; }" in out for out in outputs)
