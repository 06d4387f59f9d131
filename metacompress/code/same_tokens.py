"""A proof, in place of a re-parse, that a renaming leaves a clean parse tree as it was.

A rename's edits replace identifiers with new names. When the input parsed without an error,
the output parses to the same tree (the same nodes, the identifiers' text aside) if every
replaced word and every new name would lex as an identifier wherever the other stood:

- both are plain ASCII words (``[A-Za-z_][A-Za-z0-9_]*``) outside the grammar's keywords and the
  words that begin a longer token (code.grammar_words, read from the installed grammar's own
  keyword lexer: ``size_t``, ``record``, ``print``, C's ``L`` of ``L"..."``);
- each replaced stretch of text is exactly the old word, and its neighbours end the word for
  any word: the byte before is no word character, ``.`` (``1.e5``), ``#`` or backslash (``\\n``), the
  byte after is no word character and no quote (``u8"..."``, Python's ``rb'...'``).

Then the lexer, in the same parser state, reads one identifier token over the new name where it
read one over the old (tree-sitter replaces an identifier with a keyword only when the text is
one, and the scanner's string prefixes need a quote after them), so the parser sees the same
token kinds in the same order, takes the same steps and builds the same tree, without errors.
The proof gives up (and the caller re-parses) on anything else: an input with parse errors, a
non-ASCII name, a grammar version other than the one the word lists were read from.
tests/test_same_tokens.py checks the verdict against a fresh parse on every renaming of the
corpora it finds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from .grammar_words import GRAMMARS
from .parsing import ParsedCode

PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: bytes that may not come just before a replaced word: word characters (ASCII and UTF-8), Java's
#: ``$``, a ``.`` (a number's fraction or exponent), ``#`` (a directive) and a backslash (an escape)
BAD_BEFORE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$.#\\") | frozenset(range(0x80, 0x100))
#: bytes that may not come just after one: word characters and quotes (a string's prefix)
BAD_AFTER = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$'\"`") | frozenset(range(0x80, 0x100))


def renames_keep_tree(parsed: ParsedCode, renames: Iterable[tuple[str, list[tuple[int, int]], str]]) -> bool:
    """True when giving each (old name, occurrences, new name) its new name provably parses to
    the tree of ``parsed``; False means "not proven" (re-parse), never "the tree changes"."""
    words = _words(parsed.language)
    if words is None or parsed.root.has_error:
        return False
    source = parsed.source
    size = len(source)
    for old, occurrences, new in renames:
        if not _plain(old, words) or not _plain(new, words):
            return False
        written = old.encode("ascii")
        for start, end in occurrences:
            if source[start:end] != written:
                return False
            if (start > 0 and source[start - 1] in BAD_BEFORE) or (end < size and source[end] in BAD_AFTER):
                return False
    return True


def _plain(name: str, words: frozenset[str]) -> bool:
    return name not in words and PLAIN_WORD.fullmatch(name) is not None


@functools.cache
def _words(language: str) -> frozenset[str] | None:
    """The grammar's non-identifier words, or None when the installed grammar is not the version
    they were read from (or the language has none listed)."""
    grammar = GRAMMARS.get(language)
    if grammar is None:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version(grammar.package)
    except PackageNotFoundError:
        return None
    return grammar.words if installed == grammar.version else None
