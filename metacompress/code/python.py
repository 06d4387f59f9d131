"""Python: local variables and parameters (for renaming) and statement data flow (for reordering).

Renaming covers functions, lambdas and comprehensions; data flow needs the names a function
keeps to itself and what an assignment statement reads and writes (below the renaming part).

Python scoping is by function, not block: a name bound anywhere in a function is local to all
of it, nested functions see it as a closure, class bodies are skipped by the functions inside
them, and defaults, annotations, decorators and a comprehension's first iterable are evaluated
in the enclosing scope. Names declared ``global``/``nonlocal``, bound by ``import``, ``def``,
``class`` or a ``match`` pattern, shown by an ``f"{x=}"`` debug field, or living in a function
that reads its locals dynamically (``locals()``, ``vars()``, ``eval``, ``exec``) keep their
names; so do parameters passed by keyword somewhere in the file, ``self`` and ``cls``.
Identifiers are read as Python reads them, folded under NFKC (PEP 3131): ``ｆｏｏ`` is ``foo``.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node, Query

from .dataflow import ANYWHERE, Access, Unmovable
from .edits import Edit
from .parsing import ParsedCode, get_language, python_compiles, query_captures, walk
from .parsing import node_text as _raw_text
from .scopes import Ban, Span, SpanSet, Variable, identifiers_under, span

# The last two patterns are read by interfaces.py (parameter exposure), which shares this query's
# captures: ``skip`` there means not a name (an attribute or keyword).
QUERY = """
(identifier) @id
(attribute attribute: (identifier) @skip)
(keyword_argument name: (identifier) @skip)
(keyword_argument name: (identifier) @keyword)
(function_definition name: (identifier) @fixed)
(class_definition name: (identifier) @fixed)
(import_statement) @fixed_all
(import_from_statement) @fixed_all
(future_import_statement) @fixed_all
(case_pattern) @fixed_all
(type_alias_statement left: (_) @fixed_all)
(type_parameter) @banned_all
(global_statement (identifier) @global)
(nonlocal_statement (identifier) @global)
(parameters) @parameters
(lambda_parameters) @parameters
(assignment left: (_) @target)
(augmented_assignment left: (_) @target)
(for_statement left: (_) @target)
(for_in_clause left: (_) @target)
(as_pattern_target) @target
(delete_statement) @target
(named_expression name: (identifier) @walrus)
(interpolation "=") @debug
(function_definition) @function
(lambda) @function
(class_definition) @class
(list_comprehension) @comprehension
(set_comprehension) @comprehension
(dictionary_comprehension) @comprehension
(generator_expression) @comprehension
(exec_statement) @dynamic
(function_definition name: (identifier) @def_name)
(wildcard_import) @wildcard
"""

#: names whose use lets a function read its own locals by name
DYNAMIC_NAMES = frozenset({"locals", "vars", "eval", "exec", "_getframe", "currentframe", "f_locals", "getargvalues"})
TARGET_GROUPS = frozenset(
    {"pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "parenthesized_expression",
     "expression_list", "list_splat_pattern", "list_splat", "as_pattern_target", "delete_statement"}
)
# Role precedence: the first role that claims an identifier wins.
ROLES = ("skip", "fixed", "global", "param", "walrus", "bind", "pin")


@dataclass(eq=False)
class _Scope:
    kind: str  # "module", "function", "class" or "comprehension"
    span: Span
    outer: list[Span] = field(default_factory=list)  # parts evaluated in the enclosing scope
    parent: "_Scope | None" = None
    bound: set[str] = field(default_factory=set)
    fixed: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    declared_global: set[str] = field(default_factory=set)
    dynamic: bool = False

    def __post_init__(self) -> None:
        #: where the outer parts end: nothing at or after it is evaluated outside (a quick test first)
        self.header_end = max((end for _, end in self.outer), default=0)

    def evaluated_outside(self, position: int) -> bool:
        return any(start <= position < end for start, end in self.outer)


def python_variables(parsed: ParsedCode) -> tuple[list[Variable], list[Ban]]:
    captures = parsed.captures(_query())
    roles = _roles(captures)
    scopes = _scopes(parsed.root, captures)
    identifiers = captures.get("id", [])
    placed = _place(identifiers, scopes, parsed.source, roles)
    bans = [Ban(_identifier(n), "a type parameter") for node in captures.get("banned_all", ()) for n in identifiers_under(node)]
    for node, _, name, scope, role in placed:
        if role != "use":  # most identifiers are plain uses: only the dynamic test below concerns them
            if role == "walrus":
                while scope.kind == "comprehension" and scope.parent is not None:
                    scope = scope.parent
            if role in ("fixed", "param", "walrus", "bind"):
                scope.bound.add(name)
            if role == "fixed":
                scope.fixed.add(name)
            elif role == "param":
                scope.params.add(name)
            elif role == "global":
                scope.declared_global.add(name)
                bans.append(Ban(name, "declared global or nonlocal", scope.span))
        if (name in DYNAMIC_NAMES and role != "param") or (name == "dir" and _called_bare(node)):
            _mark_dynamic(scope)
    for node in captures.get("dynamic", ()):
        _mark_dynamic(_innermost(scopes, node.start_byte))
    variables = _resolve(placed)
    _exclude(variables, {_identifier(n) for n in captures.get("keyword", ())})
    return [v for v, _ in variables.values()], bans


def fold_name(text: str) -> str:
    """An identifier as Python reads it: NFKC-folded, so ``ｆｏｏ`` is ``foo``."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _identifier(node: Node) -> str:
    return fold_name(_raw_text(node))


