"""``metacompress relations`` and ``metacompress transform``: list relations, rewrite code.

``transform`` works on one snippet (a file or stdin, printed back or as a unified diff) or on a
JSONL batch, where every line gets its own verdict and a bad line never stops the batch (the
engine is ``metacompress.batch``; this module reads and writes the files); the batch output is
written to a temporary file that replaces the output only when complete. Exit
codes of the single-snippet mode: 0 applied, 3 not applicable, 2 bad input or usage.

This module imports the relations (tree-sitter) and nothing heavier: never torch.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from ..batch import BatchCounts, transform_batch, transform_record
from ..errors import InputError, NotApplicable, UsageError
from ..printable import visible
from ..registry import PluginError
from ..relations import LANGUAGES, RELATIONS, Relation
from ..code.parsing import decode_code

SUFFIXES = {".java": "java", ".c": "c", ".h": "c", ".py": "python"}


@click.command()
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="A readable table, or JSON for scripts.",
)  # fmt: skip
def relations(output_format: str) -> None:
    """List the relations, the languages each supports, and why a language is unsupported."""
    described = [describe_relation(name) for name in RELATIONS.names()]
    if output_format == "json":
        click.echo(json.dumps(described, indent=2))
    else:
        click.echo(relations_table(described))
    for problem in RELATIONS.problems().values():  # broken or clashing plugins, one line each
        click.echo(f"warning: {visible(problem)}", err=True)


def describe_relation(name: str) -> dict[str, Any]:
    """One relation as data: the JSON rows and the table are both views of this."""
    try:
        relation = RELATIONS.get(name)
    except PluginError as exc:  # a broken plugin must not hide the other relations
        reason = str(exc)
        return {
            "name": name, "summary": "", "options": {}, "example": None,
            "languages": {lang: {"supported": False, "reason": reason} for lang in LANGUAGES},
        }  # fmt: skip
    languages = {
        lang: {"supported": True, "reason": ""}
        if lang in relation.languages
        else {"supported": False, "reason": relation.unsupported.get(lang, "not implemented for this language")}
        for lang in LANGUAGES
    }
    before, after = relation.example
    return {
        "name": name,
        "summary": relation.summary,
        "languages": languages,
        "options": {key: list(values) for key, values in relation.options.items()},
        "example": {"before": before, "after": after} if before else None,
    }


def relations_table(described: list[dict[str, Any]]) -> str:
    header = ["relation", *LANGUAGES, "summary"]
    rows = [
        [d["name"], *("yes" if d["languages"][lang]["supported"] else "no" for lang in LANGUAGES), d["summary"]]
        for d in described
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in [header, *rows]]
    notes = [note for d in described for note in unsupported_notes(d)]
    options = [
        f"  {d['name']}: " + "; ".join(f"{key} = {' | '.join(values)}" for key, values in d["options"].items())
        for d in described
        if d["options"]
    ]
    if notes:
        lines += ["", "Unsupported:", *notes]
    if options:
        lines += ["", "Options (first is the default; pass --option KEY=VALUE):", *options]
    return "\n".join(line.rstrip() for line in lines)


def unsupported_notes(described: dict[str, Any]) -> list[str]:
    missing = {lang: info["reason"] for lang, info in described["languages"].items() if not info["supported"]}
    if len(missing) == len(LANGUAGES) and len(set(missing.values())) == 1:
        return [f"  {described['name']} (all languages): {missing[LANGUAGES[0]]}"]
    return [f"  {described['name']} ({lang}): {reason}" for lang, reason in missing.items()]


@click.command()
@click.argument("source", required=False, metavar="[FILE|-]")
@click.option("--language", "-l", type=click.Choice(LANGUAGES), help="Language of the code (default: from FILE's suffix).")
@click.option("--relation", "-r", "relation_name", required=True, help="Relation to apply (see `metacompress relations`).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed that picks the sites and names.")
@click.option("--style", help="Naming style, for relations that take one (same as --option style=S).")
@click.option("--option", "-o", "raw_options", multiple=True, metavar="KEY=VALUE", help="A relation option; repeatable.")
@click.option("--diff", "as_diff", is_flag=True, help="Print a unified diff instead of the rewritten code.")
@click.option("--input", "input_path", type=click.Path(path_type=Path), help="Batch mode: a JSONL file (or - for stdin), one record a line.")
@click.option("--field", default="code", show_default=True, help="Batch mode: the field holding the code.")
@click.option("--output", "output_path", default="-", show_default=True, help="Batch mode: where the JSONL goes.")
def transform(
    source: str | None,
    language: str | None,
    relation_name: str,
    seed: int,
    style: str | None,
    raw_options: tuple[str, ...],
    as_diff: bool,
    input_path: Path | None,
    field: str,
    output_path: str,
) -> None:
    """Rewrite code with one relation.

    One snippet: FILE (or stdin) is rewritten and printed; exit 0 when the relation applied, 3
    when it is not applicable (the reason goes to stderr), 2 for unusable input.

    Batch: --input in.jsonl --field code --output out.jsonl copies every record, adding
    `transformed` (null unless applied), `applied`, `relation` and `reason`; one output line per
    input line, in order.
    A bad line gets its own output line saying what is wrong; a summary goes to stderr.
    The output file is replaced only once the whole batch is written, and may not be the input.
    """
    options = parse_options(raw_options, style)
    if input_path is not None:
        if source is not None or as_diff:
            raise UsageError("--input (batch mode) takes no FILE argument and no --diff")
        if language is None:
            raise UsageError("--language is required with --input")
        relation = checked_relation(relation_name, language, options)
        run_batch(relation, language, seed, options, input_path, field, output_path)
        return
    if field != "code" or output_path != "-":
        raise UsageError("--field and --output are for batch mode: add --input FILE.jsonl")
    language = language or language_of(source)
    relation = checked_relation(relation_name, language, options)
    origin, data = read_source(source)
    text = decode_code(data, origin)
    rewrite = relation.apply(text, language, seed=seed, **options)
    if not rewrite.applied:
        raise NotApplicable(f"{relation.name} is not applicable to {origin}: {rewrite.reason}")
    click.echo(unified_diff(text, rewrite.code, origin) if as_diff else rewrite.code, nl=False)


def parse_options(raw_options: tuple[str, ...], style: str | None) -> dict[str, str]:
    options: dict[str, str] = {}
    for raw in raw_options:
        key, sep, value = raw.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--option {raw!r}: expected KEY=VALUE")
        options[key.strip()] = value.strip()
    if style is not None:
        if options.get("style", style) != style:
            raise UsageError(f"--style {style} contradicts --option style={options['style']}")
        options["style"] = style
    return options


def checked_relation(name: str, language: str, options: dict[str, str]) -> Relation:
    """The relation, after checking up front what would make every input fail the same way."""
    relation = RELATIONS.get(name)()
    relation.check_language(language)
    relation.check_options(options)  # the relation validates its own options (compose takes names)
    return relation


def language_of(source: str | None) -> str:
    language = SUFFIXES.get(Path(source).suffix.lower()) if source and source != "-" else None
    if language is None:
        raise UsageError(f"cannot tell the language of {source or 'stdin'}: pass --language ({'|'.join(LANGUAGES)})")
    return language


def read_source(source: str | None) -> tuple[str, bytes]:
    if source is None or source == "-":
        with click.open_file("-", "rb") as stdin:
            return "<stdin>", stdin.read()
    path = Path(source)
    if not path.exists():
        raise InputError(f"{source}: no such file")
    if path.is_dir():
        raise InputError(f"{source}: is a directory, not a source file")
    try:
        return source, path.read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot be read ({exc.strerror})") from None


def unified_diff(before: str, after: str, origin: str) -> str:
    name = "stdin" if origin == "<stdin>" else origin.lstrip("/")
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def run_batch(
    relation: Relation, language: str, seed: int, options: dict[str, str], input_path: Path, field: str, output_path: str
) -> None:
    """The batch engine (``metacompress.batch``) between the input and output files."""
    counts = BatchCounts()
    with open_input(input_path) as source:
        refuse_same_file(input_path, output_path)
        with open_output(output_path) as sink:
            for done in transform_batch(source, relation, language, seed, options, field):
                counts.add(done.verdict)
                sink.write(done.line)
    click.echo(counts.summary(output_path), err=True)


def refuse_same_file(input_path: Path, output_path: str) -> None:
    """Writing the output over the input would lose the input: a usage error."""
    if str(input_path) == "-" or output_path == "-":
        return
    output = Path(output_path)
    try:
        same = os.path.samefile(input_path, output) if output.exists() else input_path.resolve() == output.resolve()
    except OSError:
        return  # cannot be the same file if it cannot be looked at; writing will say what is wrong
    if same:
        raise UsageError(f"--output {output_path} is the same file as --input {input_path}: write the result elsewhere")


def open_input(input_path: Path) -> IO[bytes]:
    """The JSONL input as bytes (so each line's encoding is checked on its own); "-" is stdin."""
    if str(input_path) != "-":
        if not input_path.exists():
            raise InputError(f"{input_path}: no such file")
        if input_path.is_dir():
            raise InputError(f"{input_path}: is a directory, not a JSONL file")
    try:
        return click.open_file(str(input_path), "rb")
    except OSError as exc:
        raise InputError(f"{input_path}: cannot be read ({exc.strerror})") from None


@contextlib.contextmanager
def open_output(output_path: str) -> Iterator[IO[str]]:
    """stdout for "-"; otherwise a temporary file beside the output (its folder created, as
    `run --out` does) that replaces the output only once every line is written, so an error
    or Ctrl-C never leaves a half-written file and an existing one stays as it was."""
    if output_path == "-":
        with click.open_file("-", "w", encoding="utf-8") as stdout:  # stays open: click keeps stdout
            yield stdout
        return
    target = Path(output_path)
    if target.is_dir():
        raise InputError(f"{output_path}: is a directory, not a file to write")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
        )
    except OSError as exc:
        raise InputError(f"{output_path}: cannot be written ({exc.strerror})") from None
    try:
        with partial:
            yield partial
        os.chmod(partial.name, _file_mode(target))
        os.replace(partial.name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(partial.name)
        if isinstance(exc, OSError):
            raise InputError(f"{output_path}: cannot be written ({exc.strerror})") from None
        raise


def _file_mode(target: Path) -> int:
    """The mode the output would have had if written in place (temporary files are private)."""
    if target.exists():
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


__all__ = ["relations", "transform", "describe_relation", "transform_record"]
