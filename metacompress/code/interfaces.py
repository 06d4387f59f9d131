"""What callers outside a snippet can see of its functions: parameter names and function names.

A Python parameter that can be passed by keyword is part of its function's interface: a caller
writing ``f(key=1)`` breaks when ``key`` is renamed. ``parameter_exposure`` says, for each such
parameter, why a caller may name it; rename-identifiers keeps those names unless its targets
include ``parameters``. A parameter is private (absent from the answer) when it is positional-
only, ``*args`` or ``**kwargs``, or belongs to a nested function that never escapes: defined in
a function, undecorated, and named only as the callee of calls that pass no keyword. Java and C
parameters cannot be passed by keyword, but a Java parameter carrying an annotation, or of a
method carrying one, may be bound by name through reflection (Spring's ``@RequestParam``,
Jackson's ``@JsonCreator``, Lombok's ``@Builder``): it counts as exposed.

``function_names`` is the opt-in ``function`` target: the name of each function defined in the
snippet with every call site of it in the snippet, when the analysis can see them all. It never
knows about callers outside the snippet.
"""

from __future__ import annotations

import builtins
import functools

from tree_sitter import Node, Query

from .c import ASSERTION, PASTE, STRINGIZE, macros_using
from .java import QUERY as JAVA_QUERY
from .java import _query as java_query
from .parsing import ParsedCode, get_language, node_text
from .python import QUERY as PYTHON_QUERY
from .python import _query as python_query
from .scopes import WORD, SpanSet, Variable, identifiers_under, span

#: names through which Python code may reach a function object or a frame without naming it
PYTHON_DYNAMIC = frozenset(
    {"locals", "globals", "vars", "eval", "exec", "getattr", "_getframe", "currentframe", "f_locals", "f_globals", "__dict__"}
)
#: names that read a frame's variables: any function's locals may leak through them
FRAME_ACCESS = frozenset({"_getframe", "currentframe", "f_locals", "f_back", "getouterframes"})
#: names that read or run code in the calling function's own namespace
LOCALS_ACCESS = frozenset({"locals", "vars", "eval", "exec"})
#: Java parameter annotations that say nothing about the parameter's name
NAMELESS_ANNOTATIONS = frozenset(
    {"Nullable", "NonNull", "Nonnull", "NotNull", "CheckForNull", "Final", "SuppressWarnings", "Deprecated", "Unused",
     "Override", "SafeVarargs", "FunctionalInterface"}
)
#: methods every Java class inherits: a method of that name may override one
OBJECT_METHODS = frozenset({"toString", "equals", "hashCode", "clone", "finalize", "getClass", "notify", "notifyAll", "wait"})
#: added to the scope analyses' queries for ``function_names`` (the ``function`` target)
PYTHON_FUNCTION_PATTERNS = """
(call function: (identifier) @callee)
(string) @string
"""
JAVA_FUNCTION_PATTERNS = """
(method_declaration name: (identifier) @def_name)
(method_invocation name: (identifier) @callee)
(string_literal) @string
(constructor_declaration name: (identifier) @constructor)
"""
C_QUERY = """
(function_definition) @def
(identifier) @id
(call_expression function: (identifier) @callee)
(declaration declarator: (function_declarator declarator: (identifier) @prototype))
(string_literal) @string
(preproc_def) @directive
(preproc_function_def) @directive
(preproc_call) @directive
(preproc_if condition: (_) @directive)
(preproc_elif condition: (_) @directive)
(preproc_ifdef name: (identifier) @directive)
"""
C_OWN_NAME = frozenset({b"__func__", b"__FUNCTION__", b"__PRETTY_FUNCTION__"})
NOT_CALLED = "named other than as the callee of a call"


@functools.cache
def _query(language: str) -> Query:
    """Python and Java: the scope analysis's own query, which also holds the patterns exposure
    reads, so renaming runs one query pass (cached on the ParsedCode) for variables and interfaces."""
    if language == "python":
        return python_query()
    if language == "java":
        return java_query()
    return Query(get_language(language), C_QUERY)


