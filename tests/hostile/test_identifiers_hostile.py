"""Hostile new names: every name rename-identifiers or the attack writes must be one the compiler
reads as a new, distinct identifier, so a "semantics-preserving" rewrite really preserves them.

Python folds identifiers under NFKC (``ｂａｒ`` *is* ``bar``), Java reads ``\\uXXXX`` escapes as
letters, C reserves ``_X``/``__x`` and expands macros: each test feeds such names through the
shared check, the attack's edit space (names from the data) or rename-identifiers (generated
names) and runs the programs before and after.
"""

from __future__ import annotations

import json

import pytest

from metacompress.attack.space import Candidate, SpaceSettings, build_spaces
from metacompress.code.names import safe_new_name, used_words
from metacompress.relations import transform
from metacompress.tasks.base import Example
from relation_exec import assert_same_behaviour, outputs, variants

FULL_WIDTH_BAR = "ｂａｒ"
BOLD_BAR = "\U0001d41b\U0001d41a\U0001d42b"  # mathematical bold "bar": NFKC folds it to bar
CYRILLIC_BAR = "b\u0430r"  # Cyrillic а: no compiler folds it, a distinct name

PYTHON_TOTAL = """def total(count):
    bar = -3
    foo = 0
    for step in range(count):
        foo = foo + bar
    return foo


print(total(2))
"""

JAVA_TOTAL = """public class Total {
    static int total(int count) {
        int bar = -3;
        int foo = 0;
        for (int step = 0; step < count; step++) {
            foo = foo + bar;
        }
        return foo;
    }

    public static void main(String[] args) {
        System.out.println(total(2));
    }
}
"""

C_TOTAL = """#include <stdio.h>
#define SCALE 1

static int total(int count) {
    int bar = -3;
    int foo = 0;
    for (int step = 0; step < count; step++) {
        foo = foo + bar * SCALE;
    }
    return foo;
}

int main(void) {
    printf("%d\\n", total(2));
    return 0;
}
"""

HOSTILE = [FULL_WIDTH_BAR, BOLD_BAR, CYRILLIC_BAR, "bar", "__class__", "__init__", "__secret", "_", "$x", "this$0",
           "val$foo", "var", "yield", "record", "class", "int", "if", "None", "self", "print", "match", "EOF", "NULL",
           "SCALE", "_Private", "__reserved", "linux", "size_t", "new", "Ġx5", " err", "ba\u200br", "x²", "", 7]


@pytest.mark.parametrize(
    "language, name, expected",
    [
        ("python", FULL_WIDTH_BAR, None),  # is `bar`, already used
        ("python", BOLD_BAR, None),
        ("python", "ｑｕｘ", "qux"),  # emitted as Python reads it
        ("python", "x²", "x2"),
        ("python", CYRILLIC_BAR, CYRILLIC_BAR),
        ("python", "__class__", None),
        ("python", "＿＿class＿＿", None),  # full-width underscores fold to a dunder
        ("python", "__secret", None),  # mangled inside a class body
        ("python", "ｉｆ", None),  # folds to a keyword
        ("python", "print", None),
        ("python", "match", None),
        ("python", "class", None),
        ("python", "var", "var"),  # a Java keyword is a Python name
        ("python", "Ġx5", "x5"),
        ("python", " err", "err"),
        ("python", "▁step_count", "step_count"),
        ("python", "$x", None),
        ("python", 7, None),
        ("java", FULL_WIDTH_BAR, FULL_WIDTH_BAR),  # javac does not fold: a distinct name
        ("java", CYRILLIC_BAR, CYRILLIC_BAR),
        ("java", "$x", "$x"),
        ("java", "this$0", None),  # javac's own name for an inner class's outer instance
        ("java", "val$foo", None),
        ("java", "_", None),
        ("java", "var", None),
        ("java", "yield", None),
        ("java", "record", None),
        ("java", "null", None),
        ("java", "ba\u200br", None),  # javac ignores the zero-width space: it would be bar
        ("java", "x\u00b7y", None),  # middle dot: Python's identifier part, not javac's
        ("java", "Ġx5", "x5"),
        ("java", "def", "def"),  # a Python keyword is a Java name
        ("java", "\xa0mode", "mode"),  # white space around a substitute, as in BigCloneBench
        ("c", FULL_WIDTH_BAR, None),  # ASCII only
        ("c", "$x", None),
        ("c", "_Private", None),
        ("c", "__reserved", None),
        ("c", "EOF", None),
        ("c", "SCALE", None),  # a macro of the file, and ALL_CAPS may be a header's macro
        ("c", "linux", None),  # gcc -std=gnu11 defines it as 1
        ("c", "size_t", None),
        ("c", "node_t", None),
        ("c", "nullptr", None),  # C23
        ("c", "new", "new"),  # C++ keywords are C names
        ("c", "class", "class"),
        ("c", "Ġx5", "x5"),
    ],
)
def test_safe_new_name_folds_as_the_compiler_does_and_refuses_what_would_break(language, name, expected):
    used = used_words({"python": PYTHON_TOTAL, "java": JAVA_TOTAL, "c": C_TOTAL}[language])
    assert safe_new_name(language, name, used) == expected


def test_used_names_are_folded_too():
    """A program that spells a name full-width or as a Java escape already uses the plain name."""
    assert safe_new_name("python", "bar", used_words("ｂａｒ = 1\n")) is None
    assert safe_new_name("java", "bar", used_words("int \\u0062ar = 1;")) is None
    assert safe_new_name("c", "bar", used_words("int b\\\nar = 1;")) is None


