"""Java's "can complete normally" (JLS 14.22), from the syntax: may control fall off the end?

javac rejects a statement that follows one that cannot complete normally ("unreachable
statement"), so a relation that appends code after a statement (loop-exchange appends a for
loop's update after its body) must know. Where the answer depends on something the syntax does
not show (a constant variable in a loop condition, an arrow ``switch``) the answer is None:
callers must then leave the code alone.
"""

from __future__ import annotations

from tree_sitter import Node

from .analysis import visible_locals
from .java import FRAME_TYPES
from .parsing import nested_deeper_than, walk

LOOPS = frozenset({"for_statement", "enhanced_for_statement", "while_statement", "do_statement"})
#: nodes a ``break`` or ``continue`` never crosses
FRAMES = FRAME_TYPES
ALWAYS = frozenset(
    {
        "local_variable_declaration",
        "expression_statement",
        "assert_statement",
        "enhanced_for_statement",
        "class_declaration",
        "record_declaration",
        "interface_declaration",
        "enum_declaration",
        ";",
    }
)
NEVER = frozenset({"return_statement", "throw_statement", "break_statement", "continue_statement", "yield_statement"})


#: statements nested deeper than this are not analysed (None): the analysis recurses per level
MAX_DEPTH = 200


def can_complete(node: Node) -> bool | None:
    """True/False per JLS 14.22 for a reachable statement; None when the syntax cannot tell."""
    if nested_deeper_than(node, MAX_DEPTH):
        return None
    return _completes(node)


def _completes(node: Node) -> bool | None:
    kind = node.type
    if kind in ALWAYS:
        return True
    if kind in NEVER:
        return False
    if kind == "block":
        statements = [child for child in node.named_children if not child.type.endswith("comment")]
        return _completes(statements[-1]) if statements else True
    if kind == "if_statement":
        alternative = node.child_by_field_name("alternative")
        if alternative is None:
            return True
        return _either(_completes(node.child_by_field_name("consequence")), _completes(alternative))
    if kind in ("while_statement", "for_statement", "do_statement"):
        return _loop(node)
    if kind == "labeled_statement":
        inner = node.named_children[-1]
        label = node.named_children[0].text
        return True if _breaks_to(inner, label) else _completes(inner)
    if kind == "synchronized_statement":
        return _completes(node.child_by_field_name("body"))
    if kind in ("try_statement", "try_with_resources_statement"):
        return _try(node)
    if kind == "switch_expression" and node.parent is not None and node.parent.type in ("block", "switch_block_statement_group"):
        return _switch(node.child_by_field_name("body"))
    return None


def _either(first: bool | None, second: bool | None) -> bool | None:
    if first or second:
        return True
    if first is None or second is None:
        return None
    return False


def _loop(node: Node) -> bool | None:
    condition = node.child_by_field_name("condition")
    if node.type == "for_statement" and condition is None:
        constant_true = True
    else:
        constant_true = _constant_true(condition)
    if constant_true is None:
        return None
    if _breaks_to(node.child_by_field_name("body"), None):
        return True
    if not constant_true:
        if node.type == "do_statement":
            return None  # depends on the body and on continue statements
        return True
    return False


def _constant_true(condition: Node | None) -> bool | None:
    """True for the literal ``true``; False when surely not a constant expression; else None."""
    while condition is not None and condition.type == "parenthesized_expression":
        condition = condition.named_children[0] if condition.named_children else None
    if condition is None:
        return None
    if condition.type == "true":
        return True
    names = set()
    stack = [condition]
    while stack:
        current = stack.pop()
        # a call, an assignment or ++/-- is never part of a constant expression
        if current.type in ("method_invocation", "assignment_expression", "update_expression", "object_creation_expression"):
            return False
        if current.type == "field_access":
            stack.append(current.child_by_field_name("object"))
            continue
        if current.type == "identifier":
            names.add(current.text)
        stack.extend(current.children)
    # nor is a local variable declared without ``final`` (JLS 4.12.4: constant variables are final)
    if names and _some_local_not_final(condition, names):
        return False
    return None


def _some_local_not_final(node: Node, names: set[bytes]) -> bool:
    visible = visible_locals(node, "java")
    candidates = {name for name in names if name.decode("utf-8", "replace") in visible}
    if not candidates:
        return False
    frame = node.parent
    while frame is not None and frame.type not in FRAMES:
        frame = frame.parent
    finals = set()
    for current in walk(frame) if frame is not None else ():
        if current.type in ("local_variable_declaration", "formal_parameter", "catch_formal_parameter", "resource"):
            modifiers = next((c for c in current.children if c.type == "modifiers"), None)
            if modifiers is not None and b"final" in (modifiers.text or b""):
                finals.update(n.text for n in walk(current) if n.type == "identifier")
        elif current.type == "enhanced_for_statement" and any(c.type == "modifiers" and b"final" in (c.text or b"") for c in current.children):
            finals.update(n.text for n in walk(current) if n.type == "identifier")
    return bool(candidates - finals)


def _switch(body: Node | None) -> bool | None:
    """A statement switch: completes unless it has a default, no break, and its last group
    ends in a statement that cannot complete. Arrow forms (``case 1 ->``) are left undecided."""
    if body is None or any(child.type == "switch_rule" for child in body.named_children):
        return None
    groups = [child for child in body.named_children if child.type == "switch_block_statement_group"]
    if any(_breaks_to(group, None, nested=False) for group in groups):
        return True
    labels = [label for group in groups for label in group.named_children if label.type == "switch_label"]
    if not any((label.text or b"").startswith(b"default") for label in labels):
        return True
    last = [c for c in groups[-1].named_children if c.type != "switch_label" and not c.type.endswith("comment")]
    return _completes(last[-1]) if last else True


def _try(node: Node) -> bool | None:
    outcomes = [_completes(node.child_by_field_name("body"))]
    final = None
    for child in node.named_children:
        if child.type == "catch_clause":
            outcomes.append(_completes(child.child_by_field_name("body")))
        elif child.type == "finally_clause":
            final = child.named_children[-1] if child.named_children else None
    result: bool | None = False
    for outcome in outcomes:
        result = _either(result, outcome)
    if final is None:
        return result
    after_finally = _completes(final)
    if after_finally is False:
        return False
    if after_finally is None:
        return None
    return result


def _breaks_to(body: Node | None, label: bytes | None, nested: bool = False) -> bool:
    """True when ``body`` holds a break leaving the statement around it (``label``: a labelled
    break naming it; None: an unlabelled break not inside a nested loop or switch)."""
    if body is None:
        return False
    stack = [(body, nested)]
    while stack:
        current, nested = stack.pop()
        if current.type == "break_statement":
            target = next((child.text for child in current.named_children if child.type == "identifier"), None)
            if (label is None and target is None and not nested) or (label is not None and target == label):
                return True
            continue
        if current.type in FRAMES:
            continue
        inner = nested or current.type in LOOPS or current.type in ("switch_expression", "switch_block")
        stack.extend((child, inner) for child in current.children)
    return False
