"""Text from the data made safe to print on a terminal (no heavy imports: the CLI's error path uses it)."""

from __future__ import annotations


def visible(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every control or format character (an ANSI escape, CR, BEL, a bidi override,
    a line break) written as its Python escape (``\\x1b``, ``\\r``): a string from the data can
    then neither recolour, clear nor overwrite the terminal, nor forge a line. ``keep_newlines``
    keeps the newlines of a summary metacompress wrote, whose values were made visible first."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or (keep_newlines and c == "\n") else repr(c)[1:-1] for c in text)
