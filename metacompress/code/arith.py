"""What a relation may assume about the type of a plain name, as far as the snippet shows.

Rewrites of assignments (``x += e`` -> ``x = x + (e)``, ``i++`` -> ``i = i + 1``, a ternary into
two assignments) keep their meaning only for some types, and the snippet is all there is:

- Java and C: ``DeclaredTypes.of`` gives the declared type text of the variable a name denotes,
  resolved by scope (a local or parameter through analysis.local_variables; a field or global only
  when no local anywhere in the snippet shares its name), or None when it cannot be known: a
  name declared nowhere in the snippet (an inherited field, a global from a header), ``var``, a
  lambda parameter, a type the declarator extends (``int x[]`` is ``int[]``).
- Java: ``java_type`` types an expression built from literals, declared names, casts and
  operators (None when any part is unknown), enough to tell whether ``x = x + (e)`` compiles
  without the implicit narrowing cast of ``x += e``.
- Python: ``immutable_names`` are the names of a scope whose every binding in the snippet gives
  them an int, float, bool, str or None value (literals, arithmetic on such values and names,
  augmented assignments of such values, ``len``/``int``/``float``/``ord`` calls and ``for`` over
  ``range(...)`` while the snippet rebinds none of those builtins nor star-imports). For them
  ``x += e`` and ``x = x + e`` are the same operation: none of those types has ``__iadd__``, so
  ``+=`` falls back to ``+``. Any other binding of the name anywhere in the scope (another loop
  target, a parameter, unpacking, ``global``, ``nonlocal``, ``del``, an import, a nested
  function's assignment) leaves it out.

Every map is built from byte offsets and sorted traversals, never from node identities.
"""

from __future__ import annotations

import functools

from tree_sitter import Node, Query

from .analysis import local_variables
from .parsing import ParsedCode, get_language, walk

UNKNOWN = ""
#: nesting levels an expression analysis follows before answering "unknown" (no deep recursion)
MAX_DEPTH = 100

# ---------------------------------------------------------------- Java

JAVA_DECLARATIONS = """
[(local_variable_declaration) (field_declaration) (constant_declaration)] @declaration
[(formal_parameter) (enhanced_for_statement) (resource)] @named
[(catch_formal_parameter) (instanceof_expression)] @opaque
(spread_parameter (variable_declarator name: (identifier) @untyped))
(lambda_expression parameters: (identifier) @untyped)
(inferred_parameters (identifier) @untyped)
(type_pattern (identifier) @untyped)
(record_pattern_component (identifier) @untyped)
"""

JAVA_INTEGRAL = ("byte", "short", "char", "int", "long")
JAVA_NUMERIC = JAVA_INTEGRAL + ("float", "double")
JAVA_BOXES = {"Byte": "byte", "Short": "short", "Character": "char", "Integer": "int", "Long": "long",
              "Float": "float", "Double": "double", "Boolean": "boolean"}
JAVA_RANK = {"byte": 0, "short": 1, "char": 1, "int": 2, "long": 3, "float": 4, "double": 5}
JAVA_INTEGER_LITERALS = frozenset({"decimal_integer_literal", "hex_integer_literal", "octal_integer_literal",
                                   "binary_integer_literal"})


@functools.cache
def _java_query() -> Query:
    return Query(get_language("java"), JAVA_DECLARATIONS)


def _merge(found: dict[str, str], name: str, kind: str) -> None:
    if name in found and found[name] != kind:
        found[name] = UNKNOWN
    else:
        found.setdefault(name, kind)


def _compact(text: str) -> str:
    return "".join(text.split())


