"""ternary-to-if: conditional assignments as if/else, only where no branch changes value on the way."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "ternary-to-if"

JAVA = """\
public class Ternaries {
    static int calls = 0;

    static int next() { return ++calls; }

    static String run(int k, long big) {
        int m = k > 0 ? k : -k;
        double d = k > 1 ? big : 0.5;
        double rounded = k > 1 ? big : 0.5f;
        char c = k > 2 ? 'x' : 'y';
        String s = k > 3 ? "big" : null;
        Integer boxed = k > 0 ? 1 : null;
        long l;
        l = k > 4 ? next() : big;
        if (k > 5) m = m > 10 ? 10 : m;
        Runnable r = () -> System.out.print("");
        int fixed = k > 0 ? 1 : 2;
        r.run();
        return m + " " + d + " " + rounded + " " + c + " " + s + " " + boxed + " " + l + " " + fixed;
    }

    public static void main(String[] args) {
        long big = (1L << 40) + 1;
        for (int k = -1; k <= 7; k += 2) System.out.println(run(k, big));
        System.out.println(calls);
    }
}
"""

C = """\
#include <stdio.h>

static long run(int x, unsigned u, long l) {
    long wide = x > 0 ? -1 : 1;
    long mixed = x > 0 ? -1 : u;
    unsigned small = x > 2 ? -1 : 0;
    const char *p = x ? "yes" : NULL;
    char c = x > 1 ? 'a' : 'b';
    l = x > 3 ? l : -2;
    if (x > 4) wide = x > 5 ? 7 : 8;
    return wide + mixed + small + (p ? 100 : 0) + c + l;
}

int main(void) {
    for (int x = -1; x <= 6; x++) printf("%ld ", run(x, 7u, 40L));
    printf("\\n");
    return 0;
}
"""

PYTHON = '''\
class Box:
    def __init__(self):
        self.items = [0, 0]


def run(a, box):
    x = 1 if a else 2
    y = ([] if a > 1 else None)  # note
    box.items[a % 2] = "odd" if a % 2 else "even"
    z = a if a > 2 else (lambda: 3)()
    w = 5 if a else 6; v = 7
    return x, y, box.items, z, w, v


box = Box()
for a in range(4):
    print(run(a, box))
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(24))
    assert len(rewritten) >= 3
    assert_same_behaviour(language, program, rewritten, tmp_path)


def sites(code: str, language: str, seeds: int = 30) -> set[str]:
    found = set()
    for seed in range(seeds):
        rewrite = transform(code, language, RELATION, seed=seed)
        found.update(site.description for site in rewrite.sites)
    return found


def test_java_refuses_conversions_that_could_change_a_value() -> None:
    code = "class A { void f(int k, long big, Integer I, Object o) {\n    double d = k > 1 ? big : 0.5f;\n    int n = k > 0 ? 1 : null;\n    I = k > 0 ? 1 : 2;\n    o = k > 0 ? 1 : 2.5;\n    final int q = k > 0 ? 1 : 2;\n    var v = k > 0 ? 1 : 2;\n} }"
    assert sites(code, "java") == set()


def test_c_refuses_mixed_arithmetic_types() -> None:
    code = "void f(int x, unsigned u, long l, double d, struct s *p) {\n    long m = x > 0 ? -1 : u;\n    l = x ? 1.5 : l;\n    d = x ? l : d;\n    static int s = 1 ? 2 : 3;\n    const int c = x ? 1 : 2;\n    l = x ? -1 : p->count;\n    x = x ? 100000001 : p->ratio;\n}"
    assert sites(code, "c") == set()


def test_c_accepts_conversions_that_keep_every_value() -> None:
    code = "void f(int x, struct s *p) {\n    const char *dev = x ? \"cdrom\" : \"disk\";\n    int q = p->multi ? p->max : 1;\n    char *name = x ? p->name : NULL;\n    long w = x ? p->big : 'a';\n}"
    assert sites(code, "c") == {f"turned the conditional assignment of {name} into an if/else" for name in ("dev", "q", "name", "w")}


def test_c_declaration_keeps_its_declarator() -> None:
    code = "void f(int x) {\n    const int n = x ? 1 : 2;\n    char *const p = x ? \"a\" : NULL;\n}\n"
    assert not transform(code, "c", RELATION).applied  # a const object cannot be split from its value
    code = "void f(int x) {\n    char *p = x ? 0 : NULL;\n    long w = x > 0 ? -1 : 1;\n}\n"
    outputs = {transform(code, "c", RELATION, seed=s).code for s in range(8)}
    assert "void f(int x) {\n    char *p;\n    if (x) {\n        p = 0;\n    } else {\n        p = NULL;\n    }\n    long w = x > 0 ? -1 : 1;\n}\n" in outputs
    assert "void f(int x) {\n    char *p = x ? 0 : NULL;\n    long w;\n    if (x > 0) {\n        w = -1;\n    } else {\n        w = 1;\n    }\n}\n" in outputs


def test_unbraced_body_gets_braces() -> None:
    rewrite = transform("void f(int x) { if (x) x = x > 1 ? 1 : 2; else g(); }", "c", RELATION)
    assert rewrite.code == "void f(int x) { if (x) { if (x > 1) { x = 1; } else { x = 2; } } else g(); }"


def test_python_needs_a_whole_line() -> None:
    for code in ("w = 5 if a else 6; v = 7\n", "z: int = 1 if a else 2\n", "if a: x = 1 if b else 2\n",
                 "x = (1\n     if a else 2)\n", "a, b = (1, 2) if c else (3, 4)\n"):
        assert not transform(code, "python", RELATION).applied, code
    assert transform("x = 1 if a else 2  # c\n", "python", RELATION).code == "if a:\n    x = 1\nelse:\n    x = 2  # c\n"
