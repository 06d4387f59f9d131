"""Java: local variables and parameters (for renaming) and statement data flow (for reordering).

Renaming covers methods, constructors, lambdas and initializer blocks. Data flow needs the
locals in scope at a statement with their declared types, and what a statement reads and
writes (below the renaming part).

Java forbids a local from shadowing another local, but a field, a local of a nested class, an
inherited field or an enum constant may share a name with one. So uses are resolved by block
scope from their position; a use reached across a nested class body, a name in a ``case``
label, pattern variables (whose scope follows control flow) and the parameters of a record's
canonical constructor (javac requires the components' names) keep their names.
"""

from __future__ import annotations

import functools

from tree_sitter import Node, Query

from .dataflow import Access, LocalTypes, Unmovable
from .parsing import ParsedCode, get_language, node_text
from .scopes import Ban, BlockScopes, Container, Span, SpanSet, Variable, enclosing_declarations, innermost, span

# Every identifier is a use unless a more specific pattern says otherwise. interfaces.py reads
# ``param`` (parameter exposure) from this query's captures.
QUERY = """
(identifier) @id
(method_invocation name: (identifier) @skip)
(field_access field: (identifier) @skip)
(method_declaration name: (identifier) @skip)
(constructor_declaration name: (identifier) @skip)
(compact_constructor_declaration name: (identifier) @skip)
(class_declaration name: (identifier) @skip)
(interface_declaration name: (identifier) @skip)
(enum_declaration name: (identifier) @skip)
(record_declaration name: (identifier) @skip)
(annotation_type_declaration name: (identifier) @skip)
(annotation_type_element_declaration name: (identifier) @skip)
(enum_constant name: (identifier) @skip)
(labeled_statement (identifier) @skip)
(break_statement (identifier) @skip)
(continue_statement (identifier) @skip)
(element_value_pair key: (identifier) @skip)
(marker_annotation name: (identifier) @skip)
(annotation name: (identifier) @skip)
(scoped_identifier (identifier) @skip)
(import_declaration (identifier) @skip)
(package_declaration (identifier) @skip)
(field_declaration declarator: (variable_declarator name: (identifier) @skip))
(constant_declaration declarator: (variable_declarator name: (identifier) @skip))
(local_variable_declaration declarator: (variable_declarator name: (identifier) @local))
(formal_parameter name: (identifier) @param)
(spread_parameter (variable_declarator name: (identifier) @param))
(catch_formal_parameter name: (identifier) @catch)
(enhanced_for_statement name: (identifier) @foreach)
(resource name: (identifier) @resource)
(lambda_expression parameters: (identifier) @lambda)
(inferred_parameters (identifier) @lambda)
(instanceof_expression name: (identifier) @pattern)
(type_pattern (identifier) @pattern)
(record_pattern_component (identifier) @pattern)
(method_reference) @mref
(cast_expression value: (lambda_expression) @cast_lambda)
(switch_label) @label
(block) @body
(constructor_body) @body
(switch_block) @body
(for_statement) @body
(program) @body
(method_declaration) @callable
(constructor_declaration) @callable
(lambda_expression) @callable
(record_declaration) @record
(catch_clause) @catch_clause
(enhanced_for_statement) @foreach_statement
(try_with_resources_statement) @resources_statement
(class_body) @barrier
(enum_body) @barrier
(interface_body) @barrier
(annotation_type_body) @barrier
"""

#: declaration kind -> the container kind its scope is (the innermost container around its name)
SCOPE_OF = {
    "local": "body",
    "param": "callable",
    "catch": "catch_clause",
    "foreach": "foreach_statement",
    "resource": "resources_statement",
    "lambda": "callable",
}
CONTAINER_KINDS = ("body", "callable", "record", "catch_clause", "foreach_statement", "resources_statement")


@functools.cache
def _query() -> Query:
    return Query(get_language("java"), QUERY)