@functools.cache
def _function_query(language: str) -> Query:
    """What ``function_names`` reads: the exposure query and the patterns only it needs."""
    if language == "c":
        return _query("c")
    text = {"python": PYTHON_QUERY + PYTHON_FUNCTION_PATTERNS, "java": JAVA_QUERY + JAVA_FUNCTION_PATTERNS}[language]
    return Query(get_language(language), text)


def _captures(parsed: ParsedCode) -> dict[str, list[Node]]:
    return parsed.captures(_query(parsed.language))


def parameter_exposure(parsed: ParsedCode) -> dict[int, str]:
    """First byte of each parameter name a caller may use -> why; private ones are absent."""
    if parsed.language == "python":
        return _python_exposure(_captures(parsed))
    if parsed.language == "java":
        return _java_exposure(_captures(parsed))
    return {}


def function_names(parsed: ParsedCode) -> list[Variable]:
    """One ``function`` variable per function defined in the snippet: its name and its call
    sites; ``excluded`` says why one must keep its name."""
    captures = parsed.captures(_function_query(parsed.language))
    finder = {"python": _python_functions, "java": _java_functions, "c": _c_functions}[parsed.language]
    return finder(parsed, captures)


# --- Python -----------------------------------------------------------------------------------


def _python_exposure(captures: dict[str, list[Node]]) -> dict[int, str]:
    private = _private_python_functions(captures)
    exposed: dict[int, str] = {}
    for parameters in captures.get("parameters", ()):
        owner = parameters.parent
        if owner is not None and owner.start_byte in private:
            continue
        what = "a lambda" if parameters.type == "lambda_parameters" else "its function"
        for name in _keyword_parameters(parameters):
            exposed[name.start_byte] = f"a parameter callers of {what} can pass by keyword"
    return exposed


def _keyword_parameters(parameters: Node) -> list[Node]:
    """Names that a caller may pass as ``name=value``: not positional-only (before ``/``), not
    ``*args`` or ``**kwargs``."""
    children = parameters.named_children
    separator = next((i for i, c in enumerate(children) if c.type == "positional_separator"), -1)
    found = []
    for child in children[separator + 1 :]:
        node = child.child_by_field_name("name") if child.type in ("default_parameter", "typed_default_parameter") else child
        if node is not None and node.type == "typed_parameter":
            node = node.named_children[0] if node.named_children else None
        if node is not None and node.type == "identifier":
            found.append(node)
    return found


def _private_python_functions(captures: dict[str, list[Node]]) -> set[int]:
    """Start bytes of nested functions that never escape: no caller can name their parameters."""
    nested = [
        (definition, name) for definition, name in _python_definitions(captures)
        if not _decorated(definition) and _enclosing_kind(definition) == "function_definition"
    ]  # fmt: skip
    if not nested:  # most snippets: the name uses below are not needed
        return set()
    uses = _python_uses(captures)
    if _mentions(captures, FRAME_ACCESS):
        return set()
    dynamic = [node.start_byte for node in captures.get("id", ()) if node_text(node) in LOCALS_ACCESS]
    private = set()
    for definition, name in nested:
        enclosing = _enclosing(definition)
        if any(enclosing.start_byte <= position < enclosing.end_byte for position in dynamic):
            continue  # locals() or eval in the enclosing function may hand the function out
        if all(_positional_call(node) for node in uses.get(name, ())):
            private.add(definition.start_byte)
    return private


def _mentions(captures: dict[str, list[Node]], names: frozenset[str]) -> bool:
    """Whether the file has ``import *`` or any of ``names``, attribute names included."""
    return bool(captures.get("wildcard")) or any(node_text(node) in names for node in captures.get("id", ()))


