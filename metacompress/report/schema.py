"""Check a document against one of metacompress/schema/*.schema.json without a new dependency.

The schemas (``SCHEMAS``: run's report.json, attack's report.json, one line of attack's
adversarial.jsonl) are standard JSON Schema (draft 2020-12), so users may validate with any tool;
this small validator understands the subset they use: type, const, enum, required, properties,
additionalProperties, items, minItems, maxItems, minimum, maximum, oneOf and local ``$ref``.
Tests run every written report through it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


#: schema name -> file under metacompress/schema/
SCHEMAS = {
    "report": "report.schema.json",  # run's report.json
    "attack": "attack.schema.json",  # attack's report.json
    "adversarial": "adversarial.schema.json",  # one line of attack's adversarial.jsonl
}


@lru_cache(maxsize=None)
def load_schema(name: str = "report") -> dict[str, Any]:
    """The named schema (a key of ``SCHEMAS``) as a dict; run's report schema by default."""
    if name not in SCHEMAS:
        raise ValueError(f"no schema {name!r}; known: {', '.join(SCHEMAS)}")
    text = resources.files("metacompress").joinpath(f"schema/{SCHEMAS[name]}").read_text("utf-8")
    return json.loads(text)


def schema_errors(report: Any, schema: dict[str, Any] | str | None = None) -> list[str]:
    """Every place where ``report`` departs from the schema, as 'path: problem' lines.

    ``schema`` is a schema dict, a name of ``SCHEMAS`` (``"attack"``), or None for run's report schema."""
    root = load_schema(schema) if isinstance(schema, str) else schema or load_schema()
    errors: list[str] = []
    _check(report, root, root, "$", errors)
    return errors


def validate_report(report: Any) -> None:
    """Raise ValueError listing the schema violations of run's report.json, if any."""
    _validate(report, "report", "report")


def validate_attack_report(report: Any) -> None:
    """Raise ValueError listing the schema violations of attack's report.json, if any."""
    _validate(report, "attack", "attack report")


def validate_adversarial_record(record: Any) -> None:
    """Raise ValueError listing the schema violations of one adversarial.jsonl record, if any."""
    _validate(record, "adversarial", "adversarial.jsonl record")


def _validate(document: Any, name: str, what: str) -> None:
    errors = schema_errors(document, name)
    if errors:
        version = load_schema(name)["properties"].get("schema_version", {}).get("const")
        against = f"schema {version}" if version else SCHEMAS[name]
        raise ValueError(f"{what} does not match {against}: " + "; ".join(errors[:10]))


def _check(value: Any, schema: dict, root: dict, path: str, errors: list[str]) -> None:
    if "$ref" in schema:
        schema = _resolve(schema["$ref"], root)
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: expected {schema['const']!r}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            errors.append(f"{path}: expected {' or '.join(types)}, got {type(value).__name__}")
            return
    if "oneOf" in schema:
        matches = sum(not schema_errors(value, {**option, "$defs": root.get("$defs", {})})
                      for option in schema["oneOf"])
        if matches != 1:
            errors.append(f"{path}: matches {matches} of the allowed forms, expected exactly 1")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} is below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} is above {schema['maximum']}")
    if isinstance(value, dict):
        _check_object(value, schema, root, path, errors)
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            errors.append(f"{path}: {len(value)} items is outside the allowed count")
        if "items" in schema:
            for i, item in enumerate(value):
                _check(item, schema["items"], root, f"{path}[{i}]", errors)


def _check_object(value: dict, schema: dict, root: dict, path: str, errors: list[str]) -> None:
    for key in schema.get("required", []):
        if key not in value:
            errors.append(f"{path}: missing {key!r}")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            _check(item, properties[key], root, f"{path}.{key}", errors)
        elif extra is False:
            errors.append(f"{path}: unexpected {key!r}")
        elif isinstance(extra, dict):
            _check(item, extra, root, f"{path}.{key}", errors)


def _resolve(ref: str, root: dict) -> dict:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref is supported, got {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node
