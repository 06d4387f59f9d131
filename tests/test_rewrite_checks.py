"""The cheaper checks of a rewrite decide exactly as the full ones: a fresh parse, a module compile()."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from metacompress.code.edits import Edit, splice
from metacompress.code.parsing import ParsedCode, error_signature, keeps_parse_errors, python_compiles, reparse
from metacompress.code.python import rewrite_compiles
from metacompress.relations import RELATIONS

REPO = Path(__file__).resolve().parents[1]
PYTHON_PROGRAMS = sorted((REPO / "tests" / "corpus" / "python").glob("*.py"))
JAVA = """public int sum(int[] values, int limit) {
    int total = 0;
    for (int i = 0; i < values.length; i++) {
        if (values[i] > limit) { total += values[i]; } else { total -= 1; }
    }
    return total;
}
"""
# what random edits insert or put in place of a token: some keep the code valid, some do not
FRAGMENTS = ["x", " ", "\n", "(", ")", "{", "}", ";", "1", "+", "if", "é", "# c\n", ":", "\n    pass\n", "'", ""]


def random_edits(source: bytes, rng: random.Random) -> list[Edit]:
    """One to four non-overlapping edits at random ASCII offsets of ``source``."""
    offsets = sorted(rng.sample([i for i in range(len(source)) if source[i] < 128], rng.randint(2, 8)))
    pairs = list(zip(offsets[::2], offsets[1::2]))
    return [Edit(start, start if rng.random() < 0.5 else min(end, start + 3), rng.choice(FRAGMENTS))
            for start, end in pairs]


@pytest.mark.parametrize("language,text", [("java", JAVA), ("python", (PYTHON_PROGRAMS or [None])[0])])
def test_incremental_reparse_gives_the_tree_a_fresh_parse_gives(language, text):
    if text is None:
        pytest.skip("tests/corpus/python holds no programs")
    if isinstance(text, Path):
        text = text.read_text(encoding="utf-8")
    parsed = ParsedCode.parse(text, language)
    assert not parsed.root.has_error
    rng = random.Random(0)
    kept = 0
    for _ in range(150):
        edits = random_edits(parsed.source, rng)
        new_source = splice(parsed.source, edits)
        fresh = ParsedCode._parse_fresh(new_source.decode("utf-8"), language).tree
        assert str(reparse(parsed, edits, new_source).root_node) == str(fresh.root_node)
        same_errors = error_signature(fresh) == error_signature(parsed.tree)
        assert keeps_parse_errors(parsed, edits, new_source) == same_errors
        kept += same_errors
    assert 0 < kept < 150  # both verdicts were exercised
    assert str(parsed.root) == str(ParsedCode._parse_fresh(text, language).root)  # the shared tree is untouched


def full_compile_verdict(original: str, new_source: bytes) -> bool:
    return python_compiles(new_source.decode("utf-8")) or not python_compiles(original)


def edit_at(text: str, old: str, new: str, occurrence: int = 0) -> tuple[ParsedCode, list[Edit], bytes]:
    parsed = ParsedCode.parse(text, "python")
    start = -1
    for _ in range(occurrence + 1):
        start = parsed.source.index(old.encode(), start + 1)
    edits = [Edit(start, start + len(old.encode()), new)]
    return parsed, edits, splice(parsed.source, edits)


MODULE = """from __future__ import annotations
import os

LIMIT = 3


@decorate
def outer(values: list[int], scale=LIMIT) -> int:
    total = 0
    for value in values:
        total += value * scale
    return total


class Box:
    size = 2

    def grow(self, step):
        self.size += step
        return self.size


def last(a):
    return abs(a)