def _python_uses(captures: dict[str, list[Node]]) -> dict[str, list[Node]]:
    """Every mention of each name, except definitions' own names, attribute and keyword names."""
    skipped = {n.start_byte for key in ("skip", "def_name") for n in captures.get(key, ())}
    uses: dict[str, list[Node]] = {}
    for node in captures.get("id", ()):
        if node.start_byte not in skipped:
            uses.setdefault(node_text(node), []).append(node)
    return uses


def _python_definitions(captures: dict[str, list[Node]]) -> list[tuple[Node, str]]:
    """(definition, name) for each name defined by exactly one ``def`` in the file."""
    names = [(name.parent, node_text(name)) for name in captures.get("def_name", ()) if name.parent is not None]
    counts: dict[str, int] = {}
    for _, name in names:
        counts[name] = counts.get(name, 0) + 1
    return [(definition, name) for definition, name in names if counts[name] == 1]


def _decorated(definition: Node) -> bool:
    return definition.parent is not None and definition.parent.type == "decorated_definition"


def _enclosing(node: Node) -> Node:
    """The function, class or module a ``def`` lives in."""
    current = node.parent
    while current is not None and current.parent is not None and current.type not in ("function_definition", "class_definition"):
        current = current.parent
    return current if current is not None else node


def _enclosing_kind(node: Node) -> str:
    """``function_definition``, ``class_definition`` or ``module``."""
    return _enclosing(node).type


def _callee_call(node: Node) -> Node | None:
    call = node.parent
    if call is not None and call.type == "call" and call.child_by_field_name("function") == node:
        return call
    return None


def _positional_call(node: Node) -> bool:
    call = _callee_call(node)
    arguments = call.child_by_field_name("arguments") if call is not None else None
    if arguments is None:
        return False
    if arguments.type != "argument_list":
        return True  # f(x for x in y): one positional generator
    return not any(a.type in ("keyword_argument", "dictionary_splat") for a in arguments.named_children)


def _python_functions(parsed: ParsedCode, captures: dict[str, list[Node]]) -> list[Variable]:
    uses = _python_uses(captures)
    dynamic = _mentions(captures, PYTHON_DYNAMIC | FRAME_ACCESS)
    strings = _words_in(captures.get("string", ()))
    printed = SpanSet([span(n) for n in captures.get("debug", ())])
    defined = [(n.parent, node_text(n), n) for n in captures.get("def_name", ()) if n.parent is not None]
    counts: dict[str, int] = {}
    for _, name, _ in defined:
        counts[name] = counts.get(name, 0) + 1
    found = []
    for definition, name, name_node in defined:
        calls = uses.get(name, [])
        variable = Variable(name, "function", (0, len(parsed.source)), [span(name_node)] + [span(n) for n in calls])
        variable.exclude(_python_function_risk(definition, name, counts[name], calls, dynamic, name in strings))
        if printed and any(printed.contains(n.start_byte) for n in calls):
            variable.exclude("called inside an f-string debug field, which prints its text")
        found.append(variable)
    return found


def _python_function_risk(definition: Node, name: str, count: int, calls: list[Node], dynamic: bool, in_string: bool) -> str:
    if dynamic:
        return "the file may reach functions dynamically (globals(), getattr, eval, import *)"
    if name.startswith("__") and name.endswith("__"):
        return "a special name"
    if hasattr(builtins, name):
        return "shares its name with a builtin"
    if _enclosing_kind(definition) == "class_definition":
        return "a method: callers reach it through its object, subclasses may override it"
    if count > 1:
        return "defined more than once"
    if _decorated(definition):
        return "decorated: the decorator may register it by name"
    if in_string:
        return "its name appears in a string (__all__, getattr, mock.patch)"
    if not all(_callee_call(node) is not None for node in calls):
        return NOT_CALLED
    if _enclosing_kind(definition) == "function_definition":
        body = definition.parent
        if body is None or not all(body.start_byte <= n.start_byte < body.end_byte for n in calls):
            return "a nested function whose name is also used outside its enclosing function"
    return ""


