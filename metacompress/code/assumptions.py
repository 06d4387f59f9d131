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

ASSUMPTIONS: dict[str, str] = {
    STATEMENT_MACROS: "a C macro from a missing header, used as a statement, uses no local it is not given by name",
    ASSERTION_TEXT: "the text of an assertion's condition (printed when it fails) may change",
    UNPARSED_CODE: "in or beside code the parser could not read, every identifier token of a variable's name "
                   "is that variable, and is renamed with it",
}


def assumption_names() -> list[str]:
    return list(ASSUMPTIONS)
