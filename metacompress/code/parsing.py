"""tree-sitter parsers per language, and the checks that keep rewrites honest.

Benchmark code is often not clean (macros, missing headers), so a parse may contain ERROR or
MISSING nodes. Relations act only outside those error regions, and a rewrite is accepted only
when its parse holds exactly the same error nodes as the input's.
"""

from __future__ import annotations

import bisect
import functools
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

from ..errors import InputError, UsageError
from .edits import Edit

LANGUAGES = ("java", "c", "python")


@functools.cache
def get_language(name: str) -> Language:
    if name == "java":
        import tree_sitter_java as grammar
    elif name == "c":
        import tree_sitter_c as grammar
    elif name == "python":
        import tree_sitter_python as grammar
    else:
        raise UsageError(f"Unknown language {name!r}. Available: {', '.join(LANGUAGES)}.")
    return Language(grammar.language())


@functools.cache
def get_parser(name: str) -> Parser:
    return Parser(get_language(name))


def decode_code(data: bytes | str, origin: str = "input") -> str:
    """Return the code as text, or raise InputError when it is not code at all."""
    if isinstance(data, bytes):
        if b"\x00" in data:
            raise InputError(f"{origin}: binary data (NUL bytes), not source code")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{origin}: not valid UTF-8 text (byte {exc.start})") from None
    if not isinstance(data, str):
        raise InputError(f"{origin}: expected source code text, got {type(data).__name__}")
    if "\x00" in data:
        raise InputError(f"{origin}: binary data (NUL characters), not source code")
    try:
        data.encode("utf-8")
    except UnicodeEncodeError as exc:  # a str from JSON may hold half of a surrogate pair
        raise InputError(f"{origin}: not valid UTF-8: lone surrogate at character {exc.start}") from None
    if not data.strip():
        raise InputError(f"{origin}: empty code")
    return data


def error_nodes(tree: Tree) -> list[Node]:
    """All ERROR and MISSING nodes, outermost first; subtrees without errors are skipped."""
    found: list[Node] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return found


def error_signature(tree: Tree) -> list[tuple[str, bytes]]:
    """What the errors of a parse are, independent of where they sit: compared before/after."""
    return sorted(
        ("MISSING " + node.type if node.is_missing else "ERROR", node.text or b"")
        for node in error_nodes(tree)
    )


@dataclass
class ParsedCode:
    """One parsed snippet: the bytes, the tree, and where the parser gave up."""

    text: str
    language: str
    source: bytes = field(repr=False)
    tree: Tree = field(repr=False)
    error_ranges: list[tuple[int, int]] = field(default_factory=list)
    #: query -> its captures on this tree (``captures``): the analyses of several relations,
    #: and of every candidate an attack builds from one original, share one query pass
    _captures: dict[Query, "Captures"] = field(default_factory=dict, repr=False, compare=False)
    _bounds: tuple[list[int], list[int]] | None = field(default=None, repr=False, compare=False)
    _signature: list[tuple[str, bytes]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str, language: str) -> "ParsedCode":
        """Parse ``text``; recent results are reused (see ``_parse_cached``)."""
        return _parse_cached(text, language)

    @classmethod
    def _parse_fresh(cls, text: str, language: str) -> "ParsedCode":
        source = text.encode("utf-8")
        tree = get_parser(language).parse(source)
        ranges = [(n.start_byte, n.end_byte) for n in error_nodes(tree)]
        return cls(text=text, language=language, source=source, tree=tree, error_ranges=ranges)

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def node_text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8")

    def in_error(self, node: Node) -> bool:
        """True when the node overlaps an error region (or is one)."""
        if node.is_error or node.is_missing or node.has_error:
            return True
        if not self.error_ranges:
            return False
        start, end = node.start_byte, node.end_byte
        starts, ends = self._error_bounds()
        # error regions never overlap (no error node lies inside another): sorted by start, their
        # ends are sorted too, and the first ending after ``start`` is the only one that may overlap
        index = bisect.bisect_right(ends, start)
        return index < len(ends) and starts[index] < end

    def _error_bounds(self) -> tuple[list[int], list[int]]:
        if self._bounds is None:
            ordered = sorted(self.error_ranges)
            self._bounds = ([s for s, _ in ordered], [e for _, e in ordered])
        return self._bounds

    def parse_errors(self) -> list[tuple[str, bytes]]:
        """``error_signature`` of the tree, worked out once: a relation's site checks and its
        output check, and an attack's candidates, compare many outputs with one original."""
        if self._signature is None:
            self._signature = error_signature(self.tree)
        return self._signature

    def lines_of(self, offsets: list[int]) -> list[int]:
        """The 1-based line of each of ascending byte ``offsets``, counting each stretch of text
        once (a renaming describes a site per variable)."""
        lines, line, previous = [], 1, 0
        for offset in offsets:
            line += self.source.count(b"\n", previous, offset)
            lines.append(line)
            previous = offset
        return lines

    def captures(self, query: Query) -> "Captures":
        """``query_captures(query, self.root)``, run once per tree and query (callers must not
        change the lists they get)."""
        found = self._captures.get(query)
        if found is None:
            found = self._captures[query] = query_captures(query, self.root)
        return found


