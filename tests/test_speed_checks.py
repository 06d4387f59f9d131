"""The shortcuts issue 23's speed work took answer exactly as the slower code they replace.

Each shortcut (one query pass shared by analyses, lazily ordered captures, error regions found
by bisection, a depth bound from the node count, ASCII fast paths for names, a Python scope read
from one query, statement analysers that build their context only when they read a name) is
checked against the plain definition it stands for, on inputs where the two could differ.
"""

from __future__ import annotations

import unicodedata

import pytest
from tree_sitter import Node

from metacompress.code import parsing
from metacompress.code.analysis import local_variables
from metacompress.code.c import CStatement
from metacompress.code.dataflow import Unmovable
from metacompress.code.interfaces import parameter_exposure
from metacompress.code.names import TextNames, _is_identifier, _java_part, _java_start, fold_source
from metacompress.code.parsing import ParsedCode, nested_deeper_than, walk
from metacompress.code.python import PythonScope, PythonStatement, _query as python_query
from metacompress.relations import RELATIONS

JAVA = """class C {
    @Inject void handle(int request, int retries) {
        int total = request + retries;
        for (int i = 0; i < total; i++) { log(i); }
    }
    int plain(int x) { int y = x * 2; return y; }
}"""

WITH_ERRORS = {
    "c": "int f(int n) {\n  FOREACH(item, list) { n += item; }\n  int k = n @ 2;\n  return k + ;\n}\n",
    "java": "class A { void m() { int a = 1 +; b = a ] 2; if (a > { return; } } }",
    "python": "def f(x):\n    y = x +\n    return y\n\nclass K:\n    z = ]\n\nw = 1 +\n",
}


class CountingCursor:
    """parsing.QueryCursor, counting the query passes run."""

    passes = 0

    def __init__(self, query):
        self.cursor = parsing_query_cursor(query)

    def captures(self, node):
        CountingCursor.passes += 1
        return self.cursor.captures(node)


parsing_query_cursor = parsing.QueryCursor


def test_variables_and_exposure_of_one_parse_share_one_query_pass(monkeypatch):
    monkeypatch.setattr(parsing, "QueryCursor", CountingCursor)
    CountingCursor.passes = 0
    parsed = ParsedCode._parse_fresh(JAVA, "java")
    names = {v.name for v in local_variables(parsed)}
    exposure = parameter_exposure(parsed)
    local_variables(parsed)  # a second relation on the same snippet
    assert CountingCursor.passes == 1
    assert {"request", "retries", "total", "i", "x", "y"} <= names
    exposed = {parsed.source[start:].split(b")")[0].split(b",")[0].decode() for start in exposure}
    assert exposed == {"request", "retries"}  # the annotated method's parameters, not plain's x


def test_rename_keeps_the_parameters_of_an_annotated_method():
    rewrite = RELATIONS.get("rename-identifiers")().apply(JAVA, "java")
    assert rewrite.applied
    assert "int request, int retries" in rewrite.code and "int x)" not in rewrite.code
    assert "total" not in rewrite.code


@pytest.mark.parametrize("language", sorted(WITH_ERRORS))
def test_captures_come_in_document_order(language):
    code = WITH_ERRORS[language] if language != "python" else "def f(a):\n    b = [a for a in a]\n    return lambda c: b + c\n"
    parsed = ParsedCode._parse_fresh(code, language)
    query = python_query() if language == "python" else parsing.Query(parsing.get_language(language), "(identifier) @id")
    captures = parsed.captures(query)
    walked = [(n.start_byte, n.end_byte) for n in walk(parsed.root) if n.type == "identifier"]
    assert [(n.start_byte, n.end_byte) for n in captures["id"]] == walked
    assert list(captures) == sorted(captures)
    assert parsed.captures(query) is captures  # read again, not run again


def _overlaps_an_error(parsed: ParsedCode, node: Node) -> bool:
    """ParsedCode.in_error as it is defined: the node is an error, holds one, or overlaps one."""
    overlap = any(node.start_byte < end and start < node.end_byte for start, end in parsed.error_ranges)
    return node.is_error or node.is_missing or node.has_error or overlap