def java_variables(parsed: ParsedCode) -> tuple[list[Variable], list[Ban]]:
    captures = parsed.captures(_query())
    source = parsed.source
    scopes = BlockScopes()
    scopes.barriers = [span(node) for node in captures.get("barrier", ())]
    labels = SpanSet([span(node) for node in captures.get("label", ())])
    bans: list[Ban] = []
    handled = {node.start_byte for node in captures.get("skip", ())}
    for node in captures.get("pattern", ()):
        handled.add(node.start_byte)
        bans.append(Ban(node_text(node), "declared by a pattern, whose scope follows control flow"))
    declarations = [(kind, node) for kind in SCOPE_OF for node in captures.get(kind, ()) if node.start_byte not in handled]
    containers = [Container(n.start_byte, n.end_byte, kind, n) for kind in CONTAINER_KINDS for n in captures.get(kind, ())]
    around = innermost(containers, [node.start_byte for _, node in declarations])
    for kind, node in declarations:
        if node.start_byte not in handled:
            handled.add(node.start_byte)
            _declare(scopes, bans, kind, node, around[node.start_byte], labels)
    for node in captures.get("mref", ()):
        handled.update(_method_reference_names(node))
    reason = "named in a case label, where it may be an enum constant"
    scopes.use_all(captures.get("id", []), source, handled, labels, reason)
    bans.extend(_serializable_lambda_names(captures.get("cast_lambda", ()), captures.get("id", [])))
    bans.extend(_canonical_constructor_names(captures.get("record", ())))
    return scopes.variables, bans


def _canonical_constructor_names(records: list[Node]) -> list[Ban]:
    """A record constructor with as many parameters as the record has components may be the
    canonical one, whose parameters must be named exactly like the components."""
    bans = []
    for record in records:
        components, body = record.child_by_field_name("parameters"), record.child_by_field_name("body")
        if components is None or body is None:
            continue
        count = sum(c.type == "formal_parameter" for c in components.named_children)
        for constructor in (c for c in body.named_children if c.type == "constructor_declaration"):
            parameters = constructor.child_by_field_name("parameters")
            names = [p.child_by_field_name("name") for p in (parameters.named_children if parameters is not None else ())]
            if len(names) == count:
                reason = "a parameter of a record's canonical constructor, named after its component"
                bans.extend(Ban(node_text(n), reason, span(constructor)) for n in names if n is not None)
    return bans


def _serializable_lambda_names(lambdas: list[Node], identifiers: list[Node]) -> list[Ban]:
    """javac names a serializable lambda's method after a hash of what it captures, so a name
    in ``(Comparator<T> & Serializable) (a, b) -> ...`` changes the class file: keep them all."""
    bans = []
    for node in lambdas:
        cast = node.parent
        if cast is None or b"Serializable" not in (cast.text or b"")[: node.start_byte - cast.start_byte]:
            continue
        for identifier in identifiers:
            if node.start_byte <= identifier.start_byte < node.end_byte:
                bans.append(Ban(node_text(identifier), "used in a serializable lambda", span(node)))
    return bans


def _declare(scopes: BlockScopes, bans: list[Ban], kind: str, node: Node, container: Container | None, labels: SpanSet) -> None:
    if container is not None and container.kind == "record" and kind == "param":
        return  # a record component is a field
    where = None
    if container is not None and container.kind == SCOPE_OF[kind] and not (labels and labels.contains(node.start_byte)):
        where = _visibility(kind, node, container)
    if where is None:
        bans.append(Ban(node_text(node), "declared where its scope is unclear"))
        return
    scope, visible_from = where
    kind = "parameter" if kind in ("param", "lambda") else "local"
    scopes.declare(node.text or b"", span(node), scope, visible_from, kind)


def _visibility(kind: str, node: Node, container: Container) -> tuple[Span, int] | None:
    """The scope's bytes and the first byte where the name is visible."""
    scope = (container.start, container.end)
    if kind == "foreach":  # the iterable is evaluated before the loop variable exists
        body = container.node.child_by_field_name("body")
        return (scope, body.start_byte) if body is not None else None
    if kind == "resource":  # resources are closed before catch and finally run
        body = container.node.child_by_field_name("body")
        return ((container.start, body.end_byte), node.start_byte) if body is not None else None
    return scope, node.start_byte


