"""insert-comment: comments at statement boundaries, never where they would swallow or split code."""

from __future__ import annotations

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "insert-comment"

C = """\
#include <stdio.h>
#define TWICE(x) \\
    do { (x) *= 2; \\
         (x) += 0; } while (0)

static int run(int n) {
    int acc = 0; const char *s = "// not a comment; /* nor this */";
    for (int i = 0; i < n; i++) { acc += i; TWICE(acc); }
    switch (n) {
    case 1:
        acc++;
        break;
    default:
        acc += s[0];
    }
    int y = 1 + \\
        2; acc += y;
    return acc;
}

int main(void) {
    printf("%d %d\\n", run(4), run(1));
    return 0;
}
"""

JAVA = """\
public class Comments {
    static int run(int n) {
        int acc = 0; String s = "// x = 0; /* y */";
        for (int i = 0; i < n; i++) { acc += i; }
        switch (n) {
            case 1: acc++; break;
            default: acc += s.length();
        }
        return acc;
    }

    public static void main(String[] args) {
        System.out.println(run(4) + " " + run(1));
    }
}
"""

PYTHON = '''\
"""Doc # not a comment."""


def run(n):
    acc = 0; s = "# not a comment"
    total = 1 + \\
        2
    values = [
        1,
        2,
    ]
    for i in range(n):
        acc += i
    if n: acc += len(s)
    return acc + total + sum(values)


print(run(4), run(1))
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    rewritten = variants(program, language, RELATION, range(12))
    assert len(rewritten) >= 3
    assert_same_behaviour(language, program, rewritten, tmp_path)


def test_define_continuation_lines_get_no_comment() -> None:
    for seed in range(20):
        code = transform(C, "c", RELATION, seed=seed).code
        assert "#define TWICE(x) \\\n    do { (x) *= 2; \\\n         (x) += 0; } while (0)\n" in code
        assert "// not a comment; /* nor this */" in code
        # the continued declaration gets an inline comment at most, never a line comment
        assert "int y = 1 + \\\n        2;" in code


def test_after_a_backslash_continuation_only_an_inline_comment() -> None:
    code = "void f(void) {\n    int a = 1; \\\n    a++;\n}\n"
    for seed in range(8):
        rewrite = transform(code, "c", RELATION, seed=seed)
        assert "\\\n    //" not in rewrite.code and "\\\n//" not in rewrite.code


def test_python_never_comments_inside_brackets_or_continuations() -> None:
    for seed in range(20):
        rewrite = transform(PYTHON, "python", RELATION, seed=seed)
        assert rewrite.applied
        new_lines = [line for line in rewrite.code.splitlines() if line not in PYTHON.splitlines()]
        assert len(new_lines) == 1 and new_lines[0].lstrip().startswith("# ")
        assert "1 + \\\n        2" in rewrite.code and "[\n        1,\n        2,\n    ]" in rewrite.code
        assert '"""Doc # not a comment."""\n' == rewrite.code[: len('"""Doc # not a comment."""\n')]
        compile(rewrite.code, "<test>", "exec")


def test_python_one_line_body_is_not_split() -> None:
    rewrite = transform("if x: y = 1\n", "python", RELATION)
    assert rewrite.applied and rewrite.code.endswith("if x: y = 1\n") and rewrite.code.startswith("# ")


def test_comment_text_never_ends_early() -> None:
    from metacompress.relations.comments import _safe

    assert _safe("a */ b \\u000a c") == "a * / b u000a c"
    assert _safe("-*- coding: latin-1 -*-") == "note" and _safe("type: ignore") == "note"


def test_no_statement_is_not_applicable() -> None:
    rewrite = transform("int x;\n", "java", RELATION)
    assert not rewrite.applied and rewrite.reason


def test_error_regions_are_left_alone() -> None:
    code = "void f() {\n    FOO(x) BAR\n    a = 1;\n    b = 2;\n}\n"
    for seed in range(6):
        rewrite = transform(code, "c", RELATION, seed=seed)
        if rewrite.applied:
            assert "FOO(x) BAR\n" in rewrite.code


def test_deterministic_per_seed() -> None:
    outputs = [transform(JAVA, "java", RELATION, seed=seed).code for seed in range(8)]
    assert outputs == [transform(JAVA, "java", RELATION, seed=seed).code for seed in range(8)]
    assert len(set(outputs)) > 3
