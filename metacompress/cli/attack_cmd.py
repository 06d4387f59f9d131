"""``metacompress attack``: parse flags (and an optional config file), call run_attack, print.

The options are AttackConfig's fields: ``run``'s model, task, data, sampling and threshold
settings plus the attack's own; every value is checked by ``AttackConfig.validate``. The
fields attack does not use (``--format``, ``--quiet``) are not offered, so neither a flag nor a
config file key can set them.
"""

from __future__ import annotations

import time
from typing import Any

import click

from ..attack.config import AttackConfig
from .options import command_line, config_file_option, config_from_values, field_options, run_engine

ATTACK_HELP = """Search semantics-preserving rewrites that flip a model or split teacher and student.

Every setting is checked before data or models load. The report (report.json, report.md, report.html,
adversarial.jsonl) is written to a temporary folder beside --out and moved into place.

\b
Exit codes:
  0    no gate breached
  1    a --fail-on gate breached (the report is still written)
  2    usage, input or output error (one line on stderr)
  70   internal error (a bug: please report; traceback in a file, or with --debug)
  130  interrupted (nothing half-written is left)
"""


def attack(**values: Any) -> None:
    from ..attack import run_attack
    from ..attack.render import render_terminal

    out = values.pop("out") or f"runs/attack-{values['task']}-{time.strftime('%Y%m%d-%H%M%S')}"
    config = config_from_values(AttackConfig, values, out=out, command=command_line())
    run_engine(run_attack, config, render_terminal)


attack_command = click.Command(
    "attack",
    callback=attack,
    params=[config_file_option(), *field_options(AttackConfig)],
    help=ATTACK_HELP,
    short_help="Search semantics-preserving rewrites that flip a model or split teacher and student.",
    context_settings={"show_default": True},
)
