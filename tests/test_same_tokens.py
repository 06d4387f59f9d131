"""The rename proof (code.same_tokens) agrees with a fresh parse wherever it claims the tree is kept.

Every renaming it proves is re-parsed here from scratch and compared node by node with the
original's tree; the names it must refuse are shown to change the tree when written in, so a
rule dropped from the proof fails a test.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from benchmark_snippets import distinct_snippets
from metacompress.code import same_tokens
from metacompress.code.edits import SameTreeEdits, splice
from metacompress.code.grammar_words import GRAMMARS, Grammar
from metacompress.code.parsing import ParsedCode, get_parser, python_compiles
from metacompress.code.same_tokens import renames_keep_compiling, renames_keep_tree
from metacompress.relations import get_relation
from metacompress.relations.rename import rename_edits, renamable_variables

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import grammar_words  # noqa: E402

#: names of other lengths than the originals, so every offset after the first occurrence moves
NEW_NAMES = ("q", "renamed_to_a_much_longer_name")


@pytest.fixture
def grammars_listed():
    """The proof is on only for the grammar versions code/grammar_words.py was read from."""
    other = [f"{g.package} (listed: {g.version})" for language, g in GRAMMARS.items() if same_tokens._words(language) is None]
    if other:
        pytest.skip(f"installed grammars other than code/grammar_words.py lists: {', '.join(other)}; "
                    "regenerate it with scripts/grammar_words.py")


def shape(tree) -> list[tuple[int, int]]:
    """Every node's kind and child count, in document order: the tree less its text."""
    found, cursor = [], tree.walk()
    while True:
        found.append((cursor.node.kind_id, cursor.node.child_count))
        if cursor.goto_first_child() or cursor.goto_next_sibling():
            continue
        while cursor.goto_parent():
            if cursor.goto_next_sibling():
                break
        else:
            return found


def renamings(parsed: ParsedCode):
    """All variables renamed at once, each variable alone, and each variable at every other
    occurrence only (what a wrong scope analysis would do), under each new name."""
    variables = renamable_variables(parsed)
    for new in NEW_NAMES:
        yield [(v, f"{new}{i}") for i, v in enumerate(variables)]
        for variable in variables[:8]:
            yield [(variable, new)]
            if len(variable.occurrences) > 1:
                yield [(replace(variable, occurrences=variable.occurrences[::2]), new)]


def proven_and_checked(codes: list[str], language: str) -> tuple[int, int, int]:
    """(renamings proven to keep the tree, of them proven to compile, renamings tried): each
    proven one is checked against a fresh parse, and against compile() where the original compiles."""
    proven = compiling = tried = 0
    parser = get_parser(language)
    for code in codes:
        parsed = ParsedCode.parse(code, language)
        original_compiles = language == "python" and python_compiles(code)
        for chosen in renamings(parsed):
            if not chosen:
                continue
            tried += 1
            renames = [(v.name, v.occurrences, new) for v, new in chosen]
            if not renames_keep_tree(parsed, renames):
                continue
            proven += 1
            new_source = splice(parsed.source, rename_edits(parsed.source, chosen))
            fresh = parser.parse(new_source)
            assert not fresh.root_node.has_error, (code, chosen)
            assert shape(fresh) == shape(parsed.tree), (code, chosen)
            if original_compiles and renames_keep_compiling(parsed, renames):
                compiling += 1
                assert python_compiles(new_source.decode("utf-8")), (code, chosen)
    return proven, compiling, tried


def python_sources() -> list[str]:
    paths = sorted((REPO / "tests" / "corpus" / "python").glob("*.py")) + sorted((REPO / "metacompress").rglob("*.py"))
    return [path.read_text(encoding="utf-8") for path in paths]


def test_every_proven_renaming_of_python_sources_parses_to_the_same_tree_and_compiles(grammars_listed):
    proven, compiling, tried = proven_and_checked(python_sources(), "python")
    assert proven > tried / 2 and compiling > proven / 2, (proven, compiling, tried)


@pytest.mark.parametrize("language,folder,fields", [
    ("java", "bigclonebench-test", ("code1", "code2")),
    ("c", "devign-test", ("func",)),
])  # fmt: skip
def test_every_proven_renaming_of_benchmark_code_parses_to_the_same_tree(shared_dir, language, folder, fields,
                                                                        grammars_listed):
    proven, _, tried = proven_and_checked(distinct_snippets(shared_dir / "data" / folder, fields, 300), language)
    assert proven > tried / 3, (proven, tried)


def occurrences(source: bytes, word: bytes) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(rb"\b" + word + rb"\b", source)]