RECENT_PARSES = 512
_recent: OrderedDict[tuple[str, str], ParsedCode] = OrderedDict()
_recent_lock = threading.Lock()


def _parse_cached(text: str, language: str) -> ParsedCode:
    # An audit applies every relation to the same snippet, and a composed rewrite parses each
    # step's output twice (validation, then the next step): one parse serves all of them
    # (``keeps_parse_errors`` leaves its incremental parse here too).
    # Nothing mutates a ParsedCode or its tree, so sharing is safe.
    key = (text, language)
    with _recent_lock:
        found = _recent.get(key)
        if found is not None:
            _recent.move_to_end(key)
            return found
    found = ParsedCode._parse_fresh(text, language)
    _remember(found)
    return found


def _remember(parsed: ParsedCode) -> None:
    """Keep ``parsed`` among the recent parses (the least recently used beyond RECENT_PARSES go)."""
    with _recent_lock:
        _recent[(parsed.text, parsed.language)] = parsed
        _recent.move_to_end((parsed.text, parsed.language))
        while len(_recent) > RECENT_PARSES:
            _recent.popitem(last=False)


def clear_parse_caches() -> None:
    """Forget recent parses and compile() results (benchmarks start each timed run cold)."""
    with _recent_lock:
        _recent.clear()
    python_compiles.cache_clear()


#: above this many edits a fresh parse beats an incremental one (Java methods: 0.35x the time of
#: a fresh parse at 1-2 edits, 0.6-0.9x at 3-4, 1.3-1.6x from 5; Python modules break even later)
INCREMENTAL_EDITS = 4


def keeps_parse_errors(parsed: ParsedCode, edits: list[Edit], new_source: bytes) -> bool:
    """True when ``new_source`` (``parsed`` with ``edits`` spliced in) parses with the same errors.

    A clean input is re-parsed incrementally: tree-sitter re-reads only the edited regions and
    reuses every untouched subtree, and a clean result shows the new text is in the grammar's
    language, as a parse from scratch would (it is kept as the new text's parse). Anything else
    (an input with errors, a result with errors) is decided by a full parse and the comparison
    of error signatures. So are rewrites of many edits (a renaming): tree-sitter re-lexes around
    each edit, and past ``INCREMENTAL_EDITS`` a fresh parse is cheaper.
    """
    if not parsed.root.has_error and len(edits) <= INCREMENTAL_EDITS:
        tree = reparse(parsed, edits, new_source)
        if not tree.root_node.has_error:
            # the tree a fresh parse gives (tests/test_rewrite_checks.py): the next step of a
            # compose, or the next relation on this output, starts from it
            _remember(ParsedCode(new_source.decode("utf-8"), parsed.language, new_source, tree))
            return True
    after = ParsedCode.parse(new_source.decode("utf-8"), parsed.language)
    return after.parse_errors() == parsed.parse_errors()


def reparse(parsed: ParsedCode, edits: list[Edit], new_source: bytes) -> Tree:
    """The tree of ``new_source``, parsed incrementally from ``parsed.tree`` (left untouched)."""
    tree = parsed.tree.copy()  # Tree.edit changes the tree, and ``parsed`` is shared (see _parse_cached)
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    points = _points(parsed.source, sorted({offset for e in ordered for offset in (e.start, e.end)}))
    # last edit first: the offsets of the edits before it stay valid in the original's coordinates
    for edit in reversed(ordered):
        inserted = edit.text.encode("utf-8")
        start = points[edit.start]
        tree.edit(
            start_byte=edit.start, old_end_byte=edit.end, new_end_byte=edit.start + len(inserted),
            start_point=start, old_end_point=points[edit.end], new_end_point=_point_after(start, inserted),
        )  # fmt: skip
    return get_parser(parsed.language).parse(new_source, tree)


