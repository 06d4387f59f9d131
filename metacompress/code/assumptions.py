"""Named assumptions under which a rename that cannot be proven safe is still made.

rename-identifiers (and ``run``'s proofs) renames only what the analysis proves safe. The attacks
of the literature (ALERT, MHM, BeamAttack, HogVul) rename more: they assume what the code
around a variable does not show. ``metacompress attack`` makes those renames too, under the
assumptions below (all of them by default, ``--assume``), and every adversarial record lists
the ones it relies on, so a reader can keep only the successes that need none.
"""

from __future__ import annotations

#: C: a macro from a missing header used as a statement (``DPRINTF(...)``, ``FORCE_RET()``)
#: uses no local it is not given by name
STATEMENT_MACROS = "statement-macros"
#: C: the text of an assertion's condition (``assert(x > 0)``), printed when it fails, may change
ASSERTION_TEXT = "assertion-text"
#: every word of a name in or beside code the parser could not read is that variable (renamed
#: with it, token by token, as ALERT renames)
UNPARSED_CODE = "unparsed-code"
#: C: a macro call in place of a function's name (``RENAME(f)(...)``, ``HELPER(op)(...)``)
#: expands to that name, so the parameter list after it is the function's own
MACRO_FUNCTION_NAMES = "macro-function-names"
#: C: a bare name given to a macro from a missing header (``FD_ISSET(fd, &set)``, ``FFMIN(n, m)``)
#: where a local of that name is visible is that local, even when the name is also a member's;
#: ``container_of``, ``DO_UPCAST``, ``offsetof``, ``va_arg`` take the arguments they are documented to take
MACRO_ARGUMENTS = "macro-arguments"
#: C: a macro ``#define``d inside a function's body is expanded only in that function, after its
#: definition (the snippet shows every expansion), so a local its body names is renamed there too
LOCAL_MACROS = "function-local-macros"
#: C: a function header with no return type (``f(int a) {...}``: the type was cut off, or C89's
#: implicit int), which the parser misreads as a call and a block, is read as ``int f(int a) {...}``
UNTYPED_HEADERS = "untyped-headers"

ASSUMPTIONS: dict[str, str] = {
    STATEMENT_MACROS: "a C macro from a missing header, used as a statement, uses no local it is not given by name",
    ASSERTION_TEXT: "the text of an assertion's condition (printed when it fails) may change",
    UNPARSED_CODE: "in or beside code the parser could not read, every identifier token of a variable's name "
                   "is that variable, and is renamed with it",
    MACRO_FUNCTION_NAMES: "a C macro call in place of a function's name (RENAME(f)(...)) expands to that name, "
                          "so the parameter list after it is the function's own",
    MACRO_ARGUMENTS: "a bare name given to a C macro from a missing header, where a local of that name is visible, "
                     "is that local, even when the name is also a member's (container_of, DO_UPCAST, offsetof "
                     "and va_arg take their documented arguments)",
    LOCAL_MACROS: "a C macro defined inside a function's body is expanded only in that function, where the "
                  "snippet shows it, so the locals its body names are renamed in its body too",
    UNTYPED_HEADERS: "a C function header with no return type (f(int a) {...}, its type cut off or C89's implicit int) "
                     "is read as int f(int a) {...}",
}


def assumption_names() -> list[str]:
    return list(ASSUMPTIONS)
