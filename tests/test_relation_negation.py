"""double-negation: conditions negated twice keep their value (truthiness, NaN, pointers, Boolean)."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "double-negation"

JAVA = """\
public class Negations {
    static int run(int n, Boolean flag) {
        int acc = 0;
        for (int i = 0; i < n; i++) acc += i > 1 ? i : -i;
        while (acc > 10 && n-- > 0) acc -= 3;
        do acc++; while (acc % 4 != 0);
        if (flag) acc *= 2; else acc += 7;
        return acc;
    }

    public static void main(String[] args) {
        System.out.println(run(5, true) + " " + run(3, false) + " " + run(9, Boolean.TRUE));
        try { run(2, null); } catch (NullPointerException e) { System.out.println("npe"); }
    }
}
"""

C = """\
#include <stdio.h>
#include <math.h>
#include <assert.h>

static int run(int n, const char *p, double d) {
    int acc = 0;
    for (int i = 0; i < n; i++) acc += i & 1 ? i : -i;
    if (p) acc += *p;
    if (d) acc += 100;
    while (n--) acc ^= n;
    do acc++; while (acc % 5);
    assert(acc ? 1 : 1);
    return acc;
}

int main(void) {
    printf("%d %d %d\\n", run(4, "a", NAN), run(3, NULL, 0.0), run(0, "", -0.0));
    return 0;
}
"""

PYTHON = '''\
class Odd:
    def __init__(self):
        self.calls = 0

    def __bool__(self):
        self.calls += 1
        return self.calls % 2 == 1


def run(items):
    odd = Odd()
    out = [x for x in items if x]
    if odd:
        out.append("odd")
    elif not items:
        out.append("empty")
    while odd:
        out.append("again")
    label = "many" if len(items) > 2 else "few"
    return out, label, odd.calls, f"{1 if items else 0=}"


print(run([0, 1, "", "a", None, [], [0]]))
print(run([]))
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(16))
    assert len(rewritten) >= 4
    assert_same_behaviour(language, program, rewritten, tmp_path)


def test_forms_per_language() -> None:
    assert transform("void f() { if (a < b) g(); }", "java", RELATION).code == "void f() { if (!(!(a < b))) g(); }"
    assert transform("int f() { return a ? 1 : 2; }", "c", RELATION).code == "int f() { return !(!(a)) ? 1 : 2; }"
    assert transform("if a or b:\n    pass\n", "python", RELATION).code == "if not (not (a or b)):\n    pass\n"


def test_python_keeps_a_space_after_the_keyword() -> None:
    rewrite = transform("if(a): pass\n", "python", RELATION)
    assert rewrite.code == "if not (not ((a))): pass\n"
    codes = {transform("y = [i for i in z if(i)]\n", "python", RELATION, seed=s).code for s in range(4)}
    assert codes == {"y = [i for i in z if not (not ((i)))]\n"}


def test_text_visible_conditions_are_skipped() -> None:
    assert not transform("void f() { assert(a ? 1 : 0); }", "c", RELATION).applied
    assert not transform("x = f'{a if c else b=}'\n", "python", RELATION).applied


def test_c_preprocessor_inside_a_condition_is_skipped() -> None:
    code = "void f() {\n    if (a\n#ifdef X\n        && b\n#endif\n    ) g();\n}\n"
    assert not transform(code, "c", RELATION).applied


def test_empty_for_condition_is_not_a_site() -> None:
    rewrite = transform("void f() { for (;;) g(); }", "c", RELATION)
    assert not rewrite.applied and rewrite.reason


def test_error_regions_are_skipped() -> None:
    code = "void f() {\n    if (FOO(x) BAR) g();\n    while (c) h();\n}\n"
    for seed in range(6):
        rewrite = transform(code, "c", RELATION, seed=seed)
        if rewrite.applied:
            assert "while (!(!(c)))" in rewrite.code
