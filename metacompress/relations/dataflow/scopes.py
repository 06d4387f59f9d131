"""Which local variables are in scope at a statement (Java and C), and their declared types.

A name that is not found here is treated as memory (a field or a global), which is always the
conservative reading: memory conflicts with more than a local does. So the search may miss
locals (pattern variables, declarations inside ``#if`` branches) but must never invent one.
"""

from __future__ import annotations

from tree_sitter import Node

#: where the search for enclosing declarations stops (fields and globals lie beyond)
STOP_TYPES = {
    "java": frozenset({"class_body", "interface_body", "enum_body", "enum_body_declarations", "program"}),
    "c": frozenset({"translation_unit"}),
}

#: try-like statements whose handlers run in the same frame
HANDLER_TYPES = {
    "java": frozenset({"try_statement", "try_with_resources_statement"}),
    "c": frozenset(),
    "python": frozenset({"try_statement", "with_statement"}),
}

FRAME_TYPES = {
    "java": frozenset({"method_declaration", "constructor_declaration", "lambda_expression", "class_body"}),
    "c": frozenset({"function_definition"}),
    "python": frozenset({"function_definition", "class_definition", "lambda"}),
}


def text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def visible_locals(container: Node, language: str) -> dict[str, str]:
    """Locals declared before ``container`` in enclosing scopes: name -> declared type text."""
    found: dict[str, str] = {}
    stops = STOP_TYPES[language]
    child, parent = container, container.parent
    while parent is not None and parent.type not in stops:
        if language == "java":
            _java_enclosing(parent, child, found)
        else:
            _c_enclosing(parent, child, found)
        child, parent = parent, parent.parent
    return found


def declared_by(statement: Node, language: str) -> dict[str, str]:
    """Names a statement of a block declares for the statements after it."""
    found: dict[str, str] = {}
    if language == "java" and statement.type == "local_variable_declaration":
        _java_declaration(statement, found)
    elif language == "c" and statement.type == "declaration":
        _c_declaration(statement, found)
    return found


def protecting_block(node: Node, language: str) -> Node | None:
    """The innermost ``try`` body (or Python ``with`` body) around ``node`` in its frame.

    An exception raised at ``node`` may be caught there, within the same frame. Code in a
    ``catch`` or ``finally`` clause is protected only by a ``try`` further out.
    """
    handlers, frames = HANDLER_TYPES[language], FRAME_TYPES[language]
    child, current = node, node.parent
    while current is not None and current.type not in frames:
        if current.type in handlers and current.child_by_field_name("body") == child:
            return child
        child, current = current, current.parent
    return None


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
                    found[text(name)] = ""
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
        found[text(parameters)] = ""
        return
    for parameter in parameters.named_children:
        if parameter.type == "identifier":
            found[text(parameter)] = ""
        elif parameter.type == "formal_parameter":
            _java_typed_name(parameter, found)
        elif parameter.type == "spread_parameter":
            for part in parameter.named_children:
                if part.type == "variable_declarator":
                    name = part.child_by_field_name("name")
                    if name is not None:
                        found[text(name)] = ""


def _java_typed_name(node: Node, found: dict[str, str]) -> None:
    name, kind = node.child_by_field_name("name"), node.child_by_field_name("type")
    if name is not None:
        dims = node.child_by_field_name("dimensions")
        found[text(name)] = _type_text(kind) + ("[]" * text(dims).count("[") if dims is not None else "")


def _java_declaration(declaration: Node, found: dict[str, str]) -> None:
    kind = _type_text(declaration.child_by_field_name("type"))
    for declarator in declaration.children_by_field_name("declarator"):
        name = declarator.child_by_field_name("name")
        if name is None:
            continue
        dims = declarator.child_by_field_name("dimensions")
        found[text(name)] = kind + ("[]" * text(dims).count("[") if dims is not None else "")


def _type_text(node: Node | None) -> str:
    return "".join(text(node).split()) if node is not None else ""


def _c_enclosing(parent: Node, child: Node, found: dict[str, str]) -> None:
    if parent.type == "function_definition":
        declarator = parent.child_by_field_name("declarator")
        while declarator is not None and declarator.type != "function_declarator":
            declarator = declarator.child_by_field_name("declarator")
        parameters = declarator.child_by_field_name("parameters") if declarator is not None else None
        for parameter in parameters.named_children if parameters is not None else ():
            if parameter.type == "parameter_declaration":
                name = c_declarator_name(parameter.child_by_field_name("declarator"))
                if name:
                    found[name] = ""
        return
    for sibling in parent.children:
        if sibling.start_byte >= child.start_byte:
            break
        if sibling.type == "declaration":
            _c_declaration(sibling, found)


def _c_declaration(declaration: Node, found: dict[str, str]) -> None:
    for declarator in declaration.children_by_field_name("declarator"):
        name = c_declarator_name(declarator)
        if name:
            found[name] = "[]" if _c_is_array(declarator) else ""


def c_declarator_name(declarator: Node | None) -> str:
    """The variable a C declarator declares (``*p``, ``a[3]``, ``x = 1`` ...); "" for functions."""
    while declarator is not None:
        kind = declarator.type
        if kind == "identifier":
            return text(declarator)
        if kind == "function_declarator":
            return ""
        if kind == "parenthesized_declarator":
            declarator = declarator.named_children[0] if declarator.named_children else None
            continue
        declarator = declarator.child_by_field_name("declarator")
    return ""


def _c_is_array(declarator: Node) -> bool:
    if declarator.type == "init_declarator":
        declarator = declarator.child_by_field_name("declarator")
    return declarator is not None and declarator.type == "array_declarator"