@pytest.mark.parametrize("language,code,old,new", [
    ("c", "int f(int n) { int size = n; return size; }", "size", "size_t"),  # a primitive type
    ("c", "int f(int n) { int t = n; return t; }", "t", "defined"),  # a keyword only in #if
    ("java", "class A { int f(int n) { int k = n; return k; } }", "k", "record"),
    ("python", "def f(n):\n    k = n\n    return k\n", "k", "print"),  # the print statement
    ("python", "def f(n):\n    k = n\n    return k\n", "k", "match"),
])  # fmt: skip
def test_a_grammar_word_is_never_proven(language, code, old, new, grammars_listed):
    parsed = ParsedCode.parse(code, language)
    spans = occurrences(parsed.source, old.encode())
    assert renames_keep_tree(parsed, [(old, spans, "fresh")])  # the same rename to a plain word is
    assert not renames_keep_tree(parsed, [(old, spans, new)])


def test_the_words_the_proof_refuses_do_change_trees():
    """Why the word lists matter: written where an identifier stood, these parse differently."""
    for language, code, old, new in [
        ("c", "int f(int n) { size = n; return size; }", "size", "size_t"),
        ("java", "class A { void f() { int k = 1; k = k + 1; } }", "k", "_"),  # the unnamed pattern
        ("python", "def f(n):\n    k >> n\n    return n\n", "k", "print"),  # Python 2's print >> file
    ]:
        parsed = ParsedCode.parse(code, language)
        changed = parsed.source.replace(old.encode(), new.encode())
        assert shape(get_parser(language).parse(changed)) != shape(parsed.tree), (language, new)


@pytest.mark.parametrize("language,code,start,old", [
    ("c", "int f(int q) { double d = 1.e5 + q; return d; }", 10, "e5"),  # after '.': a number's exponent
    ("c", 'int f(int PRIx) { return g("%" PRIx"d"); }', 0, "PRIx"),  # before a quote: a string prefix
    ("python", "def f(x):\n    return x\n", 0, "x"),  # the proof reads every occurrence's text
])  # fmt: skip
def test_a_word_whose_neighbours_could_join_it_is_not_proven(language, code, start, old):
    parsed = ParsedCode.parse(code, language)
    spans = [span for span in occurrences(parsed.source, old.encode()) if span[0] >= start]
    if language == "python":
        spans = [(spans[0][0], spans[0][1] + 1)]  # a stretch that is not the word
    assert spans and not renames_keep_tree(parsed, [(old, spans, "u8" if language == "c" else "y")])


def test_a_string_prefix_after_a_word_changes_the_tree_where_the_proof_refuses(grammars_listed):
    code = 'int f(int PRIx) { return g("%" PRIx "d"); }'
    parsed = ParsedCode.parse(code, "c")
    spans = occurrences(parsed.source, b"PRIx")
    assert renames_keep_tree(parsed, [("PRIx", spans, "fresh")])
    joined = parsed.source.replace(b'PRIx "d"', b'u8"d"').replace(b"PRIx", b"u8")
    assert shape(get_parser("c").parse(joined)) != shape(parsed.tree)


def test_input_with_parse_errors_is_never_proven():
    parsed = ParsedCode.parse("int f(int n) { int k = n +; return k; }", "c")
    assert parsed.root.has_error
    assert not renames_keep_tree(parsed, [("k", occurrences(parsed.source, b"k"), "fresh")])


def test_another_grammar_version_turns_the_proof_off(monkeypatch, grammars_listed):
    parsed = ParsedCode.parse("int f(int n) { int k = n; return k; }", "c")
    renames = [("k", occurrences(parsed.source, b"k"), "fresh")]
    assert renames_keep_tree(parsed, renames)
    grammar = GRAMMARS["c"]
    monkeypatch.setitem(GRAMMARS, "c", Grammar(grammar.package, grammar.version + ".post1", grammar.words))
    same_tokens._words.cache_clear()
    try:
        assert not renames_keep_tree(parsed, renames)
    finally:
        same_tokens._words.cache_clear()


@pytest.mark.parametrize("language", ["c", "java", "python"])
def test_the_word_lists_hold_every_word_token_the_installed_grammar_names(language, grammars_listed):
    """The keyword lexer's words cannot be listed at run time, but every word-like anonymous
    token the grammar's symbol table names must be among them (else: regenerate the table)."""
    language_object = get_parser(language).language
    named = {
        language_object.node_kind_for_id(i)
        for i in range(1, language_object.node_kind_count)
        if not language_object.node_kind_is_named(i) and language_object.node_kind_is_visible(i)
    }
    words = {name for name in named if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or "")}
    assert words and words <= GRAMMARS[language].words


