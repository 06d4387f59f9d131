"""Issue 20, reach (second part): the C variables ALERT renames on Devign that the attack refused
are renamed under named assumptions (a function named by a macro call, a bare name given to a
macro that is also a member's), every occurrence included, the program still compiling and
printing the same; run's rename-identifiers still refuses them."""

from __future__ import annotations

import re

import pytest

from metacompress.attack.space import Candidate, SpaceSettings, build_spaces
from metacompress.code.assumptions import (
    ASSERTION_TEXT,
    ASSUMPTIONS,
    LOCAL_MACROS,
    MACRO_ARGUMENTS,
    MACRO_FUNCTION_NAMES,
    UNPARSED_CODE,
    UNTYPED_HEADERS,
)
from metacompress.errors import NotApplicable
from metacompress.relations import get_relation
from metacompress.tasks import Example
from relation_exec import outputs

#: a function whose name is built by a macro (FFmpeg's RENAME(f), QEMU's HELPER(op))
MACRO_NAMED = ("static int RENAME(sum)(const int *src, int count)\n{\n    int i, total = 0;\n"
               "    for (i = 0; i < count; i++)\n        total += src[i];\n    return total;\n}\n")
#: fd is also a member (``.fd``) and passed bare to FD_ISSET; listener is passed to container_of
#: both as the pointer and as the member name
MACRO_ARGUMENT = ("static int ready(int fd, struct item *listener)\n{\n    struct pollfd pfd = { .fd = fd };\n"
                  "    Box *b = container_of(listener, Box, listener);\n"
                  "    if (FD_ISSET(fd, &b->set))\n        return pfd.fd + b->base;\n    return -1;\n}\n")
#: QEMU's LMI_HELPER pattern: a macro defined inside the function pastes names and uses locals
LOCAL_MACRO = ("static int apply(int op, int a, int b)\n{\n    const char *name = \"none\";\n    int t0 = a, t1 = b;\n"
               "#define OP_HELPER(UP, LO) case OP_##UP: t0 = do_##LO(t0, t1); name = #LO; break\n"
               "    switch (op) {\n    OP_HELPER(ADD, add);\n    OP_HELPER(SUB, sub);\n    }\n"
               "#undef OP_HELPER\n    printf(\"%s \", name);\n    return t0;\n}\n")
#: a Devign function whose return type was cut off: the parser reads a call and a block
UNTYPED = ("total_of(const int *src, int count)\n{\n    int i, total = 0;\n"
           "    for (i = 0; i < count; i++)\n        total += src[i];\n    return total;\n}\n")
ASSERTION = "static int g(int n)\n{\n    int total = n + 1;\n    assert(total > 0);\n    return total;\n}\n"

HEADERS = ("#include <stdio.h>\n#include <stddef.h>\n#include <assert.h>\n#include <sys/select.h>\n"
           "struct pollfd { int fd; };\nstruct item { int unused; };\n"
           "typedef struct box { int base; fd_set set; struct item listener; } Box;\n"
           "#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))\n"
           "#define RENAME(name) name##_c\n"
           "enum { OP_ADD, OP_SUB };\nstatic int do_add(int x, int y) { return x + y; }\n"
           "static int do_sub(int x, int y) { return x - y; }\n")
MAINS = {
    "sum": "int main(void) { int v[4] = {1, 2, 3, 4}; printf(\"%d\\n\", sum_c(v, 4)); return 0; }\n",
    "ready": ("int main(void) { Box b = { 40 }; FD_ZERO(&b.set); FD_SET(2, &b.set);\n"
              "    printf(\"%d %d\\n\", ready(2, &b.listener), ready(3, &b.listener)); return 0; }\n"),
    "apply": "int main(void) { printf(\"%d %d %d\\n\", apply(0, 5, 3), apply(1, 5, 3), apply(2, 5, 3)); return 0; }\n",
    "total_of": "int main(void) { int v[3] = {5, 6, 7}; printf(\"%d\\n\", total_of(v, 3)); return 0; }\n",
    "g": "int main(void) { printf(\"%d\\n\", g(4)); return 0; }\n",
}


def space_of(code: str, assumptions=tuple(ASSUMPTIONS)):
    settings = SpaceSettings("c", (0,), [], {}, "generated", "substitutes", 5, 0, 0, tuple(assumptions))
    return build_spaces([Example("1", (code,), 0)], settings)[0]


