"""add-unused-variable: a fresh local that compiles where it goes and is never read."""

from __future__ import annotations

import re

import pytest

from metacompress.relations import transform

from relation_exec import assert_same_behaviour, variants

RELATION = "add-unused-variable"

JAVA = """\
public class Unused {
    private int base;

    Unused(int base) {
        this.base = base;
    }

    Unused() {
        this(3);
    }

    int run(int n) {
        int acc = 0;
        for (int i = 0; i < n; i++)
            acc += i;
        if (acc > 5)
            acc -= base;
        switch (n) {
            case 1:
                acc++;
                break;
            default:
                acc += 2;
        }
        return acc;
    }

    public static void main(String[] args) {
        System.out.println(new Unused().run(4) + " " + new Unused(1).run(1));
    }
}
"""

C = """\
#include <stdio.h>

static int run(int n) {
    int acc = 0;
    for (int i = 0; i < n; i++)
        acc += i;
    switch (n) {
    case 1:
        acc++;
        break;
    default:
        acc += 2;
    }
    if (acc > 100) goto done;
    acc *= 2;
done:
    return acc;
}

int main(void) {
    printf("%d %d\\n", run(4), run(1));
    return 0;
}
"""

PYTHON = '''\
"""Module."""
LIMIT = 3


class Box:
    size = 2

    def grow(self, k):
        """Grow."""
        total = self.size
        for i in range(k):
            total += i
        return total


def count(items):
    seen = {}
    for item in items:
        seen[item] = seen.get(item, 0) + 1
    return sorted(seen.items())


print(Box().grow(LIMIT), count("abca"), Box.grow.__doc__)
print(sorted(k for k in globals() if not k.startswith("__")))
print(sorted(k for k in vars(Box) if not k.startswith("__")))
'''


@pytest.mark.slow
@pytest.mark.parametrize("language, program", [("java", JAVA), ("c", C), ("python", PYTHON)])
def test_programs_print_the_same(language: str, program: str, tmp_path) -> None:
    seeds = range(6) if language == "java" else range(16)
    rewritten = variants(program, language, RELATION, seeds)
    assert len(rewritten) >= 3, "different seeds should choose different sites"
    assert_same_behaviour(language, program, rewritten, tmp_path)


def test_never_a_braceless_body() -> None:
    code = "void f(int n) {\n    for (int i = 0; i < n; i++)\n        g(i);\n    if (n)\n        g(n);\n}\n"
    for language in ("c", "java"):
        for seed in range(12):
            rewrite = transform(code, language, RELATION, seed=seed)
            statement = rewrite.sites[0].description.split("`")[1]
            lines = rewrite.code.splitlines()
            declared = next(i for i, line in enumerate(lines) if statement in line)
            assert lines[declared - 1].rstrip().endswith(("{", ";")), rewrite.code


def test_c_never_directly_after_a_case_label() -> None:
    code = "int f(int n) {\n    switch (n) {\n    case 1:\n        n++;\n        break;\n    }\n    return n;\n}\n"
    for seed in range(12):
        rewrite = transform(code, "c", RELATION, seed=seed)
        assert rewrite.applied
        assert not re.search(r"case 1:\s*(int|long|char|double) ", rewrite.code), rewrite.code


def test_java_not_before_explicit_constructor_call() -> None:
    code = "class A {\n    A() {\n        this(1);\n        init();\n    }\n}\n"
    for seed in range(8):
        rewrite = transform(code, "java", RELATION, seed=seed)
        assert rewrite.applied
        assert rewrite.code.index("this(1);") < rewrite.code.index(" = ")


def test_python_only_inside_functions() -> None:
    module = "X = 1\n\nclass A:\n    y = 2\n"
    rewrite = transform(module, "python", RELATION)
    assert not rewrite.applied and "function body" in rewrite.reason
    code = "class A:\n    y = 2\n\n    def f(self):\n        return self.y\n"
    for seed in range(6):
        rewrite = transform(code, "python", RELATION, seed=seed)
        assert rewrite.code.startswith("class A:\n    y = 2\n\n    def f(self):\n        "), rewrite.code
        assert rewrite.code.endswith("\n        return self.y\n")


def test_declared_name_is_fresh_and_unused() -> None:
    code = "int f(int tmp0) {\n    int aux1 = tmp0;\n    return aux1;\n}\n"
    for seed in range(8):
        rewrite = transform(code, "c", RELATION, seed=seed)
        name = re.search(r"(?:int|long|char|double) (\w+) = 0", rewrite.code.replace("int aux1 = tmp0", "")).group(1)
        assert name not in ("tmp0", "aux1", "f")
        assert rewrite.code.count(name) == 1


def test_same_seed_same_output() -> None:
    code = "def f(a):\n    b = a + 1\n    return b\n"
    assert transform(code, "python", RELATION, seed=4).code == transform(code, "python", RELATION, seed=4).code
    assert len({transform(code, "python", RELATION, seed=s).code for s in range(10)}) > 2


def test_not_applicable_in_an_empty_function() -> None:
    rewrite = transform("void f() { }", "java", RELATION)
    assert not rewrite.applied and "no statement position" in rewrite.reason
