"""Java: the Access of an assignment, ``++``/``--`` or local declaration statement.

Java has hidden effects without calls: string concatenation calls ``toString()`` on objects
(refused), unboxing a null throws, integer division by zero throws, array and field access
throw, and touching a static field of a class may run its initialiser. A tiny type inference
over the declared types of locals tells primitives from references where it matters.
"""

from __future__ import annotations

from tree_sitter import Node

from . import ANYWHERE, Access, LocalTypes, Unmovable
from .scopes import text

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
            if expression.type not in ("assignment_expression", "update_expression"):
                raise Unmovable(f"a {expression.type} statement")
            self.expression(expression)
        else:
            raise Unmovable(f"a {node.type}")
        return self.access

    def _declaration(self, node: Node) -> None:
        for child in node.children:
            if child.type == "modifiers" and b"final" in (child.text or b""):
                raise Unmovable("a final local")
        declared_type = "".join(text(node.child_by_field_name("type")).split())
        for declarator in node.children_by_field_name("declarator"):
            name = text(declarator.child_by_field_name("name"))
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
            if literal == "int" and text(node)[-1:] in "lL":
                return "long"
            if literal == "double" and text(node)[-1:] in "fF":
                return "float"
            return literal
        if kind == "identifier":
            return self._name(text(node), write=False)
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
        name = text(field)
        if name in self.volatile:
            raise Unmovable(f"volatile {name}")
        self.access.mentions.add(name)
        if obj.type not in ("this", "super"):
            self.expression(obj)
            self.access.may_raise = True  # a null object
            if obj.type in ("identifier", "field_access") and text(obj).split(".")[-1][:1].isupper():
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
            return self._name(text(node), write=True, read=read)
        if node.type == "field_access":
            return self._field_access(node, write=True, read=read)
        if node.type == "array_access":
            self.access.may_raise = True  # ArrayStoreException as well
            return self._array_access(node, write=True, read=read)
        raise Unmovable(f"an assignment to a {node.type}")

    def _assignment_expression(self, node: Node) -> str:
        operator = text(node.child_by_field_name("operator"))
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
        return self._binary(text(node.child_by_field_name("operator")), left, right, right_node)

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
        return "boolean" if text(node.child_by_field_name("operator")) == "!" else operand

    def _cast_expression(self, node: Node) -> str:
        target = "".join(text(node.child_by_field_name("type")).split())
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
        receiver, name = node.child_by_field_name("object"), text(node.child_by_field_name("name"))
        if receiver is None:
            raise Unmovable("a method_invocation")
        static = STATIC_METHODS.get(text(receiver), {}) if receiver.type == "identifier" else {}
        if name in static and text(receiver) not in self.types:
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
        kind = text(node.child_by_field_name("type")).split("<")[0].strip()
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
    return node.type in ("string_literal", "text_block") or _nonzero_literal(node) or text(node) == "0"


def _is_float(left: str, right: str) -> bool:
    return "double" in (left, right) or "float" in (left, right)


def _nonzero_literal(node: Node) -> bool:
    if node.type != "decimal_integer_literal":
        return False
    digits = text(node).rstrip("lL").replace("_", "")
    return digits.isdigit() and int(digits) != 0


def _promote(left: str, right: str) -> str:
    for kind in ("double", "float", "long"):
        if kind in (left, right):
            return kind
    return "boolean" if left == right == "boolean" else "int"


__all__ = ["ANYWHERE", "JavaStatement"]
