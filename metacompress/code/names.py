"""Names: keywords and builtins per language, and fresh identifiers that collide with nothing.

Every relation that introduces a name (renaming, dead code, unused variables) and the attack's
rename candidates pass ``safe_new_name`` here, so the rule "a valid identifier of the language,
never a keyword, a builtin or a name already used in the snippet" lives in one place.

Names are compared as each compiler reads them: Python folds identifiers under NFKC (PEP 3131:
``ｂａｒ`` and ``𝐛𝐚𝐫`` *are* ``bar``), so a Python candidate is folded and emitted folded;
Java ignores format characters inside identifiers and reads ``\\u0062`` escapes as letters;
C joins lines ending in a backslash. The snippet's text is folded all these ways at once before
the already-used check, which is stricter than any one compiler and so safe for all three.
A homoglyph that no compiler folds (Cyrillic ``а`` in ``bаr``) is a distinct name: accepted.
"""

from __future__ import annotations

import builtins
import keyword
import random
import re
import unicodedata
from collections.abc import Container

from .parsing import ParsedCode, walk

JAVA_RESERVED = frozenset(
    """abstract assert boolean break byte case catch char class const continue default do double
    else enum extends final finally float for goto if implements import instanceof int interface
    long native new package private protected public return short static strictfp super switch
    synchronized this throw throws transient try void volatile while true false null var yield
    record sealed permits non-sealed when module open requires exports opens to uses provides with
    transitive String Object System Math Integer Long Double Float Boolean Character Byte Short
    Exception Error Thread Class List Map Set""".split()
)

C_RESERVED = frozenset(
    """auto break case char const continue default do double else enum extern float for goto if
    inline int long register restrict return short signed sizeof static struct switch typedef union
    unsigned void volatile while _Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Generic
    _Noreturn _Static_assert _Thread_local bool true false NULL main printf fprintf sprintf
    snprintf malloc calloc realloc free memcpy memset strlen strcmp stdin stdout stderr errno
    size_t ssize_t uint8_t uint16_t uint32_t uint64_t int8_t int16_t int32_t int64_t FILE EOF
    asm typeof""".split()
)

PYTHON_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | {
    "self",
    "cls",
}

RESERVED = {"java": JAVA_RESERVED, "c": C_RESERVED, "python": PYTHON_RESERVED}

#: new names only (RESERVED also feeds comments.py, whose output must not change): the keyword
#: ``_`` and names javac synthesises for inner classes, lambdas and enums
JAVA_NEW_NAME_RESERVED = frozenset({"_"})
JAVA_SYNTHETIC = re.compile(r"(this|val|access|lambda)\$|\$(assertionsDisabled|VALUES|SwitchMap)")
#: new names only: C23 keywords, macros of the standard headers a snippet may use without showing
#: them, and names gcc predefines in its default gnu modes (``int linux = 1;`` is ``int 1 = 1;``).
#: C++ keywords (``new``, ``class``, ``this``) are ordinary names to a C compiler: accepted.
C_NEW_NAME_RESERVED = frozenset(
    """alignas alignof constexpr nullptr static_assert thread_local typeof_unqual _BitInt
    _Decimal32 _Decimal64 _Decimal128 assert offsetof va_start va_arg va_end va_copy va_list
    complex imaginary noreturn linux unix i386 environ""".split()
)
C_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
JAVA_ASCII_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
#: reserved to the implementation (``_Foo``, ``__foo``), a macro by convention (ALL_CAPS: one from
#: a header the snippet does not show would expand the new name), a typedef by POSIX (``_t``)
C_RESERVED_SHAPE = re.compile(r"_[A-Z_].*|[A-Z][A-Z0-9_]*|.*_t")
JAVA_START = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})
JAVA_PART = JAVA_START | {"Nd", "Mn", "Mc", "Pc"}
#: marks a BPE or SentencePiece vocabulary puts before a token that starts a word (``Ġx5``)
WORD_START_MARKS = "Ġ▁"
JAVA_ESCAPE = re.compile(r"\\+u+([0-9A-Fa-f]{4})")
LINE_SPLICE = re.compile(r"\\\r?\n")
#: the ASCII characters of category Cc (controls) but tab and line ends, mapped to nothing
ASCII_CONTROLS = {code: None for code in (*range(0x20), 0x7F) if chr(code) not in "\n\r\t"}

IDENTIFIER_TYPES = frozenset(
    {"identifier", "type_identifier", "field_identifier", "statement_identifier", "primitive_type"}
)


def identifiers_in(parsed: ParsedCode) -> set[str]:
    """Every identifier-like token text in the snippet, error regions included."""
    names = {parsed.node_text(n) for n in walk(parsed.root) if n.type in IDENTIFIER_TYPES or n.type.endswith("identifier")}
    # Error regions may hide identifiers as bare tokens: take every word-like run there too.
    for start, end in parsed.error_ranges:
        chunk = parsed.source[start:end].decode("utf-8", "replace")
        names.update(_words(chunk))
    return names


