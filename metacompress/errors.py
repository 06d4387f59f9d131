"""The errors metacompress raises on purpose, each with the exit code the CLI maps it to.

Exit codes are a contract that CI jobs script against (``EXIT_CODES``): 0 ok, 1 a ``--fail-on``
gate was breached, 2 usage, input or output error, 3 relation not applicable, 70 internal error
(a bug: please report it), 130 interrupted.
The CLI is the one place that turns these into messages and exit codes; library code raises them
and never prints.
"""

from __future__ import annotations

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_NOT_APPLICABLE = 0, 1, 2, 3
EXIT_INTERNAL = 70  # EX_SOFTWARE: an unexpected exception, i.e. a bug in metacompress
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

EXIT_CODES = {
    EXIT_OK: "ok (no --fail-on gate breached)",
    EXIT_GATE: "a --fail-on gate breached (the report is written)",
    EXIT_USAGE: "usage, input or output error (bad flag or setting, unusable data or model, unwritable --out)",
    EXIT_NOT_APPLICABLE: "relation not applicable (transform)",
    EXIT_INTERNAL: "internal error (a bug: please report it)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); nothing half-written is left behind",
}


class MetacompressError(Exception):
    """Base class: an expected failure with a one-line, user-facing message."""

    exit_code = 2


class UsageError(MetacompressError):
    """A flag, option or config value is wrong."""


class InputError(MetacompressError):
    """A data file, model path or code snippet given by the user is unusable."""


class OutputError(MetacompressError):
    """The report cannot be written (a full disk, a folder made read-only during the run)."""


class ModelLoadError(InputError):
    """A model folder, hub id or model spec cannot be loaded as described."""


class NotApplicable(MetacompressError):
    """A relation has no site where it can act on this input (not an error in the input)."""

    exit_code = 3

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class PluginWarning(UserWarning):
    """An installed plugin failed where it was not needed; the run goes on without it.

    The CLI prints it as one line, ``warning: message``."""


class GateBreached(MetacompressError):
    """At least one ``--fail-on`` condition holds; the report was written regardless."""

    exit_code = 1
