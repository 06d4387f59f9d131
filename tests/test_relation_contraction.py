"""contract-compound-assignment: x = x op e -> x op= e where the implicit cast and in-place operators are moot."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "contract-compound-assignment"

JAVA = """\
public class Contract {
    static String log = "";
    static int calls = 0;

    static int next() { return ++calls; }

    static String run(int n, long big, double d) {
        int acc = 1;
        acc = acc + n * 3;
        acc = acc - next();
        acc = acc * (2 + n);
        big = big << n;
        d = d / (n + 0.5);
        log = log + n + 1;
        boolean flag = n > 2;
        flag = flag ^ acc > 10;
        Integer boxed = 5;
        boxed = boxed + n;
        acc = acc - 1 - n;
        for (int i = 0; i < n; i = i + 2) acc = acc % 1000;
        return acc + " " + big + " " + d + " " + flag + " " + boxed;
    }

    public static void main(String[] args) {
        System.out.println(run(3, 7L, 2.5));
        System.out.println(run(5, -1L, 9.0) + " " + log);
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
    acc = acc + n * 3;
    acc = acc - next();
    small = small + 10;
    p = p + 1;
    for (int i = 0, j = 9; i < n; i = i + 2, j = j - 3) acc = acc ^ j;
    return acc + small + *p;
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
    parts = parts + xs
    for i in range(len(xs)):
        total = total + i * 2
        text = text + "b"
    count = len(xs)
    count = count ** 2 ** 2
    return total, text, parts, alias, count


print(run([3, 4, 5]))
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(20))
    assert len(rewritten) >= 3
    assert_same_behaviour(language, program, rewritten, tmp_path)


def sites(code: str, language: str, seeds: int = 30) -> set[str]:
    found = set()
    for seed in range(seeds):
        rewrite = transform(code, language, RELATION, seed=seed)
        found.update(site.description for site in rewrite.sites)
    return found


def test_only_the_left_operand_of_the_top_operator() -> None:
    code = "void f(int x) { x = x - a - b; x = a + x; x = x * a + b; x = x + a * b; }"
    assert sites(code, "c") == {"x = x + a * b -> x += a * b"}


def test_java_needs_a_known_type() -> None:
    assert sites("class A { void f() { total = total + 1; } }", "java") == set()
    assert sites("class A { Object o; void f() { o = o + \"s\"; } }", "java") == set()
    assert sites("class A { void f(String s, double d) { s = s + 1; d = d << 1; } }", "java") == {"s = s + 1 -> s += 1"}


def test_c_side_effects_and_value_positions_are_skipped() -> None:
    assert sites("void f(int x) { x = x + g(); y = (x = x + 1); MAXV = MAXV + 1; *p = *p + 1; }", "c") == set()


def test_python_only_numbers_and_strings() -> None:
    assert sites("def f(xs):\n    xs = xs + [1]\n", "python") == set()
    assert sites("def f():\n    n: int = 0\n    n = n + 1\n", "python") == set()
    assert sites("def f():\n    n = 0\n    n = n ** 2 ** 2\n", "python") == {"n = n ** 2 ** 2 -> n **= 2 ** 2"}