def test_rename_identifiers_skips_the_reparse_only_when_proven(grammars_listed):
    relation = get_relation("rename-identifiers")
    clean = ParsedCode.parse("int f(int n) { int total = n + 1; return total; }", "c")
    broken = ParsedCode.parse("int f(int n) { int total = n + 1; return total; }\nint g(int m) { return m +; }", "c")
    options = relation.check_options({})
    assert isinstance(relation._edits(clean, random.Random(0), options), SameTreeEdits)
    assert not isinstance(relation._edits(broken, random.Random(0), options), SameTreeEdits)
    assert relation.apply(broken.text, "c").applied  # the re-parse still accepts it


def test_the_script_reads_a_keyword_lexer():
    source = (REPO / "tests" / "data" / "keyword_lexer.c").read_text(encoding="utf-8")
    assert grammar_words.keywords(source) == ["if", "in", "int"]
    assert grammar_words.word_prefixes(source) == ["L"]


@pytest.mark.parametrize("code,old,renamed_at", [
    # a nonlocal whose binding no longer has its name: "no binding for nonlocal"
    ("def f():\n    k = 1\n    def g():\n        nonlocal k\n        k = 2\n    g()\n    return k\n", "k", 0),
    # alternatives of a case that bind different names
    ("def f(v):\n    match v:\n        case [k] | (k, 0):\n            return k\n    return 0\n", "k", 0),
    # the same, its case line indented after a form feed (found by a hostile fuzzer)
    ("match v:\n\f    case [k] | [k]:\n        pass\n", "k", 0),
])  # fmt: skip
def test_renamings_that_would_stop_python_compiling_are_not_proven_to_compile(code, old, renamed_at,
                                                                             grammars_listed):
    """Telling apart occurrences of one name (here: renaming only the first) breaks these two
    statements; the proof refuses any module that has them, and compile() decides."""
    parsed = ParsedCode.parse(code, "python")
    first = occurrences(parsed.source, old.encode())[renamed_at]
    renames = [(old, [first], "fresh")]
    assert renames_keep_tree(parsed, renames)
    assert not renames_keep_compiling(parsed, renames)
    assert python_compiles(code)
    assert not python_compiles(renamed_source(parsed, old, [first], "fresh").decode())


def test_a_renaming_inside_the_future_imports_is_not_proven_to_compile(grammars_listed):
    code = "from __future__ import annotations\n\ndef f(k):\n    return k\n"
    parsed = ParsedCode.parse(code, "python")
    later = [span for span in occurrences(parsed.source, b"k")]
    assert renames_keep_compiling(parsed, [("k", later, "fresh")])
    feature = occurrences(parsed.source, b"annotations")
    assert not renames_keep_compiling(parsed, [("annotations", feature, "fresh")])
    assert not python_compiles(code.replace("annotations", "fresh"))


class _Named:
    """The two fields rename_edits reads from a variable."""

    def __init__(self, name: str, occurrences: list[tuple[int, int]]):
        self.name, self.occurrences = name, occurrences


def renamed_source(parsed: ParsedCode, old: str, spans: list[tuple[int, int]], new: str) -> bytes:
    """The source with ``old`` at ``spans`` (all or some of its occurrences) renamed to ``new``."""
    return splice(parsed.source, rename_edits(parsed.source, [(_Named(old, spans), new)]))


@pytest.mark.parametrize("language,code,old,new", [
    ("c", "# define X\n", "define", "foo"),  # a directive's name, after "# "
    ("c", "int c = 'a b';\n", "a", "xy"),  # letters of a character literal
    ("c", "int n = 0x1'ab;\n", "ab", "zz"),  # hex digits after a digit separator
    ("c", "double d = 1e+ab;\n", "ab", "zz"),
    ("python", 'f"{x!r}"\n', "r", "rr"),  # an f-string conversion
    ("python", '"\\N{DIGIT ONE}"\n', "ONE", "ONX"),  # a named escape: same tree, no longer compiles
])  # fmt: skip
def test_letters_inside_another_token_are_never_proven(language, code, old, new, grammars_listed):
    """Counterexamples a hostile fuzzer found when the proof read only the bytes around a span:
    each changes the tree or stops the module compiling."""
    parsed = ParsedCode.parse(code, language)
    spans = [(m.start(), m.end()) for m in re.finditer(rb"(?<!\w)" + old.encode() + rb"(?!\w)", parsed.source)]
    assert spans and not renames_keep_tree(parsed, [(old, spans, new)])
    changed = renamed_source(parsed, old, spans, new)
    fresh = get_parser(language).parse(changed)
    assert fresh.root_node.has_error or shape(fresh) != shape(parsed.tree) or not python_compiles(changed.decode())