def _attack_space(code: str, language: str, offered: list) -> tuple:
    example = Example(id="hostile", code=(code,), label=0, extra={"substitutes": {"foo": offered}})
    settings = SpaceSettings(language, (0,), [], {}, "data", "substitutes", len(offered), 0, 0)
    space = build_spaces([example], settings)[0]
    slot = next(i for i, s in enumerate(space.slots) if s.name == "foo")
    return space, slot


def _attack_rewrites(code: str, language: str, offered: list) -> tuple[list[str], list[str]]:
    space, slot = _attack_space(code, language, offered)
    names = space.slots[slot].names
    built = [space.build(Candidate(((slot, name),))) for name in names]
    return names, [b[0] for b in built if b is not None]


def test_attack_refuses_a_python_name_that_nfkc_folds_onto_a_used_one():
    """foo -> ｂａｒ captured bar: the attack counted a rewrite whose result went from -6 to 0."""
    names, rewrites = _attack_rewrites(PYTHON_TOTAL, "python", HOSTILE)
    assert FULL_WIDTH_BAR not in names and BOLD_BAR not in names and "bar" not in names
    assert not any(name.startswith("__") for name in names)
    assert {"x5", "err", "x2", CYRILLIC_BAR} <= set(names)
    assert len(rewrites) == len(names)


def test_every_python_candidate_the_attack_keeps_runs_as_the_original(tmp_path):
    _, rewrites = _attack_rewrites(PYTHON_TOTAL, "python", HOSTILE)
    assert_same_behaviour("python", PYTHON_TOTAL, rewrites, tmp_path)


def test_every_java_candidate_the_attack_keeps_compiles_and_runs_as_the_original(tmp_path):
    names, rewrites = _attack_rewrites(JAVA_TOTAL, "java", HOSTILE)
    assert {"_", "var", "yield", "record", "this$0", "bar", "ba\u200br"}.isdisjoint(names)
    assert {FULL_WIDTH_BAR, CYRILLIC_BAR, "$x", "x5"} <= set(names)
    assert_same_behaviour("java", JAVA_TOTAL, rewrites, tmp_path)


def test_every_c_candidate_the_attack_keeps_compiles_and_runs_as_the_original(tmp_path):
    names, rewrites = _attack_rewrites(C_TOTAL, "c", HOSTILE)
    assert {"SCALE", "EOF", "NULL", "linux", "_Private", "__reserved", "size_t", "$x", FULL_WIDTH_BAR}.isdisjoint(names)
    assert {"new", "class", "x5", "err"} <= set(names)
    assert_same_behaviour("c", C_TOTAL, rewrites, tmp_path)


PYTHON_FULL_WIDTH_GLOBAL = """ｖａｒ0 = 100


def shift(value):
    offset = 1
    return value + offset + ｖａｒ0


print(shift(2))
"""


def test_rename_placeholders_do_not_capture_a_name_the_program_spells_full_width(tmp_path):
    """``ｖａｒ0`` is the global ``var0``: renaming ``offset`` to ``var0`` would capture it."""
    rewrite = transform(PYTHON_FULL_WIDTH_GLOBAL, "python", "rename-identifiers", seed=0)
    assert rewrite.applied and "var0" not in rewrite.code
    assert_same_behaviour("python", PYTHON_FULL_WIDTH_GLOBAL, [rewrite.code], tmp_path)


PYTHON_MIXED_SPELLING = """def total(count):
    foo = 0
    for step in range(count):
        ｆｏｏ = foo + 3
    return ｆｏｏ


print(total(2))
"""


def test_rename_renames_every_spelling_of_one_python_name(tmp_path):
    """``foo`` and ``ｆｏｏ`` are one variable: renaming only one spelling returned 3, not 6."""
    rewrites = variants(PYTHON_MIXED_SPELLING, "python", "rename-identifiers", range(3), style="words")
    assert all("ｆｏｏ" not in code and "foo" not in code for code in rewrites)
    assert_same_behaviour("python", PYTHON_MIXED_SPELLING, rewrites, tmp_path)


@pytest.mark.slow
def test_the_attack_writes_folded_names_in_its_records(tmp_path):
    """End to end through run_attack: a substitute given full-width is recorded and written as
    Python reads it, and the best rewrite still prints what the original printed."""
    from audit_fixtures import build_models
    from metacompress.attack import AttackConfig, run_attack

    models = build_models(tmp_path / "models")
    data = tmp_path / "pairs.jsonl"
    record = {"code1": PYTHON_TOTAL, "code2": "def one():\n    return 1\n", "label": 0,
              "substitutes": {"foo": [FULL_WIDTH_BAR, "ｑｕｘ", "Ġx5", "__class__"], "bar": [BOLD_BAR + "2"]}}
    data.write_text(json.dumps(record) + "\n")
    result = run_attack(AttackConfig(
        teacher=str(models["teacher"]), student=str(models["perturbed"]), task="clone-detection",
        language="python", data=str(data), out=str(tmp_path / "out"), bootstrap=20, budget=12,
        progress=False, overwrite=True, objective="flip-student", strategy="random", max_relations=0))
    attack = result.records[0]["attacks"]["student"]
    renamed = {e["to"] for e in attack["edits"] if e["kind"] == "rename" and e["from"] in ("foo", "bar")}
    assert renamed and renamed <= {"qux", "x5", "bar2"}
    assert outputs("python", [attack["adversarial"][0]], tmp_path / "run") == ["-6\n"]
