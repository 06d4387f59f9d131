"""``metacompress compare``: several audit or attack folders side by side (a thin layer over
metacompress.compare and metacompress.compare_attacks)."""

from __future__ import annotations

import click


@click.command()
@click.argument("report_dirs", nargs=-1, required=True, metavar="REPORT_DIR...")
@click.option("--metrics", default=None, help="Comma-separated metrics to compare (default: the flip, discrepancy "
                                              "and agreement metrics; for attacks: success rates and accuracy drop).")
@click.option("--out", default=None, help="Folder for compare.json, compare.md and compare.html (default: print only).")
@click.option("--overwrite", is_flag=True, help="Replace a previous comparison in --out.")
def compare(report_dirs: tuple[str, ...], metrics: str | None, out: str | None, overwrite: bool) -> None:
    """Compare audits of the same task and data: students side by side per relation and metric.

    Reports of different tasks, data, label names or thresholds are refused with the reason.
    Where two audits judged the same rewrites of the same inputs, each relation gets a paired
    exact McNemar test of the student-only flips.

    Folders of `metacompress attack` are compared too (never mixed with audits): per attacked
    model the success rate at each budget of the curves, the curves in one plot, and an exact
    McNemar test of per-input success between attacks of the same inputs.

    \b
    Exit codes: 0 compared, 2 a report cannot be read or the reports are not comparable.
    """
    from ..compare import compare_reports
    from ..config import OutputSettings
    from ..outdir import COMPARE_FILES, check_out
    from ..report.comparison import render_comparison_terminal
    from ..report.terminal import visible

    chosen = [m.strip() for m in metrics.split(",") if m.strip()] if metrics else None
    output = OutputSettings(out=out, overwrite=overwrite)
    if output.out is not None:  # before any report is read: a bad --out fails at once, not after the table
        check_out(output.out, output.overwrite, COMPARE_FILES)
    comparison = compare_reports(list(report_dirs), chosen)
    click.echo(visible(render_comparison_terminal(comparison), keep_newlines=True), nl=False)
    if output.out is not None:
        folder = write_comparison(comparison, output)
        click.echo(visible(f"comparison: {folder} (compare.html, compare.json, compare.md)"))


def write_comparison(comparison, output):
    """Write compare.json, .md and .html into ``output.out`` (``config.OutputSettings``, the setting
    run and attack share) atomically, holding its lock like run does."""
    from ..outdir import COMPARE_FILES, check_out, lock_out, publish
    from ..renderers import COMPARE, Document, render

    folder = check_out(output.out, output.overwrite, COMPARE_FILES)
    with lock_out(folder):
        check_out(output.out, output.overwrite, COMPARE_FILES)  # again: another run may have written it meanwhile
        publish(folder, lambda target: render(COMPARE, target, Document(comparison)))
    return folder
