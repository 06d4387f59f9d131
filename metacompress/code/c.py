"""C: local variables and parameters (for renaming) and statement data flow (for reordering).

Renaming needs every occurrence of each local; reordering needs the locals in scope at a
statement and what the statement reads and writes. Both read the same declarations.

C scoping is by block, with shadowing allowed; the hard part is what the preprocessor hides.
A name defined as or used by a macro in this file keeps its name everywhere; names inside an
assertion or a stringizing macro keep theirs (their text is printed), so does every local
visible where a macro of this file pastes tokens (``a##b`` makes a new name); a bare name given to a
macro-like call (``DO_UPCAST(T, field, dev)``) may be a member name, not the variable; a
macro from a missing header used as a statement may use any visible local unnamed; a type
name equal to a visible variable means the parser misread an expression as a declaration.
K&R definitions and headers built by macros keep their parameters' names. What stays unseen:
a macro from a missing header, inside an expression, that uses a local without naming it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node, Query

from .assumptions import (
    ASSERTION_TEXT,
    LOCAL_MACROS,
    MACRO_ARGUMENTS,
    MACRO_FUNCTION_NAMES,
    STATEMENT_MACROS,
    UNPARSED_CODE,
    UNTYPED_HEADERS,
)
from .dataflow import ANYWHERE, Access, LocalTypes, Unmovable
from .parsing import ParsedCode, error_nodes, get_language, node_text, walk
from .scopes import (
    Ban,
    BlockScopes,
    Container,
    SpanSet,
    Variable,
    WORD,
    identifiers_under,
    enclosing_declarations,
    innermost,
    span,
)

QUERY = """
(identifier) @id
(type_identifier) @type
(struct_specifier name: (type_identifier) @tag)
(union_specifier name: (type_identifier) @tag)
(enum_specifier name: (type_identifier) @tag)
(function_definition) @function
(declaration) @declaration
(compound_statement) @scope
(for_statement) @scope
(translation_unit) @global
(parameter_list) @parameters
(enumerator name: (identifier) @constant)
(concatenated_string (identifier) @macro_name)
(macro_type_specifier name: (identifier) @macro_name)
(function_declarator (identifier) @maybe_macro)
(gnu_asm_output_operand symbol: (identifier) @skip)
(gnu_asm_input_operand symbol: (identifier) @skip)
(preproc_def) @directive
(preproc_function_def) @directive
(preproc_def name: (identifier) @macro_definition)
(preproc_function_def name: (identifier) @macro_definition)
(preproc_call) @directive
(preproc_if condition: (_) @directive)
(preproc_elif condition: (_) @directive)
(preproc_ifdef name: (identifier) @directive)
(call_expression function: (identifier) @callee)
(expression_statement (call_expression function: (identifier) @statement_macro))
(expression_statement (identifier) @statement_macro)
"""

#: macros (or builtins) whose bare-name arguments name a member or a type, not a variable
MEMBER_MACROS = frozenset({b"offsetof", b"container_of", b"typeof", b"__typeof__", b"__typeof", b"va_arg", b"DO_UPCAST"})
#: of those, the argument positions that are expressions (a bare name there is the variable):
#: ``container_of(ptr, type, member)``, QEMU's ``DO_UPCAST(type, field, dev)``, ``va_arg(ap, type)``
VALUE_ARGUMENTS = {b"container_of": (0,), b"DO_UPCAST": (2,), b"va_arg": (0,),
                   b"typeof": (0,), b"__typeof__": (0,), b"__typeof": (0,)}
#: and the positions that name a member (never a local, whatever its name)
MEMBER = "member"
MEMBER_ARGUMENTS = {b"offsetof": (1,), b"container_of": (2,), b"DO_UPCAST": (1,)}
MACRO_NAME = re.compile(rb"[A-Z_][A-Z0-9_]*[A-Z][A-Z0-9_]*")
MIXED_MACRO = re.compile(rb"[A-Z][A-Za-z0-9]*_[A-Z][A-Z0-9_]*")
MEMBER_ACCESS = re.compile(rb"(?:->|\.)\s*([A-Za-z_]\w*)")
EXTERN = re.compile(rb"\bextern\b")
#: assertions print the text of their condition when they fail (``assert``, ``g_assert``, ``av_assert0``)
ASSERTION = re.compile(rb"(?i)assert|^g_return_(?:val_)?if_fail$")
STRINGIZE = re.compile(rb"(?<!#)#\s*[A-Za-z_]")
PASTE = re.compile(rb"##")
DECLARATOR_WRAPPERS = frozenset({"init_declarator", "pointer_declarator", "array_declarator", "attributed_declarator"})


@functools.cache
def _query() -> Query:
    return Query(get_language("c"), QUERY)


def c_variables(parsed: ParsedCode) -> tuple[list[Variable], list[Ban]]:
    captures = parsed.captures(_query())
    source = parsed.source
    scopes = BlockScopes()
    local_macros = _function_local_macros(captures)
    bans = _macro_bans(captures, {node.start_byte for node in local_macros})
    handled = {node.start_byte for node in captures.get("skip", ())}
    pins: list[tuple[Node, str]] = []
    own_lists = _declare_parameters(captures.get("function", ()), scopes, handled)
    misread: list[tuple[Node, Node, list[Node]]] = []
    declarations = captures.get("declaration", ())
    containers = [Container(n.start_byte, n.end_byte, kind, n) for kind in ("scope", "global", "function") for n in captures.get(kind, ())]
    around = innermost(containers, [node.start_byte for node in declarations])
    for declaration in declarations:
        _declare_locals(declaration, around[declaration.start_byte], source, scopes, handled, pins, misread)
    _check_misread(scopes, misread, bans)
    for node in captures.get("constant", ()):
        pins.append((node, "shares its name with an enum constant"))
    for node in captures.get("macro_name", ()):
        pins.append((node, "shares its name with a macro"))
    for node in captures.get("maybe_macro", ()):
        if node.parent is not None and node.parent.child_by_field_name("declarator") != node:
            pins.append((node, "shares its name with a macro"))
    stringizing = macros_using(captures.get("directive", ()), STRINGIZE)
    pasting = macros_using(captures.get("directive", ()), PASTE)
    pins.extend(_macro_arguments(captures.get("callee", ()), source, stringizing | pasting))
    tags = {node.start_byte for node in captures.get("tag", ())}
    for node in captures.get("type", ()):
        if node.start_byte not in tags:
            pins.append((node, "used where the parser read a type name"))
    for node, reason, *extra in pins:
        assumption = extra[0] if extra else None
        # under its assumption a pinned name is a use of the local (renamed with it), unless the
        # pin says it names a member
        if assumption is None or (len(extra) > 1 and extra[1] == MEMBER):
            handled.add(node.start_byte)
        scopes.pin(node.text or b"", node.start_byte, reason, assumption)
    prototypes = SpanSet([span(n) for n in captures.get("parameters", ()) if n.start_byte not in own_lists])
    scopes.use_all(captures.get("id", []), source, handled, prototypes, "named in a prototype's parameter list")
    defined = {n.text or b"" for n in captures.get("macro_definition", ())}
    _exclude_around_macros(captures.get("statement_macro", ()), scopes.variables, defined)
    _exclude_around_pasting(captures.get("callee", ()), scopes.variables, pasting, local_macros,
                            [n.text or b"" for n in captures.get("macro_definition", ())])
    _read_local_macro_bodies(local_macros, captures.get("id", ()), scopes)
    return scopes.variables, bans


def _exclude_around_pasting(callees: list[Node], variables: list[Variable], pasting: set[bytes],
                            local_macros: list[Node], definitions: list[bytes]) -> None:
    """``CAT(x, 1)`` with ``#define CAT(a, b) a##b`` names ``x1``, which no identifier shows:
    every local visible at a call of a token-pasting macro keeps its name. For a macro defined
    inside the function (LOCAL_MACROS) the names a call pastes are known: only a local so named
    keeps its name."""
    bodies = {node.child_by_field_name("name").text: node for node in local_macros if node.type == "preproc_function_def"}
    for name in [name for name in bodies if definitions.count(name) > 1]:
        del bodies[name]  # defined twice (in two #if branches): either body may apply
    for callee in callees:
        name = callee.text or b""
        if name not in pasting:
            continue
        reason = f"visible where macro {name.decode('utf-8', 'replace')} pastes tokens into a name"
        pasted = _pasted_names(bodies[name], callee) if name in bodies else None
        for variable in variables:
            if variable.extent[0] <= callee.start_byte < variable.extent[1]:
                known = pasted is not None and variable.name.encode() not in pasted
                variable.exclude(reason, LOCAL_MACROS if known else None)


PASTED = re.compile(rb"\w+(?:\s*##\s*\w+)+")


def _pasted_names(definition: Node, callee: Node) -> set[bytes] | None:
    """The names one call of a function-like macro pastes together (``OPC_##UP`` with UP=ADD:
    ``OPC_ADD``); None when an argument is more than one word or the macro is variadic."""
    parameters = [node.text or b"" for node in definition.child_by_field_name("parameters").named_children]
    body = definition.child_by_field_name("value")
    call = callee.parent
    arguments = call.child_by_field_name("arguments") if call is not None and call.type == "call_expression" else None
    if body is None or arguments is None or any(p == b"..." or p.endswith(b"...") for p in parameters):
        return None
    given = [node.text or b"" for node in arguments.named_children if node.type != "comment"]
    if len(given) != len(parameters) or not all(WORD.fullmatch(text.decode("utf-8", "replace")) for text in given):
        return None
    value = dict(zip(parameters, given))
    return {b"".join(value.get(part, part) for part in re.split(rb"\s*##\s*", chain.group()))
            for chain in PASTED.finditer(body.text or b"")}


def _function_local_macros(captures: dict[str, list[Node]]) -> list[Node]:
    """``#define``s written inside a function's body (QEMU's ``LMI_HELPER``)."""
    bodies = [span(node) for node in captures.get("function", ())]
    return [node for node in captures.get("directive", ()) if node.type in ("preproc_def", "preproc_function_def")
            and any(start < node.start_byte < end for start, end in bodies)]


