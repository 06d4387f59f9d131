"""``--fail-on`` gates; they are part of judging and live in ``metacompress.metrics.gates``.

This module keeps the CLI's and users' imports working.
"""

from .metrics.gates import (
    ALL,
    ANY,
    BASELINE,
    OPERATORS,
    Gate,
    GateResult,
    breached,
    evaluate_gates,
    parse_gate,
    parse_gates,
    raise_if_breached,
)

__all__ = ["ALL", "ANY", "BASELINE", "OPERATORS", "Gate", "GateResult", "breached", "evaluate_gates",
           "parse_gate", "parse_gates", "raise_if_breached"]