def _java_entries(parsed: ParsedCode) -> list[tuple[int, str, str, bool]]:
    """(name offset, name, type text or "", is a field) for every declaration in the snippet."""
    captures = parsed.captures(_java_query())
    entries: list[tuple[int, str, str, bool]] = []
    for node in captures.get("declaration", ()):
        kind = node.child_by_field_name("type")
        base = _compact(parsed.node_text(kind)) if kind is not None else UNKNOWN
        if base == "var":
            base = UNKNOWN
        member = node.type != "local_variable_declaration"
        for declarator in node.children_by_field_name("declarator"):
            name = declarator.child_by_field_name("name")
            if name is None:
                continue
            dims = declarator.child_by_field_name("dimensions")
            text = base + _compact(parsed.node_text(dims)) if (dims is not None and base) else base
            entries.append((name.start_byte, parsed.node_text(name), text, member))
    for node in captures.get("named", ()):
        name = node.child_by_field_name("name")
        kind = node.child_by_field_name("type")
        if name is None or name.type != "identifier":
            continue
        text = _compact(parsed.node_text(kind)) if kind is not None else UNKNOWN
        dims = node.child_by_field_name("dimensions")
        if dims is not None and text:
            text += _compact(parsed.node_text(dims))
        entries.append((name.start_byte, parsed.node_text(name), UNKNOWN if text == "var" else text, False))
    for node in captures.get("opaque", ()):
        name = node.child_by_field_name("name")
        if name is not None:
            entries.append((name.start_byte, parsed.node_text(name), UNKNOWN, False))
    for node in captures.get("untyped", ()):
        entries.append((node.start_byte, parsed.node_text(node), UNKNOWN, False))
    return sorted(entries)


def java_declared_types(parsed: ParsedCode) -> dict[str, str]:
    """name -> the type text every declaration of it in the snippet agrees on ("" if none)."""
    found: dict[str, str] = {}
    for _, name, kind, _ in _java_entries(parsed):
        _merge(found, name, kind)
    return found


def java_primitive(kind: str | None) -> str | None:
    """The primitive behind a type text (boxes unboxed), or None."""
    if kind is None:
        return None
    kind = JAVA_BOXES.get(kind, kind)
    return kind if kind in JAVA_NUMERIC or kind == "boolean" else None


def java_type(parsed: ParsedCode, node: Node, types: "dict[str, str] | DeclaredTypes", depth: int = 0) -> str | None:
    """The static type of a Java expression when literals, declared names and operators decide it.

    Unknown (None) past MAX_DEPTH levels of nesting: a 3,000-term concatenation must not exhaust
    Python's stack.
    """
    if depth > MAX_DEPTH:
        return None
    kind = node.type
    text = parsed.node_text(node)
    if kind in JAVA_INTEGER_LITERALS:
        return "long" if text[-1] in "lL" else "int"
    if kind == "decimal_floating_point_literal" or kind == "hex_floating_point_literal":
        return "float" if text[-1] in "fF" else "double"
    if kind == "character_literal":
        return "char"
    if kind in ("string_literal", "text_block"):
        return "String"
    if kind in ("true", "false"):
        return "boolean"
    if kind == "identifier":
        found = types.of(node) if isinstance(types, DeclaredTypes) else types.get(text)
        return found or None
    if kind == "parenthesized_expression":
        inner = [child for child in node.named_children if "comment" not in child.type]
        return java_type(parsed, inner[0], types, depth + 1) if len(inner) == 1 else None
    if kind == "cast_expression":
        target = node.child_by_field_name("type")
        target_text = _compact(parsed.node_text(target)) if target is not None else ""
        return target_text if target_text in JAVA_NUMERIC or target_text == "boolean" else None
    if kind == "unary_expression":
        operator = node.child_by_field_name("operator")
        operand = node.child_by_field_name("operand")
        if operator is None or operand is None:
            return None
        inner = java_primitive(java_type(parsed, operand, types, depth + 1))
        if operator.type == "!":
            return "boolean" if inner == "boolean" else None
        return _promote(inner) if inner in JAVA_NUMERIC else None
    if kind == "array_access":
        array = node.child_by_field_name("array")
        found = java_type(parsed, array, types, depth + 1) if array is not None else None
        return found[:-2] if found and found.endswith("[]") else None
    if kind == "binary_expression":
        return _java_binary(parsed, node, types, depth + 1)
    if kind == "ternary_expression":
        one = node.child_by_field_name("consequence")
        two = node.child_by_field_name("alternative")
        first = java_type(parsed, one, types, depth + 1) if one is not None else None
        second = java_type(parsed, two, types, depth + 1) if two is not None else None
        return first if first is not None and first == second and first in JAVA_NUMERIC + ("boolean", "String") else None
    return None


