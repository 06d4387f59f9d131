"""constant-rewrite: integer literals in another base or as (1 - 1), same value, same type."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "constant-rewrite"

JAVA = """\
public class Constants {
    static final int LIMIT = 255;

    static String kind(Object o) { return o.getClass().getSimpleName(); }

    static String run(int n) {
        byte b = 0;
        char c = 65;
        long big = 1000L;
        int[] arr = new int[16];
        switch (n) {
            case 0: b = 1; break;
            case 16: c = 66; break;
            default: big += n;
        }
        arr[n % 16] = LIMIT;
        return b + " " + c + " " + big + " " + arr[n % 16] + " " + kind(0) + " " + kind(10L) + " " + (0x7fffffff + 1);
    }

    public static void main(String[] args) {
        System.out.println(run(0));
        System.out.println(run(16));
        System.out.println(run(37));
    }
}
"""

C = """\
#include <stdio.h>
#define SHOW(x) printf("%s\\n", #x)

struct flags { unsigned a : 3; unsigned b : 5; };
enum { FIRST = 10, SECOND = 20 };

static const char *kind(int n) {
    switch (n) {
    case 0: return "zero";
    case 10: return "ten";
    default: return "other";
    }
}

int main(void) {
    int arr[16] = {0};
    struct flags f = {5, 17};
    long wide = -1 + 4000000000;
    unsigned u = 0xFFFFFFFF;
    char *p = 0;
    SHOW(255);
    arr[3] = 255 + FIRST;
    printf("%d %d %u %u %ld %u %d\\n", arr[3], (int) sizeof arr, f.a, f.b, wide, u, p == 0);
    printf("%s %s %s\\n", kind(0), kind(10), kind(SECOND));
    printf("%d %d\\n", 0 ? 1 : 2, 16 / 3);
    return 0;
}
"""

PYTHON = '''\
def run(n):
    limit = 255
    values = [0] * 16
    values[n % 16] = limit
    return values[n % 16], (255).bit_length(), 255 .real, 0 == False, f"{0=}", type(10).__name__


print(run(3))
print(run(16))
print(1000000000000000000000 + 0)
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(24))
    assert len(rewritten) >= 4
    assert_same_behaviour(language, program, rewritten, tmp_path)


def sites(code: str, language: str, seeds: int = 40) -> set[str]:
    found = set()
    for seed in range(seeds):
        rewrite = transform(code, language, RELATION, seed=seed)
        found.update(site.description for site in rewrite.sites)
    return found


def test_values_whose_type_depends_on_the_base_are_left_alone() -> None:
    assert sites("void f() { x = 0xFFFFFFFF + 4000000000 + 2147483648L; }", "c") == set()
    assert sites("class A { int f() { return 0xFFFFFFFF + -2147483648; } }", "java") == set()


def test_octal_binary_separators_and_floats_are_left_alone() -> None:
    assert sites("void f() { x = 010 + 1.5 + 1e3 + 0x1p3; }", "c") == set()
    assert sites("class A { int f() { return 010 + 0b11 + 1_000; } }", "java") == set()
    assert sites("x = 0o10 + 0b11 + 1_000 + 1.5 + 2j\n", "python") == set()


def test_text_visible_literals_are_left_alone() -> None:
    assert sites('void f() { SHOW(255); assert(x == 3); }\n#if 1\n#endif\n', "c") == set()
    assert sites('x = f"{255=}"\n', "python") == set()


def test_python_attribute_after_a_literal() -> None:
    assert sites("x = 0xff.real\n", "python") == set()
    assert sites("x = 255 .real\n", "python") == {"255 -> 0xff", "255 -> 0xFF"}


def test_suffixes_are_kept() -> None:
    assert sites("void f() { x = 10UL; }", "c") == {"10UL -> 0xaUL", "10UL -> 0xAUL"}
    assert sites("class A { long f() { return 0x10L; } }", "java") == {"0x10L -> 16L"}
    assert sites("x = 0\n", "python") == {"0 -> 0x0", "0 -> (1 - 1)"}


def test_python_case_patterns_take_literals_only() -> None:
    code = "match x:\n    case 0:\n        pass\n"
    assert sites(code, "python") == {"0 -> 0x0"}
    for seed in range(10):
        compile(transform(code, "python", RELATION, seed=seed).code, "<test>", "exec")
