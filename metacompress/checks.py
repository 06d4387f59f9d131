"""Checks of one setting's value, shared by the settings (config.py) and the tasks' options."""

from __future__ import annotations

from typing import Any

from .errors import UsageError


def is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_whole_number(flag: str, value: Any, least: int) -> None:
    """UsageError unless ``value`` is a whole number of at least ``least``."""
    if not is_whole_number(value):
        raise UsageError(f"{flag} must be a whole number, not {value!r}")
    if value < least:
        raise UsageError(f"{flag} must be at least {least}, not {value}")