def _promote(kind: str | None) -> str | None:
    if kind is None:
        return None
    return "int" if JAVA_RANK.get(kind, 9) < 2 else kind


def _java_binary(parsed: ParsedCode, node: Node, types: "dict[str, str] | DeclaredTypes", depth: int) -> str | None:
    operator = node.child_by_field_name("operator")
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if operator is None or left is None or right is None:
        return None
    symbol = operator.type
    one = java_type(parsed, left, types, depth)
    two = java_type(parsed, right, types, depth)
    if symbol in ("==", "!=", "<", ">", "<=", ">=", "&&", "||"):
        return "boolean" if one is not None and two is not None else None
    if symbol == "+" and "String" in (one, two) and one is not None and two is not None:
        return "String"
    one, two = java_primitive(one), java_primitive(two)
    if one is None or two is None:
        return None
    if symbol in ("<<", ">>", ">>>"):
        return _promote(one) if one in JAVA_INTEGRAL and two in JAVA_INTEGRAL else None
    if one == "boolean" or two == "boolean":
        return "boolean" if one == two and symbol in ("&", "|", "^") else None
    return _promote(max(one, two, key=lambda k: JAVA_RANK[k]))


def java_fits(value: str | None, target: str) -> bool:
    """True when a value of type ``value`` converts to ``target`` by widening (or is the same)."""
    value = java_primitive(value) if value not in (None, "String") else value
    if value is None:
        return False
    if value == target:
        return True
    if value == "boolean" or target == "boolean" or value == "String" or target == "String":
        return False
    if target == "char" or value == "char" and target == "short":
        return False
    return JAVA_RANK[value] <= JAVA_RANK[target] and not (value == "byte" and target == "char")


# ---------------------------------------------------------------- C

C_DECLARATIONS = "[(declaration) (parameter_declaration) (field_declaration) (enumerator) (function_definition)] @declaration"


@functools.cache
def _c_query() -> Query:
    return Query(get_language("c"), C_DECLARATIONS)


def _c_entries(parsed: ParsedCode) -> list[tuple[int, str, str, bool]]:
    """(name offset, name, type text or "", declared at file scope) for every declaration."""
    entries: list[tuple[int, str, str, bool]] = []
    for node in parsed.captures(_c_query()).get("declaration", ()):
        if node.type == "enumerator":
            name = node.child_by_field_name("name")
            if name is not None:
                entries.append((name.start_byte, parsed.node_text(name), UNKNOWN, True))
            continue
        if node.type == "field_declaration":
            continue  # field names are field_identifiers: another namespace
        kind = node.child_by_field_name("type")
        base = " ".join(parsed.node_text(kind).split()) if kind is not None else UNKNOWN
        if node.type == "function_definition":
            declarator = node.child_by_field_name("declarator")
            for part in walk(declarator) if declarator is not None else ():
                if part.type == "function_declarator":
                    inner = part.child_by_field_name("declarator")
                    if inner is not None and inner.type == "identifier":
                        entries.append((inner.start_byte, parsed.node_text(inner), UNKNOWN, True))
                    break
            continue
        global_scope = node.parent is not None and node.parent.type == "translation_unit"
        for declarator in node.children_by_field_name("declarator"):
            name, text = _c_declarator(parsed, declarator, base)
            if name is not None:
                entries.append((name.start_byte, parsed.node_text(name), text, global_scope))
    return sorted(entries)


def c_declared_types(parsed: ParsedCode) -> dict[str, str]:
    """name -> "int", "unsigned long", "char*"... when every declaration agrees ("" otherwise).

    Qualifiers and storage classes are dropped; arrays, functions and anything unusual are "".
    """
    found: dict[str, str] = {}
    for _, name, kind, _ in _c_entries(parsed):
        _merge(found, name, kind)
    return found


