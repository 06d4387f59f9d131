"""The Relation protocol: a seeded, validated, semantics-preserving rewrite of one snippet.

A relation implements one private hook, ``_edits``, that looks at a parsed snippet and returns
byte-range edits (or raises NotApplicable with a reason). The public ``apply`` does everything
every relation needs: checks the input, seeds the choice, splices the edits into the original
text (so formatting and comments elsewhere survive), and re-parses the result, refusing any
rewrite that adds a parse error.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any, ClassVar

from ..code.edits import Edit, SameTreeEdits, splice
from ..code.parsing import LANGUAGES, ParsedCode, decode_code, keeps_parse_errors
from ..code.python import rewrite_compiles
from ..errors import InputError, NotApplicable, UsageError
from ..registry import Registry


@dataclass(frozen=True)
class Site:
    """Where a rewrite acted, for reports: 1-based line in the input of that step."""

    line: int
    description: str


@dataclass(frozen=True)
class Rewrite:
    """The outcome of applying one relation to one snippet."""

    relation: str
    language: str
    original: str
    code: str
    applied: bool
    reason: str = ""
    sites: tuple[Site, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "relation": self.relation,
            "language": self.language,
            "applied": self.applied,
            "reason": self.reason,
            "sites": [f"line {s.line}: {s.description}" for s in self.sites],
        }


def snippet_seed(seed: int, relation: str, code: str) -> int:
    """The seed a relation draws its choices with, for the user's ``seed`` and this snippet.

    Every entry point (``transform`` on a file or a batch, the audit, the library) goes through
    ``Relation.apply``, which derives it here: a rewrite depends on (code, language, relation,
    options, seed) and nothing else, and two snippets never share a stream of draws.
    """
    digest = hashlib.sha256(f"{seed}\x00{relation}\x00{code}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


class Relation:
    """Base class of every relation. Subclasses set the class attributes and ``_edits``."""

    name: ClassVar[str]
    summary: ClassVar[str]
    languages: ClassVar[tuple[str, ...]] = LANGUAGES
    #: language -> why the relation cannot exist there (shown by ``metacompress relations``)
    unsupported: ClassVar[dict[str, str]] = {}
    #: option name -> allowed values (the first is the default)
    options: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: a short before/after pair for the documentation, per language where it helps
    example: ClassVar[tuple[str, str]] = ("", "")

    def apply(self, code: str | bytes, language: str, seed: int = 0, **options: str) -> Rewrite:
        """Rewrite ``code``; raises InputError for non-code input, UsageError for bad options.

        "Not applicable" is not an exception here: it comes back as ``applied=False`` with a
        reason, and the code unchanged. No input makes it crash: code too deeply nested or too
        large for a library it relies on is an InputError that says so.
        """
        text = decode_code(code)
        chosen = self._check_options(options)
        if language not in self.languages:
            return self._not_applicable(text, language, self.unsupported_reason(language))
        try:
            return self._rewrite(text, language, seed, chosen)
        except RecursionError:
            raise InputError(f"too deeply nested for {self.name} ({language}): Python's recursion limit was reached") from None
        except MemoryError:
            raise InputError(f"too large for {self.name} ({language}): out of memory") from None

    def _rewrite(self, text: str, language: str, seed: int, options: dict[str, str]) -> Rewrite:
        parsed = ParsedCode.parse(text, language)
        rng = random.Random(f"{self.name}|{language}|{snippet_seed(seed, self.name, text)}")
        try:
            edits = self._edits(parsed, rng, options)
            if not edits:
                raise NotApplicable("no site to rewrite")
            new_source = splice(parsed.source, edits)
            new_text = new_source.decode("utf-8")
            self._validate(parsed, edits, new_source)
        except NotApplicable as exc:
            return self._not_applicable(text, language, exc.reason)
        # An edit without a description belongs to a site that another edit describes.
        described = [e for e in edits if e.description] or edits
        ordered = sorted(described, key=lambda e: e.start)
        sites = tuple(Site(line, e.description) for e, line in zip(ordered, parsed.lines_of([e.start for e in ordered])))
        return Rewrite(self.name, language, text, new_text, True, "", sites)

    def _edits(self, parsed: ParsedCode, rng: random.Random, options: dict[str, str]) -> list[Edit]:
        raise NotImplementedError

    @classmethod
    def unsupported_reason(cls, language: str) -> str:
        """Why the relation cannot rewrite ``language`` ('' when it can)."""
        if language in cls.languages:
            return ""
        return f"{cls.name} does not support {language}: {cls.unsupported.get(language, 'not implemented for this language')}"

    @classmethod
    def check_language(cls, language: str) -> None:
        """UsageError unless the relation rewrites ``language`` (audits and ``transform`` check up front)."""
        if language not in cls.languages:
            raise UsageError(f"relation {cls.unsupported_reason(language)}")

    def check_options(self, options: dict[str, str]) -> dict[str, str]:
        """The options with defaults filled in; UsageError for an unknown option or value."""
        return self._check_options(options)

    def _check_options(self, options: dict[str, str]) -> dict[str, str]:
        chosen = {name: values[0] for name, values in self.options.items()}
        for key, value in options.items():
            if value is None:
                continue
            if key not in self.options:
                takes = f"; it takes {', '.join(self.options)}" if self.options else "; it takes none"
                raise UsageError(f"relation {self.name} has no option {key!r}{takes}")
            if value not in self.options[key]:
                allowed = ", ".join(self.options[key])
                raise UsageError(f"relation {self.name}: {key} must be one of {allowed}, not {value!r}")
            chosen[key] = value
        return chosen

    def _validate(self, parsed: ParsedCode, edits: list[Edit], new_source: bytes) -> None:
        """Refuse a rewrite that changes nothing, adds a parse error, or stops Python compiling."""
        if new_source == parsed.source:
            raise NotApplicable("the rewrite left the code unchanged")
        problem = output_problem(parsed, edits, new_source)
        if problem:
            raise NotApplicable(f"internal check failed: {problem}")

    def _not_applicable(self, text: str, language: str, reason: str) -> Rewrite:
        return Rewrite(self.name, language, text, text, False, reason, ())


def output_problem(parsed: ParsedCode, edits: list[Edit], new_source: bytes) -> str:
    """Why ``new_source`` (``parsed`` with ``edits`` spliced in) is no valid rewrite: it changes
    the parse errors, or stops Python compiling; '' when it is valid. ``SameTreeEdits`` skip the
    checks their proof stands in for. (The attack checks its rename candidates here too.)"""
    proven = edits if isinstance(edits, SameTreeEdits) else None
    if proven is None and not keeps_parse_errors(parsed, edits, new_source):
        return "the rewrite would change the parse errors"
    if parsed.language == "python" and not (proven and proven.compiles) and not rewrite_compiles(parsed, edits, new_source):
        return "the rewrite does not compile()"
    return ""


__all__ = ["Edit", "RELATIONS", "Relation", "Rewrite", "Site", "output_problem", "register_relation", "snippet_seed", "splice"]

RELATIONS: Registry[type[Relation]] = Registry("relation", group="metacompress.relations")
#: ``@register_relation`` on a Relation subclass registers it under its ``name``.
register_relation = RELATIONS.decorator(lambda cls: cls.name)
