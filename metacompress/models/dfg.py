"""GraphCodeBERT's data-flow graph: code tokens and the variables that flow between them.

A GraphCodeBERT classifier reads a function's code tokens plus one node per variable
occurrence of its data-flow graph. The graph must be the one the model was trained on, so this
module follows the published extraction rules of the training code, quirks included:

- Java and Python: microsoft/CodeBERT (GraphCodeBERT clone detection, ``parser/DFG.py``): every
  identifier seen first defines its state; afterwards only nodes with an edge, or that another
  node flows from, are kept.
- C: the ALERT replication (soarsmu/attack-pretrain-models-of-code, ``python_parser``), used by
  the GraphCodeBERT Devign models: a literal ``\\n`` becomes a newline first, only declared
  names and parameters define states, assignments add no edge, and every node is kept.

It is not ``code/dataflow.py`` (which serves the relations): this one reproduces a training
pipeline, not the language's semantics. Each node is ``(name, token index, relation, source
names, source token indexes)``; the token index points into ``code_tokens``.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

GRAPH_LANGUAGES = ("java", "c", "python")


@dataclass(frozen=True)
class FlowNode:
    name: str
    index: int  # position of the variable's token in code_tokens
    relation: str  # "comesFrom" or "computedFrom"
    source_names: tuple[str, ...]
    sources: tuple[int, ...]  # token indexes it flows from


@dataclass
class DataFlow:
    code_tokens: list[str]
    nodes: list[FlowNode] = field(default_factory=list)


def extract_dataflow(code: str, language: str) -> DataFlow:
    """Code tokens and data-flow nodes of ``code`` as GraphCodeBERT's training code built them."""
    if language not in GRAPH_LANGUAGES:
        raise ValueError(f"no data-flow rules for {language!r}; known: {', '.join(GRAPH_LANGUAGES)}")
    if language == "c":
        code = code.replace("\\n", "\n")
    code = _without_comments(code, language)
    from ..code.parsing import get_parser

    root = get_parser(language).parse(code.encode("utf-8")).root_node
    spans = _leaf_spans(root)
    lines = code.split("\n")
    tokens = [_span_text(span, lines) for span in spans]
    leaves = {span: (index, token) for index, (span, token) in enumerate(zip(spans, tokens))}
    walker = {"java": _JavaFlow, "c": _CFlow, "python": _PythonFlow}[language](leaves)
    try:
        nodes, _ = walker.visit(root, {})
    except RecursionError:  # the reference catches every failure of its walk and keeps no graph
        nodes = []
    nodes = sorted(nodes, key=lambda node: node.index)
    if language != "c":
        nodes = _connected(nodes)
    return DataFlow(code_tokens=tokens, nodes=nodes)


def _connected(nodes: list[FlowNode]) -> list[FlowNode]:
    """Nodes with an edge, or that some node flows from."""
    used = {node.index for node in nodes if node.sources}
    used.update(source for node in nodes for source in node.sources)
    return [node for node in nodes if node.index in used]


# --- comments and tokens, as the reference utilities compute them ---------------------------

_C_LIKE_COMMENTS = re.compile(r'//.*?$|/\*.*?\*/|\'(?:\\.|[^\\\'])*\'|"(?:\\.|[^\\"])*"', re.DOTALL | re.MULTILINE)


def _without_comments(code: str, language: str) -> str:
    try:
        if language == "python":
            return _python_without_comments(code)
        text = _C_LIKE_COMMENTS.sub(lambda m: " " if m.group(0).startswith("/") else m.group(0), code)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return code  # the reference keeps the code as it is when this step fails
    return "\n".join(line for line in text.split("\n") if line.strip())


