"""swap-operands: mirrored comparisons, only where evaluation order cannot matter."""

from __future__ import annotations

import pytest

from metacompress.relations import transform
from metacompress.code.effects import can_swap_evaluation, is_side_effect_free
from metacompress.code.parsing import ParsedCode, walk

from relation_exec import assert_same_behaviour, variants

RELATION = "swap-operands"

JAVA = """\
public class Mirror {
    static int calls = 0;

    static int next() {
        return ++calls;
    }

    public static void main(String[] args) {
        int[] xs = {3, 1, 4, 1, 5};
        int count = 0;
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] >= 3 == i <= 2) count++;
            if ((i < 2) != (xs[i] > 1)) count += 10;
        }
        int k = 0;
        while (k++ < 3 && next() <= 2) count += 100;
        boolean nested = 1 < 2 == 3 > 4;
        double nan = Double.NaN;
        System.out.println(count + " " + calls + " " + nested + " " + (nan < 1.0) + " " + (xs.length / 2 > 1));
    }
}
"""

C = """\
#include <stdio.h>

static int calls;

static int next(void) {
    return ++calls;
}

int main(void) {
    int xs[] = {3, 1, 4, 1, 5};
    int count = 0, k = 0;
    for (int i = 0; i < 5; i++) {
        if (xs[i] >= 3 == i <= 2) count++;
        if (i < 2 < xs[i]) count += 10;
    }
    while (k++ < 3 && next() <= 2) count += 100;
    int a = 5, b = 7;
    int *p = &a;
    printf("%d %d %d %d\\n", count, calls, *p != b, a - 1 >= b >> 1);
    return 0;
}
"""

PYTHON = '''\
def scan(xs):
    count = 0
    for i, x in enumerate(xs):
        if x >= 3:
            count += 1
        if i < 2 < x:
            count += 10
        if (i <= 2) == (x != 1):
            count += 100
    return count


xs = [3, 1, 4, 1, 5]
seen = []
print(scan(xs), len(xs) > 2, xs[0] == 3, -xs[1] < 0, xs is not seen, 1 in xs, f"{len(xs) > 1}")
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(16))
    assert len(rewritten) >= 3, "different seeds should choose different comparisons"
    assert_same_behaviour(language, program, rewritten, tmp_path)


@pytest.mark.parametrize(
    "language, before, after",
    [
        ("c", "int f() { return a < b; }", "int f() { return b > a; }"),
        ("c", "int f() { return a<=b; }", "int f() { return b>=a; }"),
        ("java", "boolean f() { return a >= -b; }", "boolean f() { return -b <= a; }"),
        ("java", "boolean f() { return x != y.z; }", "boolean f() { return y.z != x; }"),
        ("python", "ok = a > b + 1\n", "ok = b + 1 < a\n"),
        ("python", "ok = a == b\n", "ok = b == a\n"),
    ],
)
def test_mirrors_the_operator(language: str, before: str, after: str) -> None:
    assert transform(before, language, RELATION).code == after


def test_same_level_left_operand_gets_parentheses() -> None:
    assert transform("int f() { return a < b < c; }", "c", RELATION, seed=1).code in (
        "int f() { return c > (a < b); }",
        "int f() { return b > a < c; }",
    )
    assert transform("boolean f() { return a == b != c; }", "java", RELATION, seed=0).code in (
        "boolean f() { return c != (a == b); }",
        "boolean f() { return b == a != c; }",
    )


@pytest.mark.parametrize(
    "language, code",
    [
        ("java", "boolean f() { return i++ < n; }"),
        ("java", "boolean f() { return next() < n; }"),
        ("java", "boolean f() { return new A() == a; }"),
        ("java", "boolean f() { return (x = 3) == y; }"),
        ("java", "boolean f() { return a[i] < b[j]; }"),
        ("java", 'boolean f() { return s + "x" == t; }'),
        ("c", "int f() { return --i >= 0; }"),
        ("c", "int f() { return g(x) == 0; }"),
        ("c", "int f() { assert(a < b); }"),
        ("c", "int f() { return MAX < LIMIT; }"),
        ("c", "volatile int v, w; int f() { return v < w; }"),
        ("python", "ok = a < b < c\n"),
        ("python", "ok = a is b\n"),
        ("python", "ok = a not in b\n"),
        ("python", "ok = f(a) < b\n"),
        ("python", "ok = (n := 3) < b\n"),
        ("python", "ok = a.x < b[0]\n"),
        ("python", 'ok = f"{a < b=}"\n'),
        ("python", "ok = x == x\n"),
        ("python", "ok = [y for y in it] == b\n"),
    ],
)
def test_not_applicable_when_order_or_text_could_matter(language: str, code: str) -> None:
    for seed in range(4):
        rewrite = transform(code, language, RELATION, seed=seed)
        assert not rewrite.applied, rewrite.code
        assert rewrite.code == code


def test_async_and_generators_are_effects() -> None:
    code = "async def f(a):\n    return await a < 1\n\ndef g():\n    x = (yield) == 2\n"
    assert not transform(code, "python", RELATION).applied


def test_error_regions_are_skipped() -> None:
    code = "int f() {\n    FOO(a < b) BAR\n    return c < d;\n}\n"
    for seed in range(5):
        rewrite = transform(code, "c", RELATION, seed=seed)
        assert rewrite.applied
        assert "return d > c;" in rewrite.code and "FOO(a < b) BAR" in rewrite.code


def test_java_generics_are_not_comparisons() -> None:
    code = "void f() { List<String> xs = new ArrayList<>(); Map<K, V> m = null; }"
    assert not transform(code, "java", RELATION).applied


def test_deterministic_and_seeds_differ() -> None:
    code = "int f() { return a < b && c > d && e <= f && g != h; }"
    runs = [transform(code, "c", RELATION, seed=seed).code for seed in range(12)]
    assert runs == [transform(code, "c", RELATION, seed=seed).code for seed in range(12)]
    assert len(set(runs)) == 4


def _first(parsed: ParsedCode, kind: str):
    return next(node for node in walk(parsed.root) if node.type == kind)


def test_effects_module() -> None:
    parsed = ParsedCode.parse("int f() { return g(x) + y[i] / z - w; }", "c")
    call = _first(parsed, "call_expression")
    subscript = _first(parsed, "subscript_expression")
    assert not is_side_effect_free(call, "c")
    assert is_side_effect_free(subscript, "c")
    java = ParsedCode.parse("boolean f() { return a[i] < b.c && x / y < z; }", "java")
    pairs = [node.named_children for node in walk(java.root) if node.type == "binary_expression" and node.child_by_field_name("operator").type == "<"]
    assert not can_swap_evaluation(pairs[0][0], pairs[0][1], "java")  # both may throw
    assert can_swap_evaluation(pairs[1][0], pairs[1][1], "java")  # only x / y may throw
