"""What a task is: a language, a data format, and how an example becomes model input.

An ``Example`` holds one snippet (single-input tasks) or two (clone detection pairs). Relations
rewrite the snippets; the task says which of them a relation may touch and how the (possibly
rewritten) snippets become the model's input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import UsageError
from ..registry import Registry

#: --pair-side: which snippets of a pair a relation rewrites
PAIR_SIDES: dict[str, tuple[int, ...]] = {"first": (0,), "second": (1,), "both": (0, 1)}


@dataclass(frozen=True)
class Example:
    id: str
    code: tuple[str, ...]  # one snippet, or (first, second) for a pair
    label: int | None = None  # index into the task's label_names; None when the data has no labels
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Skipped:
    """A data record that could not become an Example, and why (counted in the report)."""

    where: str  # e.g. "test.jsonl:17"
    reason: str


@dataclass
class LoadedData:
    examples: list[Example]
    label_names: tuple[str, ...]
    skipped: list[Skipped] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    language: str = ""  # the language the snippets are in (the task's default unless overridden)


class Task:
    """Base class; each task is a small module registered in ``metacompress.tasks``."""

    name: ClassVar[str]
    summary: ClassVar[str]
    default_language: ClassVar[str]
    is_pair: ClassVar[bool] = False
    #: the keyword options ``load`` takes, name -> what it means (an audit's --task-option KEY=VALUE
    #: and its --language, --code-field and --label-field; anything else is refused up front)
    options: ClassVar[dict[str, str]] = {}

    def load(self, path: str, **options: Any) -> LoadedData:
        raise NotImplementedError

    def rewrite_sides(self, pair_side: str = "both") -> tuple[int, ...]:
        """Indices into ``Example.code`` that a relation rewrites (pair tasks choose a side)."""
        if pair_side not in PAIR_SIDES:
            raise UsageError(f"--pair-side must be one of {', '.join(PAIR_SIDES)}, not {pair_side!r}")
        if not self.is_pair and pair_side != "both":
            raise UsageError(f"--pair-side {pair_side}: {self.name} takes one function per input; "
                             "--pair-side chooses a side of a pair task's inputs")
        return PAIR_SIDES[pair_side] if self.is_pair else (0,)

    def model_input(self, code: tuple[str, ...]) -> str | tuple[str, str]:
        return (code[0], code[1]) if self.is_pair else code[0]


TASKS: Registry[type[Task]] = Registry("task", group="metacompress.tasks")
#: ``@register_task`` on a Task subclass registers it under its ``name``.
register_task = TASKS.decorator(lambda cls: cls.name)