@functools.cache
def _query() -> Query:
    return Query(get_language("python"), QUERY)


def _roles(captures: dict[str, list[Node]]) -> dict[int, str]:
    claims: dict[str, set[int]] = {role: set() for role in ROLES}
    claims["skip"].update(n.start_byte for n in captures.get("skip", ()))
    claims["fixed"].update(n.start_byte for n in captures.get("fixed", ()))
    for node in captures.get("fixed_all", ()):
        claims["fixed"].update(n.start_byte for n in identifiers_under(node))
    claims["global"].update(n.start_byte for n in captures.get("global", ()))
    for node in captures.get("parameters", ()):
        claims["param"].update(n.start_byte for n in _parameter_names(node))
    claims["walrus"].update(n.start_byte for n in captures.get("walrus", ()))
    for node in captures.get("target", ()):
        claims["bind"].update(n.start_byte for n in _target_names(node))
    for node in captures.get("debug", ()):
        claims["pin"].update(n.start_byte for n in identifiers_under(node))
    roles: dict[int, str] = {}
    for role in reversed(ROLES):
        for start in claims[role]:
            roles[start] = role
    return roles


def _scopes(root: Node, captures: dict[str, list[Node]]) -> list[_Scope]:
    """Every scope with the parts of it evaluated outside (defaults, bases, first iterable)."""
    found = [_Scope("module", span(root))]
    for node in captures.get("function", ()):
        outer = [span(c) for c in (node.child_by_field_name(f) for f in ("name", "return_type", "type_parameters")) if c]
        parameters = node.child_by_field_name("parameters")
        for parameter in parameters.named_children if parameters is not None else ():
            outer.extend(span(c) for c in (parameter.child_by_field_name(f) for f in ("value", "type")) if c)
        found.append(_Scope("function", span(node), outer))
    for node in captures.get("class", ()):
        outer = [span(c) for c in (node.child_by_field_name(f) for f in ("name", "superclasses", "type_parameters")) if c]
        found.append(_Scope("class", span(node), outer))
    for node in captures.get("comprehension", ()):
        first = next((c for c in node.named_children if c.type == "for_in_clause"), None)
        iterable = first.child_by_field_name("right") if first is not None else None
        found.append(_Scope("comprehension", span(node), [span(iterable)] if iterable is not None else []))
    found.sort(key=lambda s: (s.span[0], -s.span[1]))
    return found


