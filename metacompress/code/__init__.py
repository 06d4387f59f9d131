"""Code analysis the metamorphic relations build on (tree-sitter based, per language).

- parsing: parsers, ``ParsedCode``, ordered query captures, ``LANGUAGES``, ``decode_code``
- analysis: one ``LanguageAnalysis`` per language (c, java, python): local variables for
  renaming, locals in scope at a statement and handler blocks for data flow; scopes holds the
  machinery they share, dataflow the ``Access`` model of a statement's reads and writes
- effects, completion, arith: side effects, Java's "can complete normally", types and values
- statements, sites, edits: statement lists and insertion slots, site choice, byte edits
- names, name_styles, interfaces, context: fresh names, naming styles, which names callers
  see, per-snippet facts several relations share

Nothing here imports ``metacompress.relations``.
"""