@pytest.mark.parametrize("code", [
    "class A:\n    def f(self, y, __x):\n        pass\n",  # duplicate argument
    "class A:\n    def f(self, __x):\n        global y\n",  # parameter and global
])  # fmt: skip
def test_a_new_name_a_class_mangles_into_an_old_one_is_not_proven_to_compile(code, grammars_listed):
    """``__x`` in class A is ``_A__x`` to CPython: the new name occurs nowhere, yet is taken."""
    parsed = ParsedCode.parse(code, "python")
    spans = occurrences(parsed.source, b"y")
    renames = [("y", spans, "_A__x")]
    assert renames_keep_tree(parsed, renames) and not renames_keep_compiling(parsed, renames)
    assert not python_compiles(code.replace("y", "_A__x"))


def test_a_new_name_super_is_not_proven_to_compile(grammars_listed):
    """Found by a hostile fuzzer: a load of ``super`` is a use of ``__class__`` to CPython's
    symbol table, so ``global __class__`` after it no longer compiles."""
    code = "def f():\n    g()\n    global __class__\n"
    parsed = ParsedCode.parse(code, "python")
    renames = [("g", occurrences(parsed.source, b"g"), "super")]
    assert renames_keep_tree(parsed, renames) and not renames_keep_compiling(parsed, renames)
    assert python_compiles(code) and not python_compiles(code.replace("g()", "super()"))


def test_a_renaming_with_no_occurrence_is_no_error():
    parsed = ParsedCode.parse("from __future__ import annotations\nx = 1\n", "python")
    assert renames_keep_compiling(parsed, [("x", [], "y")])  # (it raised ValueError)


def test_a_case_line_after_a_lone_carriage_return_is_not_proven_to_compile():
    """CPython ends a line at a lone ``\\r``: the case line below is one, and renaming one of
    its ``k`` breaks it as in the test above."""
    code = "def f(v):\r    match v:\r        case [k] | [k]:\r            return k\r"
    parsed = ParsedCode.parse(code, "python")
    first = occurrences(parsed.source, b"k")[0]
    assert not renames_keep_compiling(parsed, [("k", [first], "fresh")])
    assert python_compiles(code)
    assert not python_compiles(renamed_source(parsed, "k", [first], "fresh").decode())


def test_python_reads_an_underscore_as_a_keyword_only_after_a_case(grammars_listed):
    """Why an old ``_`` may be renamed where no word ``case`` occurs (same_tokens.CASE_WORD):
    in the installed grammar's parse table, no state reached without shifting a ``case`` token
    has an action on the wildcard keyword ``_``; states after one do. The walk follows every
    shift and goto ``Language.next_state`` reports, so it finds every state a parse can reach
    (and more), never fewer."""
    language = get_parser("python").language
    wildcard, case = language.id_for_node_kind("_", False), language.id_for_node_kind("case", False)

    def reachable(without: int | None) -> set[int]:
        seen, todo = {1}, [1]  # tree-sitter starts a parse in state 1
        while todo:
            state = todo.pop()
            for symbol in range(language.node_kind_count):
                after = language.next_state(state, symbol) if symbol != without else 0
                if after and after not in seen:
                    seen.add(after)
                    todo.append(after)
        return seen

    def wildcard_states(states: set[int]) -> list[int]:
        return [state for state in states if wildcard in language.lookahead_iterator(state).symbols()]

    assert not wildcard_states(reachable(without=case))
    assert wildcard_states(reachable(without=None))  # the walk does reach the patterns after a case


@pytest.mark.parametrize("code,proven", [
    ("def f(xs):\n    for _ in xs:\n        pass\n    _ = len(xs)\n    return _\n", True),
    ("def f(xs):\n    # in case xs is empty\n    for _ in xs:\n        pass\n", False),  # the word alone
])  # fmt: skip
def test_a_variable_named_underscore_is_proven_only_where_no_case_word_occurs(code, proven, grammars_listed):
    parsed = ParsedCode.parse(code, "python")
    spans = occurrences(parsed.source, b"_")
    renames = [("_", spans, "fresh")]
    assert renames_keep_tree(parsed, renames) is proven
    renamed = renamed_source(parsed, "_", spans, "fresh")
    assert shape(get_parser("python").parse(renamed)) == shape(parsed.tree)
    assert python_compiles(renamed.decode())
    assert not proven or renames_keep_compiling(parsed, renames)


def test_renaming_a_wildcard_changes_the_tree_where_the_proof_refuses(grammars_listed):
    code = "def f(v):\n    match v:\n        case _:\n            _ = 1\n    return _\n"
    parsed = ParsedCode.parse(code, "python")
    spans = occurrences(parsed.source, b"_")
    assert not renames_keep_tree(parsed, [("_", spans, "fresh")])
    renamed = renamed_source(parsed, "_", spans, "fresh")
    assert shape(get_parser("python").parse(renamed)) != shape(parsed.tree)  # a capture pattern now
