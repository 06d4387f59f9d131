"""Click options derived from a settings dataclass, and a TOML config file that fills them in.

Every field of the dataclass becomes one option: its name gives the flag (``pair_side`` ->
``--pair-side``), its type the click type (``bool`` a flag, ``list``/``dict`` a repeatable option),
its default the default, and its ``metadata`` the rest (help, choices, parsing; see
``metacompress.config``). Checking values is left to the dataclass (``AuditConfig.validate``), so
the command line accepts exactly what the library accepts and says so with the library's message.

    params = field_options(AuditConfig, only=("teacher", "student", "task", "data"))
    config = config_from_values(AuditConfig, ctx.params)
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, Callable, Iterable

import click

from ..errors import UsageError


class FieldOption(click.Option):
    """An option made from a dataclass field; its help is completed only when shown.

    Listing the registries' names (tasks, languages) therefore costs nothing until ``--help``.
    """

    def __init__(self, decls: list[str], *, field: dataclasses.Field, kind: str, **kwargs: Any):
        super().__init__(decls, **kwargs)
        self.field = field
        self.kind = kind  # flag, int, float, str, comma (one a,b,c string), repeat (repeatable)

    def meta(self, key: str, default: Any = None) -> Any:
        return self.field.metadata.get(key, default)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = field_help(self.field)
        return super().get_help_record(ctx)


def field_help(field: dataclasses.Field) -> str:
    """The field's help text with its accepted values (computed when asked for)."""
    text = field.metadata.get("help", "")
    text = text() if callable(text) else text
    choices = field.metadata.get("choices")
    if choices:
        text = f"{text} One of: {', '.join(choices())}.".strip()
    return text