def _python_without_comments(code: str) -> str:
    """Comments and docstrings dropped, the columns of everything else kept."""
    out, previous, last_line, last_column = [], tokenize.INDENT, -1, 0
    for kind, text, (start_line, start_column), (end_line, end_column), _ in tokenize.generate_tokens(io.StringIO(code).readline):
        if start_line > last_line:
            last_column = 0
        if start_column > last_column:
            out.append(" " * (start_column - last_column))
        docstring = kind == tokenize.STRING and (previous in (tokenize.INDENT, tokenize.NEWLINE) or start_column == 0)
        if kind != tokenize.COMMENT and not docstring:
            out.append(text)
        previous, last_column, last_line = kind, end_column, end_line
    return "\n".join(line for line in "".join(out).split("\n") if line.strip())


def _is_leaf(node) -> bool:
    return (node.child_count == 0 or node.type == "string") and node.type != "comment"


def _span(node) -> tuple:
    return (tuple(node.start_point), tuple(node.end_point))


def _leaf_spans(node) -> list[tuple]:
    if _is_leaf(node):
        return [_span(node)]
    return [span for child in node.children for span in _leaf_spans(child)]


def _span_text(span: tuple, lines: list[str]) -> str:
    """The token's text; tree-sitter columns are bytes but the reference slices the text with them."""
    (start_row, start_column), (end_row, end_column) = span
    if start_row == end_row:
        return lines[start_row][start_column:end_column]
    middle = "".join(lines[start_row + 1 : end_row])
    return lines[start_row][start_column:] + middle + lines[end_row][:end_column]


# --- the walk -----------------------------------------------------------------------------

States = dict[str, list[int]]


class _Flow:
    """The walk shared by the three languages; subclasses name the node types and the quirks."""

    definitions: tuple[str, ...] = ()
    assignments: tuple[str, ...] = ()
    increments: tuple[str, ...] = ()
    conditionals: tuple[str, ...] = ()
    loops: tuple[str, ...] = ()
    while_loops: tuple[str, ...] = ("while_statement",)
    keep_outer_states_after_if = False  # the C rules merge the states before the if once more

    def __init__(self, leaves: dict):
        self.leaves = leaves

    def token(self, node) -> tuple[int, str]:
        return self.leaves[_span(node)]

    def variables(self, node) -> list[tuple[int, str]]:
        """Leaf tokens under ``node`` whose text is not their own node type (not keywords or punctuation)."""
        if node is None:
            return []
        if _is_leaf(node):
            index, text = self.token(node)
            return [(index, text)] if node.type != text else []
        return [found for child in node.children for found in self.variables(child)]

    def visit(self, node, states: States) -> tuple[list[FlowNode], States]:
        states = dict(states)
        if _is_leaf(node):
            return self.leaf(node, states)
        handler = self.handler(node)
        return handler(node, states) if handler else self.children(node, node.children, states)

    def handler(self, node):
        kind = node.type
        for kinds, method in ((self.definitions, self.definition), (self.assignments, self.assignment),
                              (self.increments, self.increment), (self.conditionals, self.conditional),
                              (self.loops, self.loop), (self.while_loops, self.while_loop)):
            if kind in kinds:
                return method
        return None

    def leaf(self, node, states: States):
        raise NotImplementedError

    def children(self, node, children, states: States):
        nodes = []
        for child in children:
            found, states = self.visit(child, states)
            nodes += found
        return _by_index(nodes), states

    def flows(self, targets, values, relation: str, states: States) -> list[FlowNode]:
        """One node per (target, value) pair; each target becomes the state of its name."""
        nodes = []
        for index, name in targets:
            nodes += [FlowNode(name, index, relation, (value_name,), (value,)) for value, value_name in values]
            states[name] = [index]
        return nodes

    def definition(self, node, states: States):
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        return self.define(self.variables(name), value, states)

    def define(self, names, value, states: States):
        if value is None:
            nodes = []
            for index, text in names:
                nodes.append(FlowNode(text, index, "comesFrom", (), ()))
                states[text] = [index]
            return _by_index(nodes), states
        nodes, states = self.visit(value, states)
        nodes += self.flows(names, self.variables(value), "comesFrom", states)
        return _by_index(nodes), states

    def assignment(self, node, states: States):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        nodes, states = self.visit(right, states)
        nodes += self.flows(self.variables(left), self.variables(right), "computedFrom", states)
        return _by_index(nodes), states

    def increment(self, node, states: States):
        names = self.variables(node)
        return _by_index(self.flows(names, names, "computedFrom", states)), states

    def conditional(self, node, states: States):
        nodes, current, branches = [], dict(states), []
        in_else = "else" in node.type
        branching = False
        for child in node.children:
            in_else = in_else or "else" in child.type
            if child.type not in self.conditionals and not branching:
                found, current = self.visit(child, current)
            else:
                branching = True
                found, branch = self.visit(child, states)
                branches.append(branch)
            nodes += found
        branches.append(current)
        if not in_else:
            branches.append(states)
        if self.keep_outer_states_after_if:
            branches.append(states)
        return _by_index(nodes), _merge_states(branches)

    def loop(self, node, states: States):
        nodes, states = self.children(node, node.children, states)
        after_declaration = False
        for child in node.children:
            if after_declaration:
                found, states = self.visit(child, states)
                nodes += found
            elif child.type == self.loop_declaration:
                after_declaration = True
        return _merged(nodes), states

    loop_declaration = "local_variable_declaration"

    def while_loop(self, node, states: States):
        nodes = []
        for _ in range(2):
            found, states = self.children(node, node.children, states)
            nodes += found
        return _merged(nodes), states


