"""Generic code classification: one snippet in, one of several labels out, in any language.

Labels come from the data. Integer labels (also "3" in a CSV) are indices, named "0", "1", …
up to the largest; text labels are names, indexed in sorted order. The ``label_names`` option
fixes the names (and their order) instead, which is how a model's own label order is matched.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from .base import LoadedData, Skipped, Task, register_task
from .formats import (
    Draft,
    Record,
    RecordError,
    check_language,
    check_options,
    code_field,
    data_files,
    draft_all,
    finish,
    keep_identified,
    keep_labelled,
    own_id,
    read_records,
    record_id,
)

_INTEGER = re.compile(r"-?\d+")


@register_task
class CodeClassification(Task):
    name = "code-classification"
    summary = "Which class is a snippet in? JSONL or CSV with a code field and an optional label field."
    default_language = ""  # none: the language must be given
    options: ClassVar[dict[str, str]] = {
        "language": "language of the snippets (required: c, java or python)",
        "code_field": "field holding the snippet (default code)",
        "label_field": "field holding the label (default label; optional)",
        "id_field": "field holding the example id (default id; else file:line)",
        "label_names": "label names in index order, comma separated (default: from the data)",
    }

    #: where a record keeps its snippet, label and id unless the options say otherwise
    default_fields: ClassVar[dict[str, str]] = {"code_field": "code", "label_field": "label", "id_field": "id"}

    def load(self, path: str, **options: Any) -> LoadedData:
        check_options(self.name, options, self.options)
        language = check_language(self.name, options.get("language"), self.default_language)
        code_name, label_field, id_field = (options.get(k) or v for k, v in self.default_fields.items())
        explicit_id = bool(options.get("id_field"))
        files = data_files(path)

        def convert(record: Record) -> Draft:
            fields = record.fields
            code = (code_field(fields, code_name),)
            label = self.parse_label(fields.get(label_field), label_field)
            extra = {k: v for k, v in fields.items() if k not in (code_name, label_field)}
            identity = own_id(fields, id_field) if explicit_id else record_id(fields, (id_field,), record.where)
            return Draft(record.where, identity, code, label, extra)

        drafts, skipped = draft_all(read_records(files), convert)
        if explicit_id:
            drafts = keep_identified(drafts, skipped, id_field, str(path))
        drafts = keep_labelled(drafts, skipped, label_field, bool(options.get("label_field")), str(path))
        names, drafts = self.index_labels(drafts, skipped, options)
        return finish(drafts, skipped, names, files, str(path), language)

    def parse_label(self, value: Any, field: str) -> int | str | None:
        return _label_value(value, field)

    def index_labels(
        self, drafts: list[Draft], skipped: list[Skipped], options: dict[str, Any]
    ) -> tuple[tuple[str, ...], list[Draft]]:
        return _index_labels(drafts, skipped, _split_names(options.get("label_names")))


def _split_names(value: Any) -> tuple[str, ...] | None:
    if value is None or value == "":
        return None
    names = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(n).strip() for n in names if str(n).strip())


def _label_value(value: Any, name: str) -> int | str | None:
    """An index (int) or a name (str); None when the record has no label."""
    if value is None:
        return None
    original = value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _INTEGER.fullmatch(text):
            return text
        value = int(text)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    raise RecordError(f"bad label {original!r} in field {name!r} (expected a name or a non-negative integer)")


def _index_labels(
    drafts: list[Draft], skipped: list[Skipped], given: tuple[str, ...] | None
) -> tuple[tuple[str, ...], list[Draft]]:
    """Label names, and drafts whose label is now an index into them (unusable ones skipped)."""
    labels = [d.label for d in drafts if d.label is not None]
    if given is not None:
        names = given
    elif not labels:
        return (), drafts
    elif all(isinstance(v, int) for v in labels):
        names = tuple(str(i) for i in range(max(labels) + 1))
    else:
        names = tuple(sorted({str(v) for v in labels}))
    position = {name: i for i, name in enumerate(names)}
    kept = []
    for draft in drafts:
        value = draft.label
        if value is None:
            kept.append(draft)
            continue
        if isinstance(value, int) and (given is not None or all(isinstance(v, int) for v in labels)):
            index = value if value < len(names) else None
            why = f"label {value} is out of range ({len(names)} label names)"
        else:
            index = position.get(str(value))
            why = f"unknown label {value!r} (label names: {', '.join(names)})"
        if index is None:
            skipped.append(Skipped(draft.where, why))
            continue
        draft.label = index
        kept.append(draft)
    return names, kept
