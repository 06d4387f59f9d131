"""``metacompress run``: parse flags (and an optional config file), call run_audit, print.

No logic of its own beyond turning flags into an AuditConfig: the audit lives in
``metacompress.audit`` so a notebook gets exactly what the command line gets.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError

PATH_KEYS = ("teacher", "student", "data", "out", "model_root")


def _load_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Read a TOML config into click's default_map, so flags on the command line override it."""
    if value is None:
        return None
    import tomllib

    path = Path(value)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--config {value}: does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"--config {value}: not valid TOML: {exc}") from None
    known = {p.name for p in ctx.command.params}
    defaults: dict[str, Any] = {}
    for key, item in raw.items():
        name = key.replace("-", "_")
        if name not in known or name == "config":
            raise UsageError(f"--config {value}: unknown key {key!r}")
        item = _config_value(ctx.command, name, key, item, value)
        if name in PATH_KEYS and isinstance(item, str) and item.startswith(("./", "../")):
            item = str((path.parent / item).resolve())
        defaults[name] = item
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


def _config_value(command: click.Command, name: str, key: str, item: Any, file: str) -> Any:
    """A config value checked against its option's type (TOML has ints, floats, bools and strings).

    A list option (fail-on, label-map, option) takes a list of strings or one string;
    ``relations`` takes a list or a comma-separated string.
    """
    param = next(p for p in command.params if p.name == name)

    def refuse(expected: str):
        return UsageError(f"--config {file}: {key} must be {expected}, not {item!r}")

    if name == "relations" or param.multiple:
        items = [item] if isinstance(item, str) else item
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise refuse("a string or a list of strings")
        return ",".join(items) if name == "relations" else items
    if isinstance(param, click.Option) and param.is_flag:
        if not isinstance(item, bool):
            raise refuse("true or false")
    elif isinstance(param.type, click.types.IntParamType):
        if not isinstance(item, int) or isinstance(item, bool):
            raise refuse("a whole number")
    elif isinstance(param.type, click.types.FloatParamType):
        if not isinstance(item, (int, float)) or isinstance(item, bool):
            raise refuse("a number")
    elif not isinstance(item, str):
        raise refuse("a string")
    return item


def _parse_label_map(values: tuple[str, ...]) -> dict[str, list[str]]:
    """``teacher=a,b`` or ``student=a,b`` for one model, plain ``a,b`` for both."""
    from ..labels import parse_label_list

    result: dict[str, list[str]] = {}
    for value in values:
        role, sep, names = value.partition("=")
        if not sep:
            result.update({r: parse_label_list(value) for r in ("teacher", "student")})
        elif role.strip() in ("teacher", "student"):
            result[role.strip()] = parse_label_list(names)
        else:
            raise UsageError(f"--label-map {value!r}: unknown role {role.strip()!r}; use teacher=NAMES or student=NAMES")
    return result


def _parse_relation_options(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for value in values:
        relation, colon, setting = value.partition(":")
        key, equals, option_value = setting.partition("=")
        if not (colon and equals and relation and key):
            raise UsageError(f"--option {value!r}: expected RELATION:KEY=VALUE, e.g. rename-identifiers:style=words")
        result.setdefault(relation, {})[key] = option_value
    return result


@click.command(context_settings={"show_default": True})
@click.option("--config", type=click.Path(dir_okay=False), callback=_load_config, is_eager=True, expose_value=False,
              help="TOML file with any of these options (keys as the long flag names); flags override it.")
@click.option("--teacher", required=True, help="Reference model: Hugging Face folder or hub id, or a model spec (.toml).")
@click.option("--student", required=True, help="Model under audit, in any of the same forms.")
@click.option("--task", required=True, help="clone-detection, vulnerability-prediction or code-classification.")
@click.option("--data", required=True, help="Data file, or a folder of data files.")
@click.option("--out", default=None, help="Report folder (default: runs/<task>-<time>).")
@click.option("--overwrite", is_flag=True, help="Replace a previous report in --out.")
@click.option("--relations", default=None, help="Comma-separated relation names (default: all for the language).")
@click.option("--language", default=None, help="Code language (default: the task's; required sense for code-classification).")
@click.option("--limit", type=int, default=None, help="Audit a seeded random sample of this many examples.")
@click.option("--seed", type=int, default=0, help="Seed for sampling, rewriting and bootstrap intervals.")
@click.option("--pair-side", type=click.Choice(["first", "second", "both"]), default="both",
              help="Clone detection: which function(s) of a pair relations rewrite.")
@click.option("--code-field", default=None, help="Code column (code-classification).")
@click.option("--label-field", default=None, help="Label column (code-classification); labels are optional.")
@click.option("--batch-size", type=int, default=32)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto")
@click.option("--precision", type=click.Choice(["fp32", "fp16", "bf16"]), default="fp32", help="fp16/bf16 need a GPU.")
@click.option("--js-threshold", type=float, default=0.1, help="Jensen-Shannon distance above which T(x') and S(x') differ.")
@click.option("--confidence", type=float, default=0.9, help="Confidence threshold tau for high-confidence preservation.")
@click.option("--ece-bins", type=int, default=10, help="Bins of the expected calibration error.")
@click.option("--bootstrap", type=int, default=1000, help="Bootstrap resamples for the 95% intervals (0: no intervals).")
@click.option("--fail-on", multiple=True, help="Gate, e.g. 'discrepancy_rate>0.10' or 'swap-if-else:student_flip_rate>0.05'.")
@click.option("--label-map", multiple=True, help="Output label names per index, e.g. 'student=vulnerable,not-vulnerable'.")
@click.option("--option", "relation_options", multiple=True, help="Relation option, e.g. rename-identifiers:style=words.")
@click.option("--model-root", default=None, help="Folder that model specs' relative paths resolve against.")
@click.option("--trust-remote-code", is_flag=True, help="Allow Hugging Face models that ship their own code.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def run(**options: Any) -> None:
    """Audit a student against its teacher with metamorphic relations.

    Every setting is checked before data or models load. The report is written to a temporary
    folder beside --out and moved into place when complete; --out is locked while a run uses it.

    \b
    Exit codes:
      0    no gate breached
      1    a --fail-on gate breached (the report is still written)
      2    usage, input or output error (one line on stderr)
      70   internal error (a bug: please report; traceback in a file, or with --debug)
      130  interrupted (nothing half-written is left)
    """
    from ..audit import AuditConfig, run_audit
    from ..gates import raise_if_breached
    from ..report import render_terminal

    relations = options.pop("relations")
    fail_on = options.pop("fail_on")
    quiet = options.pop("quiet")
    out = options.pop("out") or f"runs/{options['task']}-{time.strftime('%Y%m%d-%H%M%S')}"
    config = AuditConfig(
        **{k: v for k, v in options.items() if k not in ("label_map", "relation_options")},
        out=out,
        relations=None if relations is None else relations.split(","),
        fail_on=list(fail_on),
        label_map=_parse_label_map(tuple(options["label_map"])),
        relation_options=_parse_relation_options(tuple(options["relation_options"])),
        progress=not quiet,
        command=shlex.join(["metacompress", *sys.argv[1:]]),
    )
    result = run_audit(config)
    click.echo(render_terminal(result.report), nl=False)
    files = sorted(p.name for p in result.out_dir.iterdir() if p.is_file())
    click.echo(f"report: {result.out_dir} ({', '.join(files)})")
    raise_if_breached(result.gates)
