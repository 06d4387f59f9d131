"""expand-compound-assignment: x op= e -> x = x op (e) only where no narrowing, aliasing or sequencing differs."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "expand-compound-assignment"

JAVA = """\
public class Compound {
    static String log = "";
    static int calls = 0;

    static int next() { return ++calls; }

    static long run(int n, long big, double d, float f) {
        int acc = 1;
        byte small = 120;
        acc += n * 3;
        acc *= 2 + n;
        acc -= next();
        small += 10;
        big <<= n;
        big += acc;
        d /= n + 0.5;
        f -= big;
        log += n + 1;
        log += "|" + acc;
        boolean flag = n > 2;
        flag ^= acc > 10;
        Integer boxed = 5;
        boxed += n;
        for (int i = 0; i < n; i += 2) acc %= 1000;
        return acc + small + big + (long) d + (long) f + boxed + (flag ? 1 : 0);
    }

    public static void main(String[] args) {
        System.out.println(run(3, 7L, 2.5, 1.25f) + " " + run(5, -1L, 9.0, 0.5f) + " " + log);
    }
}
"""

C = """\
#include <stdio.h>

static int calls = 0;
static int next(void) { return ++calls; }

static int run(int n, const int *p) {
    int acc = 1;
    unsigned char small = 250;
    double d = 1.5;
    _Bool flag = 0;
    acc += n * 3;
    acc *= 2 + n;
    acc -= next();
    small += 10;
    d /= n + 0.5;
    flag += 2;
    p += 1;
    for (int i = 0, j = 9; i < n; i += 2, j -= 3) acc ^= j;
    return acc + small + (int) d + flag + *p;
}

int main(void) {
    int data[] = {4, 5, 6};
    printf("%d %d\\n", run(3, data), run(5, data + 1));
    return 0;
}
"""

PYTHON = '''\
def run(xs):
    total = 0
    text = "a"
    parts = []
    alias = parts
    parts += xs
    for i in range(len(xs)):
        total += i * 2
        text += str(i)
    count = len(xs)
    count -= 1
    count **= 2
    ratio = 1.0
    ratio /= 3 + 1
    return total, text, parts, alias, count, ratio


print(run([3, 4, 5]))
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(20))
    assert len(rewritten) >= 4
    assert_same_behaviour(language, program, rewritten, tmp_path)


def sites(code: str, language: str, seeds: int = 30) -> set[str]:
    found = set()
    for seed in range(seeds):
        rewrite = transform(code, language, RELATION, seed=seed)
        found.update(site.description for site in rewrite.sites)
    return found


def test_java_narrowing_is_never_expanded() -> None:
    code = "class A { void f(int k, long L, byte b, char c, short s, float fl, double d) { b += 1; c += 1; s -= 1; k += L; fl += d; k += 1.5; k += g(); } }"
    assert not transform(code, "java", RELATION).applied


def test_java_expands_where_the_type_is_known_and_wide_enough() -> None:
    code = "class A { String s; void f(int k, long L, double d) { s += 1 + 2; L -= k; d *= k + 1; k += (int) L; } }"
    assert sites(code, "java") == {"s += 1 + 2 -> s = s + (1 + 2)", "L -= k -> L = L - k", "d *= k + 1 -> d = d * (k + 1)",
                                   "k += (int) L -> k = k + ((int) L)"}


def test_java_unknown_types_are_skipped_and_same_names_resolved_per_scope() -> None:
    code = "class A { void f() { total += 1; } void g(int x) { x += 1L; } void h(long x) { x += 1L; } }"
    assert sites(code, "java") == {"x += 1L -> x = x + 1L"}


def test_value_position_is_skipped() -> None:
    assert not transform("class A { void f(int x) { int y = (x += 1); } }", "java", RELATION).applied
    assert not transform("void f(int x) { g(x += 1); }", "c", RELATION).applied


def test_c_side_effects_macros_and_volatile_are_skipped() -> None:
    assert not transform("void f(int x) { x += g(); x += y++; }", "c", RELATION).applied
    assert not transform("void f(void) { COUNT += 1; }", "c", RELATION).applied
    assert not transform("volatile int v; void f(void) { v += 1; }", "c", RELATION).applied
    assert not transform("void f(int *p) { *p += 1; a[i] += 2; s.x += 1; }", "c", RELATION).applied


def test_python_only_numbers_and_strings() -> None:
    code = "def f(xs, n):\n    parts = []\n    parts += xs\n    n += 1\n    k = 0\n    for x in xs:\n        k += x\n"
    assert not transform(code, "python", RELATION).applied
    code = "def f():\n    k = 0\n    def g():\n        nonlocal k\n        k = []\n    k += 1\n"
    assert not transform(code, "python", RELATION).applied
    code = "from lib import *\ndef f(xs):\n    n = len(xs)\n    n += 1\n"
    assert not transform(code, "python", RELATION).applied
    code = "def f(xs):\n    n = len(xs)\n    n -= 2 - 1\n    return n\n"
    assert transform(code, "python", RELATION).code == "def f(xs):\n    n = len(xs)\n    n = n - (2 - 1)\n    return n\n"


def test_python_class_bodies_are_skipped() -> None:
    assert not transform("class A:\n    n = 0\n    n += 1\n", "python", RELATION).applied


def test_java_types_are_resolved_by_scope() -> None:
    # the second ``x`` is the (undeclared, maybe byte) field, not the block's int local
    code = "class A { void f() { { int x = 0; x += 1L; } x += 1; } }"
    assert sites(code, "java") == set()
    code = "class A { byte x; void f() { { int x = 0; x += 2; } x += 1; } }"
    assert sites(code, "java") == {"x += 2 -> x = x + 2"}
    # a field use is trusted only when no local anywhere shares the name
    code = "class A { long x; void f() { x += 1; } void g(int x) { x += 3; } }"
    assert sites(code, "java") == {"x += 3 -> x = x + 3"}
    assert sites("class A { long x; void f() { x += 1; } }", "java") == {"x += 1 -> x = x + 1"}


def test_deep_expressions_are_unknown_not_a_crash() -> None:
    terms = " + ".join(["1"] * 3000)
    python = f"def f():\n    x = {terms}\n    x += 1\n    return x\n"
    java = "class A { void f(int i) { int x = 0; x += " + " + ".join(["i"] * 3000) + "; } }"
    for relation in ("expand-compound-assignment", "contract-compound-assignment", "increment-form", "ternary-to-if"):
        assert not transform(python, "python", relation).applied
        assert not transform(java, "java", relation).applied
