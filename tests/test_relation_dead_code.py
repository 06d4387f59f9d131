"""insert-dead-code: unreachable blocks that compile wherever the original did, and change nothing."""

from __future__ import annotations

import pytest

from metacompress.errors import UsageError
from metacompress.relations import transform
from metacompress.code.parsing import ParsedCode, error_signature

from relation_exec import assert_same_behaviour, variants

RELATION = "insert-dead-code"

JAVA = """\
public class Dead {
    private final int base;

    Dead() {
        this(7);
    }

    Dead(int base) {
        super();
        this.base = base;
    }

    int sum(int[] xs) {
        int total = 0;
        for (int x : xs) {
            if (x < 0)
                continue;
            total += x;
        }
        return total + base;
    }

    static String label(int n) {
        switch (n) {
            case 0:
                return "zero";
            case 1: {
                String s = "one";
                return s;
            }
            default:
                String other = "many";
                return other;
        }
    }

    static int search(int[][] grid, int target) {
        outer:
        for (int i = 0; i < grid.length; i++) {
            for (int j = 0; j < grid[i].length; j++) {
                if (grid[i][j] == target) break outer;
                if (grid[i][j] > target) { continue outer; }
            }
        }
        final int answer;
        if (target > 3) answer = 1; else answer = 2;
        Runnable r = () -> { System.out.println("lambda " + answer); };
        r.run();
        try {
            throw new IllegalStateException("x");
        } catch (IllegalStateException e) {
            return answer;
        } finally {
            System.out.println("finally");
        }
    }

    public static void main(String[] args) {
        Dead d = new Dead();
        System.out.println(d.sum(new int[] {1, -2, 3}));
        System.out.println(label(0) + label(1) + label(5));
        System.out.println(search(new int[][] {{1, 2}, {5, 6}}, 5));
    }
}
"""

C = """\
#include <stdio.h>

static int collatz(int n) {
    int steps = 0;
    while (n != 1) {
        if (n % 2) n = 3 * n + 1; else n /= 2;
        steps++;
    }
    return steps;
}

static const char *name(int n) {
    switch (n) {
    case 0:
        return "zero";
    case 1: {
        const char *s = "one";
        return s;
    }
    default:
        break;
    }
    return "many";
}

static int find(const int *xs, int n, int target) {
    int i = 0;
again:
    if (i >= n) goto missing;
    if (xs[i] == target) return i;
    i++;
    goto again;
missing:
    return -1;
}

int main(void) {
    int xs[] = {4, 8, 15, 16, 23, 42};
#ifdef NEVER_DEFINED
    printf("never\\n");
#endif
    printf("%d %s%s%s %d %d\\n", collatz(27), name(0), name(1), name(2), find(xs, 6, 16), find(xs, 6, 5));
    return 0;
}
"""

