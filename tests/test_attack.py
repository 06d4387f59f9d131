"""`metacompress attack` with the tiny fixture models: real successes, valid rewrites, determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, store_counts, write_pairs
from metacompress.attack import AttackConfig, run_attack
from metacompress.cli import cli
from metacompress.code.parsing import ParsedCode, error_signature

NO_LOCALS = "    public static int one() {\n        return 1;\n    }\n"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=6)


def config(models, pairs, out, **settings) -> AttackConfig:
    values = dict(teacher=str(models["teacher"]), student=str(models["perturbed"]), task="clone-detection",
                  data=str(pairs), out=str(out), bootstrap=20, budget=12, progress=False, overwrite=True)
    return AttackConfig(**{**values, **settings})


def read_records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "adversarial.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def flip_both(models, pairs, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "flip"
    return run_attack(config(models, pairs, out)), out


def probabilities(model_path: Path, code: list[str]) -> np.ndarray:
    from metacompress.inference import InferenceSettings, predict_proba
    from metacompress.models import load_model

    model = load_model(str(model_path))
    return predict_proba(model, [tuple(code)], InferenceSettings(progress=False)).probs[0]


def test_every_success_is_real(flip_both, models):
    _, out = flip_both
    paths = {"teacher": models["teacher"], "student": models["perturbed"]}
    successes = 0
    for record in read_records(out):
        for role, attack in record["attacks"].items():
            if not attack["success"]:
                continue
            successes += 1
            again = probabilities(paths[role], attack["adversarial"])
            np.testing.assert_allclose(again, attack[f"{role}_probs"], atol=1e-6)
            assert again.argmax() != int(np.argmax(record[f"{role}_probs"]))  # flipped from the original's prediction
            np.testing.assert_allclose(probabilities(paths[role], record["original"]), record[f"{role}_probs"],
                                       atol=1e-6)
    assert successes > 0


def test_every_adversarial_example_parses_with_no_new_errors(flip_both):
    _, out = flip_both
    checked = 0
    for record in read_records(out):
        for attack in record["attacks"].values():
            if attack["adversarial"] is None:
                continue
            assert attack["edits"] and attack["adversarial"] != record["original"]
            for before, after in zip(record["original"], attack["adversarial"]):
                assert error_signature(ParsedCode.parse(after, "java").tree) == \
                    error_signature(ParsedCode.parse(before, "java").tree)
                checked += 1
    assert checked > 0


def test_report_has_schema_metrics_and_relations(flip_both):
    result, out = flip_both
    report = json.loads((out / "report.json").read_text())
    assert (report["schema"], report["schema_version"]) == ("metacompress-attack", "1.0")
    for role in ("teacher", "student"):
        metrics = report["attacks"][role]["metrics"]
        rate = metrics["success_rate"]
        counts = report["attacks"][role]["counts"]
        assert rate["n"] == counts.get("success", 0) + counts.get("failed", 0)
        assert rate["count"] == counts.get("success", 0)
        for name in ("accuracy_before", "accuracy_after", "accuracy_drop", "relative_drop", "transfer_rate",
                     "adversarial_prediction_agreement", "adversarial_probability_similarity"):
            assert name in metrics
        assert metrics["accuracy_after"]["value"] <= metrics["accuracy_before"]["value"]
    assert "prediction_agreement" in report["random_rewrites"]["metrics"]
    assert (out / "report.md").read_text().startswith("# metacompress attack")
    # queries never exceed the budget
    for record in result.records:
        assert all(a["queries"] <= 12 for a in record["attacks"].values())


def _files(out: Path) -> tuple[str, str, dict]:
    """adversarial.jsonl, report.md and report.json without what may differ between equal runs:
    timings, and where the outputs came from (the prediction store or the models)."""
    report = json.loads((out / "report.json").read_text())
    report["run"].pop("timings_s")
    for model in report["run"]["models"].values():
        model.pop("outputs_from_store"), model.pop("outputs_computed")
    return (out / "adversarial.jsonl").read_text(), (out / "report.md").read_text(), report


def _equal_but_for_float_noise(first, second, tolerance: float = 1e-6) -> bool:
    """Equal documents, where two floats count as equal within ``tolerance``."""
    if isinstance(first, float) or isinstance(second, float):
        return isinstance(first, (int, float)) and isinstance(second, (int, float)) \
            and abs(first - second) <= tolerance
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(
            _equal_but_for_float_noise(first[key], second[key], tolerance) for key in first)
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(
            _equal_but_for_float_noise(a, b, tolerance) for a, b in zip(first, second))
    return first == second


@pytest.mark.parametrize("strategy", ["random", "greedy", "genetic"])
def test_equal_seeds_give_identical_files_and_a_warm_store_computes_nothing(models, pairs, tmp_path, strategy):
    texts = []
    store = tmp_path / "store.sqlite"
    for _ in range(2):
        out = tmp_path / "same"
        run_attack(config(models, pairs, out, strategy=strategy, objective="flip-student", limit=3, seed=4,
                          cache=str(store)))
        texts.append(_files(out))
    assert texts[0] == texts[1]
    warm = store_counts(out)
    assert all(computed == 0 and taken > 0 for taken, computed in warm.values()), warm


def test_an_attack_resumed_from_a_partly_filled_store_equals_an_uninterrupted_one(models, pairs, tmp_path):
    # a run that stopped part-way leaves some of the search's outputs in the store; a smaller
    # budget stands for it (the same searches, cut short)
    store = str(tmp_path / "store.sqlite")
    settings = dict(strategy="random", objective="flip-both", limit=4, seed=2)
    run_attack(config(models, pairs, tmp_path / "part", budget=2, cache=store, **settings))
    run_attack(config(models, pairs, tmp_path / "resumed", budget=12, cache=store, **settings))
    run_attack(config(models, pairs, tmp_path / "cold", budget=12, no_cache=True, **settings))
    resumed, cold = _files(tmp_path / "resumed"), _files(tmp_path / "cold")
    for report in (resumed[2], cold[2]):
        for key in ("cache", "no_cache", "out"):
            report["run"]["config"].pop(key)
        report["run"].pop("command")
    # outputs taken from the store were computed in other batches, which moves fp32 probabilities
    # in their last digits (the store's documented tolerance); every decision must be the same
    resumed_records = [json.loads(line) for line in resumed[0].splitlines()]
    cold_records = [json.loads(line) for line in cold[0].splitlines()]
    assert _equal_but_for_float_noise(resumed_records, cold_records)
    assert _equal_but_for_float_noise(resumed[2], cold[2])
    taken = store_counts(tmp_path / "resumed")
    assert all(from_store > 0 and computed > 0 for from_store, computed in taken.values()), taken


def test_success_against_the_label_skips_wrong_inputs_and_flips_right_ones(models, pairs, tmp_path):
    result = run_attack(config(models, pairs, tmp_path / "r", objective="flip-teacher", success_against="label"))
    for record in result.records:
        attack = record["attacks"]["teacher"]
        right = int(np.argmax(record["teacher_probs"])) == record["label"]
        assert (attack["status"] == "already misclassified") == (not right)
        if attack["success"]:
            assert int(np.argmax(attack["teacher_probs"])) != record["label"]


def test_budget_0_is_reported_as_such(models, pairs, tmp_path):
    result = run_attack(config(models, pairs, tmp_path / "r", budget=0, objective="flip-student"))
    attack = result.report.data["attacks"]["student"]
    assert attack["counts"] == {"budget 0": 6, "queries": 0}
    assert attack["metrics"]["success_rate"]["value"] is None
    assert all(r["attacks"]["student"]["status"] == "budget 0" for r in result.records)


def test_an_input_with_nothing_to_edit_is_reported_as_such(models, tmp_path):
    data = tmp_path / "pairs.jsonl"
    data.write_text(json.dumps({"code1": NO_LOCALS, "code2": NO_LOCALS, "label": 1}) + "\n")
    result = run_attack(config(models, data, tmp_path / "r", objective="flip-student", max_relations=0))
    assert result.records[0]["attacks"]["student"]["status"] == "nothing to edit"
    assert result.report.data["attacks"]["student"]["metrics"]["success_rate"]["n"] == 0


def test_rename_candidates_come_from_the_substitutes_field(models, tmp_path):
    from audit_fixtures import methods

    code = next(m["code"] for m in methods() if "cleaned" in m["code"])
    offered = ["alpha", "beta", "gamma"]
    data = tmp_path / "pairs.jsonl"
    data.write_text(json.dumps({"code1": code, "code2": NO_LOCALS, "label": 0, "substitutes": {"cleaned": offered}})
                    + "\n")
    result = run_attack(config(models, data, tmp_path / "r", objective="flip-student", strategy="random",
                               max_relations=0, budget=30))
    attack = result.records[0]["attacks"]["student"]
    renames = [e for e in attack["edits"] if e["kind"] == "rename" and e["from"] == "cleaned"]
    assert all(e["to"] in offered and e["candidates_from"] == "data" for e in renames)
    assert result.report.data["run"]["data"]["inputs_with_substitutes"] == 1


def test_disagree_starts_from_agreement_and_succeeds_only_on_a_disagreement(models, pairs, tmp_path):
    result = run_attack(config(models, pairs, tmp_path / "r", objective="disagree", budget=10))
    for record in result.records:
        attack = record["attacks"]["disagree"]
        teacher, student = np.array(record["teacher_probs"]), np.array(record["student_probs"])
        from metacompress.metrics.core import js_distance

        apart = teacher.argmax() != student.argmax() or js_distance(teacher[None], student[None])[0] > 0.1
        assert (attack["status"] == "models already disagree") == apart
        if attack["success"]:
            t, s = np.array(attack["teacher_probs"]), np.array(attack["student_probs"])
            assert t.argmax() != s.argmax() or js_distance(t[None], s[None])[0] > 0.1
    metrics = result.report.data["attacks"]["disagree"]["metrics"]
    assert "disagreement_rate_x" in metrics and "random_rewrite_violations_per_query" in metrics


@pytest.mark.parametrize("strategy", ["random", "greedy", "genetic"])
def test_disagree_hunts_on_after_its_first_find_and_counts_every_find(models, pairs, tmp_path, strategy):
    result = run_attack(config(models, pairs, tmp_path / "r", objective="disagree", budget=40, strategy=strategy,
                               js_threshold=0.5))
    attack = result.report.data["attacks"]["disagree"]
    records = [r["attacks"]["disagree"] for r in result.records]
    found = [r for r in records if r["success"]]
    assert found, "the fixture should give the hunt something to find"
    for record in found:
        assert 1 <= record["successes_found"] and 1 <= record["queries_to_success"] <= record["queries"] <= 40
    assert all(r["successes_found"] == 0 for r in records if not r["success"])
    # the hunt went on after its first find (it stops only at the budget or when nothing new is left)
    assert any(r["queries"] > r["queries_to_success"] for r in found)
    assert attack["counts"]["violations"] == sum(r["successes_found"] for r in records)
    assert attack["counts"]["queries"] == sum(r["queries"] for r in records)
    per_query = attack["metrics"]["violations_per_query"]["value"]
    assert per_query == pytest.approx(attack["counts"]["violations"] / attack["counts"]["queries"])
    assert attack["metrics"]["mean_queries_to_success"]["value"] == pytest.approx(
        np.mean([r["queries_to_success"] for r in found]))


def invoke(*args: str):
    return CliRunner().invoke(cli, ["attack", *args], catch_exceptions=False)


def base_args(models, pairs, out) -> list[str]:
    return ["--teacher", str(models["teacher"]), "--student", str(models["perturbed"]), "--task", "clone-detection",
            "--data", str(pairs), "--bootstrap", "20", "--budget", "6", "--limit", "2", "--out", str(out)]


@pytest.mark.parametrize(("flags", "message"), [
    (["--budget", "-1"], "--budget must be at least 0"),
    (["--objective", "flip"], "--objective must be one of"),
    (["--strategy", "swarm"], "--strategy must be one of"),
    (["--success-against", "gold"], "--success-against must be one of"),
    (["--relations", "rename-identifiers"], "attack's own renaming search"),
    (["--relations", "compose"], "compose may rename variables itself"),
    (["--fail-on", "success_rat>0.5"], "unknown metric 'success_rat'"),
    (["--fail-on", "disagree:success_rate>0.5"], "no attack 'disagree' in a flip-both run"),
    (["--fail-on", "success_rate>0.5"], "scope it, e.g. 'student:success_rate'"),
    (["--fail-on", "student:student_extra_drop>0.5"], "headline figure"),
    (["--candidates", "0"], "--candidates must be at least 1"),
    (["--fail-on", "student:success_rate>2"], "success_rate is a share"),
    (["--objective", "disagree", "--success-against", "label"], "leave --success-against out"),
    (["--rewrites", "3"], "--rewrites 3: the attack's random-rewrite baseline"),
    (["--p-adjust", "bh"], "an attack runs no per-relation tests"),
    (["--assume", "none,statement-macros"], "'none' means no assumption at all"),
])
def test_bad_options_give_one_line_errors(models, pairs, tmp_path, flags, message):
    result = invoke(*base_args(models, pairs, tmp_path / "r"), *flags)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_cli_gate_breach_exits_1_after_writing(models, pairs, tmp_path):
    result = invoke(*base_args(models, pairs, tmp_path / "r"), "--objective", "flip-student",
                    "--fail-on", "student:success_rate>=0")
    assert result.exit_code == 1, result.output
    assert "gate(s) breached" in result.stderr and "success_rate" in result.stdout
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["gates"][0]["status"] == "breached"


def test_a_recipe_that_fixes_its_search_is_reported_with_that_search(models, pairs, tmp_path):
    result = invoke(*base_args(models, pairs, tmp_path / "r"), "--objective", "flip-student", "--recipe", "alert")
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "r" / "report.json").read_text())["run"]["config"]
    assert (config["recipe"], config["strategy"]) == ("alert", "alert")
    header = (tmp_path / "r" / "report.md").read_text().splitlines()[2]
    assert "recipe <code>alert</code>" in header and "strategy <code>alert</code>" in header


def test_every_renaming_a_candidate_records_is_in_its_code():
    """compose may draw rename-identifiers as a step, which renamed the attack's new names to
    var0, var1, ... while the record still listed them: the attack leaves compose out."""
    import random

    from metacompress.attack.space import SpaceSettings, build_spaces
    from metacompress.tasks.base import Example

    code = ("class A { int f(int count, int step) { int total = count + step; int twice = total * 2;\n"
            "  if (twice > 3) { total = twice - step; } else { total += 1; } return total + twice; } }")
    relations = AttackConfig(teacher="t", student="s", task="clone-detection", data="d")._relations("java")
    assert "compose" not in relations and "rename-identifiers" not in relations
    settings = SpaceSettings("java", (0,), relations, {}, "generated", "substitutes", 8, 2, 0)
    space = build_spaces([Example("f", (code,), 0)], settings)[0]
    rng, built = random.Random(0), 0
    for _ in range(600):
        candidate = space.random_candidate(rng, 2)
        result = space.build(candidate)
        if result is None or not candidate.renames or not candidate.relations:
            continue
        built += 1
        for edit in space.describe(candidate):
            if edit["kind"] == "rename":
                assert re.search(rf"\b{re.escape(edit['to'])}\b", result[0]), (candidate, result[0])
    assert built > 100
