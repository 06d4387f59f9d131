"""loop-exchange: a ``for`` loop becomes a ``while`` loop, or a ``while`` loop a ``for`` loop.

Java and C, for -> while: ``for (init; cond; update) body`` becomes ``init; while (cond)
{ body update; }``. Every ``continue`` that belongs to the loop (not to a nested loop; one in a
nested ``switch`` does) first runs the update: ``{ update; continue; }``. The init is hoisted in
front of the loop when the enclosing block mentions its names nowhere else; otherwise the whole
thing is wrapped in braces so the init's variables keep their scope. Java refuses code after a
statement that cannot complete normally, so the update is appended only where the body can
complete (``completion``); loops where that cannot be decided are left alone.

Java and C, while -> for: ``while (c) body`` becomes ``for (; c;) body``.

Python, for -> while, exactly: ``_it = iter(xs)`` / ``while True:`` / ``try: x = next(_it)``
/ ``except StopIteration: break``, then the body. Loops with ``else:``, ``async for`` and loops
in class bodies are left alone. Python ``while`` -> ``for`` has no exact, clean form, so Python
loops are only ever turned into ``while`` loops.
"""

from __future__ import annotations

import functools
import random
import re

from tree_sitter import Node, Query

from ..code.completion import can_complete
from ..code.effects import looks_like_macro
from ..code.names import TextNames, fresh_name
from ..code.parsing import ParsedCode, get_language, walk
from ..code.statements import indent_unit, line_indent, line_start, newline_of, python_scope
from ..errors import NotApplicable
from .base import Edit, Relation, register_relation, splice

LOOP_TYPES = frozenset({"for_statement", "while_statement", "do_statement", "enhanced_for_statement"})
BLOCK_TYPES = {"java": ("block", "constructor_body"), "c": ("compound_statement",)}
TRUE = {"java": "true", "c": "1"}
NO_LOOP = {
    "java": "no for (;;) or while loop (enhanced for loops are left alone)",
    "c": "no for or while loop",
    "python": "no for loop (a Python while loop has no exact for form)",
}
#: a continue inside these runs code on its way out, which must not run after the update
EXIT_HOOKS = frozenset({"try_with_resources_statement", "synchronized_statement"})
FRAMES = frozenset({"lambda_expression", "class_body", "function_definition"})


class Skip(Exception):
    """This loop cannot be exchanged exactly; the message says why."""


@register_relation
class LoopExchange(Relation):
    name = "loop-exchange"
    summary = "rewrite a for loop as a while loop (keeping continue and scope) or a while loop as a for loop; Python: for -> while only"
    example = (
        "for (int i = 0; i < n; i++) {\n    s += i;\n}",
        "int i = 0;\nwhile (i < n) {\n    s += i;\n    i++;\n}",
    )

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        loops = list(parsed.captures(_loop_query(parsed.language)).get("loop", []))  # shuffled below: a copy
        if not loops:
            raise NotApplicable(NO_LOOP[parsed.language])
        rng.shuffle(loops)
        reasons = []
        for loop in loops:
            try:
                return [exchange(parsed, loop, rng)]
            except Skip as exc:
                reasons.append(str(exc))
        raise NotApplicable(f"no loop can be exchanged exactly ({reasons[0]})")


@functools.cache
def _loop_query(language: str) -> Query:
    pattern = "(for_statement) @loop" if language == "python" else "[(for_statement) (while_statement)] @loop"
    return Query(get_language(language), pattern)


def exchange(parsed: ParsedCode, loop: Node, rng: random.Random) -> Edit:
    """The edit that exchanges one loop, or Skip with the reason."""
    if parsed.in_error(loop) if loop.type == "for_statement" else parsed.in_error(_header_end(loop)):
        raise Skip("the loop overlaps a parse error")
    previous = loop.prev_named_sibling
    if previous is not None and parsed.in_error(previous):
        raise Skip("the loop follows a parse error")
    if parsed.language == "python":
        return _python_for(parsed, loop, rng)
    if loop.type == "while_statement":
        return _while_to_for(parsed, loop)
    return _for_to_while(parsed, loop)


def _header_end(loop: Node) -> Node:
    condition = loop.child_by_field_name("condition")
    return condition if condition is not None else loop


def _text(parsed: ParsedCode, node: Node) -> str:
    return parsed.node_text(node)


def _describe(parsed: ParsedCode, loop: Node, change: str, width: int = 48) -> str:
    """E.g. "for -> while: `for (int i = 0; i < n; i++)`" (the loop's first line, shortened)."""
    head = _text(parsed, loop).split("\n", 1)[0].rstrip(" {:")
    return f"{change}: `{head if len(head) <= width else head[: width - 3] + '...'}`"