PYTHON = '''\
"""Module docstring."""
from __future__ import annotations


class Counter:
    """Counts."""
    start = 3

    def __init__(self):
        self.n = self.start

    def bump(self, k):
        for i in range(k):
            if i % 2:
                continue
            self.n += i
        return self.n


def outer(x):
    """Doc of outer."""
    def inner(y):
        return x + y
    total = 0
    while x > 0:
        total += inner(x)
        x -= 1
    else:
        total += 100
    return total


print(__doc__, outer.__doc__, Counter.__doc__)
print(Counter().bump(5), outer(4))
print(sorted(k for k in vars(Counter) if not k.startswith("__")))
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same_after_insertion(language: str, program: str, tmp_path) -> None:
    seeds = range(8) if language == "java" else range(20)
    rewritten = variants(program, language, RELATION, seeds)
    assert len(rewritten) >= 4, "different seeds should choose different sites"
    assert_same_behaviour(language, program, rewritten, tmp_path)


def test_java_constructor_call_stays_first() -> None:
    code = "class A {\n    A() {\n        this(1);\n    }\n    A(int x) {\n        super();\n    }\n}\n"
    for seed in range(10):
        rewrite = transform(code, "java", RELATION, seed=seed)
        assert not rewrite.applied
        assert "no statement position" in rewrite.reason


def test_java_insertion_never_follows_a_jump() -> None:
    code = "int f(int a) {\n    if (a > 0) {\n        return 1;\n    }\n    return 2;\n}\n"
    for seed in range(10):
        rewrite = transform(code, "java", RELATION, seed=seed)
        lines = rewrite.code.splitlines()
        for index, line in enumerate(lines[:-1]):
            if line.strip().startswith("return"):
                assert lines[index + 1].strip() == "}", rewrite.code


def test_c_block_form_and_loop_form() -> None:
    code = "int f(int a) {\n    return a;\n}\n"
    plain = transform(code, "c", RELATION, seed=1, form="if")
    assert plain.code.startswith("int f(int a) {\n    if (0) {\n        int ")
    assert plain.code.endswith("    }\n    return a;\n}\n")
    loop = transform(code, "c", RELATION, seed=1, form="loop")
    assert "    while (0) {\n" in loop.code


def test_java_loop_form_is_a_counting_loop() -> None:
    rewrite = transform("void f() {\n    g();\n}\n", "java", RELATION, seed=3, form="loop")
    assert "while (false)" not in rewrite.code
    assert "for (int " in rewrite.code and "< 0;" in rewrite.code


def test_python_keeps_indentation_with_tabs() -> None:
    code = "def f(a):\n\tif a:\n\t\treturn 1\n\treturn 2\n"
    for seed in range(6):
        rewrite = transform(code, "python", RELATION, seed=seed)
        assert rewrite.applied
        compile(rewrite.code, "<test>", "exec")
        assert not any(line.startswith(" ") for line in rewrite.code.splitlines()), rewrite.code
        header = next(line for line in rewrite.code.splitlines() if "False" in line)
        body = rewrite.code.split(header + "\n")[1].splitlines()[0]
        assert body.startswith(header.split("if")[0].split("while")[0] + "\t")


def test_python_docstring_and_future_import_stay_first() -> None:
    code = '"""Doc."""\nfrom __future__ import annotations\nimport os\n'
    for seed in range(6):
        rewrite = transform(code, "python", RELATION, seed=seed)
        lines = rewrite.code.splitlines()
        assert lines[:2] == ['"""Doc."""', "from __future__ import annotations"], rewrite.code
        assert lines[2] in ("if False:", "while False:")


def test_python_match_cases_are_not_statements() -> None:
    code = "def f(x):\n    match x:\n        case 1:\n            return 1\n        case _:\n            return 2\n"
    for seed in range(10):
        rewrite = transform(code, "python", RELATION, seed=seed)
        assert rewrite.applied, rewrite.reason
        compile(rewrite.code, "<test>", "exec")
        after_match = rewrite.code.split("match x:\n")[1].splitlines()
        at_case_level = [line for line in after_match if line.startswith("        ") and line[8] != " "]
        assert at_case_level == ["        case 1:", "        case _:"], rewrite.code


def test_inline_block_stays_on_its_line() -> None:
    rewrite = transform("void f() { g(); }", "c", RELATION, seed=0, form="if")
    assert rewrite.code.startswith("void f() { if (0) { int ")
    assert rewrite.code.endswith("} g(); }")


def test_names_are_fresh() -> None:
    taken = " ".join(f"tmp{i} aux{i} val{i}" for i in range(40))
    code = f"void f() {{\n    // {taken}\n    g();\n}}\n"
    rewrite = transform(code, "c", RELATION, seed=0, form="if")
    declared = rewrite.code.split("int ")[1].split(" ")[0]
    assert declared not in taken.split()


def test_error_regions_are_kept_and_avoided() -> None:
    code = "void f() {\n    int a = 1;\n    FOO(a) BAR\n    g(a);\n}\n"
    before = ParsedCode.parse(code, "c")
    assert before.error_ranges, "the trap needs a parse error"
    for seed in range(10):
        rewrite = transform(code, "c", RELATION, seed=seed)
        assert rewrite.applied, rewrite.reason
        after = ParsedCode.parse(rewrite.code, "c")
        assert error_signature(after.tree) == error_signature(before.tree)
        assert "FOO(a) BAR\n" in rewrite.code


def test_not_applicable_without_statements() -> None:
    rewrite = transform("void f() {}", "c", RELATION)
    assert not rewrite.applied and rewrite.code == "void f() {}"
    assert "no statement position" in rewrite.reason
    only_doc = transform('"""Only a docstring."""\n', "python", RELATION)
    assert not only_doc.applied


def test_deterministic_per_seed_and_seeds_differ() -> None:
    code = "int f(int a) {\n    a++;\n    a *= 2;\n    a -= 3;\n    return a;\n}\n"
    first = [transform(code, "c", RELATION, seed=seed).code for seed in range(8)]
    again = [transform(code, "c", RELATION, seed=seed).code for seed in range(8)]
    assert first == again
    assert len(set(first)) > 2


def test_unknown_form_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="form"):
        transform("void f() { g(); }", "c", RELATION, form="switch")