def _place(identifiers: list[Node], scopes: list[_Scope], source: bytes,
           roles: dict[int, str]) -> list[tuple[Node, Span, str, _Scope, str]]:
    """Each identifier with its span, its name, the scope it is evaluated in and its role (one
    sweep in document order)."""
    stack, placed, index, count = [scopes[0]], [], 1, len(scopes)
    names: dict[bytes, str] = {}  # a name recurs: decode and fold each spelling once
    next_start = scopes[1].span[0] if count > 1 else -1
    for node in identifiers:
        position, end = node.start_byte, node.end_byte
        while 0 <= next_start <= position:
            _push(stack, scopes[index])
            index += 1
            next_start = scopes[index].span[0] if index < count else -1
        while len(stack) > 1 and stack[-1].span[1] <= position:
            stack.pop()
        depth = len(stack) - 1
        while depth > 0 and position < stack[depth].header_end and stack[depth].evaluated_outside(position):
            depth -= 1
        spelling = source[position:end]
        name = names.get(spelling)
        if name is None:
            name = names[spelling] = fold_name(spelling.decode("utf-8", "replace"))
        placed.append((node, (position, end), name, stack[depth], roles.get(position, "use")))
    while index < count:
        _push(stack, scopes[index])
        index += 1
    return placed


def _push(stack: list[_Scope], scope: _Scope) -> None:
    while len(stack) > 1 and stack[-1].span[1] <= scope.span[0]:
        stack.pop()
    scope.parent = stack[-1]
    stack.append(scope)


def _innermost(scopes: list[_Scope], position: int) -> _Scope:
    best = scopes[0]
    for scope in scopes:
        if scope.span[0] <= position < scope.span[1] and scope.span[0] >= best.span[0]:
            best = scope
    return best


def _called_bare(node: Node) -> bool:
    """``dir()`` without arguments lists the caller's locals."""
    call = node.parent
    arguments = call.child_by_field_name("arguments") if call is not None and call.type == "call" else None
    return arguments is not None and arguments.named_child_count == 0


def _mark_dynamic(scope: _Scope | None) -> None:
    while scope is not None:
        scope.dynamic = True
        scope = scope.parent


def _resolve(placed: list[tuple[Node, Span, str, _Scope, str]]) -> dict[tuple[_Scope, str], tuple[Variable, _Scope]]:
    variables: dict[tuple[_Scope, str], tuple[Variable, _Scope]] = {}
    owners: dict[tuple[_Scope, str], _Scope | None] = {}  # a name recurs in a scope: look it up once
    for _, where, name, scope, role in placed:
        if role == "skip" or role == "global":
            continue
        seen = (scope, name)
        if seen in owners:
            owner = owners[seen]
        else:
            owner = owners[seen] = _owner(scope, name)
        if owner is None:
            continue
        key = (owner, name)
        entry = variables.get(key)
        if entry is None:
            kind = "parameter" if name in owner.params else "local"
            entry = variables[key] = (Variable(name, kind, owner.span), owner)
        variable = entry[0]
        variable.occurrences.append(where)
        if role == "pin":
            variable.exclude("shown by name in an f-string debug field")
    return variables


def _owner(scope: _Scope, name: str) -> _Scope | None:
    """The function or comprehension scope whose local ``name`` is, or None (global, class)."""
    current: _Scope | None = scope
    while current is not None:
        if name in current.declared_global:
            return None
        if name in current.bound and (current is scope or current.kind != "class"):
            return current if current.kind in ("function", "comprehension") else None
        if current.kind == "module":
            return None
        current = current.parent
    return None


def _exclude(variables: dict[tuple[_Scope, str], tuple[Variable, _Scope]], keywords: set[str]) -> None:
    for variable, scope in variables.values():
        name = variable.name
        if scope.dynamic:
            variable.exclude("its function reads locals dynamically (locals(), vars(), eval or exec)")
        if name in scope.fixed:
            variable.exclude("bound by an import, def, class or match pattern")
        if name in ("self", "cls") or (name.startswith("__") and name.endswith("__")):
            variable.exclude("a conventional or special name")
        if variable.kind == "parameter" and name in keywords:
            variable.exclude("passed by keyword somewhere in this file")


