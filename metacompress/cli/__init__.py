"""The ``metacompress`` command: a thin click layer over the library.

Subcommands are imported only when invoked, so ``metacompress --help`` and ``transform`` never
pay for torch. This module is the one place where library errors become messages and exit codes
(0 ok, 1 gate breached, 2 usage or input error, 3 relation not applicable).
"""

from __future__ import annotations

import importlib

import click

from .. import __version__
from ..errors import MetacompressError

SUBCOMMANDS = {
    "run": ("metacompress.cli.run_cmd:run", "Audit a student against its teacher with metamorphic relations."),
    "relations": ("metacompress.cli.relations_cmd:relations", "List the relations and the languages each supports."),
    "transform": ("metacompress.cli.relations_cmd:transform", "Rewrite code with one relation (one snippet or a JSONL batch)."),
    "inspect": ("metacompress.cli.model_cmd:inspect", "Describe a model: size, labels, max length, fingerprint."),
    "convert": ("metacompress.cli.model_cmd:convert", "Convert a model spec checkpoint into a Hugging Face folder."),
}


class ReportedError(click.ClickException):
    """A library error shown as ``Error: message`` with the error's own exit code."""

    def __init__(self, error: MetacompressError):
        super().__init__(str(error))
        self.exit_code = error.exit_code


class LazyGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MetacompressError as exc:
            raise ReportedError(exc) from None

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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="metacompress")
def cli() -> None:
    """Metamorphic testing of distilled language models of code.

    Rewrites code with semantics-preserving transformations, runs a teacher and its distilled
    student on the original and rewritten code, and reports per relation where the student
    stops behaving like the teacher.
    """


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="metacompress")
