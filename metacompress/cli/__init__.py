"""The ``metacompress`` command: a thin click layer over the library.

Subcommands are imported only when invoked, so ``metacompress --help`` and ``transform`` never
pay for torch. This module is the one place where errors become messages and exit codes
(``metacompress.errors.EXIT_CODES``): library errors keep their own code, Ctrl-C exits 130 and
any other exception is an internal error (70) whose traceback goes to a file, or to the
terminal with ``--debug`` or ``METACOMPRESS_DEBUG=1``. click's own usage errors (an unknown
option, a bad choice, a missing argument) are one line too, and a plugin's ``PluginWarning`` is
printed as one ``warning:`` line.
"""

from __future__ import annotations

import importlib
import os
import tempfile
import time
import traceback
import warnings

import click

from .. import __version__
from ..errors import EXIT_CODES, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, MetacompressError, PluginWarning
from ..printable import visible

DEBUG_VARIABLE = "METACOMPRESS_DEBUG"

SUBCOMMANDS = {
    "run": ("metacompress.cli.run_cmd:run", "Audit a student against its teacher with metamorphic relations."),
    "attack": ("metacompress.cli.attack_cmd:attack_command",
               "Search semantics-preserving rewrites that flip a model or split teacher and student."),
    "compare": ("metacompress.cli.compare_cmd:compare", "Compare audits of the same task and data side by side."),
    "relations": ("metacompress.cli.relations_cmd:relations", "List the relations and the languages each supports."),
    "transform": ("metacompress.cli.relations_cmd:transform", "Rewrite code with one relation (one snippet or a JSONL batch)."),
    "inspect": ("metacompress.cli.model_cmd:inspect", "Describe a model: size, labels, max length, fingerprint."),
    "convert": ("metacompress.cli.model_cmd:convert", "Convert a model spec checkpoint into a Hugging Face folder."),
    "cache": ("metacompress.cli.cache_cmd:cache", "Show or prune the prediction store (saved model outputs)."),
}


class ReportedError(click.ClickException):
    """A library error shown as ``Error: message`` with the error's own exit code."""

    def __init__(self, error: MetacompressError):
        super().__init__(visible(str(error)))
        self.exit_code = error.exit_code


# ``metacompress`` or ``metacompress cache`` alone shows the help (click >= 8.2 raises this for it).
HELP_NOT_ERROR = getattr(click.exceptions, "NoArgsIsHelpError", ())


class OneLineUsageError(click.ClickException):
    """click's usage error in one line: ``Error: metacompress run: No such option '--bogus' (see ...)``."""

    exit_code = EXIT_USAGE

    def __init__(self, error: click.UsageError):
        path = error.ctx.command_path if error.ctx is not None else "metacompress"
        message = " ".join(error.format_message().split()).rstrip(".")
        super().__init__(visible(f"{path}: {message} (see '{path} --help')"))


class LazyGroup(click.Group):
    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except HELP_NOT_ERROR:
            raise
        except click.UsageError as exc:  # ``metacompress --bogus``
            raise OneLineUsageError(exc) from None

    def invoke(self, ctx: click.Context):
        with warnings.catch_warnings():
            warnings.showwarning = _show_plugin_warnings_in_one_line(warnings.showwarning)
            return self._invoke_reporting_errors(ctx)

    def _invoke_reporting_errors(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MetacompressError as exc:
            raise ReportedError(exc) from None
        except HELP_NOT_ERROR:
            raise
        except click.UsageError as exc:
            raise OneLineUsageError(exc) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("metacompress: interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except (Exception, SystemExit) as exc:  # metacompress never calls sys.exit: plugin code did
            if ctx.params.get("debug") or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0"):
                raise
            click.echo(f"Error: internal error: {visible(_one_line(exc))} (please report; traceback in "
                       f"{_save_traceback()} or rerun with --debug)", err=True)
            raise click.exceptions.Exit(EXIT_INTERNAL) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in SUBCOMMANDS:
            return None
        module_name, _, attribute = SUBCOMMANDS[name][0].partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help comes from the table above, so listing commands imports none of them.
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_text) for name, (_, help_text) in SUBCOMMANDS.items()])


def _show_plugin_warnings_in_one_line(show_others):
    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, PluginWarning):
            click.echo(f"warning: {visible(message)}", err=True)
        else:
            show_others(message, category, filename, lineno, file, line)
    return show


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"sys.exit({exc.code!r}) was called"
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _save_traceback() -> str:
    """Write the current exception's traceback to a file; its path (or a hint when that fails)."""
    name = f"metacompress-traceback-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    path = os.path.join(tempfile.gettempdir(), name)
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(traceback.format_exc())
    except OSError:
        return "(could not be saved)"
    return path


def exit_codes_help() -> str:
    return "\n".join(f"{code:>4}  {meaning}" for code, meaning in EXIT_CODES.items())


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="\b\nExit codes:\n" + exit_codes_help())
@click.version_option(__version__, prog_name="metacompress")
@click.option("--debug", is_flag=True, help=f"Show the traceback of an internal error (also {DEBUG_VARIABLE}=1).")
def cli(debug: bool) -> None:
    """Metamorphic testing of distilled language models of code.

    Rewrites code with semantics-preserving transformations, runs a teacher and its distilled
    student on the original and rewritten code, and reports per relation where the student
    stops behaving like the teacher.
    """


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="metacompress")
