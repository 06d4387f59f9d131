"""split-declarations: one declaration per variable, C declarators and Java modifiers kept."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "split-declarations"

JAVA = """\
public class Splits {
    private static int base = 2, twice = base * 2;

    static int run(int n) {
        int a = n, b = a + 1, c[] = {a, b};
        final long x = 1L << n, y = x - 1;
        for (int i = 0, j = n; i < j; i++, j--) a += i * j;
        return a + b + c.length + (int) (x ^ y) + twice;
    }

    public static void main(String[] args) {
        System.out.println(run(3) + " " + run(5));
    }
}
"""

C = """\
#include <stdio.h>

static int square(int v) { return v * v; }
static int calls = 0, *last = &calls;

static int run(int n) {
    int a = n, *p = &a, arr[3] = {1, 2, 3}, (*fp)(int) = square;
    static int counter, seen = 7;
    unsigned char small = 250, more = small + 10;
    struct { int q; } u, v;
    u.q = 1; v.q = 2;
    counter += n;
    *last = counter;
    return *p + arr[n % 3] + fp(n) + more + u.q + v.q + seen + counter;
}

int main(void) {
    printf("%d %d %d\\n", run(3), run(5), calls);
    return 0;
}
"""

PYTHON = '''\
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def pairs():
    x, y = 10, -3
    s, t = "s", None  # comment
    y, z = x, 2
    return x, y, z, s, t


print(fib(10), pairs())
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(16))
    assert len(rewritten) >= 3
    assert_same_behaviour(language, program, rewritten, tmp_path)


def test_c_declarators_keep_their_own_syntax() -> None:
    code = "void f() { int a = 1, *b, (*fp)(int), c[3] = {1}; }"
    assert transform(code, "c", RELATION).code == "void f() { int a = 1; int *b; int (*fp)(int); int c[3] = {1}; }"


def test_types_defined_in_place_and_for_headers_are_not_split() -> None:
    for code in (
        "struct S { int x; } s1, s2;",
        "void f() { struct { int q; } u, v; }",
        "void f() { enum { A, B } e1, e2; }",
        "void f() { for (int i = 0, j = 1; i < j; i++) {} }",
        "void f() { __typeof__(x) a, b; }",
        "int f(a, b) int a, b; { return a; }",
    ):
        assert not transform(code, "c", RELATION).applied, code
    assert not transform("class A { void f() { for (int i = 0, j = 0;;) {} } }", "java", RELATION).applied


def test_java_modifiers_and_annotations_are_repeated() -> None:
    code = "class A { @Deprecated private static int x = 1, y = x + 1; }"
    assert transform(code, "java", RELATION).code == "class A { @Deprecated private static int x = 1; @Deprecated private static int y = x + 1; }"


def test_python_only_independent_literal_or_name_values() -> None:
    assert transform("a, b = 1, x\n", "python", RELATION).code == "a = 1\nb = x\n"
    for code in ("a, b = b, a\n", "a, b = 1, f()\n", "a, a = 1, 2\n", "a, b = -1, f'{a}'\n", "if q: a, b = 1, 2\n",
                 "a, b = 1, \\\n    2\n", "(a, b) = 1, 2\n", "a, *b = 1, 2\n"):
        assert not transform(code, "python", RELATION).applied, code


def test_python_keeps_indentation_and_trailing_comment() -> None:
    code = "def f():\n    a, b = 'k', None  # c\n    return a, b\n"
    assert transform(code, "python", RELATION).code == "def f():\n    a = 'k'\n    b = None  # c\n    return a, b\n"


def test_preprocessor_or_comment_before_a_declarator_is_skipped() -> None:
    assert not transform("void f() {\n    int a,\n#ifdef X\n        b,\n#endif\n        c;\n}\n", "c", RELATION).applied
    assert not transform("void f() { int /* c */ a, b; }", "c", RELATION).applied
    assert transform("void f() { int a, /* c */ b; }", "c", RELATION).code == "void f() { int a; /* c */ int b; }"
