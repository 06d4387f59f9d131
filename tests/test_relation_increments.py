"""increment-form: i++ / ++i / i += 1 / i = i + 1 in statement position, by type."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "increment-form"

JAVA = """\
public class Steps {
    static String s = "s";

    static int run(int n) {
        int acc = 0;
        byte b = 127;
        char c = 'a';
        Integer boxed = 3;
        Character letter = 'x';
        long big = 1L << 40;
        for (int i = 0; i < n; i++) acc += i;
        for (int i = n, j = 0; i > 0; i--, j += 1) acc = acc + j;
        b++;
        --c;
        boxed++;
        letter++;
        big = big - 1;
        s += 1;
        int y = acc++;
        acc = acc + 1;
        return acc + y + b + c + boxed + letter + (int) (big % 1000);
    }

    public static void main(String[] args) {
        System.out.println(run(4) + " " + run(7) + " " + s);
    }
}
"""

C = """\
#include <stdio.h>

static int run(int n, const char *p) {
    int acc = 0, y;
    _Bool flag = 1;
    unsigned char u = 255;
    double d = 0.5;
    for (int i = 0, j = 0; i < n; i++, j -= 1) acc += i - j;
    p++;
    flag++;
    u += 1;
    d = d - 1;
    y = acc++;
    --acc;
    while (n-- > 0) acc = acc + 1;
    return acc + y + *p + flag + u + (int) (d * 10);
}

int main(void) {
    printf("%d %d\\n", run(3, "abc"), run(6, "xyz"));
    return 0;
}
"""

PYTHON = '''\
def run(xs):
    count = 0
    total = 0.5
    for i in range(len(xs)):
        count += 1
        total = total - 1
    items = []
    items += [1]
    return count, total, items


print(run("abcd"))
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(24))
    assert len(rewritten) >= (2 if language == "python" else 3)
    assert_same_behaviour(language, program, rewritten, tmp_path)


def sites(code: str, language: str, seeds: int = 40) -> set[str]:
    found = set()
    for seed in range(seeds):
        rewrite = transform(code, language, RELATION, seed=seed)
        found.update(site.description for site in rewrite.sites)
    return found


def test_java_forms_follow_the_declared_type() -> None:
    assert sites("class A { void f(byte b) { b++; } }", "java") == {"b++ -> ++b", "b++ -> b += 1"}
    assert sites("class A { void f(Character c) { c++; } }", "java") == {"c++ -> ++c"}
    assert sites("class A { void f(long k) { k -= 1; } }", "java") == {"k -= 1 -> k--", "k -= 1 -> --k", "k -= 1 -> k = k - 1"}
    # unknown types: only prefix/postfix, and the long form may only get shorter
    assert sites("class A { void f() { x++; s += 1; t = t + 1; } }", "java") == {"x++ -> ++x", "t = t + 1 -> t += 1"}


def test_value_positions_are_left_alone() -> None:
    assert not transform("void f(int i) { a[i++] = 0; g(++i); int y = i--; }", "c", RELATION).applied
    assert not transform("class A { void f(int i) { int y = i++; } }", "java", RELATION).applied


def test_only_plain_names_and_steps_of_one() -> None:
    assert not transform("void f(int *p) { (*p)++; s.x++; a[0]++; x += 2; x = x + 1.0; x = 1 + x; }", "c", RELATION).applied
    assert not transform("void f(void) { COUNT++; }", "c", RELATION).applied


def test_python_needs_immutable_values() -> None:
    assert not transform("def f(xs):\n    xs += 1\n", "python", RELATION).applied
    assert not transform("def f():\n    k = []\n    k += 1\n", "python", RELATION).applied
    assert transform("def f():\n    k = 0\n    k += 1\n", "python", RELATION).code == "def f():\n    k = 0\n    k = k + 1\n"
    assert transform("def f():\n    k = 0\n    k = k - 1\n", "python", RELATION).code == "def f():\n    k = 0\n    k -= 1\n"


def test_for_update_comma_operands() -> None:
    code = "void f(int n) { for (int i = 0, j = 0; i < n; i++, j--) {} }"
    assert sites(code, "c") >= {"i++ -> ++i", "j-- -> j -= 1", "j-- -> j = j - 1"}
