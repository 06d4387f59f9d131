"""Local variables and parameters in Java: methods, constructors, lambdas, initializer blocks.

Java forbids a local from shadowing another local, but a field, a local of a nested class, an
inherited field or an enum constant may share a name with one. So uses are resolved by block
scope from their position; a use reached across a nested class body, a name in a ``case``
label, pattern variables (whose scope follows control flow) and the parameters of a record's
canonical constructor (javac requires the components' names) keep their names.
"""

from __future__ import annotations

import functools

from tree_sitter import Node, Query

from .parsing import ParsedCode, get_language, query_captures
from .scope import Ban, BlockScopes, Container, Span, SpanSet, Variable, innermost, node_text, span

# Every identifier is a use unless a more specific pattern says otherwise.
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
    captures = query_captures(_query(), parsed.root)
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
