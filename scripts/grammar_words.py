"""Print the words a tree-sitter grammar lexes as keywords, read from its generated parser.c.

metacompress/code/grammar_words.py holds these sets for the grammar versions we install: a
rename to a word outside them (and outside the identifier's neighbours' reach) provably keeps the
tree (code.same_tokens). A grammar's keywords are the strings its keyword lexer
(``ts_lex_keywords`` in src/parser.c) accepts; that function is a trie of
``if (lookahead == 'x') ADVANCE(n);`` and ``ADVANCE_MAP('x', n, ...)`` steps with
``ACCEPT_TOKEN(...)`` at the ends, which this script walks.

Regenerate after upgrading a grammar (parser.c is in the grammar's source distribution):
    pip download tree-sitter-c==VERSION --no-binary :all: --no-deps -d /tmp/g && tar xzf /tmp/g/*.tar.gz -C /tmp/g
    python scripts/grammar_words.py /tmp/g/tree_sitter_c-VERSION/src/parser.c
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

CASE = re.compile(r"^\s*case (\d+):", re.M)
STEP = re.compile(r"lookahead == '((?:\\.|[^'\\]))'\) ADVANCE\((\d+)\)")
MAP_PAIR = re.compile(r"'((?:\\.|[^'\\]))', (\d+)")
PREFIX = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[^A-Za-z0-9_]")


def keyword_lexer(source: str) -> str:
    start = source.find("static bool ts_lex_keywords(")
    if start < 0:
        raise ValueError("no ts_lex_keywords function (a grammar without keyword extraction)")
    end = source.find("\n}\n", start)
    return source[start:end]


def states(lexer: str) -> dict[int, tuple[dict[str, int], bool]]:
    """state -> (character -> next state, accepts)."""
    found: dict[int, tuple[dict[str, int], bool]] = {}
    marks = list(CASE.finditer(lexer))
    for mark, following in zip(marks, marks[1:] + [None]):
        body = lexer[mark.end() : following.start() if following else len(lexer)]
        steps = {_char(c): int(n) for c, n in STEP.findall(body)}
        map_start = body.find("ADVANCE_MAP(")
        if map_start >= 0:
            steps.update({_char(c): int(n) for c, n in MAP_PAIR.findall(body[map_start : body.find(");", map_start)])})
        found[int(mark.group(1))] = (steps, "ACCEPT_TOKEN(" in body)
    return found


def _char(literal: str) -> str:
    return literal.encode().decode("unicode_escape") if literal.startswith("\\") else literal


def keywords(source: str) -> list[str]:
    """Every string the keyword lexer accepts from its start state."""
    table = states(keyword_lexer(source))
    words, stack = [], [(0, "")]
    while stack:
        state, prefix = stack.pop()
        steps, accepts = table.get(state, ({}, False))
        if accepts and prefix:
            words.append(prefix)
        stack.extend((target, prefix + char) for char, target in steps.items() if char.isprintable() and not char.isspace())
    return sorted(set(words))


def word_prefixes(source: str) -> list[str]:
    """The words that begin a token going on past them (C's ``L"``, Java's ``non-sealed``): a
    name there followed by the rest would lex as that token."""
    start = source.find("ts_symbol_names[] = {")
    names = re.findall(r'= "((?:[^"\\]|\\.)*)"', source[start : source.find("\n};", start)])
    return sorted({m.group(1) for n in names if (m := PREFIX.match(n))})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parser_c", nargs="+", type=Path, help="a grammar's src/parser.c")
    args = parser.parse_args(argv)
    for path in args.parser_c:
        try:
            source = path.read_text(encoding="utf-8")
            found, prefixes = keywords(source), word_prefixes(source)
        except (OSError, ValueError) as exc:
            print(f"error: {path}: {exc}", file=sys.stderr)
            return 2
        print(f"# {path}: {len(found)} keywords")
        print(" ".join(found))
        print(f"# words that begin a longer token: {' '.join(prefixes) or '(none)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