def _words_in(strings: list[Node]) -> set[str]:
    """Words in the literal text of strings (not in f-string fields, not in docstrings)."""
    words: set[str] = set()
    for node in strings:
        statement = node.parent
        if statement is not None and statement.type == "expression_statement" and statement.named_child_count == 1:
            continue  # a docstring, or a string whose value is unused
        for child in node.children:
            if child.type in ("string_content", "string_fragment", "multiline_string_fragment"):
                words.update(WORD.findall(node_text(child)))
    return words


# --- Java -------------------------------------------------------------------------------------


def _java_exposure(captures: dict[str, list[Node]]) -> dict[int, str]:
    """Parameters carrying an annotation, or of a method or constructor carrying one (Spring's
    ``@RequestParam``, Jackson's ``@JsonCreator``, Lombok's ``@Builder`` use parameter names)."""
    exposed = {}
    for name in captures.get("param", ()):
        parameter = name.parent
        if parameter is None or parameter.type != "formal_parameter":
            continue  # a ``T... name`` parameter: its declarator's parent is a spread_parameter
        callable_ = parameter.parent.parent if parameter.parent is not None else None
        if _annotations(parameter):
            exposed[name.start_byte] = "an annotated parameter, which a framework may bind by name through reflection"
        elif callable_ is not None and callable_.type.endswith("declaration") and _annotations(callable_):
            exposed[name.start_byte] = "a parameter of an annotated method, which a framework may bind by name"
    return exposed


def _annotations(node: Node) -> list[str]:
    """Names of the annotations on a declaration that may give meaning to parameter names."""
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    if modifiers is None:
        return []
    names = [c.child_by_field_name("name") for c in modifiers.named_children if c.type.endswith("annotation")]
    found = [node_text(n).rpartition(".")[2] for n in names if n is not None]
    return [name for name in found if name not in NAMELESS_ANNOTATIONS]


def _java_functions(parsed: ParsedCode, captures: dict[str, list[Node]]) -> list[Variable]:
    strings = _words_in(captures.get("string", ()))
    constructors = {node_text(n) for n in captures.get("constructor", ())}
    definitions = [(n.parent, n) for n in captures.get("def_name", ()) if n.parent is not None]
    names = [node_text(n) for _, n in definitions]
    callees = {n.start_byte for n in captures.get("callee", ())}
    by_name: dict[str, list[Node]] = {}
    for node in captures.get("id", ()):
        by_name.setdefault(node_text(node), []).append(node)
    found = []
    for definition, name_node in definitions:
        name = node_text(name_node)
        others = [n for n in by_name.get(name, []) if n.start_byte != name_node.start_byte]
        variable = Variable(name, "function", (0, len(parsed.source)), [span(name_node)] + [span(n) for n in others])
        if name == "main" or name in OBJECT_METHODS or names.count(name) > 1 or name in constructors:
            variable.exclude("an entry point, an inherited method's name or an overloaded name")
        elif definition.child_by_field_name("body") is None or _has_annotation(definition):
            variable.exclude("abstract, or annotated (@Override, @Test): a caller or framework finds it by name")
        elif _may_override(definition):
            variable.exclude("its class extends or implements a type, whose method it may override")
        elif name in strings:
            variable.exclude("its name appears in a string (reflection)")
        elif not all(n.start_byte in callees and _java_own_call(n, definition) for n in others):
            variable.exclude(NOT_CALLED + " on this object, in its own class")
        found.append(variable)
    return found


def _has_annotation(definition: Node) -> bool:
    modifiers = next((c for c in definition.children if c.type == "modifiers"), None)
    return modifiers is not None and any(c.type.endswith("annotation") for c in modifiers.named_children)


def _class_body(node: Node) -> Node | None:
    current = node.parent
    while current is not None and current.type not in ("class_body", "enum_body", "interface_body", "program"):
        current = current.parent
    return current


