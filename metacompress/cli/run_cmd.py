"""``metacompress run``: parse flags (and an optional config file), call run_audit, print.

No logic of its own beyond turning flags into an AuditConfig: the audit lives in
``metacompress.audit`` so a notebook gets exactly what the command line gets. The options are
AuditConfig's fields (``metacompress.cli.options``), so a new setting is a new flag, and every
value is checked by ``AuditConfig.validate``, the same check a library call gets.
"""

from __future__ import annotations

import time
from typing import Any

import click

from ..config import AuditConfig
from .options import command_line, config_file_option, config_from_values, field_options, run_engine

RUN_HELP = """Audit a student against its teacher with metamorphic relations.

Every setting is checked before data or models load. The report is written to a temporary
folder beside --out and moved into place when complete; --out is locked while a run uses it.

\b
Exit codes:
  0    no gate breached
  1    a --fail-on gate breached (the report is still written)
  2    usage, input or output error (one line on stderr)
  70   internal error (a bug: please report; traceback in a file, or with --debug)
  130  interrupted (nothing half-written is left)

Model outputs are saved in the prediction store (--cache) as batches finish: after an
interruption (Ctrl-C, a killed job) the same command resumes where it stopped.
"""


def audit(**values: Any) -> None:
    from ..audit import run_audit
    from ..report import render_terminal

    out = values.pop("out") or f"runs/{values['task']}-{time.strftime('%Y%m%d-%H%M%S')}"
    config = config_from_values(AuditConfig, values, out=out, command=command_line())
    run_engine(run_audit, config, render_terminal)


run = click.Command(
    "run",
    callback=audit,
    params=[config_file_option(), *field_options(AuditConfig)],
    help=RUN_HELP,
    short_help="Audit a student against its teacher with metamorphic relations.",
    context_settings={"show_default": True},
)
