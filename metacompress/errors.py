"""The errors metacompress raises on purpose, each with the exit code the CLI maps it to.

Exit codes are a contract that CI jobs script against:
0 ok, 1 a ``--fail-on`` gate was breached, 2 usage or input error, 3 relation not applicable.
The CLI is the one place that turns these into messages and exit codes; library code raises them
and never prints.
"""

from __future__ import annotations


class MetacompressError(Exception):
    """Base class: an expected failure with a one-line, user-facing message."""

    exit_code = 2


class UsageError(MetacompressError):
    """A flag, option or config value is wrong."""


class InputError(MetacompressError):
    """A data file, model path or code snippet given by the user is unusable."""


class ModelLoadError(InputError):
    """A model folder, hub id or model spec cannot be loaded as described."""


class NotApplicable(MetacompressError):
    """A relation has no site where it can act on this input (not an error in the input)."""

    exit_code = 3

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class GateBreached(MetacompressError):
    """At least one ``--fail-on`` condition holds; the report was written regardless."""

    exit_code = 1