class _JavaFlow(_Flow):
    definitions = ("variable_declarator",)
    assignments = ("assignment_expression",)
    increments = ("update_expression",)
    conditionals = ("if_statement", "else")
    loops = ("for_statement",)

    def handler(self, node):
        if node.type == "enhanced_for_statement":
            return self.for_each
        return super().handler(node)

    def leaf(self, node, states: States):
        index, text = self.token(node)
        if node.type == text:
            return [], states
        if text in states:
            return [FlowNode(text, index, "comesFrom", (text,), tuple(states[text]))], states
        if node.type == "identifier":
            states[text] = [index]
        return [FlowNode(text, index, "comesFrom", (), ())], states

    def for_each(self, node, states: States):
        name, value, body = (node.child_by_field_name(key) for key in ("name", "value", "body"))
        nodes = []
        for _ in range(2):
            found, states = self.visit(value, states)
            nodes += found + self.flows(self.variables(name), self.variables(value), "computedFrom", states)
            found, states = self.visit(body, states)
            nodes += found
        return _merged(nodes), states


class _CFlow(_Flow):
    # the reference names "init_declatator" (sic), so an initialised declarator is walked as any node
    definitions = ("pointer_declarator", "array_declarator")
    assignments = ("assignment_expression",)
    increments = ("update_expression",)
    conditionals = ("if_statement", "else")
    loops = ("for_statement",)
    loop_declaration = "variable_declaration"
    keep_outer_states_after_if = True

    def handler(self, node):
        if node.type == "parameter_declaration":
            return self.parameter
        return super().handler(node)

    def leaf(self, node, states: States):
        index, text = self.token(node)
        if node.type == text or node.parent.type == "function_declarator":
            return [], states
        if text in states:
            return [FlowNode(text, index, "comesFrom", (text,), tuple(states[text]))], states
        if node.type == "identifier" and node.parent.type == "declaration":
            states[text] = [index]
            return [FlowNode(text, index, "comesFrom", (), ())], states
        return [], states

    def assignment(self, node, states: States):
        return [], states  # the reference's assignment rule is commented out: no edge, no walk

    def definition(self, node, states: States):
        if node.parent.type == "function_definition":
            while node.type == "pointer_declarator" and node.child_by_field_name("declarator").type == "pointer_declarator":
                node = node.child_by_field_name("declarator")
            return self.children(node, node.children, states)
        declarator, value = node.child_by_field_name("declarator"), node.child_by_field_name("value")
        return self.define(self.variables(declarator), value, states)

    def parameter(self, node, states: States):
        child = node.child_by_field_name("declarator")
        while child is not None and child.type != "identifier":
            child = child.children[1] if child.type == "parenthesized_declarator" else child.child_by_field_name("declarator")
        if child is None:
            return [], states
        index, text = self.token(child)
        states[text] = [index]
        return [FlowNode(text, index, "comesFrom", (), ())], states


