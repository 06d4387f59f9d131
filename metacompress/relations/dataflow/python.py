"""Python: the Access of an assignment statement.

In Python nearly every operator may run user code: ``a + b`` calls ``__add__``, ``o.x`` may be a
property, ``d[k]`` calls ``__getitem__`` and hashes ``k``, unpacking iterates. Those are hidden
effects. Names are precise only for function locals that no nested scope captures; globals
(and everything at module level) are memory, which hidden code may read or write.

Reading a name is taken to be effect-free: an unbound name is a bug that fails in either order.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..parsing import walk
from . import ANYWHERE, Access, Unmovable
from .scopes import text

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
        if function is None:
            return cls(frozenset(), True)
        bound: set[str] = set()
        shared: set[str] = set()
        parameters = function.child_by_field_name("parameters")
        for parameter in parameters.named_children if parameters is not None else ():
            bound.update(_parameter_names(parameter))
        stack = list(function.child_by_field_name("body").children)
        while stack:
            node = stack.pop()
            if node.type in NESTED_SCOPES:
                shared.update(text(n) for n in walk(node) if n.type == "identifier")
                continue
            if node.type in ("global_statement", "nonlocal_statement"):
                shared.update(text(n) for n in node.named_children)
            elif node.type in ("assignment", "augmented_assignment", "for_statement"):
                bound.update(_target_names(node.child_by_field_name("left")))
            stack.extend(node.children)
        return cls(frozenset(bound - shared), False)


def _parameter_names(parameter: Node) -> set[str]:
    """The name a parameter binds (not the names in its default value or annotation)."""
    if parameter.type == "identifier":
        return {text(parameter)}
    name = parameter.child_by_field_name("name")
    if name is not None:
        return _parameter_names(name)
    if parameter.type in ("typed_parameter", "list_splat_pattern", "dictionary_splat_pattern"):
        first = parameter.named_children[0] if parameter.named_children else None
        return _parameter_names(first) if first is not None else set()
    return set()


def _target_names(target: Node | None) -> set[str]:
    names: set[str] = set()
    stack = [target] if target is not None else []
    while stack:  # a loop, not recursion: targets may nest as deep as the input likes
        node = stack.pop()
        if node.type == "identifier":
            names.add(text(node))
        elif node.type in PATTERN_TYPES or node.type in ("list_splat_pattern", "parenthesized_expression"):
            stack.extend(node.named_children)
    return names


class PythonStatement:
    """Builds the Access of one assignment statement in a scope."""

    def __init__(self, scope: PythonScope):
        self.scope = scope
        self.access = Access()

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
            self._name(text(target), write=True, read=read)
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
            self.access.mentions.add(text(node.child_by_field_name("attribute")))
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
            self._name(text(node), write=False, read=True)
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