"""


@pytest.mark.parametrize("old,new,compiles", [
    ("total += value * scale", "break", True),  # inside the loop: fine
    ("return total", "break", False),  # 'break' outside a loop: compile() refuses, tree-sitter does not
    ("return total", "nonlocal total", False),  # no enclosing function binding
    ("return self.size", "yield from 1\n        return", True),
    ("self.size += step", "await step", False),  # 'await' outside an async function
    ("LIMIT = 3", "return 3", False),  # module level: the whole module is compiled
    ("abs(a", "abs(1)\nglobal LIMIT\nprint(a", False),  # column-0 code: LIMIT was assigned before
    ("return abs(a)", "return abs(a)\nglobal LIMIT", False),  # the same, appended to the last body line
    ("return abs(a)", "x = abs(a)\n    return x", True),  # the last statement replaced
    ("import os\n\nLIMIT = 3", "LIMIT = 3\n\nimport os", True),  # module statements reordered
    ("LIMIT = 3", "LIMIT = 3\nreturn LIMIT", False),  # 'return' outside a function
    ("LIMIT = 3", "LIMIT = 3\nfrom __future__ import division", False),  # a future import after code
    ("LIMIT = 3", "LIMIT = 3\nglobal LIMIT", False),  # assigned before its global declaration
    ("import os", "import os; x = 1", True),
    ("import os", "import os; break", False),
])  # fmt: skip
def test_compiling_the_edited_definition_decides_as_compiling_the_module(old, new, compiles):
    parsed, edits, new_source = edit_at(MODULE, old, new)
    assert python_compiles(MODULE)
    assert full_compile_verdict(MODULE, new_source) is compiles
    assert rewrite_compiles(parsed, edits, new_source) is compiles


def test_an_original_that_does_not_compile_accepts_any_rewrite_as_before():
    broken = MODULE.replace("return self.size", "return self.size\n        break")
    parsed, edits, new_source = edit_at(broken, "return total", "break")
    assert not python_compiles(broken)
    assert rewrite_compiles(parsed, edits, new_source)


def test_every_relation_gets_the_compile_verdict_of_the_whole_module():
    """Over the executable corpus, seeded rewrites with a random extra edit inside a body."""
    if not PYTHON_PROGRAMS:
        pytest.skip("tests/corpus/python holds no programs")
    rng = random.Random(1)
    verdicts = set()
    for path in PYTHON_PROGRAMS[:12]:
        text = path.read_text(encoding="utf-8")
        parsed = ParsedCode.parse(text, "python")
        for _ in range(20):
            edits = [e for e in random_edits(parsed.source, rng) if "\n" not in e.text][:1]
            if not edits:
                continue
            new_source = splice(parsed.source, edits)
            expected = full_compile_verdict(text, new_source)
            assert rewrite_compiles(parsed, edits, new_source) is expected, (path.name, edits)
            verdicts.add(expected)
    assert verdicts == {True, False}


@pytest.mark.parametrize("relation", ["insert-dead-code", "rename-identifiers", "swap-if-else"])
def test_python_rewrites_still_compile(relation):
    for path in PYTHON_PROGRAMS[:10]:
        text = path.read_text(encoding="utf-8")
        rewrite = RELATIONS.get(relation)().apply(text, "python", seed=5)
        if rewrite.applied and python_compiles(text):
            assert python_compiles(rewrite.code), path.name


@pytest.mark.parametrize("old,new,piece", [
    ("return abs(a)", "x = abs(a)\n    return x", "def last(a):\n    x = abs(a)\n    return x\n"),  # one body
    ("import os\n\nLIMIT = 3", "LIMIT = 3\n\nimport os", "LIMIT = 3\n\nimport os\n"),  # two module statements
])  # fmt: skip
def test_only_the_changed_statements_are_compiled(monkeypatch, old, new, piece):
    from metacompress.code import python as python_module

    compiled = []
    monkeypatch.setattr(python_module, "python_compiles", lambda text: compiled.append(text) or True)
    parsed, edits, new_source = edit_at(MODULE, old, new)
    assert rewrite_compiles(parsed, edits, new_source)
    assert compiled == ["from __future__ import annotations\n" + piece]


GLOBAL_MODULE = """import os
global SHARED
SHARED = 1


def read():
    return SHARED
"""


@pytest.mark.parametrize("text,old,new", [
    (GLOBAL_MODULE, "import os", "SHARED = 0\nimport os"),  # bound before the module's global statement
    ("x = 1; y = 2\nz = 3\n", "z = 3", "if z:\n    pass"),
    ("X = 1\nimport os\n", "import os", "global X\nimport os"),  # X was bound before
    ("import os\nx = 1\n", "x = 1", "from __future__ import division\nx = 1"),  # after code
    ("x = 1; from os import *\n", "x = 1", "def f():\n    pass"),  # the import joins the body
    ("x = 1; y = 2\n", "y = 2", "def f(): pass"),  # a compound statement after a semicolon
    ("from __future__ import annotations\nimport os\n", "import os", "import os\nfrom __future__ import division"),
    ("import os\nif True:\n    global G\nG = 1\n", "import os", "G = 0\nimport os"),
])  # fmt: skip
def test_module_level_edits_get_the_verdict_of_the_whole_module(text, old, new):
    parsed, edits, new_source = edit_at(text, old, new)
    assert python_compiles(text)
    assert rewrite_compiles(parsed, edits, new_source) is full_compile_verdict(text, new_source)