# --- while -> for ----------------------------------------------------------------------------


def _while_to_for(parsed: ParsedCode, loop: Node) -> Edit:
    condition = loop.child_by_field_name("condition")
    if condition is None or condition.type != "parenthesized_expression" or loop.child_by_field_name("body") is None:
        raise Skip("a while loop without a plain condition")
    if any(child.type.endswith("comment") for child in loop.children if child.end_byte <= condition.start_byte):
        raise Skip("a comment inside the loop header")
    inner = parsed.source[condition.start_byte + 1 : condition.end_byte - 1].decode("utf-8")
    return Edit(loop.start_byte, condition.end_byte, f"for (;{_spaced(inner)};)", _describe(parsed, loop, "while -> for"))


def _spaced(text: str) -> str:
    return text if text[:1].isspace() else " " + text


# --- for -> while (Java, C) ------------------------------------------------------------------


def _for_to_while(parsed: ParsedCode, loop: Node) -> Edit:
    language = parsed.language
    close = next((c for c in loop.children if c.type == ")"), None)
    body = loop.child_by_field_name("body")
    if close is None or body is None:
        raise Skip("an incomplete for loop")
    if any(child.type.endswith("comment") for child in loop.children if child.end_byte <= close.start_byte):
        raise Skip("a comment inside the loop header")
    init, declared = _init(parsed, loop)
    condition = loop.child_by_field_name("condition")
    condition_text = _text(parsed, condition) if condition is not None else TRUE[language]
    update = _update(parsed, loop)
    outer, label = _outer(loop, language)

    edits = [Edit(loop.start_byte, close.end_byte, f"while ({condition_text})")]
    if update:
        edits += _update_edits(parsed, loop, body, close, update, label)
    new_loop = splice(parsed.source[outer.start_byte : outer.end_byte], _shift(edits, -outer.start_byte))
    text = new_loop.decode("utf-8")
    if init:
        text = _place_init(parsed, outer, init, declared, text)
    return Edit(outer.start_byte, outer.end_byte, text, _describe(parsed, loop, "for -> while"))


def _init(parsed: ParsedCode, loop: Node) -> tuple[str, set[str]]:
    """The init as statements, and the names it declares."""
    field = "init" if parsed.language == "java" else "initializer"
    parts = loop.children_by_field_name(field)
    if not parts:
        return "", set()
    if parts[0].type in ("local_variable_declaration", "declaration"):
        names = set()
        for declarator in parts[0].children_by_field_name("declarator"):
            names |= {_text(parsed, n) for n in walk(declarator) if n.type == "identifier"}
        return _text(parsed, parts[0]), names
    return " ".join(_text(parsed, part) + ";" for part in parts), set()


def _update(parsed: ParsedCode, loop: Node) -> str:
    parts = loop.children_by_field_name("update")
    return " ".join(_text(parsed, part) + ";" for part in parts)


def _outer(loop: Node, language: str) -> tuple[Node, bytes | None]:
    """What the rewrite replaces: a Java label moves with its loop (continue targets it)."""
    parent = loop.parent
    if language == "java" and parent is not None and parent.type == "labeled_statement":
        if parent.parent is not None and parent.parent.type == "labeled_statement":
            raise Skip("a loop with several labels")
        return parent, parent.named_children[0].text
    return loop, None


def _update_edits(parsed: ParsedCode, loop: Node, body: Node, close: Node, update: str, label: bytes | None) -> list[Edit]:
    """Run the update before each continue of this loop and after the body."""
    continues = _own_continues(body, label, parsed.language)
    _check_update_names(parsed, body, loop)
    if parsed.language == "c" and _has_macro_statement(parsed, body):
        raise Skip("a macro in the body may hide a continue")
    edits = [Edit(c.start_byte, c.end_byte, f"{{ {update} {_text(parsed, c)} }}") for c in continues]
    if parsed.language == "java":
        completes = can_complete(body)
        if completes is None:
            raise Skip("cannot tell whether the loop body completes normally")
    else:
        completes = True
    source = parsed.source
    if body.type in BLOCK_TYPES[parsed.language]:
        if completes:
            edits.append(_before_closing_brace(parsed, body, update))
        return edits
    same_line = b"\n" not in source[close.end_byte : body.start_byte]
    start = line_start(source, loop.start_byte)
    line = source[start : loop.start_byte].decode("utf-8")
    loop_indent = line[: len(line) - len(line.lstrip(" \t"))]  # the indentation of the loop's line
    tail = f" {update}" if completes else ""
    if same_line:
        return edits + [Edit(body.start_byte, body.start_byte, "{ "), Edit(body.end_byte, body.end_byte, f"{tail} }}")]
    newline = newline_of(source)
    body_indent = line_indent(source, body.start_byte) or loop_indent + indent_unit(source, loop_indent)
    tail = f"{newline}{body_indent}{update}" if completes else ""
    return edits + [
        Edit(close.end_byte, close.end_byte, " {"),
        Edit(body.end_byte, body.end_byte, f"{tail}{newline}{loop_indent}}}"),
    ]


