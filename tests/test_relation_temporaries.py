"""return-temporary: returns through a fresh temporary of the declared return type."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "return-temporary"

JAVA = """\
import java.util.*;
import java.util.function.*;

public class Temps {
    static <T> List<T> twice(T x) {
        if (x == null) return Collections.emptyList();
        return Arrays.asList(x, x);
    }

    static double half(int n) { return n / 2; }

    static Integer boxed(boolean b) {
        return b ? 1 : null;
    }

    static IntUnaryOperator adder(int k) {
        return x -> x + k;
    }

    static long widen(int n) {
        switch (n) {
            case 0: return n - 1;
            default:
                return (long) n * Integer.MAX_VALUE;
        }
    }

    static byte small() { return 100; }

    public static void main(String[] args) {
        Supplier<String> s = () -> { return "lambda"; };
        System.out.println(twice("a") + " " + twice(null) + " " + half(7) + " " + boxed(true) + " " + boxed(false));
        System.out.println(adder(3).applyAsInt(4) + " " + widen(0) + " " + widen(3) + " " + small() + " " + s.get());
    }
}
"""

C = """\
#include <stdio.h>

static const char *names[] = {"zero", "one"};

static const char *name(int i) {
    if (i < 0) return "negative";
    return names[i & 1];
}

static unsigned char wrap(int v) { return v + 250; }

static double ratio(int a, int b) {
    switch (a) {
    case 0: return -1;
    default:
        break;
    }
out:
    return (double) a / b;
}

static int (*pick(void))(int) { return 0; }

int main(void) {
    printf("%s %s %s %u %.3f %.3f %d\\n", name(-1), name(2), name(3), wrap(10), ratio(0, 1), ratio(1, 3), pick() == 0);
    return 0;
}
"""

PYTHON = '''\
def gen(n):
    yield n
    return n * 2


def pair(a, b):
    if a > b: return b, a
    return (
        a,
        b,
    )


def spread(xs):
    try:
        return [*xs, 0]
    finally:
        xs.append(9)


def seen():
    x = 1
    return sorted(locals())


g = gen(3)
next(g)
try:
    next(g)
except StopIteration as stop:
    print(stop.value)
items = [1]
print(pair(2, 1), pair(1, 2), spread(items), items, seen())
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(16))
    assert len(rewritten) >= 4
    assert_same_behaviour(language, program, rewritten, tmp_path)


def test_java_lambda_void_and_old_array_returns_are_left_alone() -> None:
    code = "class A {\n    void f() { Supplier<Integer> s = () -> { return 1; }; return; }\n    int g()[] { return null; }\n}\n"
    rewrite = transform(code, "java", RELATION)
    assert not rewrite.applied and rewrite.reason


def test_c_types_that_cannot_be_written_are_left_alone() -> None:
    for code in (
        "int (*pick(void))(int) { return 0; }",
        "struct S { int x; } mk(void) { return s; }",
        "static av_always_inline int m(void) { return 1; }",
        "void v(void) { return; }",
    ):
        assert not transform(code, "c", RELATION).applied, code


def test_c_pointer_type_and_braces_after_a_label() -> None:
    code = "static const char **f(int a) {\n    switch (a) { case 1: return g(); }\n    return 0;\n}\n"
    outputs = {transform(code, "c", RELATION, seed=s).code for s in range(10)}
    assert any("case 1: { const char ** " in out for out in outputs)
    assert any("\n    const char ** " in out for out in outputs)


def test_python_one_line_body_and_introspection() -> None:
    rewrite = transform("def f(a):\n    if a: return a\n    return locals()\n", "python", RELATION)
    assert not rewrite.applied
    rewrite = transform("def f(a):\n    if a: return a, 1\n", "python", RELATION)
    assert rewrite.applied and "if a: " in rewrite.code and "; return " in rewrite.code


def test_fresh_name_is_not_in_the_text() -> None:
    code = "def f(result0, ret0, res0, out0, value0):\n    return result0\n"
    for seed in range(10):
        rewrite = transform(code, "python", RELATION, seed=seed)
        new_name = rewrite.code.split("\n")[1].split(" = ")[0].strip()
        assert new_name not in code


def test_c_preprocessor_inside_a_statement_is_left_alone() -> None:
    code = "int f(int a) {\n    return\n#ifdef X\n        a;\n#else\n        -a;\n#endif\n}\n"
    assert not transform(code, "c", RELATION).applied
    code = "void f(int x) {\n    x +=\n#ifdef X\n        1\n#else\n        2\n#endif\n        ;\n}\n"
    for relation in ("expand-compound-assignment", "increment-form"):
        rewrite = transform(code, "c", relation)
        assert not rewrite.applied or "#ifdef X\n        1\n#else\n        2\n#endif" in rewrite.code
