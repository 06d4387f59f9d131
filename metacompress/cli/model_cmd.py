"""``metacompress inspect`` and ``metacompress convert``: look at a model, or make a spec portable.

``inspect`` is what a user runs before an audit to check that the tool sees the model they
think it does (labels in the right order, the max length, which weights by fingerprint).
Library errors surface as one-line messages with exit code 2 through the CLI group.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click

MODEL_ROOT_HELP = "Folder a model spec's relative paths resolve against (default: the spec's root; env METACOMPRESS_MODEL_ROOT)."


@click.command()
@click.argument("model")
@click.option("--model-root", default=None, help=MODEL_ROOT_HELP)
@click.option("--trust-remote-code", is_flag=True, help="Allow Hugging Face models that ship their own code.")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Readable lines, or JSON for scripts.",
)  # fmt: skip
def inspect(model: str, model_root: str | None, trust_remote_code: bool, output_format: str) -> None:
    """Describe MODEL (a model spec .toml, a Hugging Face folder or a hub id).

    Prints its source, format, head, parameters, size on disk, architecture, label map, max
    length and weights fingerprint.
    """
    from ..models import load_model

    info = load_model(model, model_root=model_root, trust_remote_code=trust_remote_code).info
    if output_format == "json":
        click.echo(json.dumps(asdict(info), indent=2))
    else:
        click.echo(describe(asdict(info)))


def describe(info: dict[str, Any]) -> str:
    """The text view of ``inspect``: one ``name: value`` line per fact."""
    arch = info["architecture"]
    rows = [
        ("source", info["source"]),
        ("format", info["format"]),
        ("head", info["head"]),
        ("parameters", f"{info['num_parameters']:,}"),
        ("size", _size(info["size_bytes"])),
        ("architecture", _architecture(arch)),
        ("labels", ", ".join(f"{i}={name}" for i, name in enumerate(info["labels"]))),
        ("max length", f"{info['max_length']} tokens"),
        ("fingerprint", info["fingerprint"]),
    ]
    width = max(len(name) for name, _ in rows) + 1
    return "\n".join(f"{name + ':':<{width}} {value}" for name, value in rows)


def _size(size_bytes: int) -> str:
    if not size_bytes:
        return "unknown"
    return f"{size_bytes / 1e6:.1f} MB ({size_bytes:,} bytes)"


def _architecture(arch: dict[str, Any]) -> str:
    parts = [str(arch.get("model_type", "unknown"))]
    for key in ("layers", "hidden", "heads", "intermediate", "vocab"):
        if key in arch:
            parts.append(f"{key} {arch[key]}")
    return ", ".join(parts)


@click.command()
@click.argument("spec")
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--model-root", default=None, help=MODEL_ROOT_HELP)
@click.option("--overwrite", is_flag=True, help="Write into OUT_DIR even if it is not empty.")
def convert(spec: str, out_dir: str, model_root: str | None, overwrite: bool) -> None:
    """Convert the sequence classifier a model SPEC describes into a Hugging Face folder OUT_DIR.

    The folder loads with plain transformers (AutoModelForSequenceClassification, AutoTokenizer)
    and has the same weights fingerprint as the spec. Pair-concat clone heads cannot be converted.
    """
    from ..models.convert import convert_spec

    out = convert_spec(spec, out_dir, model_root=model_root, overwrite=overwrite)
    click.echo(f"wrote {out}")