class _PythonFlow(_Flow):
    definitions = ("default_parameter",)
    assignments = ("assignment", "augmented_assignment", "for_in_clause")
    conditionals = ("if_statement",)
    loops = ("for_statement",)

    leaf = _JavaFlow.leaf

    def children(self, node, children, states: States):
        # a comprehension's for-clause is walked before the rest of its node
        ordered = [c for c in children if c.type == "for_in_clause"] + [c for c in children if c.type != "for_in_clause"]
        return super().children(node, ordered, states)

    def conditional(self, node, states: States):
        nodes, current, branches = [], dict(states), []
        for child in node.children:
            if child.type not in ("elif_clause", "else_clause"):
                found, current = self.visit(child, current)
            else:
                found, branch = self.visit(child, states)
                branches.append(branch)
            nodes += found
        # the reference looks for "else" in the child's type, which "else_clause" contains
        has_else = any("else" in child.type for child in node.children)
        return _by_index(nodes), _merge_states(branches + [current] + ([] if has_else else [states]))

    def pairs(self, node):
        """(left, right) parts of an assignment or for loop, element by element when both are tuples."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        lefts = [c for c in left.children if c.type != ","]
        rights = [c for c in right.children if c.type != ","]
        if len(lefts) != len(rights):
            lefts, rights = [left], [right]
        return lefts or [left], rights or [right]

    def assignment(self, node, states: States):
        if node.type == "for_in_clause":
            lefts, rights = [node.child_by_field_name("left")], [node.children[-1]]
        elif node.child_by_field_name("right") is None:
            return [], states
        else:
            lefts, rights = self.pairs(node)
        nodes = []
        for right in rights:
            found, states = self.visit(right, states)
            nodes += found
        nodes += self.computed(lefts, rights, states)
        return _by_index(nodes), states

    def computed(self, lefts, rights, states: States) -> list[FlowNode]:
        nodes = []
        for left, right in zip(lefts, rights):
            values = self.variables(right)
            for index, name in self.variables(left):
                nodes.append(FlowNode(name, index, "computedFrom", tuple(v for _, v in values), tuple(i for i, _ in values)))
                states[name] = [index]
        return nodes

    def loop(self, node, states: States):
        nodes = []
        for _ in range(2):
            lefts, rights = self.pairs(node)
            for right in rights:
                found, states = self.visit(right, states)
                nodes += found
            nodes += self.computed(lefts, rights, states)
            if node.children[-1].type == "block":
                found, states = self.visit(node.children[-1], states)
                nodes += found
        return _merged(nodes), states


def _by_index(nodes: list[FlowNode]) -> list[FlowNode]:
    return sorted(nodes, key=lambda node: node.index)


def _merged(nodes: list[FlowNode]) -> list[FlowNode]:
    """A loop walked twice: one node per (name, index, relation), sources united and sorted."""
    merged: dict[tuple, tuple[set, list]] = {}
    for node in nodes:
        key = (node.name, node.index, node.relation)
        if key not in merged:
            merged[key] = (set(node.source_names), list(node.sources))
        else:
            names, sources = merged[key]
            merged[key] = (names | set(node.source_names), sorted(set(sources) | set(node.sources)))
    return [FlowNode(name, index, relation, tuple(sorted(names)), tuple(sources))
            for (name, index, relation), (names, sources) in sorted(merged.items(), key=lambda item: item[0][1])]


def _merge_states(branches: list[States]) -> States:
    merged: States = {}
    for branch in branches:
        for name, indexes in branch.items():
            merged[name] = merged.get(name, []) + list(indexes)
    return {name: sorted(set(indexes)) for name, indexes in merged.items()}