def _parameter_names(parameters: Node) -> list[Node]:
    found = []
    for parameter in parameters.named_children:
        if parameter.type == "identifier":
            found.append(parameter)
        elif parameter.type in ("default_parameter", "typed_default_parameter"):
            name = parameter.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                found.append(name)
        elif parameter.type in ("typed_parameter", "list_splat_pattern", "dictionary_splat_pattern"):
            inner = parameter.named_children[0] if parameter.named_children else None
            if inner is not None and inner.type in ("list_splat_pattern", "dictionary_splat_pattern"):
                inner = inner.named_children[0] if inner.named_children else None
            if inner is not None and inner.type == "identifier":
                found.append(inner)
    return found


def _target_names(target: Node) -> list[Node]:
    """Names a target binds, in order; attributes and subscripts bind nothing."""
    found, stack = [], [target]
    while stack:  # a loop, not recursion: targets may nest as deep as the input likes
        node = stack.pop()
        if node.type == "identifier":
            found.append(node)
        elif node.type in TARGET_GROUPS:
            stack.extend(reversed(node.named_children))
    return found


# --- data flow: a function's private names, and what a statement reads and writes ---

#: try-like statements whose handlers run in the same frame
HANDLER_TYPES = frozenset({"try_statement", "with_statement"})
FRAME_TYPES = frozenset({"function_definition", "class_definition", "lambda"})

LITERAL_TYPES = frozenset({"integer", "float", "true", "false", "none", "ellipsis"})
SEQUENCE_TYPES = frozenset({"tuple", "list", "expression_list", "parenthesized_expression"})
PATTERN_TYPES = frozenset({"pattern_list", "tuple_pattern", "list_pattern"})
OPERATOR_TYPES = frozenset(
    {"binary_operator", "boolean_operator", "comparison_operator", "not_operator", "conditional_expression"}
)
NESTED_SCOPES = frozenset(
    {
        "function_definition",
        "class_definition",
        "lambda",
        "list_comprehension",
        "set_comprehension",
        "dictionary_comprehension",
        "generator_expression",
    }
)


@dataclass(frozen=True)
class PythonScope:
    """The names a function binds that nothing else can see, or none at module level."""

    private: frozenset[str]
    module: bool

    @classmethod
    def of(cls, function: Node | None) -> "PythonScope":
        """Names bound in the function's own body (parameters, assignment and ``for`` targets
        outside nested scopes), less every name a nested scope mentions or a ``global`` or
        ``nonlocal`` statement declares. One query pass over the function, no tree walk."""
        if function is None:
            return cls(frozenset(), True)
        body = function.child_by_field_name("body")
        bound: set[str] = set()
        parameters = function.child_by_field_name("parameters")
        if parameters is not None:
            bound.update(_identifier(n) for n in _parameter_names(parameters))
        if body is None:
            return cls(frozenset(bound), False)
        start, end = body.start_byte, body.end_byte
        found = query_captures(_scope_query(), function)

        def in_body(node: Node) -> bool:
            return start <= node.start_byte and node.end_byte <= end

        nested = SpanSet([span(n) for n in found.get("nested", ()) if in_body(n)])
        shared = {_identifier(n) for n in found.get("declared", ()) if in_body(n)}
        if nested:
            shared.update(_identifier(n) for n in found.get("id", ()) if in_body(n) and nested.contains(n.start_byte))
        for target in found.get("target", ()):
            if in_body(target) and not (nested and nested.contains(target.start_byte)):
                bound.update(_identifier(n) for n in _target_names(target))
        return cls(frozenset(bound - shared), False)


ASSIGNMENT_TYPES = frozenset({"assignment", "augmented_assignment"})


def is_assignment_statement(node: Node) -> bool:
    """The only statements ``PythonStatement`` analyses (it refuses any other before reading its
    scope, so callers may skip building one)."""
    return node.type == "expression_statement" and node.named_child_count == 1 and node.named_children[0].type in ASSIGNMENT_TYPES


