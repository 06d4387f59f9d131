"""A proof, in place of a re-parse, that a renaming leaves a clean parse tree as it was.

A rename's edits replace identifiers with new names. When the input parsed without an error,
the output parses to the same tree (the same nodes, the identifiers' text aside) if every
replaced word and every new name would lex as an identifier wherever the other stood:

- both are plain ASCII words (``[A-Za-z_][A-Za-z0-9_]*``) outside the grammar's keywords and the
  words that begin a longer token (code.grammar_words, read from the installed grammar's own
  keyword lexer: ``size_t``, ``record``, ``print``, C's ``L`` of ``L"..."``), except an old
  Python ``_`` in a module without the word ``case`` (see CASE_WORD);
- each replaced stretch of text is exactly the old word, an identifier token of the tree (not
  letters inside a directive, a literal or an escape), and its neighbours end the word for
  any word: the byte before is no word character, ``.`` (``1.e5``), ``#`` or backslash (``\\n``), the
  byte after is no word character and no quote (``u8"..."``, Python's ``rb'...'``).

Then the lexer, in the same parser state, reads one identifier token over the new name where it
read one over the old (tree-sitter replaces an identifier with a keyword only when the text is
one, and the scanner's string prefixes need a quote after them), so the parser sees the same
token kinds in the same order, takes the same steps and builds the same tree, without errors.
The proof gives up (and the caller re-parses) on anything else: an input with parse errors, a
non-ASCII name, a grammar version other than the one the word lists were read from.
For Python, ``renames_keep_compiling`` also proves that the output compiles wherever the input
does, in place of compile() (see there).

tests/test_same_tokens.py checks the verdicts on every renaming of the corpora it finds, and on
renamings that rename only some occurrences of a name (as a wrong scope analysis would): each
proven one re-parses to the same tree, and compiles where the original compiles.
"""

from __future__ import annotations

import functools
import keyword
import re
from collections.abc import Iterable

from .grammar_words import GRAMMARS
from .parsing import ParsedCode, get_language

PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NONLOCAL = re.compile(rb"\bnonlocal\b")
#: a ``case`` block of a ``match`` statement starts its line (a soft keyword: the word alone is no
#: sign); CPython also ends a line at a lone carriage return
CASE_LINE = re.compile(rb"(?:^|\r)[ \t\f]*case\b", re.M)
#: Python's ``_`` is a keyword only as a wildcard in a ``match`` statement's patterns, which come
#: after a ``case`` token (tests/test_same_tokens.py checks this on the installed grammar's parse
#: table): a variable named ``_`` is renamed like any other where no word ``case`` occurs
CASE_WORD = re.compile(rb"\bcase\b")
WILDCARD = "_"
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
    source, root = parsed.source, parsed.root
    size = len(source)
    identifier = _identifier_token(parsed.language)
    for old, occurrences, new in renames:
        if not _plain(new, words) or not (_plain(old, words) or _free_wildcard(parsed, old)):
            return False
        written = old.encode("ascii")
        for start, end in occurrences:
            if source[start:end] != written:
                return False
            if (start > 0 and source[start - 1] in BAD_BEFORE) or (end < size and source[end] in BAD_AFTER):
                return False
            # an identifier token of its own, not letters inside a directive, a character or
            # number literal, an escape or a conversion (``# define``, ``'a b'``, ``\\N{ONE}``, ``!r``)
            node = root.descendant_for_byte_range(start, end)
            if node is None or node.grammar_id != identifier or node.start_byte != start or node.end_byte != end:
                return False
    return True


@functools.cache
def _identifier_token(language: str) -> int:
    """The symbol of the grammar's identifier token (type and field identifiers are aliases of it)."""
    return get_language(language).id_for_node_kind("identifier", True)


def renames_keep_compiling(parsed: ParsedCode, renames: list[tuple[str, list[tuple[int, int]], str]]) -> bool:
    """For Python, after ``renames_keep_tree`` held: True when the renamed module provably
    compiles wherever the original does, so ``compile()`` need not run.

    CPython's tokenizer reads the same token kinds (the neighbour rules above; no name is a
    keyword or soft keyword, but an old ``_`` where no case line makes it the wildcard), so its
    parser accepts the new text as it did the old. What is left
    is the symbol table, whose errors depend on which names are equal. A renaming can only tell
    apart occurrences that had one name, never make two names one: each old name keeps a new
    name of its own that occurs nowhere in the original. Telling apart can only fail to find a
    binding that a ``nonlocal`` statement names, or make the alternatives of a ``match`` case
    bind different names: neither statement may occur. No renamed name may occur in the
    ``__future__`` imports (a feature's name), and no name is ``super``, which the symbol table
    reads as a use of ``__class__`` too. Everything else compile() refuses needs two equal
    names, or does not look at names.
    """
    source = parsed.source
    # (ASCII only: a keyword spelled in other characters is beyond these byte searches)
    if parsed.language != "python" or not source.isascii():
        return False
    # (a plain search first: the expressions cost more than the scan they are mostly spared)
    if (b"nonlocal" in source and NONLOCAL.search(source)) or (b"case" in source and CASE_LINE.search(source)):
        return False
    futures_end = _futures_end(parsed) if b"__future__" in source else 0
    owner: dict[str, str] = {}
    for old, occurrences, new in renames:
        # (an old ``_`` is a soft keyword only as a case pattern's wildcard, and no case line occurs)
        if _special_to_python(new) or (old != WILDCARD and _special_to_python(old)):
            return False
        if owner.setdefault(new, old) != old or new.encode("ascii") in source:
            return False
        if futures_end and any(start < futures_end for start, _ in occurrences):
            return False
    return True


def _special_to_python(name: str) -> bool:
    """A keyword or soft keyword, a name with ``__`` (``__x`` in class A *is* ``_A__x``, and
    ``__class__`` is super()'s cell), or ``super``, whose every load the symbol table counts as
    a use of ``__class__`` (a later ``global __class__`` then fails to compile)."""
    return keyword.iskeyword(name) or keyword.issoftkeyword(name) or "__" in name or name == "super"


def _futures_end(parsed: ParsedCode) -> int:
    """Where the module's ``from __future__`` imports end (they come first, after a docstring
    and comments); past the end of the text when something else is unclear."""
    end, node = 0, parsed.root.child(0)
    while node is not None and node.type in ("future_import_statement", "comment", "expression_statement"):
        if node.type == "future_import_statement":
            end = node.end_byte
        elif node.type == "expression_statement" and (node.named_child_count != 1 or node.named_children[0].type != "string"):
            break
        node = node.next_sibling
    return end or len(parsed.source) + 1


def _plain(name: str, words: frozenset[str]) -> bool:
    return name not in words and PLAIN_WORD.fullmatch(name) is not None


def _free_wildcard(parsed: ParsedCode, old: str) -> bool:
    """True for a Python variable ``_`` in a module where no parser state can take ``_`` for
    the wildcard keyword: every occurrence is then an identifier to any parse, as a name
    outside the word lists is (the new name never is ``_``: it must be plain)."""
    source = parsed.source
    return old == WILDCARD and parsed.language == "python" and (b"case" not in source or CASE_WORD.search(source) is None)


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
