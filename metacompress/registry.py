"""A small typed registry: lazy built-ins, plugins from entry points, "did you mean" errors.

Relations, tasks and model loaders are registered by name, in three ways:

- a class registers itself with the registry's decorator, under the name it states
  (``@register_relation`` on a class with ``name = "swap-if-else"``);
- a built-in is *declared* as ``name -> module`` so that listing names or ``--help`` imports
  nothing heavy; the first ``get`` imports the module, whose decorator fills the entry (a module
  that does not register the declared name is an error, and a test checks every built-in);
- an installed package offers entries through an entry point group (e.g. ``metacompress.relations``
  in its ``entry_points.txt``: ``my-relation = my_package.relation:MyRelation`` or just the
  module). The entry point's name is listed without importing the package; the object is loaded
  on first ``get``. A plugin that fails to load raises ``PluginError`` naming the plugin, and never
  takes a built-in's place: a plugin may not reuse a built-in's name.

Plugin code runs inside ``plugin_code``: whatever it raises there, ``SystemExit`` and
``KeyboardInterrupt`` included, becomes a ``PluginError`` naming the plugin, so a plugin cannot
change an exit code or stop the other entries from loading. A real Ctrl-C is told from a plugin
raising ``KeyboardInterrupt`` by a SIGINT handler that notes the signal while the plugin runs.
"""

from __future__ import annotations

import difflib
import importlib
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Generic, Iterator, TypeVar

from .errors import UsageError

T = TypeVar("T")


class PluginError(UsageError):
    """A registered entry (an installed plugin, a declared module) cannot be loaded or used."""


class _CtrlCWatch:
    """Notes whether a real SIGINT arrives while plugin code runs; the handler it wraps still runs."""

    def __init__(self) -> None:
        self.pressed = False
        self._previous: Callable | None = None

    def __enter__(self) -> "_CtrlCWatch":
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if callable(previous):  # SIG_IGN or SIG_DFL: Ctrl-C raises nothing to mistake
                self._previous = previous
                signal.signal(signal.SIGINT, self._note)
        return self

    def _note(self, signum: int, frame: object) -> None:
        self.pressed = True
        self._previous(signum, frame)

    def __exit__(self, *exc_info: object) -> None:
        if self._previous is not None and signal.getsignal(signal.SIGINT) == self._note:
            signal.signal(signal.SIGINT, self._previous)