SCOPE_QUERY = f"""
(identifier) @id
[{" ".join(f"({kind})" for kind in sorted(NESTED_SCOPES))}] @nested
(global_statement (identifier) @declared)
(nonlocal_statement (identifier) @declared)
(assignment left: (_) @target)
(augmented_assignment left: (_) @target)
(for_statement left: (_) @target)
"""


@functools.cache
def _scope_query() -> Query:
    return Query(get_language("python"), SCOPE_QUERY)


class PythonStatement:
    """Builds the Access of one assignment statement in a scope.

    The scope may be given as a function that builds it: it is built when a name is first
    looked up, and most statements are refused (a call, an await) before that.
    """

    def __init__(self, scope: PythonScope | Callable[[], PythonScope]):
        self._scope = scope
        self.access = Access()

    @property
    def scope(self) -> PythonScope:
        if not isinstance(self._scope, PythonScope):
            self._scope = self._scope()
        return self._scope

    def statement(self, node: Node) -> Access:
        if node.type != "expression_statement" or node.named_child_count != 1:
            raise Unmovable(f"a {node.type}")
        inner = node.named_children[0]
        if inner.type == "assignment":
            self._assignment(inner)
        elif inner.type == "augmented_assignment":
            self._augmented(inner)
        else:
            raise Unmovable(f"a {inner.type} statement")
        return self.access

    def _assignment(self, node: Node) -> None:
        targets = []
        while node.type == "assignment":
            if node.child_by_field_name("type") is not None and self.scope.module:
                raise Unmovable("an annotated assignment at module level")
            value = node.child_by_field_name("right")
            if value is None:
                raise Unmovable("an annotation without a value")
            targets.append(node.child_by_field_name("left"))
            node = value
        self.expression(node)
        for target in targets:
            self._target(target, node, read=False)

    def _augmented(self, node: Node) -> None:
        self.expression(node.child_by_field_name("right"))
        self._hidden()
        self.access.mem_writes.add(ANYWHERE)  # ``+=`` may mutate a shared object in place
        self._target(node.child_by_field_name("left"), None, read=True)

    def _hidden(self) -> None:
        self.access.hidden = True
        self.access.may_raise = True

    def _target(self, target: Node, value: Node | None, read: bool) -> None:
        kind = target.type
        if kind == "identifier":
            self._name(_identifier(target), write=True, read=read)
        elif kind in PATTERN_TYPES or kind == "parenthesized_expression":
            parts = target.named_children
            if not _same_shape(parts, value):
                self._hidden()  # unpacking iterates the value
            for part in parts:
                self._target(part, None, read)
        elif kind == "list_splat_pattern":
            self._hidden()
            for part in target.named_children:
                self._target(part, None, read)
        elif kind in ("attribute", "subscript"):
            self._location(target, write=True, read=read)
        else:
            raise Unmovable(f"an assignment to a {kind}")

    def _name(self, name: str, write: bool, read: bool) -> None:
        self.access.mentions.add(name)
        private = name in self.scope.private
        if write:
            (self.access.writes if private else self.access.mem_writes).add(name)
        if read:
            (self.access.reads if private else self.access.mem_reads).add(name)

    def _location(self, node: Node, write: bool, read: bool) -> None:
        """``o.x`` or ``d[k]``: memory anywhere, through code we cannot see."""
        self._hidden()
        if node.type == "attribute":
            self.access.mentions.add(_identifier(node.child_by_field_name("attribute")))
            self.expression(node.child_by_field_name("object"))
        else:
            self.expression(node.child_by_field_name("value"))
            for part in node.children_by_field_name("subscript"):
                self.expression(part)
        if write:
            self.access.mem_writes.add(ANYWHERE)
        if read:
            self.access.mem_reads.add(ANYWHERE)

    def expression(self, node: Node) -> None:
        kind = node.type
        if kind in LITERAL_TYPES:
            return
        if kind == "identifier":
            self._name(_identifier(node), write=False, read=True)
        elif kind in ("string", "concatenated_string"):
            for part in walk(node):
                if part.type == "interpolation":
                    self._hidden()  # format() of an object
                    self.expression(part.child_by_field_name("expression"))
        elif kind in SEQUENCE_TYPES or kind == "slice":
            for child in node.named_children:
                self.expression(child)
        elif kind in ("dictionary", "set"):
            self._collection(node)
        elif kind == "unary_operator":
            argument = node.child_by_field_name("argument")
            if argument.type not in ("integer", "float"):
                self._hidden()
            self.expression(argument)
        elif kind in OPERATOR_TYPES:
            self._hidden()
            for child in node.named_children:
                self.expression(child)
        elif kind in ("attribute", "subscript"):
            self._location(node, write=False, read=True)
        elif kind == "list_splat":
            self._hidden()
            self.expression(node.named_children[0])
        else:
            raise Unmovable(f"a {kind}" if kind in ("call", "await", "yield") else f"an unsupported expression ({kind})")

    def _collection(self, node: Node) -> None:
        """Dict keys and set elements are hashed: ``__hash__``/``__eq__`` of non-literals."""
        for child in node.named_children:
            key = child.child_by_field_name("key") if child.type == "pair" else child
            if key is None or key.type not in LITERAL_TYPES | {"string"} or child.type == "dictionary_splat":
                self._hidden()
            if child.type == "pair":
                self.expression(child.child_by_field_name("key"))
                self.expression(child.child_by_field_name("value"))
            elif child.type == "dictionary_splat":
                self.expression(child.named_children[0])
            else:
                self.expression(child)


