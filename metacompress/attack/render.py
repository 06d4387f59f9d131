"""report.md and the terminal table of an attack (from report.json's document)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..report.escape import MARKDOWN_LIMIT, Section, cap_sections, md_text
from ..report.terminal import visible
from .figures import ADVERSARIAL, RELATION_METRICS, edit_size_table, row_figures


def _table_figures() -> list[str]:
    """The registered row figures of the attack table (the adversarial relations have their own)."""
    return [m for m in row_figures() if not m.startswith(ADVERSARIAL)]


def _shown(attacks: dict[str, Any]) -> list[str]:
    """The figures of the attack table: the registered row figures some attack has, in registration
    order, then any other figure the report holds."""
    present = [m for a in attacks.values() for m in a["metrics"]]
    registered = _table_figures()
    others = [m for m in dict.fromkeys(present) if m not in registered and not m.startswith(ADVERSARIAL)]
    return [m for m in registered if m in present] + others


def _value(metric: dict[str, Any] | None) -> str:
    if metric is None:
        return ""
    if metric["value"] is None:
        return "-"
    text = f"{metric['value']:.4g}"
    if metric.get("ci95"):
        low, high = metric["ci95"]
        text += f" [{low:.3g}, {high:.3g}]"
    if metric.get("count") is not None:
        text += f" ({metric['count']}/{metric['n']})"
    return text


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(md_text(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(report: Any) -> str:
    doc = report.data
    run, attacks = doc["run"], doc["attacks"]
    config = run["config"]
    t = md_text
    lines = [f"# metacompress attack: {t(run['task'])}", "",
             f"- objective <code>{t(config['objective'])}</code>, recipe <code>{t(config.get('recipe', 'default'))}</code>, "
             f"strategy <code>{t(config['strategy'])}</code>, "
             f"budget {t(config['budget'])} queries per input and model, success against "
             f"{t(config['success_against'])}, seed {t(config['seed'])}",
             f"- teacher <code>{t(config['teacher'])}</code>, student <code>{t(config['student'])}</code>",
             f"- data <code>{t(config['data'])}</code>: {run['data']['examples_attacked']} inputs attacked "
             f"({run['data']['inputs_with_substitutes']} with precomputed substitutes)", ""]
    for sentence in doc["headline"]["summary"]:
        lines.append(f"- {md_text(sentence, 500)}")
    names = list(attacks)
    lines += ["", "## Attacks", "", "Values with 95% intervals (inputs resampled) and (count/n).", ""]
    rows = [[m] + [_value(attacks[a]["metrics"].get(m)) for a in names] for m in _shown(attacks)]
    lines += _table(["metric", *names], rows)
    lines += ["", "### Inputs", ""]
    totals = [t for t in ("queries", "violations") if any(t in attacks[a]["counts"] for a in names)]
    statuses = sorted({s for a in names for s in attacks[a]["counts"]} - set(totals))
    lines += _table(["inputs by status", *names],
                    [[s] + [str(attacks[a]["counts"].get(s, 0)) for a in names] for s in statuses])
    lines += ["", "Queries spent (distinct candidates per model) and, for a hunt, the violating rewrites it found:", ""]
    lines += _table(["total", *names], [[t] + [str(attacks[a]["counts"].get(t, "")) for a in names] for t in totals])
    lines += _edit_size_markdown(attacks)
    random = doc["random_rewrites"]
    lines += ["", "## Teacher-student relations: adversarial inputs vs random rewrites", "",
              f"Random rewrites: every relation once per input with the run's seed ({random['rewrites']} rewrites).", ""]
    header = ["relation", *(f"adversarial ({a})" for a in names), "random rewrites"]
    rows = [[m] + [_value(attacks[a]["metrics"].get(ADVERSARIAL + m)) for a in names]
            + [_value(random["metrics"].get(m))] for m in RELATION_METRICS if m in random["metrics"]]
    lines += _table(header, rows)
    lines += _constraints_markdown(report)
    lines += _skipped_markdown(doc)
    if doc["gates"]:
        lines += ["", "## Gates", ""]
        lines += _table(["condition", "row", "value", "status"],
                        [[g["condition"], g["relation"], "-" if g["value"] is None else f"{g['value']:.4g}", g["status"]]
                         for g in doc["gates"]])
    return cap_sections([Section("\n".join(lines))], "", MARKDOWN_LIMIT, closing="\n")


def write_attack_markdown(folder: Path, document: Any) -> list[Path]:
    path = folder / "report.md"
    path.write_text(render_markdown(document.report), encoding="utf-8")
    return [path]


def render_terminal(report: Any) -> str:
    doc = report.data
    attacks = doc["attacks"]
    names = list(attacks)
    shown = _shown(attacks)
    width = max(len(visible(m)) for m in (*_table_figures(), *shown)) + 2
    lines = ["attack".ljust(width) + "".join(visible(n).ljust(34) for n in names)]
    for metric in shown:
        lines.append(visible(metric).ljust(width)
                     + "".join(_value(attacks[a]["metrics"].get(metric)).ljust(34) for a in names))
    lines += [f"- {visible(s)}" for s in doc["headline"]["summary"]]
    lines += _skipped_terminal(doc)
    lines += _gates_terminal(doc)
    return "\n".join(lines) + "\n"


def _edit_size_markdown(attacks: dict[str, Any]) -> list[str]:
    """Each attack's edit size over its successes (figures.edit_size_table)."""
    header, rows = edit_size_table(attacks)
    if not rows:
        return []
    return ["", "### Edit size of the successes", "",
            "Variables renamed, tokens changed and CodeBLEU against the original (1: identical):", "",
            *_table(header, rows)]


def _constraints_markdown(report: Any) -> list[str]:
    """The constraints every candidate kept (the recipe's), each with what it held in this run."""
    constraints = getattr(report, "constraints", {})
    if not constraints:
        return []
    return ["", "## Constraints", "", *(f"- <code>{md_text(name)}</code>: {md_text(text, 500)}"
                                         for name, text in constraints.items())]


def _skipped_markdown(doc: dict[str, Any]) -> list[str]:
    """report.md's skipped data records, as ``run``'s report.md shows them."""
    from ..report.markdown import skipped_section

    data = doc["run"]["data"]
    if not data["skip_reasons"]:
        return []
    where = [s["where"] for s in data["skipped_records"]]
    return ["", skipped_section(data["records_skipped"], data["skip_reasons"], where, "not attacked")]


def _skipped_terminal(doc: dict[str, Any]) -> list[str]:
    from ..report.terminal import skipped_line

    data = doc["run"]["data"]
    return [skipped_line(data["records_skipped"], data["skip_reasons"])] if data["skip_reasons"] else []


def _gates_terminal(doc: dict[str, Any]) -> list[str]:
    """Each gate's status, as ``run`` prints them."""
    from ..metrics.gates import GateResult
    from ..report.terminal import gate_lines

    return gate_lines([GateResult.from_dict(g) for g in doc["gates"]])
