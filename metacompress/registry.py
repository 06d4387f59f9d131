"""A small typed registry with lazy entries and "did you mean" errors.

Relations, tasks and model loaders are registered by name. An entry may be the object itself or
a ``"module:attribute"`` string, imported only when first looked up, so that listing names or
running ``--help`` never imports torch.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Generic, Iterator, TypeVar

from .errors import UsageError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T | str] = {}

    def register(self, name: str, entry: T | str) -> None:
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str) -> T:
        if name not in self._entries:
            raise UsageError(self.unknown_message(name))
        entry = self._entries[name]
        if isinstance(entry, str):
            module_name, _, attribute = entry.partition(":")
            entry = getattr(importlib.import_module(module_name), attribute)
            self._entries[name] = entry
        return entry  # type: ignore[return-value]

    def unknown_message(self, name: str) -> str:
        message = f"Unknown {self.kind} {name!r}."
        close = difflib.get_close_matches(name, self.names(), n=3)
        if close:
            message += f" Did you mean {', '.join(repr(c) for c in close)}?"
        return message + f" Available: {', '.join(self.names())}."