def _same_shape(parts: list[Node], value: Node | None) -> bool:
    """True when unpacking ``value`` into ``parts`` needs no iteration protocol."""
    if value is None or value.type not in ("expression_list", "tuple", "list"):
        return False
    items = value.named_children
    splat = any(item.type == "list_splat" for item in items) or any(p.type == "list_splat_pattern" for p in parts)
    return not splat and len(items) == len(parts)


class PythonAnalysis:
    """Python's answers to the LanguageAnalysis protocol (see analysis.py).

    Python scopes are functions, not blocks: data flow asks ``function_scope`` for a
    function's private names instead of the locals visible at one statement.
    """

    language = "python"
    handler_types = HANDLER_TYPES
    frame_types = FRAME_TYPES

    def variables(self, parsed: ParsedCode) -> tuple[list[Variable], list[Ban]]:
        return python_variables(parsed)

    def declared_by(self, statement: Node) -> dict[str, str]:
        return {}  # a Python statement binds names for the whole function, not the rest of a block

    def function_scope(self, function: Node | None) -> "PythonScope":
        return PythonScope.of(function)


# --- the compile() check of a rewrite ---

DEFINITION_TYPES = frozenset({"function_definition", "class_definition"})
# what opens a scope of its own: a global statement inside one is not at module level
MODULE_SCOPES = frozenset({"function_definition", "class_definition", "decorated_definition", "lambda"})
# a line of code at column 0: it would end a top-level definition (comments and blank lines do not)
COLUMN_ZERO_CODE = re.compile(rb"\n[^ \t\r\n#]")


def rewrite_compiles(parsed: ParsedCode, edits: list[Edit], new_source: bytes) -> bool:
    """False when the rewrite does not compile() although the original did.

    Only the changed top-level statements are compiled, after the module's ``from __future__``
    imports, where that decides as compiling the module would (when the original compiles):

    - an edit inside the body of a top-level ``def`` or ``class``, when no body line of the
      result starts at column 0: the statement is still one statement whose module-level
      bindings (name, decorators, defaults, bases) are untouched, and a body is its own scope;
    - an edit that covers whole top-level statements (reordering two imports or assignments,
      a rewrite of module-level code), when nothing in the module is a ``global`` statement at
      module level or a future import among the changed statements: compile() errors of module
      code come from one statement (``return`` outside a function, ``break`` outside a loop)
      except those two, so the statements that changed are all that can fail.

    Otherwise, or when the pieces fail, the whole module is compiled.
    """
    changed = _changed_definitions(parsed, edits, new_source)
    if changed is not None and python_compiles(changed):
        return True
    return python_compiles(new_source.decode("utf-8")) or not python_compiles(parsed.text)


