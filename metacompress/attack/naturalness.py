"""How natural a rewrite stays: CodeBLEU between the original and the rewrite.

CodeBLEU (Ren et al. 2020, "CodeBLEU: a Method for Automatic Evaluation of Code Synthesis") is
``0.25 * ngram + 0.25 * weighted_ngram + 0.25 * syntax + 0.25 * dataflow``, the original as the
reference and the rewrite as the candidate, over all snippets of an example (a pair's two
functions) as one corpus (numerators and denominators summed over the snippets):

- ``ngram``: BLEU-4 (uniform weights, clipped n-gram precision, brevity penalty), a zero n-gram
  count smoothed to 0.1 (Chen and Cherry's method 1), 0 when no unigram matches;
- ``weighted_ngram``: the same over n-gram *recall* of the reference, unigrams weighted 1 for a
  keyword of the language and 0.2 for any other token (each order's denominator at least 1, as in
  the reference implementation);
- ``syntax``: share of the reference's syntax subtrees (tree-sitter S-expressions of every node
  with children, comments removed: leaves' text is not in them) found among the rewrite's;
- ``dataflow``: share of the reference's data-flow edges (GraphCodeBERT's graph,
  ``models.dfg``, nodes with an edge, variables named by order of first appearance) matched one
  to one among the rewrite's; 1 when the reference has none.

Tokens are words and punctuation (``space.TOKEN``), not whitespace-separated chunks. The maintained
``codebleu`` package on PyPI (0.7.0) computes the same definition but pins tree-sitter < 0.23;
this implementation uses our parsers. Differences from it: the tokenizer (its default splits on
whitespace; it takes ours as an argument), a genuine data-flow score of 0 (it counts 0 as 1), and
C's data flow (it reads C with C#'s data-flow rules; this uses the GraphCodeBERT C rules).

Every component is 1 for identical code; a renaming leaves ``syntax`` and ``dataflow`` at 1 and
lowers the n-gram components by the renamed tokens.
"""

from __future__ import annotations

import keyword
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

WEIGHTS = (0.25, 0.25, 0.25, 0.25)  # ngram, weighted_ngram, syntax, dataflow
COMPONENTS = ("ngram", "weighted_ngram", "syntax", "dataflow")
KEYWORD_WEIGHT, OTHER_WEIGHT = 1.0, 0.2
SMOOTHING = 0.1
ORDERS = (1, 2, 3, 4)

#: the languages' keywords (CodeBLEU's keyword lists: the reserved words, no builtins)
KEYWORDS = {
    "python": frozenset(keyword.kwlist) | {"match", "case", "type"},
    "java": frozenset(
        """abstract assert boolean break byte case catch char class const continue default do double else
        enum extends final finally float for goto if implements import instanceof int interface long native
        new package private protected public return short static strictfp super switch synchronized this
        throw throws transient try void volatile while""".split()),
    "c": frozenset(
        """auto break case char const continue default do double else enum extern float for goto if int long
        register return short signed sizeof static struct switch typedef union unsigned void volatile
        while""".split()),
}


@dataclass
class Counts:
    """One component's numerator and denominator, summed over snippets."""

    matched: float = 0.0
    total: float = 0.0

    def add(self, matched: float, total: float) -> None:
        self.matched += matched
        self.total += total


@dataclass(frozen=True)
class Snippet:
    """What CodeBLEU reads of one snippet."""

    tokens: tuple[str, ...]
    subtrees: tuple[str, ...]
    flows: tuple[tuple[str, str, tuple[str, ...]], ...]


def codebleu(before: tuple[str, ...], after: tuple[str, ...], language: str) -> float:
    """CodeBLEU of ``after`` (the rewrite) against ``before`` (the original), in [0, 1]."""
    return round(_codebleu(tuple(before), tuple(after), language), 6)


def components(before: tuple[str, ...], after: tuple[str, ...], language: str) -> dict[str, float]:
    """The four components of CodeBLEU (module docstring), each in [0, 1]."""
    references = [_snippet(code, language) for code in before]
    candidates = [_snippet(code, language) for code in after]
    return {"ngram": _bleu(references, candidates, None),
            "weighted_ngram": _bleu(references, candidates, KEYWORDS.get(language, frozenset())),
            "syntax": _syntax(references, candidates),
            "dataflow": _dataflow(references, candidates)}


