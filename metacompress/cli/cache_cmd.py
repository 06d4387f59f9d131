"""``metacompress cache``: look into the prediction store, and prune it (``metacompress.store``)."""

from __future__ import annotations

import time

import click

from ..errors import UsageError
from ..store import PredictionStore, StoreInfo, default_path, prune_conditions

CACHE_OPTION_HELP = "Prediction store file (default: $XDG_CACHE_HOME/metacompress/predictions.sqlite)."
WHAT_TO_PRUNE = "cache prune: say what to remove: --model FINGERPRINT, --older-than DAYS, --stale or --all"


def _path(cache: str | None) -> str:
    return cache or str(default_path())


@click.group("cache", short_help="Show or prune the prediction store.")
def cache() -> None:
    """Show or prune the prediction store: the model outputs `run` saves so that a teacher is
    computed once and an interrupted run resumes."""


@cache.command("info")
@click.option("--cache", "cache_path", metavar="PATH", help=CACHE_OPTION_HELP)
def info(cache_path: str | None) -> None:
    """Size, and outputs per model (weight fingerprint, source, precision, device, last used)."""
    path = _path(cache_path)
    from pathlib import Path

    if not Path(path).exists():
        click.echo(f"{path}: no prediction store yet (nothing saved)")
        return
    with PredictionStore(path, create=False) as store:
        click.echo(render_info(store.info()), nl=False)


def render_info(info: StoreInfo) -> str:
    lines = [f"store: {info.path}", f"size: {_size(info.size_bytes)}",
             f"outputs: {info.entries} from {len(info.models)} model(s)"]
    stale = info.stale_models
    if stale:
        lines.append(f"stale: {sum(m.entries for m in stale)} output(s) from {len(stale)} model(s) computed by another "
                     "version of the inference code, never reused (`cache prune --stale` removes them)")
    for model in info.models:
        lines.append(f"  {model.weights[:19]}  {model.entries:>8} outputs  {model.precision}/{model.device}  "
                     f"last used {_when(model.last_used)}  {model.source or '(source not recorded)'}"
                     + ("  (stale)" if model.stale else ""))
    return "\n".join(lines) + "\n"


def _when(seconds: float) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds)) if seconds > 0 else "unknown"
    except (OverflowError, OSError, ValueError):
        return "unknown"


@cache.command("prune")
@click.option("--cache", "cache_path", metavar="PATH", help=CACHE_OPTION_HELP)
@click.option("--model", "model", metavar="FINGERPRINT",
              help="Remove the outputs of models whose weight fingerprint starts with this (as `cache info` shows it).")
@click.option("--older-than", "older_than", type=click.FloatRange(min=0), metavar="DAYS",
              help="Remove the outputs of models not used for this many days.")
@click.option("--stale", "stale", is_flag=True,
              help="Remove the outputs computed by another version of the inference code (never reused).")
@click.option("--all", "everything", is_flag=True, help="Remove every output.")
def prune(cache_path: str | None, model: str | None, older_than: float | None, stale: bool, everything: bool) -> None:
    """Remove outputs from the store; the conditions given must all hold."""
    if model is None and older_than is None and not stale and not everything:
        raise UsageError(WHAT_TO_PRUNE)
    prune_conditions(model, older_than, stale)  # an empty --model or --older-than nan fails before the store opens
    path = _path(cache_path)
    from pathlib import Path

    if not Path(path).exists():
        click.echo(f"{path}: no prediction store yet (nothing to prune)")
        return
    with PredictionStore(path, create=False) as store:
        models, outputs = store.prune(model=model, older_than_days=older_than, stale=stale, everything=everything)
        size = store.info().size_bytes
    click.echo(f"removed {outputs} output(s) of {models} model(s); {path} is now {_size(size)}")


def _size(count: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} B"