def _changed_definitions(parsed: ParsedCode, edits: list[Edit], new_source: bytes) -> str | None:
    """The module's futures and the new text of each changed top-level statement (a definition
    whose body changed, or a run of statements an edit covers); None when neither rule above
    holds (or the input has parse errors)."""
    root = parsed.root
    if root.has_error:
        return None
    statements = root.children
    starts = [node.start_byte for node in statements]
    touched: dict[tuple[int, int], tuple[int, bool]] = {}  # (first, last) statement -> (growth, in a body)
    for edit in edits:
        index = bisect.bisect_right(starts, edit.start) - 1
        body = _definition_body(statements[index]) if index >= 0 else None
        if body is not None and body.start_byte <= edit.start <= edit.end <= body.end_byte:
            span, in_body = (index, index), True
        else:
            span, in_body = _covered_statements(parsed, statements, starts, edit), False
            if span is None:
                return None
        growth = len(edit.text.encode("utf-8")) - (edit.end - edit.start)
        previous = touched.get(span)
        touched[span] = ((previous[0] if previous else 0) + growth, in_body and (previous is None or previous[1]))
    spans = sorted(touched)
    if any(later[0] <= earlier[1] for earlier, later in zip(spans, spans[1:])):
        return None  # runs that overlap: decided by the whole module
    if not all(in_body for _, in_body in touched.values()) and _module_level_global(parsed, statements):
        return None
    pieces = [parsed.node_text(node) for node in statements if node.type == "future_import_statement"]
    shift = 0
    for first, last in spans:
        growth, in_body = touched[(first, last)]
        start, end = statements[first].start_byte + shift, statements[last].end_byte + shift + growth
        if in_body and COLUMN_ZERO_CODE.search(new_source, _definition_body(statements[first]).start_byte + shift, end):
            return None
        piece = new_source[start:end]
        if not in_body and (b"__future__" in piece or b"global" in piece):
            return None
        pieces.append(piece.decode("utf-8"))
        shift += growth
    return "\n".join(pieces) + "\n"


def _covered_statements(parsed: ParsedCode, statements: list[Node], starts: list[int], edit: Edit) -> tuple[int, int] | None:
    """(first, last) of the top-level statements an edit lies within, each starting a line and
    ending one (so the run can stand alone), none a future import; None otherwise."""
    first = bisect.bisect_right(starts, edit.start) - 1
    last = bisect.bisect_left(starts, edit.end) - 1 if edit.end > edit.start else first
    if first < 0 or last < first or edit.end > statements[last].end_byte:
        return None
    run = statements[first : last + 1]
    if any(node.type == "future_import_statement" for node in run) or statements[first].start_point[1] != 0:
        return None
    source = parsed.source
    line_end = source.find(b"\n", statements[last].end_byte)
    rest = source[statements[last].end_byte : len(source) if line_end < 0 else line_end].strip()
    return (first, last) if not rest or rest.startswith(b"#") else None


def _module_level_global(parsed: ParsedCode, statements: list[Node]) -> bool:
    """True when some ``global`` statement runs at module level (not inside a def or class)."""
    if b"global" not in parsed.source:
        return False
    stack = [node for node in statements if node.type not in MODULE_SCOPES]
    while stack:
        node = stack.pop()
        if node.type == "global_statement":
            return True
        stack.extend(child for child in node.children if child.type not in MODULE_SCOPES)
    return False


def _definition_body(statement: Node) -> Node | None:
    if statement.type == "decorated_definition":
        statement = statement.child_by_field_name("definition")
    if statement is None or statement.type not in DEFINITION_TYPES or statement.start_point[1] != 0:
        return None
    return statement.child_by_field_name("body")
