"""The JSONL batch engine of ``metacompress transform``: records in, verdict records out.

Every input line gets exactly one output line, in order: the input record with ``transformed``
(null unless applied), ``applied``, ``relation`` and ``reason`` added. A line that is not a
JSON object, lacks the code field or holds unusable code gets a verdict saying what is wrong
("bad"), and so does a line on which the relation fails unexpectedly: one bad line never stops
the batch. Files, stdout and the summary are the CLI's business (``cli.relations_cmd``).

``apply_relation`` is the per-snippet step shared with the audit's ``Rewriter``, so a batch
line and an audit row of the same snippet, relation, options and seed cannot differ.

Imports the relations (tree-sitter) and nothing heavier.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import InputError, MetacompressError
from .registry import PluginError, plugin_fault
from .relations import Relation
from .relations.base import Rewrite
from .code.parsing import decode_code

APPLIED, NOT_APPLICABLE, BAD = "applied", "not_applicable", "bad"


class InternalError(Exception):
    """A relation failed on one snippet in a way it should not have; the row records it."""

    def __init__(self, relation: str, error: Exception):
        self.relation = relation
        self.error_type = type(error).__name__
        self.detail = " ".join(str(error).split())  # the whole message, on one line
        short = self.detail if len(self.detail) <= 200 else self.detail[:197] + "..."
        super().__init__(f"internal error in {relation}: {self.error_type}: {short}")


def apply_relation(relation: Relation, code: str | bytes, language: str, seed: int,
                   options: dict[str, str]) -> Rewrite | InputError | InternalError:
    """One snippet rewritten, or why it could not be: unusable code, or a bug in the relation.

    A usage error (a bad option) is raised: it would fail every snippet alike.
    """
    try:
        return relation.apply(code, language, seed=seed, **options)
    except InputError as exc:
        return exc
    except MetacompressError:
        raise
    except Exception as exc:  # a relation bug on one odd input must not lose the whole batch
        return InternalError(relation.name, exc)
    except SystemExit as exc:  # a relation (a plugin's, say) must not end the process with its own code
        raise PluginError(f"relation {relation.name!r}: {plugin_fault(exc)}") from None


@dataclass(frozen=True)
class BatchLine:
    """The verdict on one input line."""

    number: int  # 1-based line number in the input
    record: dict[str, Any]  # the output record
    verdict: str  # APPLIED, NOT_APPLICABLE or BAD
    line: str  # the output record as one JSONL line, with its newline


@dataclass
class BatchCounts:
    applied: int = 0
    not_applicable: int = 0
    bad: int = 0

    def add(self, verdict: str) -> None:
        setattr(self, verdict, getattr(self, verdict) + 1)

    def summary(self, output: str) -> str:
        total = self.applied + self.not_applicable + self.bad
        where = "stdout" if output == "-" else output
        return (
            f"transform: {total} line{'' if total == 1 else 's'} -> {where}: {self.applied} applied, "
            f"{self.not_applicable} not applicable, {self.bad} bad"
        )


def transform_batch(lines: Iterable[bytes], relation: Relation, language: str, seed: int = 0,
                    options: dict[str, str] | None = None, field: str = "code") -> Iterator[BatchLine]:
    """One ``BatchLine`` per input line (raw bytes, each checked for UTF-8 on its own)."""
    options = options or {}
    for number, raw in enumerate(lines, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]  # editors on Windows start files with one
        record, verdict = transform_record(raw, number, relation, language, seed, options, field)
        line = record_line(record)
        if line is None:
            reason = f"line {number}: the record is nested too deeply to be written back"
            record, verdict = _with_verdict({}, relation, None, False, reason), BAD
            line = record_line(record)
        yield BatchLine(number, record, verdict, line)


def transform_record(
    raw: bytes, number: int, relation: Relation, language: str, seed: int, options: dict[str, str], field: str
) -> tuple[dict[str, Any], str]:
    """One input line -> (output record, "applied" | "not_applicable" | "bad")."""
    record, problem = parse_record(raw, number, field)
    if problem:
        return _with_verdict(record, relation, None, False, problem), BAD
    try:
        code = decode_code(record[field], f"line {number}, field {field!r}")
    except InputError as exc:
        return _with_verdict(record, relation, None, False, str(exc)), BAD
    outcome = apply_relation(relation, code, language, seed, options)
    if isinstance(outcome, InternalError):
        reason = f"line {number}: internal error in {relation.name}: {outcome.error_type}: {outcome.detail}"
        return _with_verdict(record, relation, None, False, reason), BAD
    if isinstance(outcome, InputError):
        return _with_verdict(record, relation, None, False, str(outcome)), BAD
    verdict = APPLIED if outcome.applied else NOT_APPLICABLE
    transformed = outcome.code if outcome.applied else None
    return _with_verdict(record, relation, transformed, outcome.applied, outcome.reason), verdict


def parse_record(raw: bytes, number: int, field: str) -> tuple[dict[str, Any], str]:
    """The JSON object of one line, or ({}, what is wrong with the line)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {}, f"line {number}: not valid UTF-8 (byte {exc.start})"
    if not text.strip():
        return {}, f"line {number}: empty line"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return {}, f"line {number}: invalid JSON ({exc.msg}, column {exc.colno})"
    except RecursionError:
        return {}, f"line {number}: invalid JSON (nested too deeply to read)"
    if not isinstance(record, dict):
        return {}, f"line {number}: expected a JSON object, got {type(record).__name__}"
    if field not in record:
        return record, f"line {number}: no field {field!r}"
    if not isinstance(record[field], str):
        return record, f"line {number}: field {field!r} is {type(record[field]).__name__}, not a string"
    return record, ""


def record_line(record: dict[str, Any]) -> str | None:
    """One JSONL line; a lone surrogate read from the input stays escaped (\\ud800)."""
    try:
        line = json.dumps(record, ensure_ascii=False)
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record)
    except RecursionError:
        return None
    return line + "\n"


def _with_verdict(
    record: dict[str, Any], relation: Relation, transformed: str | None, applied: bool, reason: str
) -> dict[str, Any]:
    return {**record, "transformed": transformed, "applied": applied, "relation": relation.name, "reason": reason}


__all__ = ["APPLIED", "BAD", "NOT_APPLICABLE", "BatchCounts", "BatchLine", "InternalError", "apply_relation",
           "parse_record", "record_line", "transform_batch", "transform_record"]