def _may_override(definition: Node) -> bool:
    body = _class_body(definition)
    if body is None or body.type == "program":
        return False  # a bare method, as BigCloneBench holds them
    owner = body.parent
    if body.type != "class_body" or owner is None or owner.type != "class_declaration":
        return True  # an enum, an interface, an anonymous class, a record
    return any(owner.child_by_field_name(f) is not None for f in ("superclass", "interfaces"))


def _java_own_call(callee: Node, definition: Node) -> bool:
    """``m(...)`` or ``this.m(...)`` in the class that declares ``m``, not in a nested one."""
    call = callee.parent
    target = call.child_by_field_name("object") if call is not None else None
    if target is not None and target.type != "this":
        return False
    return _class_body(callee) == _class_body(definition)


# --- C ----------------------------------------------------------------------------------------


def _c_functions(parsed: ParsedCode, captures: dict[str, list[Node]]) -> list[Variable]:
    directive_words = {word for node in captures.get("directive", ()) for word in WORD.findall(node_text(node))}
    allowed = {n.start_byte for key in ("callee", "prototype") for n in captures.get(key, ())}
    by_name: dict[bytes, list[Node]] = {}
    for node in captures.get("id", ()):
        by_name.setdefault(node.text or b"", []).append(node)
    strings = _words_in(captures.get("string", ()))
    printed = _c_printed_arguments(captures)
    definitions = [(d, n) for d in captures.get("def", ()) if (n := _c_function_name(d)) is not None]
    counts: dict[bytes, int] = {}
    for _, name_node in definitions:
        counts[name_node.text or b""] = counts.get(name_node.text or b"", 0) + 1
    found = []
    for definition, name_node in definitions:
        raw = name_node.text or b""
        name = node_text(name_node)
        others = [n for n in by_name.get(raw, []) if n.start_byte != name_node.start_byte]
        variable = Variable(name, "function", (0, len(parsed.source)), [span(name_node)] + [span(n) for n in others])
        if name == "main" or counts[raw] > 1:
            variable.exclude("the program's entry point, or defined more than once")
        elif name in directive_words or name in strings:
            variable.exclude("its name appears in a preprocessor directive or a string")
        elif printed and any(printed.contains(n.start_byte) for n in others):
            variable.exclude("named inside a macro that prints or pastes its arguments' text")
        elif any((n.text or b"") in C_OWN_NAME for n in identifiers_under(definition)):
            variable.exclude("prints its own name through __func__")
        elif not all(n.start_byte in allowed for n in others):
            variable.exclude(NOT_CALLED + " or a prototype")
        found.append(variable)
    return found


def _c_printed_arguments(captures: dict[str, list[Node]]) -> SpanSet:
    """Arguments of this file's macros that stringize or paste (``#x``, ``a##b``) and of
    assertions: their text is printed or becomes another name."""
    directives = captures.get("directive", ())
    macros = macros_using(directives, STRINGIZE) | macros_using(directives, PASTE)
    spans = []
    for callee in captures.get("callee", ()):
        name = callee.text or b""
        arguments = callee.parent.child_by_field_name("arguments") if callee.parent is not None else None
        if arguments is not None and (name in macros or ASSERTION.search(name)):
            spans.append(span(arguments))
    return SpanSet(spans)


def _c_function_name(definition: Node) -> Node | None:
    """The name in a plain ``T name(params) {...}`` header (through pointers and parentheses)."""
    node = definition.child_by_field_name("declarator")
    while node is not None and node.type in ("pointer_declarator", "attributed_declarator", "parenthesized_declarator"):
        node = node.child_by_field_name("declarator") or (node.named_children[0] if node.named_children else None)
    if node is None or node.type != "function_declarator":
        return None
    name = node.child_by_field_name("declarator")
    return name if name is not None and name.type == "identifier" else None