def _own_continues(body: Node, label: bytes | None, language: str) -> list[Node]:
    """The continue statements that start this loop's next iteration."""
    found = []
    stack: list[tuple[Node, bool, bool]] = [(body, False, False)]
    while stack:
        node, nested, hooked = stack.pop()
        if node.type == "continue_statement":
            target = next((c.text for c in node.named_children if c.type in ("identifier", "statement_identifier")), None)
            if (target is None and not nested) or (target is not None and target == label):
                if hooked:
                    raise Skip("a continue leaves a try/finally or synchronized block")
                found.append(node)
            continue
        if node.type in FRAMES:
            continue
        inner = nested or node.type in LOOP_TYPES
        hook = hooked or node.type in EXIT_HOOKS or (
            node.type == "try_statement" and any(c.type == "finally_clause" for c in node.children)
        )
        stack.extend((child, inner, hook) for child in node.children)
    return found


def _check_update_names(parsed: ParsedCode, body: Node, loop: Node) -> None:
    """The update moves into the body: a name it uses must not be redeclared there."""
    update_names = {
        _text(parsed, n)
        for part in loop.children_by_field_name("update")
        for n in walk(part)
        if n.type == "identifier"
    }
    for node in walk(body):
        if node.type == "identifier" and _text(parsed, node) in update_names and _declares(node):
            raise Skip(f"the body declares {_text(parsed, node)}, which the update uses")


def _declares(identifier: Node) -> bool:
    """True when the identifier is the name a declaration introduces (Java or C)."""
    parent = identifier.parent
    if parent is None:
        return False
    if parent.type == "inferred_parameters":
        return True
    if parent.type == "lambda_expression":
        return parent.child_by_field_name("parameters") == identifier
    if parent.child_by_field_name("declarator") == identifier:
        return True
    return parent.child_by_field_name("name") == identifier and parent.type != "method_invocation"


def _has_macro_statement(parsed: ParsedCode, body: Node) -> bool:
    for node in walk(body):
        if node.type == "expression_statement" and node.named_child_count == 1:
            call = node.named_children[0]
            if call.type == "call_expression" and looks_like_macro(_text(parsed, call.child_by_field_name("function"))):
                return True
    return False


def _before_closing_brace(parsed: ParsedCode, body: Node, update: str) -> Edit:
    source = parsed.source
    closing = body.children[-1]
    if closing.type != "}" or closing.is_missing:
        raise Skip("a loop body without its closing brace")
    start = line_start(source, closing.start_byte)
    if start > body.start_byte and not source[start : closing.start_byte].strip():
        statements = [c for c in body.named_children if not c.type.endswith("comment")]
        brace_indent = source[start : closing.start_byte].decode("utf-8")
        indent = line_indent(source, statements[-1].start_byte) if statements else None
        if indent is None:
            indent = brace_indent + indent_unit(source, brace_indent)
        return Edit(start, start, f"{indent}{update}{newline_of(source)}")
    spacer = "" if source[closing.start_byte - 1 : closing.start_byte].isspace() else " "
    return Edit(closing.start_byte, closing.start_byte, f"{spacer}{update} ")


def _shift(edits: list[Edit], offset: int) -> list[Edit]:
    return [Edit(e.start + offset, e.end + offset, e.text, e.description) for e in edits]


def _place_init(parsed: ParsedCode, outer: Node, init: str, declared: set[str], loop_text: str) -> str:
    """Hoist the init in front of the loop when that cannot change scopes, else add braces."""
    parent = outer.parent
    hoist = parent is not None and parent.type in BLOCK_TYPES[parsed.language] and not _mentioned_elsewhere(parsed, parent, outer, declared)
    if not hoist:
        return f"{{ {init} {loop_text} }}"
    indent = line_indent(parsed.source, outer.start_byte)
    separator = f"{newline_of(parsed.source)}{indent}" if indent is not None else " "
    return f"{init}{separator}{loop_text}"


