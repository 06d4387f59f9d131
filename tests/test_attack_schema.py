"""The attack's files against their JSON Schemas (metacompress/schema/attack.schema.json and
adversarial.schema.json): every report the attack writes validates, departures are named by path,
the schemas list exactly the figures the code writes, and --fail-on speaks of attacks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from metacompress.attack import run_attack
from metacompress.attack import run as attack_run
from metacompress.attack import summary
from metacompress.report import load_schema, schema_errors, validate_adversarial_record, validate_attack_report
from audit_fixtures import build_models, write_pairs
from test_attack import NO_LOCALS, base_args, config, invoke, read_records

#: run name -> its settings (``data``: one of the data sets ``written`` makes, else the pairs)
RUNS = {
    "flip-both": dict(fail_on=["student:success_rate>0.5", "*:transfer_rate>=0", "student_extra_drop>0"]),
    "disagree": dict(objective="disagree", budget=10, js_threshold=0.5,
                     fail_on=["disagree:violations_per_query>0", "disagreement_found_rate<0.5"]),
    "budget-0": dict(objective="flip-student", budget=0),
    "success-against-label": dict(objective="flip-teacher", success_against="label"),
    "unlabelled": dict(objective="flip-both", data="unlabelled"),
    "nothing-to-edit": dict(objective="flip-student", max_relations=0, data="no-locals"),
}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=6)


@pytest.fixture(scope="module")
def written(models, pairs, tmp_path_factory):
    """Every run of RUNS: name -> (report.json, adversarial.jsonl records)."""
    root = tmp_path_factory.mktemp("attack-schema")
    data = {"unlabelled": write_pairs(root / "unlabelled.jsonl", count=4, labelled=False),
            "no-locals": root / "no-locals.jsonl"}
    data["no-locals"].write_text(json.dumps({"code1": NO_LOCALS, "code2": NO_LOCALS, "label": 1}) + "\n")
    out = {}
    for name, settings in RUNS.items():
        settings = dict(settings)
        source = data[settings.pop("data")] if "data" in settings else pairs
        run_attack(config(models, source, root / name, **settings))
        out[name] = (json.loads((root / name / "report.json").read_text()), read_records(root / name))
    return out


def statuses(records: list[dict]) -> set[str]:
    return {a["status"] for record in records for a in record["attacks"].values()}


def test_the_runs_cover_every_status_and_section(written):
    seen = set().union(*(statuses(records) for _, records in written.values()))
    assert seen == {"success", "failed", "nothing to edit", "budget 0", "already misclassified",
                    "models already disagree"}
    report, _ = written["disagree"]
    assert report["attacks"]["disagree"]["metrics"]["violations_per_query"]["value"] is not None
    assert report["random_rewrites"]["violations_per_query"] is not None
    assert {g["status"] for name in RUNS for g in written[name][0]["gates"]} >= {"breached", "passed"}
    assert "accuracy_before" not in written["unlabelled"][0]["attacks"]["student"]["metrics"]
    assert "student_extra_drop" in written["flip-both"][0]["headline"]


@pytest.mark.parametrize("name", list(RUNS))
def test_every_written_report_matches_the_attack_schema(written, name):
    report, _ = written[name]
    assert schema_errors(report, "attack") == []
    assert schema_errors(report, load_schema("attack")) == []
    validate_attack_report(report)


@pytest.mark.parametrize("name", list(RUNS))
def test_every_adversarial_record_matches_its_schema(written, name):
    _, records = written[name]
    assert records
    for record in records:
        assert schema_errors(record, "adversarial") == []
        validate_adversarial_record(record)


def test_the_attack_report_is_not_an_audit_report(written):
    report, _ = written["flip-both"]
    assert schema_errors(report)  # the default schema is still run's report.json
    version = load_schema("report")["properties"]["schema_version"]["const"]
    assert any("missing 'schema_version'" in e or f"expected '{version}'" in e for e in schema_errors(report))


def test_departures_are_named_by_path(written):
    broken = copy.deepcopy(written["flip-both"][0])
    del broken["random_rewrites"]
    del broken["attacks"]["teacher"]["metrics"]["success_rate"]["n"]
    broken["attacks"]["student"]["metrics"]["success_rate"]["value"] = "0.5"
    broken["attacks"]["student"]["metrics"]["accuracy_drop"]["value"] = 1.5
    broken["attacks"]["student"]["counts"]["timed out"] = 2
    broken["run"]["config"]["objective"] = "flip"
    broken["gates"][0]["relation"] = "rename-identifiers"
    errors = "\n".join(schema_errors(broken, "attack"))
    for fragment in ("$: missing 'random_rewrites'",
                     "$.attacks.teacher.metrics.success_rate: missing 'n'",
                     "$.attacks.student.metrics.success_rate.value: expected number or null, got str",
                     "$.attacks.student.metrics.accuracy_drop.value: 1.5 is above 1",
                     "$.attacks.student.counts: unexpected 'timed out'",
                     "$.run.config.objective: 'flip' is not one of",
                     "$.gates[0].relation: 'rename-identifiers' is not one of"):
        assert fragment in errors
    with pytest.raises(ValueError, match="attack report does not match schema 1.0"):
        validate_attack_report(broken)


def test_attacks_must_be_an_objectives_set(written):
    report = copy.deepcopy(written["flip-both"][0])
    report["attacks"]["disagree"] = copy.deepcopy(written["disagree"][0]["attacks"]["disagree"])
    assert "$.attacks: matches 0 of the allowed forms, expected exactly 1" in schema_errors(report, "attack")
    report["attacks"] = {"student": report["attacks"]["disagree"]}
    errors = schema_errors(report, "attack")
    assert "$.attacks.student.metrics: unexpected 'violations_per_query'" in errors
    assert "$.attacks.student.counts: unexpected 'violations'" in errors


def test_record_departures_are_named_by_path(written):
    record = copy.deepcopy(next(r for r in written["flip-both"][1] if r["attacks"]["student"]["edits"]))
    record["attacks"]["student"]["status"] = "won"
    del record["attacks"]["teacher"]["queries"]
    record["attacks"]["student"]["edits"][0]["kind"] = "swap"
    record["teacher_probs"] = "0.3"
    errors = schema_errors(record, "adversarial")
    assert "$.attacks.student.status: 'won' is not one of ['success', 'failed', 'nothing to edit', 'budget 0', " \
           "'already misclassified', 'models already disagree']" in errors
    assert "$.attacks.teacher: missing 'queries'" in errors
    assert "$.attacks.student.edits[0]: matches 0 of the allowed forms, expected exactly 1" in errors
    assert "$.teacher_probs: expected array, got str" in errors
    with pytest.raises(ValueError, match="adversarial.jsonl record does not match adversarial.schema.json"):
        validate_adversarial_record(record)


def test_an_unknown_schema_name_is_refused():
    with pytest.raises(ValueError, match="no schema 'attacks'; known: report, attack, adversarial"):
        load_schema("attacks")


# ---- the schemas list what the code writes ---------------------------------------------------------


def definitions() -> dict:
    return load_schema("attack")["$defs"]


def adversarial(names) -> list[str]:
    return [f"adversarial_{m}" for m in names]


def test_the_schema_names_every_figure_the_code_writes():
    from metacompress.attack.figures import RELATION_METRICS
    from metacompress.attack.gates import attack_metrics, headline_metrics
    from metacompress.attack.objectives import BUILTIN, get_objective
    from metacompress.attack.objectives.disagree import DISAGREE_METRICS
    from metacompress.attack.objectives.flip import FLIP_METRICS

    defs = definitions()
    assert set(defs["flip_attack"]["properties"]["metrics"]["properties"]) == \
        set(FLIP_METRICS) | set(adversarial(RELATION_METRICS))
    assert set(defs["disagree_attack"]["properties"]["metrics"]["properties"]) == \
        set(DISAGREE_METRICS) | set(adversarial(RELATION_METRICS))
    assert set(defs["relation_metrics"]["properties"]) == set(RELATION_METRICS)
    schema = load_schema("attack")
    assert set(schema["properties"]["headline"]["properties"]) == set(headline_metrics()) | {"summary"}
    assert defs["gate"]["properties"]["metric"]["enum"] == list(attack_metrics())
    rows = [get_objective(name).attacks for name in BUILTIN]
    assert set(schema["properties"]["attacks"]["properties"]) == set().union(*rows)
    assert sorted(sorted(option["required"]) for option in schema["properties"]["attacks"]["oneOf"]) == \
        sorted(sorted(r) for r in rows)
    assert (schema["properties"]["schema"]["const"], schema["properties"]["schema_version"]["const"]) == \
        (summary.SCHEMA, summary.SCHEMA_VERSION)


def test_the_statuses_are_the_codes():
    codes = {attack_run.SUCCESS, attack_run.FAILED, attack_run.NOTHING_TO_EDIT, attack_run.NO_BUDGET,
             attack_run.ALREADY_WRONG, attack_run.ALREADY_DISAGREE}
    record = load_schema("adversarial")["$defs"]["attack"]["properties"]["status"]["enum"]
    assert set(record) == codes
    counts = {name: set(definitions()[name]["properties"]["counts"]["properties"])
              for name in ("flip_attack", "disagree_attack")}
    assert counts["flip_attack"] == codes - {attack_run.ALREADY_DISAGREE} | {"queries"}
    assert counts["disagree_attack"] == codes - {attack_run.ALREADY_WRONG} | {"queries", "violations"}


def test_the_metric_object_is_the_audits():
    # the same fields as the audit's metric object; an attack's counts are whole numbers, a special
    # case of the audit's (whose counts are means over --rewrites K draws)
    attack, audit = definitions()["metric"]["properties"], load_schema("report")["$defs"]["metric"]["properties"]
    assert attack.keys() == audit.keys()
    for field in attack:
        if field in ("count", "n"):
            assert attack[field]["type"] in ("integer", ["integer", "null"])
            assert audit[field]["type"] == [t.replace("integer", "number") for t in attack[field]["type"]] \
                if isinstance(attack[field]["type"], list) else audit[field]["type"] == "number"
        else:
            assert attack[field] == audit[field]
    for name in ("share", "extra_drop", "queries", "size"):
        assert definitions()[name]["required"] == load_schema("report")["$defs"]["metric"]["required"]


def test_the_schema_files_are_package_data():
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert '"schema/*.json"' in pyproject
    folder = Path(__file__).parents[1] / "metacompress" / "schema"
    assert {"attack.schema.json", "adversarial.schema.json"} <= {p.name for p in folder.glob("*.json")}


# ---- --fail-on speaks of attacks ------------------------------------------------------------------


@pytest.mark.parametrize(("flags", "message"), [
    (["--fail-on", "disagree:success_rate>0.5"],
     "no attack 'disagree' in a flip-both run; scope a figure with teacher, student or '*' (every attack), "
     "or leave the scope out for a headline figure"),
    (["--fail-on", "baseline:success_rate>0.5"], "no attack 'baseline' in a flip-both run"),
    (["--fail-on", "studnet:success_rate>0.5"], "no attack 'studnet' in a flip-both run (did you mean 'student'?)"),
    (["--objective", "disagree", "--fail-on", "student:success_rate>0.5"],
     "no attack 'student' in a disagree run; scope a figure with disagree or '*'"),
    (["--objective", "disagree", "--fail-on", "violations_per_query<0.1"], "scope it, e.g. 'disagree:violations_per_query'"),
    (["--fail-on", "student:success_rate"],
     "expected [ATTACK:]METRIC OP NUMBER with OP one of > >= < <= and ATTACK one of teacher, student or '*'"),
])
def test_gate_scope_errors_speak_of_attacks(models, pairs, tmp_path, flags, message):
    result = invoke(*base_args(models, pairs, tmp_path / "r"), *flags)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "relation" not in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "r").exists()


def property_names(node) -> set[str]:
    """Every key a schema names under ``properties``, at any depth."""
    names: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                names |= set(value)
            names |= property_names(value)
    elif isinstance(node, list):
        for value in node:
            names |= property_names(value)
    return names


def test_schema_md_documents_every_key():
    text = (Path(__file__).parents[1] / "metacompress" / "attack" / "SCHEMA.md").read_text()
    keys = property_names(load_schema("attack")) | property_names(load_schema("adversarial"))
    keys -= set(definitions()["config"]["properties"]) - {"objective", "strategy", "budget", "success_against",
                                                           "substitutes", "substitutes_field", "candidates",
                                                           "max_relations"}
    undocumented = sorted(k for k in keys if f"`{k}`" not in text and f'"{k}"' not in text
                          and not (k.startswith("adversarial_") and "`adversarial_*`" in text))
    assert undocumented == []
