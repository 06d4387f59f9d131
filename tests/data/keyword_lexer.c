/* An excerpt in the shape tree-sitter generates (src/parser.c): a keyword lexer accepting
   "if", "int" and "in", and a symbol table with a word that begins a longer token. */
static const char * const ts_symbol_names[] = {
  [ts_builtin_sym_end] = "end",
  [sym_identifier] = "identifier",
  [anon_sym_L_DQUOTE] = "L\"",
  [anon_sym_if] = "if",
};

static bool ts_lex_keywords(TSLexer *lexer, TSStateId state) {
  START_LEXER();
  eof = lexer->eof(lexer);
  switch (state) {
    case 0:
      ADVANCE_MAP(
        'i', 1,
      );
      if (('\t' <= lookahead && lookahead <= '\r') ||
          lookahead == ' ') SKIP(0);
      END_STATE();
    case 1:
      if (lookahead == 'f') ADVANCE(2);
      if (lookahead == 'n') ADVANCE(3);
      END_STATE();
    case 2:
      ACCEPT_TOKEN(anon_sym_if);
      END_STATE();
    case 3:
      ACCEPT_TOKEN(anon_sym_in);
      if (lookahead == 't') ADVANCE(4);
      END_STATE();
    case 4:
      ACCEPT_TOKEN(sym_primitive_type);
      END_STATE();
    default:
      return false;
  }
}