class DeclaredTypes:
    """The declared type of the variable an identifier denotes, resolved by scope (Java, C).

    A use that resolves to a local or parameter (analysis.local_variables) gets the type written at
    that variable's declaration. Any other use denotes a field or global: it gets the type all
    member (file-scope) declarations of the name in the snippet agree on, but only when no local
    of that name exists anywhere in the snippet (the use might be one the scope analysis could
    not resolve). Everything else is unknown (None).
    """

    def __init__(self, parsed: ParsedCode):
        self.parsed = parsed
        self._entries: list[tuple[int, str, str, bool]] | None = None
        self._by_offset: dict[int, str] = {}
        self._members: dict[str, str] = {}
        self._local_names: set[str] = set()
        self._declaration_of: dict[int, int] = {}

    def _load(self) -> None:
        parsed = self.parsed
        self._entries = _java_entries(parsed) if parsed.language == "java" else _c_entries(parsed)
        for start, name, kind, member in self._entries:
            self._by_offset[start] = kind
            if member:
                _merge(self._members, name, kind)
            else:
                self._local_names.add(name)
        for variable in local_variables(parsed):
            first = variable.occurrences[0][0]
            for start, _ in variable.occurrences:
                self._declaration_of[start] = first

    def of(self, identifier: Node) -> str | None:
        if self._entries is None:
            self._load()
        declaration = self._declaration_of.get(identifier.start_byte)
        if declaration is not None:
            return self._by_offset.get(declaration) or None
        name = self.parsed.node_text(identifier)
        if name in self._local_names:
            return None
        return self._members.get(name) or None


def _c_declarator(parsed: ParsedCode, declarator: Node, base: str) -> tuple[Node | None, str]:
    stars = ""
    current = declarator
    if current.type == "init_declarator":
        current = current.child_by_field_name("declarator")
    while current is not None and current.type == "pointer_declarator":
        stars += "*"
        current = current.child_by_field_name("declarator")
    if current is None:
        return None, UNKNOWN
    if current.type == "identifier":
        return current, (base + stars) if base else UNKNOWN
    # arrays, functions, parenthesised declarators: the name exists, its type is not written here
    for part in walk(current):
        if part.type == "identifier":
            return part, UNKNOWN
    return None, UNKNOWN


# ---------------------------------------------------------------- Python

SCOPES = frozenset({"function_definition", "class_definition", "lambda", "module"})
ALWAYS_BINDING = frozenset(
    {
        "pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "dictionary_splat_pattern",
        "as_pattern", "as_pattern_target", "parameters", "lambda_parameters", "typed_parameter",
        "function_definition", "class_definition", "aliased_import", "dotted_name", "global_statement",
        "nonlocal_statement", "delete_statement", "case_pattern", "keyword_pattern", "splat_pattern",
        "dict_pattern", "class_pattern", "union_pattern", "import_from_statement", "import_statement",
        "type_alias_statement", "except_clause",
    }
)  # fmt: skip
IMMUTABLE_LITERALS = frozenset({"integer", "float", "string", "concatenated_string", "true", "false", "none"})


def python_scope(node: Node) -> Node | None:
    """The function or module whose locals ``node`` names (None in a class body or lambda)."""
    current = node.parent
    while current is not None and current.type not in SCOPES:
        current = current.parent
    if current is None or current.type in ("class_definition", "lambda"):
        return None
    return current


def _same(a: Node | None, b: Node) -> bool:
    return a is not None and a.start_byte == b.start_byte and a.end_byte == b.end_byte