def field_options(cls: type, only: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> list[FieldOption]:
    """One option per field of ``cls`` (in field order), or per field named in ``only``."""
    hints = typing.get_type_hints(cls)
    wanted = None if only is None else set(only)
    options = []
    for field in dataclasses.fields(cls):
        if field.metadata.get("cli", True) is False or field.name in exclude:
            continue
        if wanted is None or field.name in wanted:
            options.append(field_option(field, hints[field.name]))
    return options


def field_option(field: dataclasses.Field, hint: Any) -> FieldOption:
    meta = field.metadata
    flag = meta.get("flag") or "--" + field.name.replace("_", "-")
    kind = _kind(hint, meta)
    required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    kwargs: dict[str, Any] = {"required": required, "metavar": meta.get("metavar")}
    if kind == "flag":
        negate = bool(meta.get("negate"))
        kwargs.update(is_flag=True, flag_value=not negate, default=field.default, show_default=False)
    elif kind == "repeat":
        kwargs.update(multiple=True)
    else:
        kwargs.update(type={"int": int, "float": float}.get(kind, str))
        if not required:
            kwargs.update(default=_default(field, kind))
    return FieldOption([flag, field.name], field=field, kind=kind, **kwargs)


def _default(field: dataclasses.Field, kind: str) -> Any:
    """The field's default as the option shows it: a comma list joined (``json,csv``)."""
    if field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
        return ",".join(value) if kind == "comma" and isinstance(value, list) else value
    return field.default


def _kind(hint: Any, meta: typing.Mapping[str, Any]) -> str:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    origin = typing.get_origin(hint) or hint
    if origin in (list, dict):
        return "comma" if meta.get("comma") else "repeat"
    return {bool: "flag", int: "int", float: "float"}.get(origin, "str")


def config_from_values(cls: type, values: dict[str, Any], **fixed: Any) -> Any:
    """An instance of ``cls`` from click's values (keyed by field name), each parsed as its field says."""
    settings: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name not in values:
            continue
        value = values[field.name]
        parse: Callable[[Any], Any] | None = field.metadata.get("parse")
        if parse is not None:
            value = parse(value)
        elif isinstance(value, tuple):
            value = list(value)
        settings[field.name] = value
    return cls(**{**settings, **fixed})


# ---- the --config file ------------------------------------------------------------------------


def config_file_option() -> click.Option:
    """``--config FILE``: a TOML file whose keys fill in the command's field options (flags win)."""
    return click.Option(
        ["--config"], type=click.Path(dir_okay=False), callback=_load_config, is_eager=True, expose_value=False,
        help="TOML file with any of these options (keys as the long flag names; a [task-options] table); "
             "flags override it.",
    )


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
    keys = config_keys(ctx.command)
    defaults: dict[str, Any] = {}
    for key, item in raw.items():
        option = keys.get(key.replace("_", "-"))
        if option is None:
            raise UsageError(f"--config {value}: unknown key {key!r}")
        item = config_value(option, key, item, value)
        if option.meta("path") and isinstance(item, str) and item.startswith(("./", "../")):
            item = str((path.parent / item).resolve())
        defaults[option.name] = item
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


def config_keys(command: click.Command) -> dict[str, FieldOption]:
    """Config-file key -> option: the long flag's name (``pair-side``, ``option``, ``quiet``) and
    the field's name (``relation-options``, ``progress``); underscores are read as hyphens."""
    keys: dict[str, FieldOption] = {}
    for param in command.params:
        if isinstance(param, FieldOption):
            keys[param.field.name.replace("_", "-")] = param
            keys.update({flag.lstrip("-"): param for flag in param.opts if flag.startswith("--")})
    return keys


def config_value(option: FieldOption, key: str, item: Any, file: str) -> Any:
    """A config value checked against its option's type, as click's default for it.

    TOML has ints, floats, bools, strings, lists and tables. A repeatable option takes a list of
    strings or one string (a ``table`` field also a table of key = value); a comma option takes
    a list or a comma-separated string; a negated flag (``quiet``) is stored as its field's value.
    """

    def refuse(expected: str):
        return UsageError(f"--config {file}: {key} must be {expected}, not {item!r}")

    if option.meta("table") and isinstance(item, dict):
        return [f"{name}={_table_value(v, refuse)}" for name, v in item.items()]
    if option.kind in ("repeat", "comma"):
        items = [item] if isinstance(item, str) else item
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise refuse("a table of key = value" if option.meta("table") else "a string or a list of strings")
        return ",".join(items) if option.kind == "comma" else items
    if option.kind == "flag":
        if not isinstance(item, bool):
            raise refuse("true or false")
        named_by_flag = "--" + key.replace("_", "-") in option.opts
        return not item if option.meta("negate") and named_by_flag else item  # quiet = true: progress False
    if option.kind == "int" and (not isinstance(item, int) or isinstance(item, bool)):
        raise refuse("a whole number")
    if option.kind == "float" and (not isinstance(item, (int, float)) or isinstance(item, bool)):
        raise refuse("a number")
    if option.kind == "str" and not isinstance(item, str):
        raise refuse("a string")
    return item


def _table_value(value: Any, refuse: Callable[[str], UsageError]) -> str:
    """A table entry as text: a string, or a list of strings joined by commas (label_names)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    raise refuse("a table of key = string (or list of strings)")


def command_line() -> str:
    """The command as typed, for report.json's provenance."""
    import shlex
    import sys

    return shlex.join(["metacompress", *sys.argv[1:]])


def run_engine(engine: Callable[[Any], Any], config: Any, render: Callable[[Any], str]) -> None:
    """What ``run`` and ``attack`` do once their config is built: ``engine(config)`` (run_audit,
    run_attack), then on the main process the terminal summary ``render(report)``, the files
    written, and exit code 1 when a --fail-on gate was breached. On Ctrl-C, say where the
    outputs computed so far are and how to resume; on a process of a sharded run that stops
    because another failed, exit with that code quietly (the main process prints the error)."""
    from ..distributed import StoppedElsewhere

    try:
        result = engine(config)
    except KeyboardInterrupt:
        if not config.no_cache:
            from ..store import default_path

            click.echo(f"metacompress: the outputs computed so far are saved in {config.cache or default_path()}; "
                       "run the same command again to resume from them", err=True)
        raise
    except StoppedElsewhere as exc:
        raise click.exceptions.Exit(exc.exit_code) from None
    if result.report is None:  # not the main process of an accelerate launch: it prints
        return
    echo_written(render(result.report), result.out_dir, result.gates)


def echo_written(summary: str, out_dir, gates) -> None:
    """The terminal summary, the files written, and exit code 1 when a --fail-on gate was breached."""
    import click

    from ..gates import raise_if_breached
    from ..report.terminal import visible

    click.echo(visible(summary, keep_newlines=True), nl=False)  # no control character from the data
    files = sorted(p.name for p in out_dir.iterdir() if p.is_file())
    click.echo(visible(f"report: {out_dir} ({', '.join(files)})"))
    raise_if_breached(gates)