@contextmanager
def plugin_code(what: str, passing: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Run plugin code; anything it raises but ``passing`` becomes ``PluginError("what: why")``.

    Only a KeyboardInterrupt caused by a real SIGINT during the block passes as Ctrl-C.
    """
    with _CtrlCWatch() as watch:
        try:
            yield
        except passing:
            raise
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt) and watch.pressed:
                raise
            raise PluginError(f"{what}: {plugin_fault(exc)}") from None


def plugin_fault(exc: BaseException) -> str:
    """What a plugin did wrong, in one line."""
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r})"
    if isinstance(exc, KeyboardInterrupt):
        return "it raised KeyboardInterrupt"
    return _one_line(exc)


@dataclass(frozen=True)
class Pending:
    """An entry not imported yet: a built-in's module, or an installed plugin's entry point."""

    target: str  # "module" or "module:attribute"
    plugin: str = ""  # the distribution offering it ("" for a built-in)

    def describe(self, kind: str, name: str) -> str:
        if self.plugin:
            return f"{kind} {name!r} from plugin {self.plugin} ({self.target})"
        return f"built-in {kind} {name!r} ({self.target})"


class Registry(Generic[T]):
    """Name -> entry. ``group`` names the entry point group plugins register under."""

    def __init__(self, kind: str, group: str | None = None):
        self.kind = kind
        self.group = group
        self._entries: dict[str, T] = {}
        self._pending: dict[str, Pending] = {}
        self._builtins: dict[str, str] = {}  # name -> the module that registers it
        self._plugins_read = group is None
        self._broken: dict[str, str] = {}  # name -> why it cannot be loaded
        self._plugin_of: dict[str, Pending] = {}  # name -> its entry point, for messages

    # ---- registering -----------------------------------------------------------------------

    def declare(self, builtins: dict[str, str]) -> None:
        """Built-ins as name -> module; each module registers its name when imported."""
        for name, module in builtins.items():
            self._check_free(name)
            self._pending[name] = Pending(module)
            self._builtins[name] = module

    def add(self, name: str, entry: T) -> T:
        """Register ``entry`` under ``name`` now (what the decorators call)."""
        pending = self._pending.pop(name, None)
        if pending is None and name in self._entries and not _same(self._entries[name], entry):
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry
        return entry

    def register(self, name: str, entry: T | str) -> None:
        """Register an object, or a ``"module:attribute"`` string imported on first use."""
        self._check_free(name)
        if isinstance(entry, str):
            self._pending[name] = Pending(entry)
        else:
            self._entries[name] = entry

    def decorator(self, name_of: Callable[[T], str]) -> Callable[[T], T]:
        """A class decorator registering the class under ``name_of(cls)``."""
        def register(entry: T) -> T:
            return self.add(name_of(entry), entry)
        return register

    def _check_free(self, name: str) -> None:
        if name in self._entries or name in self._pending:
            raise ValueError(f"{self.kind} {name!r} is already registered")

    # ---- looking up ------------------------------------------------------------------------

    def names(self) -> list[str]:
        self._read_plugins()
        return sorted({*self._entries, *self._pending})

    def builtins(self) -> dict[str, str]:
        """The built-in names, in the order they were declared, each with its module."""
        return dict(self._builtins)

    def remove(self, name: str) -> None:
        """Forget a registered entry (tests, and code that replaces one of its own)."""
        if name in self._builtins:
            raise ValueError(f"{self.kind} {name!r} is built in")
        self._entries.pop(name, None)
        self._pending.pop(name, None)
        self._broken.pop(name, None)

    def mark_broken(self, name: str, reason: str) -> None:
        """Leave an entry out from now on: its code failed when called (``get`` raises ``reason``)."""
        if name in self._builtins:
            raise ValueError(f"{self.kind} {name!r} is built in")
        self._broken[name] = reason

    def describe(self, name: str) -> str:
        """``kind 'name'``, saying whether it is built in or which plugin offers it, and from where."""
        pending = self._plugin_of.get(name) or self._pending.get(name)
        if name in self._plugin_of or name in self._builtins:
            return pending.describe(self.kind, name) if pending else f"built-in {self.kind} {name!r}"
        return f"{self.kind} {name!r}" + (f" ({pending.target})" if pending else "")

    def usable(self) -> list[str]:
        """The names whose entry loads; the others are left out (``problems`` says why)."""
        out = []
        for name in self.names():
            try:
                self.get(name)
            except PluginError:
                continue
            out.append(name)
        return out

    def problems(self) -> dict[str, str]:
        """Name -> one-line reason, for every entry that failed to load so far."""
        return dict(self._broken)

    def __contains__(self, name: object) -> bool:
        self._read_plugins()
        return name in self._entries or name in self._pending

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str) -> T:
        self._read_plugins()
        if name in self._broken:
            raise PluginError(self._broken[name])
        if name in self._entries:
            return self._entries[name]
        if name not in self._pending:
            raise UsageError(self.unknown_message(name))
        pending = self._pending[name]
        try:
            with plugin_code(f"{self.describe(name)} cannot be loaded"):
                self._load(name, pending)
        except PluginError as exc:  # a plugin's own bug, too: it must not take the built-ins down
            self._broken[name] = str(exc)
            raise
        return self._entries[name]

    def _load(self, name: str, pending: Pending) -> None:
        module_name, _, attribute = pending.target.partition(":")
        module = importlib.import_module(module_name)
        if name in self._entries:  # the module's decorator registered it
            return
        if not attribute:
            raise LookupError(f"importing {module_name} registered no {self.kind} {name!r}")
        entry = module
        for part in attribute.split("."):
            entry = getattr(entry, part)
        stated = getattr(entry, "name", name)
        if isinstance(stated, str) and stated != name:
            raise LookupError(f"{attribute} calls itself {stated!r}")
        self._pending.pop(name, None)
        self._entries[name] = entry

    def _read_plugins(self) -> None:
        if self._plugins_read:
            return
        self._plugins_read = True
        from importlib.metadata import entry_points

        try:
            points = list(entry_points(group=self.group))
        except Exception as exc:  # a malformed entry_points.txt of some installed package
            self._broken[f"({self.group})"] = f"the {self.group} entry points cannot be read: {_one_line(exc)}"
            return
        for point in points:
            plugin = (point.dist.name if point.dist is not None else None) or point.value.partition(":")[0]
            pending = Pending(point.value, plugin)
            if point.name in self._entries or point.name in self._pending:
                taken = "a built-in" if point.name in self._builtins else "another entry"
                self._broken.setdefault(
                    f"{point.name} ({plugin})",
                    f"{pending.describe(self.kind, point.name)} is ignored: {taken} has that name")
                continue
            self._pending[point.name] = pending
            self._plugin_of[point.name] = pending

    def unknown_message(self, name: str) -> str:
        message = f"Unknown {self.kind} {name!r}."
        close = difflib.get_close_matches(name, self.names(), n=3)
        if close:
            message += f" Did you mean {', '.join(repr(c) for c in close)}?"
        return message + f" Available: {', '.join(self.names())}."


def _same(old: object, new: object) -> bool:
    """The same class registered again (its module re-imported or reloaded)."""
    return old is new or (getattr(old, "__module__", None), getattr(old, "__qualname__", None)) == (
        getattr(new, "__module__", 1), getattr(new, "__qualname__", 1))


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