def rename_all(code: str, new_names: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The code with the named variables renamed through the attack's space, and the assumptions
    the rewrite relies on (as adversarial.jsonl lists them)."""
    space = space_of(code)
    by_name = {slot.name: index for index, slot in enumerate(space.slots)}
    missing = set(new_names) - set(by_name)
    assert not missing, f"no rename slot for {missing}"
    candidate = Candidate(tuple(sorted((by_name[old], new) for old, new in new_names.items())))
    built = space.build(candidate)
    assert built is not None
    return built[0], space.assumptions(candidate)


def run_both(tmp_path, original: str, rewritten: str, main: str) -> None:
    before, after = outputs("c", [HEADERS + original + main, HEADERS + rewritten + main], tmp_path)
    assert before.strip() and after == before


def test_parameters_of_a_function_named_by_a_macro_are_renamed_and_it_runs_alike(tmp_path):
    rewritten, assumptions = rename_all(MACRO_NAMED, {"src": "values", "count": "length"})
    assert not re.search(r"\b(src|count)\b", rewritten)
    assert "RENAME(sum)(const int *values, int length)" in rewritten
    assert assumptions == (MACRO_FUNCTION_NAMES,)
    run_both(tmp_path, MACRO_NAMED, rewritten, MAINS["sum"])


def test_a_bare_macro_argument_that_is_also_a_member_is_renamed_but_the_members_are_not(tmp_path):
    rewritten, assumptions = rename_all(MACRO_ARGUMENT, {"fd": "handle", "listener": "node"})
    assert ".fd = handle" in rewritten and "FD_ISSET(handle, &b->set)" in rewritten and "pfd.fd" in rewritten
    assert "container_of(node, Box, listener)" in rewritten
    assert assumptions == (MACRO_ARGUMENTS,)
    run_both(tmp_path, MACRO_ARGUMENT, rewritten, MAINS["ready"])


def test_locals_used_by_a_function_local_macro_are_renamed_in_its_body_too(tmp_path):
    rewritten, assumptions = rename_all(LOCAL_MACRO, {"t0": "acc", "t1": "rhs", "name": "label", "op": "code"})
    assert "case OP_##UP: acc = do_##LO(acc, rhs); label = #LO; break" in rewritten
    assert "switch (code)" in rewritten and not re.search(r"\b(t0|t1|name|op)\b", rewritten)
    assert assumptions == (LOCAL_MACROS,)
    run_both(tmp_path, LOCAL_MACRO, rewritten, MAINS["apply"])


def test_a_local_named_like_a_name_the_macro_pastes_keeps_its_name():
    colliding = LOCAL_MACRO.replace("int t0 = a, t1 = b;", "int t0 = a, t1 = b, OP_SUB = 0;")
    assert "OP_SUB" not in {slot.name for slot in space_of(colliding).slots}
    assert "t0" in {slot.name for slot in space_of(colliding).slots}


def test_parameters_of_a_header_without_return_type_are_renamed_everywhere(tmp_path):
    rewritten, assumptions = rename_all(UNTYPED, {"src": "values", "count": "length", "total": "sum"})
    assert rewritten.startswith("total_of(const int *values, int length)")
    assert not re.search(r"\b(src|count|total)\b", rewritten)
    assert UNTYPED_HEADERS in assumptions
    # gcc refuses implicit int: both are compiled with the return type the reading assumes
    run_both(tmp_path, "int " + UNTYPED, "int " + rewritten, MAINS["total_of"])


def test_a_pasting_macro_defined_twice_keeps_the_blanket_rule():
    twice = LOCAL_MACRO.replace("#define OP_HELPER(UP, LO) case", "#ifdef ALT\n#define OP_HELPER(UP, LO) case OP_##UP: break\n"
                                "#else\n#define OP_HELPER(UP, LO) case", 1).replace("#undef", "#endif\n#undef", 1)
    assert twice.count("#define OP_HELPER") == 2
    assert "op" not in {slot.name for slot in space_of(twice).slots}


def test_a_name_inside_an_assertion_is_renamed_there_too(tmp_path):
    rewritten, assumptions = rename_all(ASSERTION, {"total": "sum"})
    assert "assert(sum > 0)" in rewritten and "total" not in rewritten
    assert assumptions == (ASSERTION_TEXT,)
    run_both(tmp_path, ASSERTION, rewritten, MAINS["g"])


@pytest.mark.parametrize("code, kept", [(MACRO_NAMED, ["src", "count"]), (MACRO_ARGUMENT, ["fd", "listener"]),
                                        (LOCAL_MACRO, ["t0", "t1", "name", "op"]), (UNTYPED, ["src", "count"])])
def test_run_rename_identifiers_still_keeps_their_names(code, kept):
    try:
        rewrite = get_relation("rename-identifiers").apply(code, "c", seed=0)
    except NotApplicable:
        return
    for name in kept:
        assert re.search(rf"\b{name}\b", rewrite.code)


@pytest.mark.parametrize("code, name, assumption", [(MACRO_NAMED, "src", MACRO_FUNCTION_NAMES),
                                                    (MACRO_ARGUMENT, "fd", MACRO_ARGUMENTS),
                                                    (LOCAL_MACRO, "t0", LOCAL_MACROS),
                                                    (UNTYPED, "count", UNTYPED_HEADERS)])
def test_each_new_reach_needs_its_own_assumption(code, name, assumption):
    assert name not in {slot.name for slot in space_of(code, ()).slots}
    others = [other for other in ASSUMPTIONS if other != assumption]
    assert name not in {slot.name for slot in space_of(code, others).slots}
    # the untyped header is also code the parser could not read
    needed = [assumption] + ([UNPARSED_CODE] if code == UNTYPED else [])
    assert name in {slot.name for slot in space_of(code, needed).slots}


def _enums_of_assumptions(node) -> list[list[str]]:
    """Every enum in a schema that lists assumption names."""
    found = []
    if isinstance(node, dict):
        if "statement-macros" in node.get("enum", ()):
            found.append([name for name in node["enum"] if name != "none"])
        for value in node.values():
            found += _enums_of_assumptions(value)
    elif isinstance(node, list):
        for value in node:
            found += _enums_of_assumptions(value)
    return found


@pytest.mark.parametrize("schema", ["attack", "adversarial"])
def test_the_schemas_accept_every_assumption_a_record_may_list(schema):
    from metacompress.report import load_schema

    enums = _enums_of_assumptions(load_schema(schema))
    assert enums and all(sorted(enum) == sorted(ASSUMPTIONS) for enum in enums)