def _method_reference_names(node: Node) -> list[int]:
    """``Type::method`` and ``x::method``: the name after ``::`` is a method, never a variable."""
    found, after = [], False
    for child in node.children:
        if child.type == "::":
            after = True
        elif after and child.type == "identifier":
            found.append(child.start_byte)
    return found


# --- data flow: the locals in scope at a statement, and what a statement reads and writes ---

#: where the search for enclosing declarations stops (fields lie beyond)
STOP_TYPES = frozenset({"class_body", "interface_body", "enum_body", "enum_body_declarations", "program"})
#: try-like statements whose handlers run in the same frame
HANDLER_TYPES = frozenset({"try_statement", "try_with_resources_statement"})
FRAME_TYPES = frozenset({"method_declaration", "constructor_declaration", "lambda_expression", "class_body"})


def visible_locals(container: Node) -> dict[str, str]:
    """Locals declared before ``container`` in enclosing scopes: name -> declared type text."""
    return enclosing_declarations(container, STOP_TYPES, _java_enclosing)


def declared_by(statement: Node) -> dict[str, str]:
    """Names a statement of a block declares for the statements after it."""
    found: dict[str, str] = {}
    if statement.type == "local_variable_declaration":
        _java_declaration(statement, found)
    return found


def _java_enclosing(parent: Node, child: Node, found: dict[str, str]) -> None:
    kind = parent.type
    if kind in ("method_declaration", "constructor_declaration", "lambda_expression"):
        parameters = parent.child_by_field_name("parameters")
        if parameters is not None:
            _java_parameters(parameters, found)
        return
    if kind == "enhanced_for_statement":
        _java_typed_name(parent, found)
    elif kind == "catch_clause":
        for part in parent.named_children:
            if part.type == "catch_formal_parameter":
                name = part.child_by_field_name("name")
                if name is not None:
                    found[node_text(name)] = ""
    elif kind == "resource_specification":
        for resource in parent.named_children:
            if resource.type == "resource" and resource.start_byte < child.start_byte:
                _java_typed_name(resource, found)
    for sibling in parent.children:
        if sibling.start_byte >= child.start_byte:
            break
        if sibling.type == "local_variable_declaration":
            _java_declaration(sibling, found)
        elif sibling.type == "resource_specification":
            for resource in sibling.named_children:
                if resource.type == "resource":
                    _java_typed_name(resource, found)


def _java_parameters(parameters: Node, found: dict[str, str]) -> None:
    if parameters.type == "identifier":
        found[node_text(parameters)] = ""
        return
    for parameter in parameters.named_children:
        if parameter.type == "identifier":
            found[node_text(parameter)] = ""
        elif parameter.type == "formal_parameter":
            _java_typed_name(parameter, found)
        elif parameter.type == "spread_parameter":
            for part in parameter.named_children:
                if part.type == "variable_declarator":
                    name = part.child_by_field_name("name")
                    if name is not None:
                        found[node_text(name)] = ""


def _java_typed_name(node: Node, found: dict[str, str]) -> None:
    name, kind = node.child_by_field_name("name"), node.child_by_field_name("type")
    if name is not None:
        dims = node.child_by_field_name("dimensions")
        found[node_text(name)] = _type_text(kind) + ("[]" * node_text(dims).count("[") if dims is not None else "")


def _java_declaration(declaration: Node, found: dict[str, str]) -> None:
    kind = _type_text(declaration.child_by_field_name("type"))
    for declarator in declaration.children_by_field_name("declarator"):
        name = declarator.child_by_field_name("name")
        if name is None:
            continue
        dims = declarator.child_by_field_name("dimensions")
        found[node_text(name)] = kind + ("[]" * node_text(dims).count("[") if dims is not None else "")