def _mentioned_elsewhere(parsed: ParsedCode, block: Node, outer: Node, names: set[str]) -> bool:
    if not names:
        return False
    for child in block.children:
        if child.start_byte == outer.start_byte and child.end_byte == outer.end_byte:
            continue
        for node in walk(child):
            if node.type.endswith("identifier") and _text(parsed, node) in names:
                return True
        if child.has_error or child.is_error:
            return True  # an error region may hide the name
    return False


# --- Python for -> while ---------------------------------------------------------------------


def _python_for(parsed: ParsedCode, loop: Node, rng: random.Random) -> Edit:
    if loop.children[0].type == "async":
        raise Skip("an async for loop")
    if loop.child_by_field_name("alternative") is not None:
        raise Skip("a for loop with an else clause")
    if python_scope(loop) == "class":
        raise Skip("a for loop in a class body (the iterator would become a class attribute)")
    if _python_builtins_shadowed(parsed):
        raise Skip("the snippet rebinds iter, next or StopIteration")
    colon = next((c for c in loop.children if c.type == ":"), None)
    body = loop.child_by_field_name("body")
    target, iterable = loop.child_by_field_name("left"), loop.child_by_field_name("right")
    if colon is None or body is None or target is None or iterable is None:
        raise Skip("an incomplete for loop")
    if any(child.type == "comment" for child in loop.children if child.end_byte <= colon.start_byte):
        raise Skip("a comment inside the loop header")
    source = parsed.source
    loop_indent = line_indent(source, loop.start_byte)
    if loop_indent is None:
        raise Skip("a for loop that does not start its line")
    newline = newline_of(source)
    inline = b"\n" not in source[colon.end_byte : body.start_byte]
    body_indent = None if inline else line_indent(source, body.start_byte)
    if body_indent is None or not body_indent.startswith(loop_indent) or body_indent == loop_indent:
        body_indent = loop_indent + indent_unit(source, loop_indent)
    unit = body_indent[len(loop_indent) :]

    names = TextNames(parsed.text)
    iterator = fresh_name("python", names, rng, ("_it",))
    simple = target.type == "identifier"
    value = _text(parsed, target) if simple else fresh_name("python", names, rng, ("_item",))
    iterable_text = _text(parsed, iterable)
    if iterable.type == "expression_list":
        iterable_text = f"({iterable_text})"
    header = f"{iterator} = iter({iterable_text}){newline}{loop_indent}while True:"
    lines = [
        "try:",
        f"{unit}{value} = next({iterator})",
        "except StopIteration:",
        f"{unit}break",
    ]
    if not simple:
        lines.append(f"{_text(parsed, target)} = {value}")
    prologue = "".join(f"{line}{newline}{body_indent}" for line in lines)
    if inline:
        prologue = f"{newline}{body_indent}{prologue}"
    header_end = body.start_byte if inline else colon.end_byte  # inline: drop the space too
    edits = [Edit(loop.start_byte, header_end, header), Edit(body.start_byte, body.start_byte, prologue)]
    new_text = splice(source[loop.start_byte : loop.end_byte], _shift(edits, -loop.start_byte)).decode("utf-8")
    return Edit(loop.start_byte, loop.end_byte, new_text, _describe(parsed, loop, "for -> while"))


#: every place a builtin's name starts, overlapping ones included
BUILTIN_MENTIONS = re.compile(rb"(?=(iter|next|StopIteration))")


def _python_builtins_shadowed(parsed: ParsedCode) -> bool:
    """True when the snippet may rebind a builtin the rewrite calls (conservative: any use
    other than calling iter/next or naming StopIteration in raise/except counts)."""
    source = parsed.source
    if b"import *" in source:
        return True
    for node in _builtin_identifiers(parsed):
        parent = node.parent
        if parent is None:
            return True
        if parent.type == "call" and parent.child_by_field_name("function") == node and node.text != b"StopIteration":
            continue
        if node.text == b"StopIteration" and parent.type in ("except_clause", "raise_statement", "call"):
            continue
        return True
    return False


def _builtin_identifiers(parsed: ParsedCode) -> list[Node]:
    """The identifiers named iter, next or StopIteration: found where their text occurs, not by
    walking the whole tree (the check runs once per loop tried)."""
    found = []
    for mention in BUILTIN_MENTIONS.finditer(parsed.source):
        start, end = mention.start(1), mention.end(1)
        node = parsed.root.descendant_for_byte_range(start, end)
        if node is not None and node.type == "identifier" and node.start_byte == start and node.end_byte == end:
            found.append(node)
    return found