@lru_cache(maxsize=4096)
def _codebleu(before: tuple[str, ...], after: tuple[str, ...], language: str) -> float:
    parts = components(before, after, language)
    return sum(w * parts[name] for w, name in zip(WEIGHTS, COMPONENTS))


@lru_cache(maxsize=4096)
def _snippet(code: str, language: str) -> Snippet:
    from ..code.parsing import get_parser
    from ..models.dfg import GRAPH_LANGUAGES, _without_comments, extract_dataflow
    from .space import TOKEN

    tokens = tuple(TOKEN.findall(code))
    root = get_parser(language).parse(_without_comments(code, language).encode("utf-8")).root_node
    flows = _normalized(extract_dataflow(code, language).nodes) if language in GRAPH_LANGUAGES else ()
    return Snippet(tokens, tuple(_subtrees(root)), flows)


def _subtrees(root) -> list[str]:
    """The S-expression of the root and of every node with children below it."""
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        found.append(str(node))
        stack.extend(child for child in node.children if child.child_count)
    return found


def _normalized(nodes) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Data-flow edges, one per variable token (the sources of its nodes united, first seen
    first), of the tokens with an edge or that another flows from, with variables renamed var_0,
    var_1, ... in order of first appearance (sources before the target): a renaming alone leaves
    them unchanged."""
    used = {node.index for node in nodes if node.sources} | {s for node in nodes for s in node.sources}
    united: dict[int, tuple[str, str, dict[str, None]]] = {}
    for node in sorted((n for n in nodes if n.index in used), key=lambda n: n.index):
        name, relation, sources = united.setdefault(node.index, (node.name, node.relation, {}))
        sources.update(dict.fromkeys(node.source_names))
    names: dict[str, str] = {}

    def rename(variable: str) -> str:
        return names.setdefault(variable, f"var_{len(names)}")

    flows = []
    for name, relation, sources in united.values():
        renamed_sources = tuple(rename(s) for s in sources)
        flows.append((rename(name), relation, renamed_sources))
    return tuple(flows)


def _ngrams(tokens: tuple[str, ...], n: int) -> Counter:
    return Counter(tokens[i:i + n] for i in range(len(tokens) - n + 1))


def _bleu(references: list[Snippet], candidates: list[Snippet], keywords: frozenset[str] | None) -> float:
    """BLEU-4 (``keywords`` None: clipped precision) or its keyword-weighted recall form."""
    orders = {n: Counts() for n in ORDERS}
    reference_length = candidate_length = 0
    for reference, candidate in zip(references, candidates):
        reference_length += len(reference.tokens)
        candidate_length += len(candidate.tokens)
        for n in ORDERS:
            ours, theirs = _ngrams(reference.tokens, n), _ngrams(candidate.tokens, n)
            clipped = {gram: min(count, theirs[gram]) for gram, count in ours.items()}
            if keywords is None:
                orders[n].add(sum(clipped.values()), max(1, sum(theirs.values())))
            elif n == 1:
                weight = _token_weight(keywords)
                orders[n].add(sum(c * weight(g[0]) for g, c in clipped.items()),
                              max(1, sum(c * weight(g[0]) for g, c in ours.items())))
            else:
                orders[n].add(sum(clipped.values()), max(1, sum(ours.values())))
    if orders[1].matched == 0:
        return 0.0
    logs = [math.log((c.matched or SMOOTHING) / c.total) for c in orders.values()]
    return _brevity(reference_length, candidate_length) * math.exp(math.fsum(logs) / len(ORDERS))


def _token_weight(keywords: frozenset[str]):
    return lambda token: KEYWORD_WEIGHT if token in keywords else OTHER_WEIGHT


def _brevity(reference_length: int, candidate_length: int) -> float:
    if candidate_length > reference_length:
        return 1.0
    if candidate_length == 0:
        return 0.0
    return math.exp(1 - reference_length / candidate_length)


def _syntax(references: list[Snippet], candidates: list[Snippet]) -> float:
    counts = Counts()
    for reference, candidate in zip(references, candidates):
        theirs = set(candidate.subtrees)
        counts.add(sum(tree in theirs for tree in reference.subtrees), len(reference.subtrees))
    return counts.matched / counts.total if counts.total else 1.0


def _dataflow(references: list[Snippet], candidates: list[Snippet]) -> float:
    counts = Counts()
    for reference, candidate in zip(references, candidates):
        matched = Counter(reference.flows) & Counter(candidate.flows)
        counts.add(sum(matched.values()), len(reference.flows))
    return counts.matched / counts.total if counts.total else 1.0