#: a word pasted (``a##b``) or stringized (``#a``) in a macro body: no use of a variable
PASTED_OR_STRINGIZED = re.compile(rb"##\s*$|^\s*##|(?<!#)#\s*$")
BODY_WORD = re.compile(rb"(?<![\w.])[A-Za-z_]\w*")  # not the tail of a number (1.5e3)
#: string and character literals of a macro body (their words are text, not names)
LITERAL = re.compile(rb'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
#: a member name follows ``.`` or ``->``
MEMBER_BEFORE = re.compile(rb"(?:\.|->)\s*$")


def _read_local_macro_bodies(local_macros: list[Node], identifiers: list[Node], scopes: BlockScopes) -> None:
    """A word of a function-local macro's body that names a local visible at every expansion
    of the macro (and the same local at all of them) is that local: under LOCAL_MACROS it is
    an occurrence, renamed with it. A local the body pastes or stringizes keeps its name."""
    for definition in local_macros:
        name = definition.child_by_field_name("name").text or b""
        body = definition.child_by_field_name("value")
        if body is None:
            continue
        parameters = definition.child_by_field_name("parameters")
        own = {node.text for node in parameters.named_children} if parameters is not None else set()
        sites = [definition.start_byte] + [node.start_byte for node in identifiers
                                           if node.text == name and node.start_byte > definition.end_byte]
        # expanded inside another macro's body: where, the identifiers do not show
        nested = any(re.search(rb"\b%s\b" % re.escape(name), other.child_by_field_name("value").text or b"")
                     for other in local_macros if other is not definition and other.child_by_field_name("value"))
        text = body.text or b""
        literals = SpanSet([m.span() for m in LITERAL.finditer(text)])
        for match in BODY_WORD.finditer(text):
            word = match.group()
            if word in own or literals.contains(match.start()) or MEMBER_BEFORE.search(text[max(0, match.start() - 4):match.start()]):
                continue
            seen = {id(v): v for v in (scopes.resolve(word, site) for site in sites)}
            variables = [v for v in seen.values() if v is not None]
            if not variables:
                continue
            macro = name.decode("utf-8", "replace")
            if nested or len(seen) > 1 or PASTED_OR_STRINGIZED.search(text[:match.start()]) or PASTED_OR_STRINGIZED.search(text[match.end():match.end() + 3]):
                for variable in variables:
                    variable.exclude(f"named in the body of macro {macro}, where other names are visible or it is pasted")
                continue
            variable = variables[0]
            variable.exclude(f"named in the body of macro {macro}, defined inside the function", LOCAL_MACROS)
            variable.occurrences.append((body.start_byte + match.start(), body.start_byte + match.end()))


def _exclude_around_macros(callees: list[Node], variables: list[Variable], defined: set[bytes]) -> None:
    """A macro from a missing header, used as a statement, may use any local it can see
    without naming it (CPython's ``Py_VISIT(x)`` calls ``visit`` and ``arg``; QEMU's
    ``MIPS_INVAL("op")`` reads ``ctx``): locals visible there and not named in its arguments
    keep their names. Macros defined in the file need no such guess: their bodies are read."""
    for callee in callees:
        name = callee.text or b""
        if name in defined or not (MACRO_NAME.fullmatch(name) or MIXED_MACRO.fullmatch(name)):
            continue
        call = callee.parent
        arguments = call.child_by_field_name("arguments") if call is not None and call.type == "call_expression" else None
        named = {n.text.decode("utf-8", "replace") for n in identifiers_under(arguments)} if arguments is not None else set()
        position = callee.start_byte
        reason = f"visible where macro {name.decode('utf-8', 'replace')} is used as a statement, which may use it unnamed"
        for variable in variables:
            if variable.extent[0] <= position < variable.extent[1] and variable.name not in named:
                variable.exclude(reason, STATEMENT_MACROS)


def _macro_bans(captures: dict[str, list[Node]], local: set[int] = frozenset()) -> list[Ban]:
    """Every word of a directive: a macro body may use a local by name, and a local named like
    a macro would be expanded. Of a macro defined inside a function (``local``: start bytes),
    only its name: its body is read at its expansions (``_read_local_macro_bodies``)."""
    words: set[str] = set()
    for node in captures.get("directive", ()):
        if node.start_byte in local:
            words.add(node_text(node.child_by_field_name("name")))
        else:
            words.update(WORD.findall(node_text(node)))
    return [Ban(word, "its name appears in a preprocessor directive") for word in sorted(words)]


def _declare_parameters(functions: list[Node], scopes: BlockScopes, handled: set[int]) -> set[int]:
    """Parameters of each definition; returns the start bytes of those parameter lists."""
    own: set[int] = set()
    for function in functions:
        parameters, assumption = _own_parameter_list(function)
        if parameters is None:
            continue  # K&R or a header built by an unknown form: its parameters keep their names
        own.add(parameters.start_byte)
        scope = span(function)
        for parameter in parameters.named_children:
            if parameter.type != "parameter_declaration":
                continue
            declarator = parameter.child_by_field_name("declarator")
            name, shape = _declarator_name(declarator) if declarator is not None else (None, "abstract")
            if name is not None and shape in ("variable", "function"):
                handled.add(name.start_byte)
                variable = scopes.declare(name.text or b"", span(name), scope, name.start_byte, "parameter")
                if assumption:
                    variable.exclude("a parameter of a function whose name is a macro call", assumption)
    return own


def _own_parameter_list(function: Node) -> tuple[Node | None, str | None]:
    """The parameter list of a ``T name(params) {...}`` header, and the assumption reading it
    relies on: none for a plain name, MACRO_FUNCTION_NAMES for a name built by a macro call
    (``RENAME(f)(params)``, ``HELPER(op)(params)``); (None, None) for K&R or other forms."""
    if any(child.type == "declaration" for child in function.children):
        return None, None  # K&R: parameter types declared between the header and the body
    node = function.child_by_field_name("declarator")
    while node is not None and node.type in ("pointer_declarator", "attributed_declarator", "parenthesized_declarator"):
        node = node.child_by_field_name("declarator") or (node.named_children[0] if node.named_children else None)
    if node is None or node.type != "function_declarator":
        return None, None
    name = node.child_by_field_name("declarator")
    parameters = node.child_by_field_name("parameters")
    if name is None or parameters is None:
        return None, None
    if any(child.type == "identifier" for child in parameters.named_children):
        return None, None  # K&R identifier list
    if name.type == "identifier":
        return parameters, None
    return (parameters, MACRO_FUNCTION_NAMES) if _is_macro_name(name) else (None, None)


def _is_macro_name(declarator: Node) -> bool:
    """``RENAME(f)`` read as a declarator: a macro called with bare words (read as unnamed
    parameters of those types), which expands to the function's name."""
    callee = declarator.child_by_field_name("declarator")
    words = declarator.child_by_field_name("parameters")
    if declarator.type != "function_declarator" or callee is None or callee.type != "identifier" or words is None:
        return False
    return all(p.type == "parameter_declaration" and p.child_by_field_name("declarator") is None
               and p.named_child_count == 1 and p.named_children[0].type in ("type_identifier", "primitive_type")
               for p in words.named_children)


def _declare_locals(
    declaration: Node, container: Container | None, source: bytes, scopes: BlockScopes, handled: set[int], pins: list, misread: list
) -> None:
    if container is None or container.kind == "global":
        return  # a global: never renamed
    scope = (container.start, container.end)
    declarators = declaration.children_by_field_name("declarator")
    if not declarators:
        return
    extern = EXTERN.search(source, declaration.start_byte, declarators[0].start_byte) is not None
    names: list[Node] = []
    for declarator in declarators:
        name, shape = _declarator_name(declarator)
        if name is None:
            pins.extend((n, "declared in a form the parser may have misread") for n in identifiers_under(declarator))
            continue
        handled.add(name.start_byte)
        names.append(name)
        if container.kind != "scope":
            pins.append((name, "declared where its scope is unclear"))
        elif extern or shape == "function":
            scopes.shadow(name.text or b"", scope, name.start_byte)
        else:
            scopes.declare(name.text or b"", span(name), scope, name.start_byte)
    kind = declaration.child_by_field_name("type")
    if kind is not None and kind.type == "type_identifier" and container.kind == "scope":
        misread.append((kind, scope, names))


def _declarator_name(node: Node, through_functions: bool = True) -> tuple[Node | None, str]:
    """The declared identifier and whether it names a variable or a function (prototype).

    A function declarator wrapping more than a name (``(*fp)(int)``) declares a function
    pointer, found when ``through_functions``; otherwise the answer is (None, "function").
    """
    while node is not None:
        if node.type == "identifier":
            return node, "variable"
        if node.type in DECLARATOR_WRAPPERS:
            node = node.child_by_field_name("declarator")
        elif node.type == "parenthesized_declarator":
            node = node.named_children[0] if node.named_children else None
        elif node.type == "function_declarator":
            inner = node.child_by_field_name("declarator")
            if inner is not None and inner.type == "identifier":
                return inner, "function"
            if not through_functions:
                return None, "function"
            node = inner
        else:
            return None, "unknown"
    return None, "unknown"


def _check_misread(scopes: BlockScopes, misread: list, bans: list[Ban]) -> None:
    """``a * b;`` parses as declaring ``b`` of type ``a``; when ``a`` is a visible variable it
    was a multiplication, and neither name can be trusted in that block."""
    for kind, scope, names in misread:
        if scopes.resolve(kind.text or b"", kind.start_byte) is not None:
            for node in [kind, *names]:
                bans.append(Ban(node_text(node), "in a statement the parser may have misread as a declaration", scope))


def macros_using(directives: list[Node], operator: re.Pattern[bytes]) -> set[bytes]:
    """Function-like macros of this file whose body uses ``operator``: turns an argument into a
    string (``#x``) or pastes it into another token (``a##b``)."""
    found = set()
    for node in directives:
        if node.type != "preproc_function_def":
            continue
        name, body = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name is not None and body is not None and operator.search(body.text or b""):
            found.add(name.text or b"")
    return found


def _macro_arguments(callees: list[Node], source: bytes, stringizing: set[bytes]) -> list[tuple[Node, str]]:
    """Names given to macro-like calls that must keep their names: every name inside an
    assertion or a stringizing macro (its text is printed), and bare names that may be member
    names (for a macro known to take members, a name passed twice, or a name also used as a
    member)."""
    pins = []
    members: set[bytes] | None = None
    for callee in callees:
        name = callee.text or b""
        if name in stringizing or ASSERTION.search(name):
            arguments = callee.parent.child_by_field_name("arguments") if callee.parent is not None else None
            why = f"inside {name.decode('utf-8', 'replace')}(...), which may print its text or paste it into a name"
            # an assertion of a missing header only prints its text; a macro of this file may paste it
            assumption = ASSERTION_TEXT if name not in stringizing else None
            pins.extend((node, why, assumption) for node in identifiers_under(arguments) if arguments is not None)
            continue
        member_macro = name in MEMBER_MACROS
        if not member_macro and not MACRO_NAME.fullmatch(name):
            continue
        arguments = callee.parent.child_by_field_name("arguments") if callee.parent is not None else None
        given = [n for n in (arguments.named_children if arguments is not None else ()) if n.type != "comment"]
        texts = [n.text or b"" for n in given]
        why = f"passed to macro {name.decode('utf-8', 'replace')}, where it may name a member"
        for position, (node, text) in enumerate(zip(given, texts)):
            if node.type != "identifier":
                continue
            if member_macro:
                pins.extend(_known_macro_argument(name, position, node, why))
                continue
            if members is None:
                members = set(MEMBER_ACCESS.findall(source))
            if texts.count(text) > 1 or text in members:
                pins.append((node, why, MACRO_ARGUMENTS))
    return pins


def _known_macro_argument(macro: bytes, position: int, node: Node, why: str) -> list[tuple]:
    """An argument of a macro whose signature is known: under MACRO_ARGUMENTS an expression is a
    use of the local it names, a member name no use of any; anything else (a type) pins firmly."""
    if position in VALUE_ARGUMENTS.get(macro, ()):
        return [(node, why, MACRO_ARGUMENTS)]
    if position in MEMBER_ARGUMENTS.get(macro, ()):
        return [(node, why, MACRO_ARGUMENTS, MEMBER)]
    return [(node, why)]


# --- data flow: the locals in scope at a statement, and what a statement reads and writes ---

#: where the search for enclosing declarations stops (globals lie beyond)
STOP_TYPES = frozenset({"translation_unit"})
#: C has no exception handlers
HANDLER_TYPES: frozenset[str] = frozenset()
FRAME_TYPES = frozenset({"function_definition"})


def visible_locals(container: Node) -> dict[str, str]:
    """Locals declared before ``container`` in enclosing scopes: name -> "[]" for arrays, else ""."""
    return enclosing_declarations(container, STOP_TYPES, _c_enclosing)


def declared_by(statement: Node) -> dict[str, str]:
    """Names a statement of a block declares for the statements after it."""
    found: dict[str, str] = {}
    if statement.type == "declaration":
        _c_declaration(statement, found)
    return found


def _c_enclosing(parent: Node, child: Node, found: dict[str, str]) -> None:
    if parent.type == "function_definition":
        declarator = parent.child_by_field_name("declarator")
        while declarator is not None and declarator.type != "function_declarator":
            declarator = declarator.child_by_field_name("declarator")
        parameters = declarator.child_by_field_name("parameters") if declarator is not None else None
        for parameter in parameters.named_children if parameters is not None else ():
            if parameter.type == "parameter_declaration":
                name = c_declarator_name(parameter.child_by_field_name("declarator"))
                if name:
                    found[name] = ""
        return
    for sibling in parent.children:
        if sibling.start_byte >= child.start_byte:
            break
        if sibling.type == "declaration":
            _c_declaration(sibling, found)


def _c_declaration(declaration: Node, found: dict[str, str]) -> None:
    for declarator in declaration.children_by_field_name("declarator"):
        name = c_declarator_name(declarator)
        if name:
            found[name] = "[]" if _c_is_array(declarator) else ""


def c_declarator_name(declarator: Node | None) -> str:
    """The variable a C declarator declares (``*p``, ``a[3]``, ``x = 1`` ...); "" for functions
    and function pointers: data flow treats such a declaration as unmovable."""
    name, shape = _declarator_name(declarator, through_functions=False) if declarator is not None else (None, "")
    return node_text(name) if name is not None and shape == "variable" else ""


def _c_is_array(declarator: Node) -> bool:
    if declarator.type == "init_declarator":
        declarator = declarator.child_by_field_name("declarator")
    return declarator is not None and declarator.type == "array_declarator"


LITERAL_TYPES = frozenset(
    {"number_literal", "string_literal", "char_literal", "concatenated_string", "true", "false", "null"}
)
TRANSPARENT_TYPES = frozenset(
    {
        "parenthesized_expression",
        "binary_expression",
        "unary_expression",
        "conditional_expression",
        "comma_expression",
        "initializer_list",
        "initializer_pair",
        "subscript_designator",
        "field_designator",
    }
)
TYPE_HOLDERS = frozenset({"cast_expression", "sizeof_expression", "alignof_expression", "compound_literal_expression"})
ALLOWED_QUALIFIERS = frozenset({"const", "restrict", "__restrict", "__restrict__"})
ALLOWED_STORAGE = frozenset({"auto", "register"})


@dataclass(frozen=True)
class CFunctionFacts:
    """Function-wide facts: names that memory may alias, names declared ``volatile``."""

    aliased: frozenset[str]
    volatile: frozenset[str]

    @classmethod
    def of(cls, function: Node, volatile: frozenset[str]) -> "CFunctionFacts":
        """``&x`` is found in the bytes (over-approximate: ``a & b`` counts too, which is only
        more careful); macro-like calls and storage classes are confirmed on the tree."""
        source = function.text or b""
        aliased = {match.group(1).decode("utf-8", "replace") for match in _ADDRESS_OF.finditer(source)}
        for match in _TREE_HINTS.finditer(source):
            offset = function.start_byte + match.start()
            node = function.descendant_for_byte_range(offset, offset + 1)
            parent = node.parent if node is not None else None
            if parent is None:
                continue
            if parent.type == "call_expression" and parent.child_by_field_name("function") == node:
                arguments = parent.child_by_field_name("arguments")
                aliased.update(node_text(n) for n in walk(arguments) if n.type == "identifier")
            elif parent.type == "storage_class_specifier" and node_text(parent) not in ALLOWED_STORAGE:
                declaration = parent.parent
                if declaration is not None:
                    aliased.update(c_declarator_name(d) for d in declaration.children_by_field_name("declarator"))
        return cls(frozenset(aliased), volatile)


#: ``&x``, ``&(x)``, ``&s.f``, ``&a[i]``: the name whose storage escapes (not ``&&``, ``&=``)
_ADDRESS_OF = re.compile(rb"(?<!&)&(?![&=])\s*\(*\s*([A-Za-z_]\w*)")
#: a macro-like call ``FOO(x)`` (it may take its arguments' addresses), a static/extern name
_TREE_HINTS = re.compile(rb"\b[A-Z][A-Z0-9_]*\s*\(|\b(?:static|extern|_Thread_local|__thread|thread_local)\b")


class CStatement:
    """Builds the Access of one statement given the locals in scope and the function's facts.

    Either may be given as a function that builds it, called when first needed: many
    statements are refused (a call, a cast) before any name is looked up.
    """

    def __init__(self, local_names: LocalTypes | Callable[[], LocalTypes], facts: CFunctionFacts | Callable[[], CFunctionFacts]):
        self._locals = local_names
        self._facts = facts
        self.access = Access()

    @property
    def locals(self) -> LocalTypes:
        if callable(self._locals):
            self._locals = self._locals()
        return self._locals

    @property
    def facts(self) -> CFunctionFacts:
        if callable(self._facts):
            self._facts = self._facts()
        return self._facts

    def statement(self, node: Node) -> Access:
        if node.type == "declaration":
            self._declaration(node)
        elif node.type == "expression_statement":
            if node.named_child_count != 1:
                raise Unmovable("an empty statement")
            self.expression(node.named_children[0])
        else:
            raise Unmovable(f"a {node.type}")
        return self.access

    def _declaration(self, node: Node) -> None:
        for child in node.children:
            kind = child.type
            if kind == "storage_class_specifier" and node_text(child) not in ALLOWED_STORAGE:
                raise Unmovable(f"a {node_text(child)} declaration")
            if kind == "type_qualifier" and node_text(child) not in ALLOWED_QUALIFIERS:
                raise Unmovable(f"a {node_text(child)} declaration")
            if kind in ("attribute_specifier", "attribute_declaration", "ms_declspec_modifier", "gnu_asm_expression"):
                raise Unmovable("a declaration with attributes")
        self._type(node.child_by_field_name("type"))
        for declarator in node.children_by_field_name("declarator"):
            self._declarator(declarator)

    def _type(self, node: Node | None) -> None:
        if node is None:
            raise Unmovable("a declaration without a type")
        if node.type in ("struct_specifier", "union_specifier", "enum_specifier") and node.child_by_field_name("body"):
            raise Unmovable("a declaration that defines a type")
        for part in walk(node):
            if part.type == "type_identifier":
                self.access.mentions.add(node_text(part))
            elif part.type in ("identifier", "call_expression"):
                raise Unmovable("a computed type")  # typeof(expr)

    def _declarator(self, node: Node) -> None:
        value = None
        if node.type == "init_declarator":
            value = node.child_by_field_name("value")
            node = node.child_by_field_name("declarator")
        name = c_declarator_name(node)
        if not name:
            raise Unmovable("a function declaration")
        if name in self.facts.volatile:
            raise Unmovable(f"volatile {name}")
        current = node
        while current is not None and current.type != "identifier":
            if current.type == "array_declarator":
                size = current.child_by_field_name("size")
                if size is not None:
                    self.expression(size)
            elif current.type not in ("pointer_declarator", "parenthesized_declarator"):
                raise Unmovable(f"a {current.type}")
            if current.type == "parenthesized_declarator":
                current = current.named_children[0] if current.named_children else None
            else:
                current = current.child_by_field_name("declarator")
        self.access.declares.add(name)
        self.access.mentions.add(name)
        if value is not None:
            (self.access.mem_writes if name in self.facts.aliased else self.access.writes).add(name)
            self.expression(value)

    def expression(self, node: Node) -> None:
        kind = node.type
        if kind in LITERAL_TYPES:
            return
        if kind == "identifier":
            self._name(node_text(node), write=False, read=True)
        elif kind in TRANSPARENT_TYPES:
            for child in node.named_children:
                if child.type not in ("field_identifier",):
                    self.expression(child)
        elif kind in TYPE_HOLDERS:
            for child in node.named_children:
                if child.type == "type_descriptor":
                    self._type(child)
                else:
                    self.expression(child)
        elif kind == "pointer_expression":
            self.expression(node.child_by_field_name("argument"))
            if node_text(node.child_by_field_name("operator")) == "*":
                self.access.mem_reads.add(ANYWHERE)
        elif kind in ("field_expression", "subscript_expression"):
            self._location(node, write=False, read=True)
        elif kind in ("assignment_expression", "update_expression"):
            self._assignment(node)
        elif kind in ("offsetof_expression",):
            return
        else:
            raise Unmovable(f"a {kind}" if kind in ("call_expression",) else f"an unsupported expression ({kind})")

    def _name(self, name: str, write: bool, read: bool) -> None:
        if name in self.facts.volatile:
            raise Unmovable(f"volatile {name}")
        self.access.mentions.add(name)
        local = name in self.locals and name not in self.facts.aliased
        if write:
            (self.access.writes if local else self.access.mem_writes).add(name)
        if read:
            (self.access.reads if local else self.access.mem_reads).add(name)

    def _location(self, node: Node, write: bool, read: bool) -> None:
        """A field or an element: a local struct's own field, or memory anywhere."""
        base = node.child_by_field_name("argument")
        if node.type == "field_expression":
            self.access.mentions.add(node_text(node.child_by_field_name("field")))
            operator = node_text(node.child_by_field_name("operator"))
            if operator == "." and base.type == "identifier" and self.locals.get(node_text(base)) == "":
                # a field of a local struct value: part of that variable
                self._name(node_text(base), write=write, read=True)
                return
        else:
            self.expression(node.child_by_field_name("index"))
        self.expression(base)
        if write:
            self.access.mem_writes.add(ANYWHERE)
        if read:
            self.access.mem_reads.add(ANYWHERE)

    def _assignment(self, node: Node) -> None:
        if node.type == "update_expression":
            target, compound = node.child_by_field_name("argument"), True
        else:
            target = node.child_by_field_name("left")
            compound = node_text(node.child_by_field_name("operator")) != "="
            self.expression(node.child_by_field_name("right"))
        while target.type == "parenthesized_expression" and target.named_child_count == 1:
            target = target.named_children[0]
        if target.type == "identifier":
            self._name(node_text(target), write=True, read=compound)
        elif target.type in ("field_expression", "subscript_expression"):
            self._location(target, write=True, read=compound)
        elif target.type == "pointer_expression" and node_text(target.child_by_field_name("operator")) == "*":
            self.expression(target.child_by_field_name("argument"))
            self.access.mem_writes.add(ANYWHERE)
            if compound:
                self.access.mem_reads.add(ANYWHERE)
        else:
            raise Unmovable(f"an assignment to a {target.type}")


class CAnalysis:
    """C's answers to the LanguageAnalysis protocol (see analysis.py)."""

    language = "c"
    handler_types = HANDLER_TYPES
    frame_types = FRAME_TYPES

    def variables(self, parsed: ParsedCode) -> tuple[list[Variable], list[Ban]]:
        variables, bans = c_variables(parsed)
        typed = _with_return_type(parsed)
        if typed is None:
            return variables, bans
        # what only the typed reading finds (the parameters; the locals of a body read as globals)
        known = {(variable.name, variable.occurrences[0]) for variable in variables if variable.occurrences}
        more, more_bans = c_variables(typed)
        shifted = [_shifted(variable, -len(IMPLICIT_TYPE)) for variable in more if variable.occurrences]
        return variables + [v for v in shifted if (v.name, v.occurrences[0]) not in known], bans + [
            Ban(ban.name, ban.reason, None if ban.span is None else _shift(ban.span, -len(IMPLICIT_TYPE))) for ban in more_bans]


    def visible_locals(self, container: Node) -> dict[str, str]:
        return visible_locals(container)

    def declared_by(self, statement: Node) -> dict[str, str]:
        return declared_by(statement)


#: what a header with no return type is read with (C89's implicit int)
IMPLICIT_TYPE = b"int "
UNTYPED_HEADER = re.compile(rb"\s*[A-Za-z_]\w*\s*\(")


def _with_return_type(parsed: ParsedCode) -> ParsedCode | None:
    """``f(int a) {...}`` (a Devign function whose return type was cut off, or C89's implicit
    int) misparses as a call and a block; read with ``int `` before it, it parses as a function.
    That reading, when it has fewer parse errors than the text as written."""
    root = parsed.tree.root_node
    first = root.named_children[0] if root.named_child_count else None
    if not parsed.error_ranges or first is None or first.type == "function_definition" or not UNTYPED_HEADER.match(parsed.source):
        return None
    typed = ParsedCode.parse(IMPLICIT_TYPE.decode() + parsed.text, "c")
    functions = typed.tree.root_node.named_children
    if not functions or functions[0].type != "function_definition" or len(typed.error_ranges) >= len(parsed.error_ranges):
        return None
    return typed


def _shift(span_: tuple[int, int], by: int) -> tuple[int, int]:
    return (max(0, span_[0] + by), max(0, span_[1] + by))


def _shifted(variable: Variable, by: int) -> Variable:
    """The variable found in the text read with a return type, at its places in the text as
    written; renamed only under UNTYPED_HEADERS."""
    variable.extent = _shift(variable.extent, by)
    variable.occurrences = [_shift(occurrence, by) for occurrence in variable.occurrences]
    variable.exclude("declared in a function whose header has no return type", UNTYPED_HEADERS)
    return variable


# --- reach under an assumption: locals declared in code the parser could not read ---


def unparsed_locals(parsed: ParsedCode, known: set[str]) -> list[Variable]:
    """Names declared inside a region the parser could not read (a header built by an unseen
    macro, ``void OPPROTO f(void)``, leaves the whole function unparsed), each a variable whose
    occurrences are every identifier token of its name, renamed only under UNPARSED_CODE. A name
    also called, written like a macro, in a directive or already analysed is left out."""
    captures = parsed.captures(_query())
    called = {node.text or b"" for node in captures.get("callee", ())}
    directive_words = {ban.name.encode() for ban in _macro_bans(captures)}
    declared: dict[bytes, None] = {}
    for error in error_nodes(parsed.tree):
        for node in walk(error):
            if node.type in ("declaration", "parameter_declaration"):
                for declarator in node.children_by_field_name("declarator"):
                    name, shape = _declarator_name(declarator, through_functions=False)
                    if name is not None and shape == "variable":
                        declared[name.text or b""] = None
    tokens: dict[bytes, list[tuple[int, int]]] = {}
    for node in captures.get("id", ()):
        tokens.setdefault(node.text or b"", []).append(span(node))
    found = []
    for name in declared:
        text = name.decode("utf-8", "replace")
        if text in known or name in called or name in directive_words or MACRO_NAME.fullmatch(name):
            continue
        variable = Variable(text, "local", (0, len(parsed.source)), sorted(tokens.get(name, [])))
        variable.exclude("declared in a region the parser could not read", UNPARSED_CODE)
        found.append(variable)
    return found
