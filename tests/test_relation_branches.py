"""swap-if-else: negated condition, swapped branches, same behaviour (dangling else, elif, not)."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "swap-if-else"

JAVA = """\
public class Swaps {
    static String classify(int n) {
        if (n < 0)
            return "negative";
        else if (n == 0)
            return "zero";
        else if (n < 10) {
            return "small";
        } else
            return "large";
    }

    static boolean even(int a) {
        return a % 2 == 0;
    }

    static int dangling(int a, int b) {
        int r = 0;
        if (a > 0) {
            if (b > 0) r = 1;
        } else
            for (int i = 0; i < 2; i++) if (b > i) r += 5;
        if (!(a == b)) r += 100; else r -= 100;
        if (!even(a)) r *= 2; else { r *= 3; }
        return r;
    }

    static int assigned(boolean c, int x) {
        final int y;
        if (c || x > 3 && x < 7) y = 1; /* one */ else y = 2; // two
        return y;
    }

    public static void main(String[] args) {
        for (int n : new int[] {-5, 0, 4, 40}) System.out.print(classify(n) + " ");
        for (int a = -1; a <= 1; a++) for (int b = -1; b <= 2; b++) System.out.print(dangling(a, b) + " ");
        System.out.println(assigned(false, 5) + " " + assigned(true, 0) + " " + assigned(false, 9));
    }
}
"""

C = """\
#include <stdio.h>

static int pick(int a, int b) {
    int r = 0;
    if (a > 0)
        if (b > 0) r = 1; else r = 2;
    else
        while (r < 3) if (b) r += 2; else r++;
    if (!a) r += 10; else if (!b) r += 20; else r += 30;
    if (a & 1) {
        r <<= 1;
    }
    else {
#ifdef NEVER
        r = -1;
#endif
        r >>= 1;
    }
    return r;
}

int main(void) {
    for (int a = -1; a <= 2; a++)
        for (int b = 0; b <= 1; b++)
            printf("%d ", pick(a, b));
    printf("\\n");
    return 0;
}
"""

PYTHON = '''\
def grade(score):
    if score >= 90:
        return "A"
    elif score >= 80:
        return "B"
    else:
        if score < 0: return "?"
        else:
            return "C"


def flags(items):
    out = []
    for item in items:
        if not item:  # falsy
            out.append("empty")
        else:
            out.append("full")
        if item == "x" or len(item) > 2: out.append(1)
        else: out.append(0)
    return out


print(grade(95), grade(85), grade(10), grade(-1), flags(["", "x", "abc", "ab"]))
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(16))
    assert len(rewritten) >= 3, "different seeds should choose different if statements"
    assert_same_behaviour(language, program, rewritten, tmp_path)


def test_braced_branches_swap_with_comments() -> None:
    code = "void f() {\n    if (a < b) {\n        x(); // then\n    } else {\n        y(); // else\n    }\n}\n"
    rewrite = transform(code, "c", RELATION)
    assert rewrite.code == "void f() {\n    if (!(a < b)) {\n        y(); // else\n    } else {\n        x(); // then\n    }\n}\n"


def test_negation_is_removed_rather_than_doubled() -> None:
    assert transform("void f() { if (!x) a(); else b(); }", "java", RELATION).code == "void f() { if (x) b(); else a(); }"
    assert transform("void f() { if (!(x || y)) a(); else b(); }", "c", RELATION).code == "void f() { if (x || y) b(); else a(); }"
    python = transform("if not x:\n    a()\nelse:\n    b()\n", "python", RELATION).code
    assert python == "if x:\n    b()\nelse:\n    a()\n"


def test_dangling_else_gets_braces() -> None:
    rewrite = transform("void f() { if (a) x(); else if (b) y(); }", "c", RELATION)
    assert rewrite.code == "void f() { if (!(a)) { if (b) y(); } else x(); }"
    loop = transform("void f() { if (a) x(); else while (c) if (b) y(); }", "java", RELATION)
    assert loop.code == "void f() { if (!(a)) { while (c) if (b) y(); } else x(); }"


def test_python_condition_is_parenthesised_and_spaced() -> None:
    rewrite = transform("if(a or b): x = 1\nelse: x = 2\n", "python", RELATION)
    assert rewrite.code == "if not (a or b): x = 2\nelse: x = 1\n"
    mixed = transform("if a and b: x = 1\nelse:\n    x = 2\n    y = 3\n", "python", RELATION)
    assert mixed.code == "if not (a and b):\n    x = 2\n    y = 3\nelse: x = 1\n"
    compile(mixed.code, "<test>", "exec")


def test_python_elif_chain_swaps_its_last_elif_with_else() -> None:
    code = "if a:\n    x = 1\nelif b:\n    x = 2\nelif not c:\n    x = 3\nelse:\n    x = 4\n"
    rewrite = transform(code, "python", RELATION)
    assert rewrite.code == "if a:\n    x = 1\nelif b:\n    x = 2\nelif c:\n    x = 4\nelse:\n    x = 3\n"
    assert not transform("if a:\n    x = 1\nelif b:\n    x = 2\n", "python", RELATION).applied


def test_if_without_else_is_not_applicable() -> None:
    rewrite = transform("int f(int a) { if (a) return 1; return 0; }", "c", RELATION)
    assert not rewrite.applied and rewrite.reason.startswith("no if statement")


def test_c_preprocessor_between_branches_is_skipped() -> None:
    code = "void f() {\n    if (a)\n        x();\n#ifdef B\n    else\n        y();\n#endif\n}\n"
    rewrite = transform(code, "c", RELATION)
    assert not rewrite.applied


def test_error_regions_are_skipped() -> None:
    code = "void f() {\n    if (a) { FOO(x) BAR } else { y(); }\n    if (c) z(); else w();\n}\n"
    for seed in range(6):
        rewrite = transform(code, "c", RELATION, seed=seed)
        assert rewrite.applied, rewrite.reason
        assert "if (!(c)) w(); else z();" in rewrite.code
        assert "if (a) { FOO(x) BAR } else { y(); }" in rewrite.code


def test_seeds_choose_among_ifs_deterministically() -> None:
    code = "void f() {\n    if (a) x(); else y();\n    if (b) x(); else y();\n    if (c) x(); else y();\n}\n"
    outputs = [transform(code, "java", RELATION, seed=seed).code for seed in range(12)]
    assert outputs == [transform(code, "java", RELATION, seed=seed).code for seed in range(12)]
    assert len(set(outputs)) == 3