@pytest.mark.parametrize("language", sorted(WITH_ERRORS))
def test_in_error_agrees_with_a_scan_of_every_error_region(language):
    parsed = ParsedCode._parse_fresh(WITH_ERRORS[language], language)
    assert len(parsed.error_ranges) >= 2
    nodes = list(walk(parsed.root))
    assert any(parsed.in_error(n) for n in nodes) and not all(parsed.in_error(n) for n in nodes)
    assert [parsed.in_error(n) for n in nodes] == [_overlaps_an_error(parsed, n) for n in nodes]


def _levels_below(node: Node) -> int:
    return max((1 + _levels_below(child) for child in node.children), default=0)


@pytest.mark.parametrize(
    "code", ["x = 1\n", "x = [" + ", ".join(["1"] * 300) + "]\n", "x = " + "(" * 60 + "1" + ")" * 60 + "\n"]
)
def test_nested_deeper_than_counts_levels(code):
    statement = ParsedCode._parse_fresh(code, "python").root.children[0]
    depth = _levels_below(statement)
    assert nested_deeper_than(statement, depth - 1) and not nested_deeper_than(statement, depth)


def test_java_names_in_ascii_are_judged_as_character_by_character():
    for code in range(128):
        char = chr(code)
        assert _is_identifier("java", char) == _java_start(char)
        assert _is_identifier("java", "a" + char) == _java_part(char)
    assert _is_identifier("java", "$x_1") and not _is_identifier("java", "1x") and not _is_identifier("java", "")


def _fold_by_categories(text: str) -> str:
    """fold_source's last step spelled out: every Cf and Cc character but tab and line ends dropped."""
    return "".join(c for c in text if c in "\n\r\t" or unicodedata.category(c) not in ("Cf", "Cc"))


@pytest.mark.parametrize("text", ['s = "a\\tb";\x0b x\x01y = 1;\x7f\n', 'int a\\u0062 = 1; // \\\n tail\x1f', "ok\\n"])
def test_folding_ascii_text_drops_the_same_controls(text):
    escaped = text.replace("\\u0062", "b").replace("\\\n", "")
    assert fold_source(text) == _fold_by_categories(escaped)


def test_a_name_is_taken_when_it_occurs_only_after_folding():
    names = TextNames("int a\\u0062 = 1;")
    assert "ab" in names and "a" in names and "abc" not in names
    assert "var0" not in TextNames("int var1 = 0;") and "var1" in TextNames("int var1 = 0;")


SCOPED = """def f(a, b):
    x = 1
    y, z = 2, 3
    for i in range(3):
        pass
    w += 1
    g = lambda: y
    h = [z for _ in ()]
    global q
    q = 1
    def inner():
        nonlocal x
    c = d = 0
    e: int
    return x
"""


def test_python_scope_keeps_the_names_nothing_else_sees():
    function = ParsedCode._parse_fresh(SCOPED, "python").root.children[0]
    scope = PythonScope.of(function)
    # y, z: read by a lambda or comprehension; x: nonlocal in inner; q: global
    assert scope.private == frozenset({"a", "b", "i", "w", "g", "h", "c", "d", "e"})
    assert not scope.module and PythonScope.of(None).module


def _statement(code: str, language: str) -> Node:
    root = ParsedCode._parse_fresh(code, language).root
    return next(n for n in walk(root) if n.type in ("expression_statement", "declaration"))


def test_python_statement_builds_its_scope_only_to_read_a_name():
    built = []

    def scope() -> PythonScope:
        built.append(1)
        return PythonScope(frozenset({"a", "x"}), False)

    with pytest.raises(Unmovable):
        PythonStatement(scope).statement(_statement("x = f()\n", "python"))
    assert built == []
    access = PythonStatement(scope).statement(_statement("x = a + 1\n", "python"))
    assert built == [1] and access.writes == {"x"} and access.reads == {"a"}


def test_c_statement_looks_up_locals_only_to_read_a_name():
    looked_up = []

    def local_names() -> dict[str, str]:
        looked_up.append("locals")
        return {"a": "int", "x": "int"}

    def facts():
        looked_up.append("facts")
        from metacompress.code.c import CFunctionFacts

        return CFunctionFacts(frozenset(), frozenset())

    with pytest.raises(Unmovable):
        CStatement(local_names, facts).statement(_statement("void m() { f(x); }", "c"))
    assert looked_up == []
    access = CStatement(local_names, facts).statement(_statement("void m() { x = a + 1; }", "c"))
    assert "locals" in looked_up and access.writes == {"x"} and access.reads == {"a"}