def _type_text(node: Node | None) -> str:
    return "".join(node_text(node).split()) if node is not None else ""


PRIMITIVES = frozenset({"int", "long", "short", "byte", "char", "float", "double", "boolean"})
INTEGRAL = frozenset({"int", "long", "short", "byte", "char"})
#: reference types whose toString() is library code without side effects
PLAIN_OBJECTS = frozenset(
    {"String", "Integer", "Long", "Short", "Byte", "Character", "Float", "Double", "Boolean", "null"}
)
STRING = "String"
UNKNOWN = ""
ARRAY_LOCATION = "[]"

LITERALS = {
    "decimal_integer_literal": "int",
    "hex_integer_literal": "int",
    "octal_integer_literal": "int",
    "binary_integer_literal": "int",
    "decimal_floating_point_literal": "double",
    "hex_floating_point_literal": "double",
    "character_literal": "char",
    "string_literal": STRING,
    "text_block": STRING,
    "true": "boolean",
    "false": "boolean",
    "null_literal": "null",
}

#: String methods: pure library code (String is final), result type; arguments must be plain
STRING_METHODS = {
    "length": "int", "isEmpty": "boolean", "charAt": "char", "substring": STRING, "indexOf": "int",
    "lastIndexOf": "int", "trim": STRING, "toLowerCase": STRING, "toUpperCase": STRING,
    "equals": "boolean", "equalsIgnoreCase": "boolean", "startsWith": "boolean", "endsWith": "boolean",
    "compareTo": "int", "compareToIgnoreCase": "int", "replace": STRING, "concat": STRING,
    "toCharArray": "char[]", "split": "String[]", "hashCode": "int", "matches": "boolean",
}  # fmt: skip
#: static java.lang methods on primitives and strings; "" result type: promoted from the arguments
STATIC_METHODS = {
    "Math": {"abs": "", "max": "", "min": "", "sqrt": "double", "pow": "double", "floor": "double",
             "ceil": "double", "log": "double", "exp": "double", "sin": "double", "cos": "double"},
    "Integer": {"parseInt": "int", "toString": STRING, "valueOf": "Integer", "toHexString": STRING},
    "Long": {"parseLong": "long", "toString": STRING, "valueOf": "Long"},
    "Double": {"parseDouble": "double", "toString": STRING, "valueOf": "Double"},
    "String": {"valueOf": STRING},
    "Character": {"isDigit": "boolean", "isLetter": "boolean", "isLetterOrDigit": "boolean",
                  "isWhitespace": "boolean", "isUpperCase": "boolean", "isLowerCase": "boolean",
                  "toUpperCase": "char", "toLowerCase": "char"},
}  # fmt: skip
#: JDK classes whose constructors, given primitives or strings, only build a fresh object
PLAIN_CONSTRUCTORS = frozenset(
    {
        "StringBuffer", "StringBuilder", "ArrayList", "LinkedList", "HashMap", "HashSet", "LinkedHashMap",
        "LinkedHashSet", "TreeMap", "TreeSet", "Vector", "Hashtable", "Stack", "Properties",
        "ByteArrayOutputStream", "StringWriter", "Object", "String", "File",
    }
)  # fmt: skip

UNMOVABLE_EXPRESSIONS = frozenset(
    {
        "explicit_constructor_invocation",
        "lambda_expression",
        "method_reference",
        "switch_expression",
    }
)


MOVABLE_EXPRESSIONS = frozenset({"assignment_expression", "update_expression"})


def is_analysable_statement(node: Node) -> bool:
    """The only statements ``JavaStatement`` analyses (it refuses any other before reading the
    locals in scope, so callers may skip looking them up)."""
    if node.type == "local_variable_declaration":
        return True
    return node.type == "expression_statement" and node.named_child_count == 1 and node.named_children[0].type in MOVABLE_EXPRESSIONS


