"""add-braces / remove-braces: bodies with and without braces, dangling else and C macros."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

JAVA = """\
public class Braces {
    static int run(int a, int b) {
        int r = 0;
        if (a > 0) {
            if (b > 0) r += 1;
        } else {
            r += 2;
        }
        for (int i = 0; i < a; i++) { r += i; }
        while (r > 50) r -= 7;
        do { r++; } while (r % 3 != 0);
        for (int x : new int[] {1, 2}) r += x;
        if (b > 5) { for (int j = 0; j < b; j++) { if (j == 2) r *= 2; } } else r--;
        return r;
    }

    public static void main(String[] args) {
        for (int a = -1; a <= 6; a += 3) for (int b = -1; b <= 7; b += 4) System.out.print(run(a, b) + " ");
        System.out.println();
    }
}
"""

C = """\
#include <stdio.h>
#define BUMP(x) (x)++; (x)++

static int run(int a, int b) {
    int r = 0, t;
    if (a > 0) {
        if (b > 0) r += 1;
    } else {
        r += 2;
    }
    if (a > 1) BUMP(r);
    if (b > 1) { BUMP(r); }
    for (int i = 0; i < a; i++) { r += i; }
    while (r > 50) r -= 7;
    do { r++; } while (r % 3 != 0);
    if (b > 5) { while (b-- > 6) { if (b == 7) r *= 2; } } else r--;
    if (a == 3) { t = r; r = t + 1; }
    return r;
}

int main(void) {
    for (int a = -1; a <= 6; a += 2) for (int b = -1; b <= 9; b += 3) printf("%d ", run(a, b));
    printf("\\n");
    return 0;
}
"""


@pytest.mark.slow
@pytest.mark.parametrize("relation", ["add-braces", "remove-braces"])
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C)])
def test_programs_print_the_same(relation: str, language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, relation, range(16))
    assert len(rewritten) >= 3
    assert_same_behaviour(language, program, rewritten, tmp_path)


def test_add_braces_forms() -> None:
    assert transform("void f() { if (a) x(); }", "java", "add-braces").code == "void f() { if (a) { x(); } }"
    outputs = {transform("void f() { if (a) if (b) x(); else y(); }", "c", "add-braces", seed=s).code for s in range(12)}
    assert outputs == {
        "void f() { if (a) { if (b) x(); else y(); } }",
        "void f() { if (a) if (b) { x(); } else y(); }",
        "void f() { if (a) if (b) x(); else { y(); } }",
    }


def test_multi_statement_macros_keep_their_braces() -> None:
    code = "void f() { if (a) SWAP(x, y); if (b) { SWAP(x, y); } }"
    assert not transform(code, "c", "add-braces").applied
    assert not transform(code, "c", "remove-braces").applied


def test_declarations_keep_their_braces() -> None:
    assert not transform("void f() { if (a) { int x = g(); } }", "c", "remove-braces").applied
    assert not transform("void f() { if (a) { int x = g(); } }", "java", "remove-braces").applied
    assert not transform("void f() { for (;;) { class L {} } }", "java", "remove-braces").applied


def test_dangling_else_keeps_braces_only_when_an_else_follows() -> None:
    assert transform("void f() { if (z) { if (y) a(); } }", "c", "remove-braces").code == "void f() { if (z) if (y) a(); }"
    for code in (
        "void f() { if (z) { if (y) a(); } else b(); }",
        "void f() { if (z) for (;;) { if (y) a(); } else b(); }",
        "void f() { if (z) while (c) { while (d) if (y) a(); } else b(); }",
        "void f() { if (w) if (z) a(); else { if (y) a(); } else b(); }",
    ):
        for seed in range(8):
            rewrite = transform(code, "java", "remove-braces", seed=seed)
            assert not rewrite.applied or "else b();" in rewrite.code and rewrite.code.count("{") >= code.count("{") - 1
            if rewrite.applied:
                assert "if (y) a(); else" not in rewrite.code and "if (y) a(); }" in rewrite.code or "a(); } else" in rewrite.code


def test_remove_braces_layout() -> None:
    code = "void f() {\n    if (a) {\n        x();\n    } else {\n        y();\n    }\n}\n"
    outputs = {transform(code, "c", "remove-braces", seed=s).code for s in range(8)}
    assert outputs == {
        "void f() {\n    if (a)\n        x();\n    else {\n        y();\n    }\n}\n",
        "void f() {\n    if (a) {\n        x();\n    } else\n        y();\n}\n",
    }


def test_preprocessor_inside_is_skipped() -> None:
    code = "void f() {\n    if (a) {\n#ifdef X\n        x();\n#endif\n    }\n}\n"
    assert not transform(code, "c", "remove-braces").applied


def test_python_is_unsupported() -> None:
    for relation in ("add-braces", "remove-braces"):
        rewrite = transform("if a:\n    b()\n", "python", relation)
        assert not rewrite.applied and "indentation" in rewrite.reason
