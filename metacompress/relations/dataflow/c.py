"""C: the Access of an expression statement or a local declaration.

In C, memory is anything a pointer may reach: a dereference, an array element, a field through
``->``, a global, a ``static`` local, and any local whose address is taken (``&x``) or that is
handed to a macro-like call (``SWAP(a, b)`` may take its address). Faults (division by zero, a
bad pointer) crash the program whichever order the statements run in, so they are not effects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ..effects import looks_like_macro
from ..parsing import walk
from . import ANYWHERE, Access, LocalTypes, Unmovable
from .scopes import c_declarator_name, text

LITERAL_TYPES = frozenset(
    {"number_literal", "string_literal", "char_literal", "concatenated_string", "true", "false", "null"}
)
TRANSPARENT_TYPES = frozenset(
    {
        "parenthesized_expression",
        "binary_expression",
        "unary_expression",
        "conditional_expression",
        "comma_expression",
        "initializer_list",
        "initializer_pair",
        "subscript_designator",
        "field_designator",
    }
)
TYPE_HOLDERS = frozenset({"cast_expression", "sizeof_expression", "alignof_expression", "compound_literal_expression"})
ALLOWED_QUALIFIERS = frozenset({"const", "restrict", "__restrict", "__restrict__"})
ALLOWED_STORAGE = frozenset({"auto", "register"})


@dataclass(frozen=True)
class CFunctionFacts:
    """Function-wide facts: names that memory may alias, names declared ``volatile``."""

    aliased: frozenset[str]
    volatile: frozenset[str]

    @classmethod
    def of(cls, function: Node, volatile: frozenset[str]) -> "CFunctionFacts":
        """``&x`` is found in the bytes (over-approximate: ``a & b`` counts too, which is only
        more careful); macro-like calls and storage classes are confirmed on the tree."""
        source = function.text or b""
        aliased = {match.group(1).decode("utf-8", "replace") for match in _ADDRESS_OF.finditer(source)}
        for match in _TREE_HINTS.finditer(source):
            offset = function.start_byte + match.start()
            node = function.descendant_for_byte_range(offset, offset + 1)
            parent = node.parent if node is not None else None
            if parent is None:
                continue
            if parent.type == "call_expression" and parent.child_by_field_name("function") == node:
                arguments = parent.child_by_field_name("arguments")
                aliased.update(text(n) for n in walk(arguments) if n.type == "identifier")
            elif parent.type == "storage_class_specifier" and text(parent) not in ALLOWED_STORAGE:
                declaration = parent.parent
                if declaration is not None:
                    aliased.update(c_declarator_name(d) for d in declaration.children_by_field_name("declarator"))
        return cls(frozenset(aliased), volatile)


#: ``&x``, ``&(x)``, ``&s.f``, ``&a[i]``: the name whose storage escapes (not ``&&``, ``&=``)
_ADDRESS_OF = re.compile(rb"(?<!&)&(?![&=])\s*\(*\s*([A-Za-z_]\w*)")
#: a macro-like call ``FOO(x)`` (it may take its arguments' addresses), a static/extern name
_TREE_HINTS = re.compile(rb"\b[A-Z][A-Z0-9_]*\s*\(|\b(?:static|extern|_Thread_local|__thread|thread_local)\b")


class CStatement:
    """Builds the Access of one statement given the locals in scope and the function's facts."""

    def __init__(self, local_names: LocalTypes, facts: CFunctionFacts):
        self.locals = local_names
        self.facts = facts
        self.access = Access()

    def statement(self, node: Node) -> Access:
        if node.type == "declaration":
            self._declaration(node)
        elif node.type == "expression_statement":
            if node.named_child_count != 1:
                raise Unmovable("an empty statement")
            self.expression(node.named_children[0])
        else:
            raise Unmovable(f"a {node.type}")
        return self.access

    def _declaration(self, node: Node) -> None:
        for child in node.children:
            kind = child.type
            if kind == "storage_class_specifier" and text(child) not in ALLOWED_STORAGE:
                raise Unmovable(f"a {text(child)} declaration")
            if kind == "type_qualifier" and text(child) not in ALLOWED_QUALIFIERS:
                raise Unmovable(f"a {text(child)} declaration")
            if kind in ("attribute_specifier", "attribute_declaration", "ms_declspec_modifier", "gnu_asm_expression"):
                raise Unmovable("a declaration with attributes")
        self._type(node.child_by_field_name("type"))
        for declarator in node.children_by_field_name("declarator"):
            self._declarator(declarator)

    def _type(self, node: Node | None) -> None:
        if node is None:
            raise Unmovable("a declaration without a type")
        if node.type in ("struct_specifier", "union_specifier", "enum_specifier") and node.child_by_field_name("body"):
            raise Unmovable("a declaration that defines a type")
        for part in walk(node):
            if part.type == "type_identifier":
                self.access.mentions.add(text(part))
            elif part.type in ("identifier", "call_expression"):
                raise Unmovable("a computed type")  # typeof(expr)

    def _declarator(self, node: Node) -> None:
        value = None
        if node.type == "init_declarator":
            value = node.child_by_field_name("value")
            node = node.child_by_field_name("declarator")
        name = c_declarator_name(node)
        if not name:
            raise Unmovable("a function declaration")
        if name in self.facts.volatile:
            raise Unmovable(f"volatile {name}")
        current = node
        while current is not None and current.type != "identifier":
            if current.type == "array_declarator":
                size = current.child_by_field_name("size")
                if size is not None:
                    self.expression(size)
            elif current.type not in ("pointer_declarator", "parenthesized_declarator"):
                raise Unmovable(f"a {current.type}")
            if current.type == "parenthesized_declarator":
                current = current.named_children[0] if current.named_children else None
            else:
                current = current.child_by_field_name("declarator")
        self.access.declares.add(name)
        self.access.mentions.add(name)
        if value is not None:
            (self.access.mem_writes if name in self.facts.aliased else self.access.writes).add(name)
            self.expression(value)

    def expression(self, node: Node) -> None:
        kind = node.type
        if kind in LITERAL_TYPES:
            return
        if kind == "identifier":
            self._name(text(node), write=False, read=True)
        elif kind in TRANSPARENT_TYPES:
            for child in node.named_children:
                if child.type not in ("field_identifier",):
                    self.expression(child)
        elif kind in TYPE_HOLDERS:
            for child in node.named_children:
                if child.type == "type_descriptor":
                    self._type(child)
                else:
                    self.expression(child)
        elif kind == "pointer_expression":
            self.expression(node.child_by_field_name("argument"))
            if text(node.child_by_field_name("operator")) == "*":
                self.access.mem_reads.add(ANYWHERE)
        elif kind in ("field_expression", "subscript_expression"):
            self._location(node, write=False, read=True)
        elif kind in ("assignment_expression", "update_expression"):
            self._assignment(node)
        elif kind in ("offsetof_expression",):
            return
        else:
            raise Unmovable(f"a {kind}" if kind in ("call_expression",) else f"an unsupported expression ({kind})")

    def _name(self, name: str, write: bool, read: bool) -> None:
        if name in self.facts.volatile:
            raise Unmovable(f"volatile {name}")
        self.access.mentions.add(name)
        local = name in self.locals and name not in self.facts.aliased
        if write:
            (self.access.writes if local else self.access.mem_writes).add(name)
        if read:
            (self.access.reads if local else self.access.mem_reads).add(name)

    def _location(self, node: Node, write: bool, read: bool) -> None:
        """A field or an element: a local struct's own field, or memory anywhere."""
        base = node.child_by_field_name("argument")
        if node.type == "field_expression":
            self.access.mentions.add(text(node.child_by_field_name("field")))
            operator = text(node.child_by_field_name("operator"))
            if operator == "." and base.type == "identifier" and self.locals.get(text(base)) == "":
                # a field of a local struct value: part of that variable
                self._name(text(base), write=write, read=True)
                return
        else:
            self.expression(node.child_by_field_name("index"))
        self.expression(base)
        if write:
            self.access.mem_writes.add(ANYWHERE)
        if read:
            self.access.mem_reads.add(ANYWHERE)

    def _assignment(self, node: Node) -> None:
        if node.type == "update_expression":
            target, compound = node.child_by_field_name("argument"), True
        else:
            target = node.child_by_field_name("left")
            compound = text(node.child_by_field_name("operator")) != "="
            self.expression(node.child_by_field_name("right"))
        while target.type == "parenthesized_expression" and target.named_child_count == 1:
            target = target.named_children[0]
        if target.type == "identifier":
            self._name(text(target), write=True, read=compound)
        elif target.type in ("field_expression", "subscript_expression"):
            self._location(target, write=True, read=compound)
        elif target.type == "pointer_expression" and text(target.child_by_field_name("operator")) == "*":
            self.expression(target.child_by_field_name("argument"))
            self.access.mem_writes.add(ANYWHERE)
            if compound:
                self.access.mem_reads.add(ANYWHERE)
        else:
            raise Unmovable(f"an assignment to a {target.type}")