class JavaStatement:
    """Builds the Access of one statement given the locals in scope (name -> type text)."""

    def __init__(self, local_types: LocalTypes, volatile: frozenset[str]):
        self.types = local_types
        self.volatile = volatile
        self.access = Access()

    def statement(self, node: Node) -> Access:
        if node.type == "local_variable_declaration":
            self._declaration(node)
        elif node.type == "expression_statement" and node.named_child_count == 1:
            expression = node.named_children[0]
            if expression.type not in MOVABLE_EXPRESSIONS:
                raise Unmovable(f"a {expression.type} statement")
            self.expression(expression)
        else:
            raise Unmovable(f"a {node.type}")
        return self.access

    def _declaration(self, node: Node) -> None:
        for child in node.children:
            if child.type == "modifiers" and b"final" in (child.text or b""):
                raise Unmovable("a final local")
        declared_type = "".join(node_text(node.child_by_field_name("type")).split())
        for declarator in node.children_by_field_name("declarator"):
            name = node_text(declarator.child_by_field_name("name"))
            dims = declarator.child_by_field_name("dimensions")
            kind = declared_type + ("[]" if dims is not None else "")
            self.access.declares.add(name)
            self.access.mentions.add(name)
            value = declarator.child_by_field_name("value")
            if value is not None:
                self.access.writes.add(name)
                self._convert(kind, self._value(value))

    def _value(self, node: Node) -> str:
        if node.type == "array_initializer":
            for element in node.named_children:
                self._value(element)
            return UNKNOWN
        return self.expression(node)

    def _convert(self, target: str, value: str) -> None:
        """Assignment conversion: unboxing a possibly-null reference into a primitive throws."""
        if target in PRIMITIVES and value not in PRIMITIVES:
            self.access.may_raise = True

    def expression(self, node: Node) -> str:
        """Record what evaluating ``node`` does; return its static type when known, else ""."""
        kind = node.type
        if kind in LITERALS:
            literal = LITERALS[kind]
            if literal == "int" and node_text(node)[-1:] in "lL":
                return "long"
            if literal == "double" and node_text(node)[-1:] in "fF":
                return "float"
            return literal
        if kind == "identifier":
            return self._name(node_text(node), write=False)
        if kind == "this":
            return UNKNOWN
        if kind == "parenthesized_expression":
            return self.expression(node.named_children[0])
        if kind in UNMOVABLE_EXPRESSIONS:
            raise Unmovable(f"a {kind}")
        handler = getattr(self, "_" + kind, None)
        if handler is None:
            raise Unmovable(f"an unsupported expression ({kind})")
        return handler(node)

    def _name(self, name: str, write: bool, read: bool = True) -> str:
        if name in self.volatile:
            raise Unmovable(f"volatile {name}")
        self.access.mentions.add(name)
        if name in self.types:
            if write:
                self.access.writes.add(name)
            if read:
                self.access.reads.add(name)
            return self.types[name]
        # not a visible local: a field of this object (or a class)
        if write:
            self.access.mem_writes.add(name)
        if read:
            self.access.mem_reads.add(name)
        return UNKNOWN

    def _field_access(self, node: Node, write: bool = False, read: bool = True) -> str:
        obj, field = node.child_by_field_name("object"), node.child_by_field_name("field")
        name = node_text(field)
        if name in self.volatile:
            raise Unmovable(f"volatile {name}")
        self.access.mentions.add(name)
        if obj.type not in ("this", "super"):
            self.expression(obj)
            self.access.may_raise = True  # a null object
            if obj.type in ("identifier", "field_access") and node_text(obj).split(".")[-1][:1].isupper():
                self.access.hidden = True  # a static field: may run the class initialiser
        if write:
            self.access.mem_writes.add(name)
        if read:
            self.access.mem_reads.add(name)
        return UNKNOWN

    def _array_access(self, node: Node, write: bool = False, read: bool = True) -> str:
        array_type = self.expression(node.child_by_field_name("array"))
        self.expression(node.child_by_field_name("index"))
        self.access.may_raise = True
        if write:
            self.access.mem_writes.add(ARRAY_LOCATION)
        if read:
            self.access.mem_reads.add(ARRAY_LOCATION)
        return array_type[:-2] if array_type.endswith("[]") else UNKNOWN

    def _target(self, node: Node, read: bool) -> str:
        if node.type == "parenthesized_expression":
            return self._target(node.named_children[0], read)
        if node.type == "identifier":
            return self._name(node_text(node), write=True, read=read)
        if node.type == "field_access":
            return self._field_access(node, write=True, read=read)
        if node.type == "array_access":
            self.access.may_raise = True  # ArrayStoreException as well
            return self._array_access(node, write=True, read=read)
        raise Unmovable(f"an assignment to a {node.type}")

    def _assignment_expression(self, node: Node) -> str:
        operator = node_text(node.child_by_field_name("operator"))
        compound = operator != "="
        # Java evaluates the target's subexpressions first, then the value
        target = self._target(node.child_by_field_name("left"), read=compound)
        value = self.expression(node.child_by_field_name("right"))
        if compound:
            self._binary(operator[:-1], target, value, node.child_by_field_name("right"))
        else:
            self._convert(target, value)
        return target

    def _update_expression(self, node: Node) -> str:
        target = self._target(node.named_children[0], read=True)
        if target not in PRIMITIVES:
            self.access.may_raise = True
        return target

    def _binary_expression(self, node: Node) -> str:
        left = self.expression(node.child_by_field_name("left"))
        right_node = node.child_by_field_name("right")
        right = self.expression(right_node)
        return self._binary(node_text(node.child_by_field_name("operator")), left, right, right_node)

    def _binary(self, operator: str, left: str, right: str, right_node: Node) -> str:
        if operator == "+" and (STRING in (left, right) or UNKNOWN in (left, right)):
            return self._concatenation(left, right)
        if operator in ("==", "!=") and left not in PRIMITIVES and right not in PRIMITIVES:
            return "boolean"  # comparing references: nothing is unboxed
        if left not in PRIMITIVES or right not in PRIMITIVES:
            self.access.may_raise = True  # unboxing a null
        if operator in ("/", "%") and not _is_float(left, right) and not _nonzero_literal(right_node):
            self.access.may_raise = True  # integer division by zero
        if operator in ("==", "!=", "<", ">", "<=", ">=", "&&", "||"):
            return "boolean"
        if operator in ("<<", ">>", ">>>"):
            return left
        return _promote(left, right)

    def _concatenation(self, left: str, right: str) -> str:
        known = PRIMITIVES | PLAIN_OBJECTS
        if STRING in (left, right) and left in known and right in known:
            return STRING
        if STRING not in (left, right) and (left in PRIMITIVES or right in PRIMITIVES):
            self.access.may_raise = True  # a boxed number plus a number, or a String plus one
            return UNKNOWN
        raise Unmovable("string concatenation that may call toString()")

    def _unary_expression(self, node: Node) -> str:
        operand = self.expression(node.child_by_field_name("operand"))
        if operand not in PRIMITIVES:
            self.access.may_raise = True
        return "boolean" if node_text(node.child_by_field_name("operator")) == "!" else operand

    def _cast_expression(self, node: Node) -> str:
        target = "".join(node_text(node.child_by_field_name("type")).split())
        value = self.expression(node.child_by_field_name("value"))
        if target not in PRIMITIVES or value not in PRIMITIVES:
            self.access.may_raise = True  # ClassCastException or unboxing
        return target

    def _ternary_expression(self, node: Node) -> str:
        condition = self.expression(node.child_by_field_name("condition"))
        if condition != "boolean":
            self.access.may_raise = True
        first = self.expression(node.child_by_field_name("consequence"))
        second = self.expression(node.child_by_field_name("alternative"))
        if first != second or first == UNKNOWN:
            self.access.may_raise = True  # mixed boxing in a conditional may unbox a null
            return UNKNOWN
        return first

    def _instanceof_expression(self, node: Node) -> str:
        if node.child_by_field_name("name") is not None or node.child_by_field_name("pattern") is not None:
            raise Unmovable("an instanceof pattern declares a variable")
        if any(child.type in ("record_pattern", "type_pattern") for child in node.named_children):
            raise Unmovable("an instanceof pattern declares a variable")
        self.expression(node.child_by_field_name("left"))
        return "boolean"

    def _array_creation_expression(self, node: Node) -> str:
        for child in node.named_children:
            if child.type == "dimensions_expr":
                self.expression(child.named_children[0])
                if not _literal(child.named_children[0]):
                    self.access.may_raise = True  # a negative size
            elif child.type == "array_initializer":
                self._value(child)
        return UNKNOWN

    def _class_literal(self, node: Node) -> str:
        return UNKNOWN

    def _arguments(self, node: Node | None, any_type: bool = False) -> list[str]:
        """Argument types; library code may call toString() or iterate anything but plain values."""
        kinds = [self.expression(argument) for argument in node.named_children] if node is not None else []
        if not any_type and any(kind not in PRIMITIVES and kind != STRING for kind in kinds):
            raise Unmovable("a call with an argument of unknown type")
        return kinds

    def _method_invocation(self, node: Node) -> str:
        """Only well-known pure library methods: String's, and static java.lang helpers."""
        receiver, name = node.child_by_field_name("object"), node_text(node.child_by_field_name("name"))
        if receiver is None:
            raise Unmovable("a method_invocation")
        static = STATIC_METHODS.get(node_text(receiver), {}) if receiver.type == "identifier" else {}
        if name in static and node_text(receiver) not in self.types:
            kinds = self._arguments(node.child_by_field_name("arguments"))
            self.access.may_raise = True  # parse errors, unboxing
            if static[name]:
                return static[name]
            return _promote(*kinds) if len(kinds) == 2 else (kinds[0] if kinds else UNKNOWN)
        if name in STRING_METHODS and self.expression(receiver) == STRING:
            self._arguments(node.child_by_field_name("arguments"), any_type=name == "equals")
            self.access.may_raise = True  # a null receiver, a bad index
            return STRING_METHODS[name]
        raise Unmovable("a method_invocation")

    def _object_creation_expression(self, node: Node) -> str:
        kind = node_text(node.child_by_field_name("type")).split("<")[0].strip()
        if kind not in PLAIN_CONSTRUCTORS or node.child_by_field_name("object") is not None:
            raise Unmovable("an object_creation_expression")
        if any(child.type == "class_body" for child in node.named_children):
            raise Unmovable("an anonymous class")
        arguments = node.child_by_field_name("arguments")
        self._arguments(arguments)
        if arguments is not None and not all(_literal(argument) for argument in arguments.named_children):
            self.access.may_raise = True  # a negative capacity, a null string
        return kind


def _literal(node: Node) -> bool:
    """A string literal or a non-negative integer literal: nothing to fail on."""
    return node.type in ("string_literal", "text_block") or _nonzero_literal(node) or node_text(node) == "0"


def _is_float(left: str, right: str) -> bool:
    return "double" in (left, right) or "float" in (left, right)


def _nonzero_literal(node: Node) -> bool:
    if node.type != "decimal_integer_literal":
        return False
    digits = node_text(node).rstrip("lL").replace("_", "")
    return digits.isdigit() and int(digits) != 0


def _promote(left: str, right: str) -> str:
    for kind in ("double", "float", "long"):
        if kind in (left, right):
            return kind
    return "boolean" if left == right == "boolean" else "int"


class JavaAnalysis:
    """Java's answers to the LanguageAnalysis protocol (see analysis.py)."""

    language = "java"
    handler_types = HANDLER_TYPES
    frame_types = FRAME_TYPES

    def variables(self, parsed: ParsedCode) -> tuple[list[Variable], list[Ban]]:
        return java_variables(parsed)

    def visible_locals(self, container: Node) -> dict[str, str]:
        return visible_locals(container)

    def declared_by(self, statement: Node) -> dict[str, str]:
        return declared_by(statement)