def _binding(identifier: Node) -> tuple[str, Node | None] | None:
    """How an identifier is bound: ("assign", value), ("augment", value), ("other", None), or None (a read)."""
    parent = identifier.parent
    if parent is None:
        return None
    kind = parent.type
    if kind in ("assignment", "augmented_assignment"):
        if not _same(parent.child_by_field_name("left"), identifier):
            return None
        if parent.child_by_field_name("type") is not None:
            return ("other", None)
        return ("assign" if kind == "assignment" else "augment", parent.child_by_field_name("right"))
    if kind in ("for_statement", "for_in_clause"):
        if not _same(parent.child_by_field_name("left"), identifier):
            return None
        iterable = parent.child_by_field_name("right")
        if kind == "for_statement" and iterable is not None and iterable.type == "call":
            function = iterable.child_by_field_name("function")
            if function is not None and function.type == "identifier" and function.text == b"range":
                return ("assign", iterable)  # range() yields ints (unless range is rebound: checked below)
        return ("other", None)
    if kind == "named_expression":
        return ("other", None) if _same(parent.child_by_field_name("name"), identifier) else None
    if kind in ("default_parameter", "typed_default_parameter"):
        return ("other", None) if _same(parent.child_by_field_name("name"), identifier) else None
    if kind in ALWAYS_BINDING:
        return ("other", None)
    if kind == "expression_list" and parent.parent is not None and parent.parent.type == "delete_statement":
        return ("other", None)
    return None


def bound_names(parsed: ParsedCode, scope: Node) -> dict[str, list[tuple[int, str, Node | None]]]:
    """name -> its bindings in ``scope``'s subtree: (offset, "assign"/"augment"/"other", value)."""
    bindings: dict[str, list[tuple[int, str, Node | None]]] = {}
    for node in walk(scope):
        if node.type != "identifier":
            continue
        found = _binding(node)
        if found is not None:
            bindings.setdefault(parsed.node_text(node), []).append((node.start_byte, found[0], found[1]))
    return bindings


def immutable_names(parsed: ParsedCode, scope: Node, rebound: frozenset[str] | None = None) -> frozenset[str]:
    """Names bound in ``scope``'s subtree only to int/float/bool/str/None values (see module doc).

    ``rebound``: names bound anywhere in the snippet (builtins such as ``len`` among them are not
    trusted); computed here when not given.
    """
    bindings = bound_names(parsed, scope)
    if rebound is None:
        rebound = frozenset(bound_names(parsed, parsed.root)) if scope.parent is not None else frozenset(bindings)
    trusted = IMMUTABLE_CALLS - rebound
    names = {name for name, entries in bindings.items() if all(kind != "other" for _, kind, _ in entries)}
    changed = True
    while changed:
        changed = False
        for name in sorted(names):
            if not all(value is not None and _immutable_value(parsed, value, names, trusted) for _, _, value in bindings[name]):
                names.discard(name)
                changed = True
    return frozenset(names)


#: builtins whose result is always an int, float or str (``range`` for loop targets)
IMMUTABLE_CALLS = frozenset({"len", "int", "float", "ord", "range"})


def _immutable_value(parsed: ParsedCode, node: Node, names: set[str], trusted: frozenset[str] = frozenset(), depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return False
    kind = node.type
    if kind in IMMUTABLE_LITERALS:
        return True
    if kind == "call":
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        return (
            function is not None and function.type == "identifier" and parsed.node_text(function) in trusted
            and arguments is not None and arguments.type == "argument_list"
        )
    if kind == "identifier":
        return parsed.node_text(node) in names
    if kind == "parenthesized_expression":
        inner = [child for child in node.named_children if child.type != "comment"]
        return len(inner) == 1 and _immutable_value(parsed, inner[0], names, trusted, depth + 1)
    if kind == "not_operator":
        return True  # always a bool
    if kind in ("unary_operator", "binary_operator", "boolean_operator", "comparison_operator"):
        operands = [child for child in node.named_children if child.type != "comment"]
        if kind == "binary_operator":
            operands = [node.child_by_field_name("left"), node.child_by_field_name("right")]
        elif kind == "unary_operator":
            operands = [node.child_by_field_name("argument")]
        return all(operand is not None and _immutable_value(parsed, operand, names, trusted, depth + 1) for operand in operands)
    if kind == "conditional_expression":
        operands = [child for child in node.named_children if child.type != "comment"]
        return (
            len(operands) == 3
            and _immutable_value(parsed, operands[0], names, trusted, depth + 1)
            and _immutable_value(parsed, operands[2], names, trusted, depth + 1)
        )
    return False
