"""What a simple statement reads and writes, and when two such statements may trade places.

Reordering two statements is safe when neither can observe the other. Without types that is
decided from the syntax, conservatively, with three kinds of state:

- *names*: local variables that nothing else can alias (a Java local, a C local whose address
  is never taken, a Python function local no nested scope captures). Compared by name.
- *memory*: anything reachable another way. A location is a field name (Java ``p.f`` may be
  ``this.f``), a global name, or ``"*"`` for "anywhere" (a C dereference, an array element, a
  Python attribute). Two accesses meet when they name the same location or either is ``"*"``.
- *hidden effects*: evaluation that may throw (Java exceptions, Python errors) or run code we
  cannot see (Python dunder methods and properties, Java class initialisation).

Each language module (``java``, ``c``, ``python``) turns one statement into an ``Access`` or
raises ``Unmovable`` with the reason (calls, jumps, labels, ``volatile``...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Container, Protocol

ANYWHERE = "*"


class LocalTypes(Protocol):
    """The locals in scope at a statement: name -> declared type text ("" when unknown)."""

    def __contains__(self, name: object) -> bool: ...

    def __getitem__(self, name: str) -> str: ...

    def get(self, name: str, default: str | None = None) -> str | None: ...


class Unmovable(Exception):
    """This statement must stay where it is; the message says why."""


@dataclass
class Access:
    """The effects of one simple statement, as far as its syntax shows."""

    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    #: names the statement declares: nothing that mentions them may move across it
    declares: set[str] = field(default_factory=set)
    #: every identifier text in the statement, bound or not
    mentions: set[str] = field(default_factory=set)
    mem_reads: set[str] = field(default_factory=set)
    mem_writes: set[str] = field(default_factory=set)
    #: may throw or fail (an exception is observable by a handler or the caller)
    may_raise: bool = False
    #: may run code we cannot see, which may read or write any memory
    hidden: bool = False

    @property
    def observable(self) -> bool:
        return self.may_raise or self.hidden


class _EveryName:
    """The names a handler can see when it sees them all (a Python ``try`` in a function)."""

    def __contains__(self, name: object) -> bool:
        return True


EVERY_NAME = _EveryName()
NO_NAME: frozenset[str] = frozenset()


def conflicts(first: Access, second: Access, exposed: Container[str] = NO_NAME) -> bool:
    """True when running ``second`` before ``first`` could change what the program does.

    ``exposed``: the local names an exception handler in the same frame could read after one
    of the statements raised (none outside ``try``; in Java only names declared outside the
    ``try`` block, which is why the others die with the exception).
    """
    if first.writes & (second.reads | second.writes) or second.writes & first.reads:
        return True
    if first.declares & second.mentions or second.declares & first.mentions:
        return True
    if _meet(first.mem_writes, second.mem_reads | second.mem_writes) or _meet(second.mem_writes, first.mem_reads):
        return True
    return _observed(first, second, exposed) or _observed(second, first, exposed)


def _observed(effect: Access, other: Access, exposed: Container[str]) -> bool:
    """Could ``other`` tell whether ``effect``'s hidden effect happened before or after it?"""
    if not effect.observable:
        return False
    if other.observable or other.mem_writes:
        return True
    if effect.hidden and other.mem_reads:
        return True
    return any(name in exposed for name in other.writes)


def _meet(locations: set[str], others: set[str]) -> bool:
    if not locations or not others:
        return False
    return ANYWHERE in locations or ANYWHERE in others or not locations.isdisjoint(others)