class TextNames:
    """A ``taken`` set for ``fresh_name`` in which every substring of the snippet's text, as
    written or folded (``fold_source``), is taken.

    Stricter than ``identifiers_in`` (a name inside a string, a comment or a longer word counts
    too) and far cheaper: no tree walk, one substring test per name drawn.
    """

    def __init__(self, text: str):
        self.text = text
        folded = fold_source(text)
        self.folded = folded if folded != text else ""  # most texts fold to themselves: search once
        self.drawn: set[str] = set()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (
            name in self.drawn or name in self.text or (bool(self.folded) and name in self.folded)
        )

    def add(self, name: str) -> None:
        self.drawn.add(name)


WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    word, found = [], set()
    for char in text + " ":
        if char.isalnum() or char == "_":
            word.append(char)
        elif word:
            found.add("".join(word))
            word = []
    return found


def fold_source(text: str) -> str:
    """The text as the strictest of the three compilers reads its identifiers: lines joined at a
    trailing backslash (C), ``\\uXXXX`` escapes decoded and format characters dropped (Java),
    NFKC (Python). ASCII text without backslashes comes back as it is."""
    if text.isascii() and "\\" not in text:
        return text
    text = LINE_SPLICE.sub("", text)
    text = JAVA_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if text.isascii():  # no ASCII character is Cf; the Cc ones are ASCII_CONTROLS
        return text.translate(ASCII_CONTROLS)
    # each distinct character is classified once (str.translate drops them in one C pass)
    dropped = {ord(c): None for c in set(text) if unicodedata.category(c) in ("Cf", "Cc") and c not in "\n\r\t"}
    text = text.translate(dropped)
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def used_words(text: str) -> set[str]:
    """Every word of the text as written and as folded: the names a new name must not be."""
    return set(WORD.findall(text)) | set(WORD.findall(fold_source(text)))


def strip_word_mark(name: str) -> str:
    """``Ġx5`` and `` err`` (a subword vocabulary's word-start marks, or white space) are ``x5``
    and ``err``."""
    return name.strip().lstrip(WORD_START_MARKS).strip()


def safe_new_name(language: str, name: object, used: Container[str]) -> str | None:
    """``name`` as it must be written to be a safe new name in ``language``, or None.

    Safe: after a word-start mark is stripped and the name folded as the compiler folds it, a
    valid identifier, no keyword, builtin or reserved name, and not in ``used`` (folded names:
    ``used_words``, a ``TextNames``, or names already given).
    """
    if not isinstance(name, str):
        return None
    name = strip_word_mark(name)
    if language == "python":
        name = unicodedata.normalize("NFKC", name)
    if not _is_identifier(language, name) or _is_reserved(language, name):
        return None
    return None if name in used else name


def _is_identifier(language: str, name: str) -> bool:
    if language == "c":
        return C_IDENTIFIER.fullmatch(name) is not None
    if language == "java":
        if name.isascii():  # the same answer as the per-character test (tests/test_relation_speed.py)
            return JAVA_ASCII_IDENTIFIER.fullmatch(name) is not None
        return bool(name) and _java_start(name[0]) and all(_java_part(c) for c in name[1:])
    return name.isidentifier()


def _java_start(char: str) -> bool:
    """javac's isJavaIdentifierStart and tree-sitter-java's XID_Start, ``_`` and ``$``: both."""
    return char in "_$" or (unicodedata.category(char) in JAVA_START and char.isidentifier())


def _java_part(char: str) -> bool:
    """javac's isJavaIdentifierPart less its ignorable characters (which javac drops, so
    ``ba\\u200br`` *is* ``bar``), and tree-sitter-java's XID_Continue."""
    return char == "$" or (unicodedata.category(char) in JAVA_PART and f"a{char}".isidentifier())


def _is_reserved(language: str, name: str) -> bool:
    if name in RESERVED[language]:
        return True
    if language == "python":
        # dunders (``__class__`` is super()'s cell) and ``__x``, which a class body mangles
        return name.startswith("__")
    if language == "java":
        return name in JAVA_NEW_NAME_RESERVED or JAVA_SYNTHETIC.match(name) is not None
    return name in C_NEW_NAME_RESERVED or C_RESERVED_SHAPE.fullmatch(name) is not None


def is_usable(name: str, language: str, taken: Container[str]) -> bool:
    """A safe new name (``safe_new_name``) that needs no folding to be one."""
    return safe_new_name(language, name, taken) == name


def fresh_name(language: str, taken: set[str] | TextNames, rng: random.Random, stems: tuple[str, ...] = ("tmp", "aux", "val")) -> str:
    """A name not in ``taken`` and not reserved; adds it to ``taken`` so callers can draw again."""
    stem = rng.choice(stems)
    for number in range(rng.randrange(10), 10_000):
        candidate = f"{stem}{number}"
        if is_usable(candidate, language, taken):
            taken.add(candidate)
            return candidate
    raise RuntimeError("no fresh name available")  # unreachable for real snippets