def _points(source: bytes, offsets: list[int]) -> dict[int, tuple[int, int]]:
    """(row, byte column) of each offset (ascending), as tree-sitter counts them; one pass."""
    found: dict[int, tuple[int, int]] = {}
    row, previous = 0, 0
    for offset in offsets:
        row += source.count(b"\n", previous, offset)
        found[offset] = (row, offset - (source.rfind(b"\n", 0, offset) + 1))
        previous = offset
    return found


def _point_after(start: tuple[int, int], inserted: bytes) -> tuple[int, int]:
    lines = inserted.count(b"\n")
    if not lines:
        return start[0], start[1] + len(inserted)
    return start[0] + lines, len(inserted) - (inserted.rfind(b"\n") + 1)


def query_captures(query: Query, node: Node) -> "Captures":
    """The query's captures under ``node``, each list in document order (pre-order).

    py-tree-sitter collects each capture's nodes in a set and hands back the set's order, which
    follows the nodes' hashes: memory addresses. Used raw, the order (and so which macro a
    reason names, which container is tried first) changed from one process to the next.
    """
    return Captures(QueryCursor(query).captures(node))


class Captures(Mapping[str, list[Node]]):
    """Capture name -> nodes in document order, names in sorted order. A name's nodes are put
    in order when first asked for: analyses read a few of a query's many capture names."""

    def __init__(self, raw: dict[str, list[Node]]):
        self._raw = raw
        self._ordered: dict[str, list[Node]] = {}
        self._names = sorted(raw)

    def __getitem__(self, name: str) -> list[Node]:
        found = self._ordered.get(name)
        if found is None:
            found = self._ordered[name] = document_order(self._raw[name])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._raw

    def get(self, name: str, default=None):  # type: ignore[override]
        return self[name] if name in self._raw else default


def document_order(nodes: list[Node]) -> list[Node]:
    """Nodes sorted as a pre-order walk meets them, whatever order they came in."""
    # each node's start read once: a Node attribute costs a call into the binding
    starts = [node.start_byte for node in nodes]
    if len(set(starts)) == len(starts):  # the common case: no two nodes start at one byte
        return [nodes[i] for i in sorted(range(len(nodes)), key=starts.__getitem__)]
    keys = [(start, -node.end_byte) for start, node in zip(starts, nodes)]
    order = sorted(range(len(nodes)), key=keys.__getitem__)
    ordered = [nodes[i] for i in order]
    if len(set(keys)) == len(keys):
        return ordered
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and keys[order[end]] == keys[order[start]]:
            end += 1
        if end - start > 1:  # a node and its only child, or empty MISSING nodes: rare, settled exactly
            ordered[start:end] = sorted(ordered[start:end], key=_tree_path)
        start = end
    return ordered


def _tree_path(node: Node) -> tuple[int, ...]:
    """Child indices from the root down to ``node``: comparing them is comparing pre-order."""
    path: list[int] = []
    current = node
    parent = current.parent
    while parent is not None:
        path.append(next(i for i, child in enumerate(parent.children) if child == current))
        current, parent = parent, parent.parent
    return tuple(reversed(path))


def node_text(node: Node) -> str:
    """A node's text; bytes that are not UTF-8 (possible inside an error region) become U+FFFD."""
    return (node.text or b"").decode("utf-8", "replace")


def walk(node: Node):
    """Pre-order traversal of a subtree (a generator; cheap on large functions)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


@functools.lru_cache(maxsize=512)
def python_compiles(text: str) -> bool:
    try:
        compile(text, "<metacompress>", "exec")
    except (SyntaxError, ValueError):
        return False
    except (RecursionError, MemoryError) as exc:
        # CPython's compiler recurses per level of nesting: it cannot compile this either way
        raise InputError(f"too deeply nested for Python's compile() ({type(exc).__name__})") from None
    return True


def nested_deeper_than(node: Node, limit: int) -> bool:
    """True when a node of the subtree lies more than ``limit`` levels below ``node``.

    Analyses that recurse once per level check this first, so no input reaches Python's
    recursion limit through them.
    """
    if node.descendant_count <= limit:
        return False  # a subtree of n nodes is at most n - 1 levels deep (an O(1) count)
    stack = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in current.children)
    return False
