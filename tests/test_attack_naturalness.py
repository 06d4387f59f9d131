"""Edit size and naturalness of adversarial examples: CodeBLEU per success and the distributions
of report.json."""

from __future__ import annotations

import json

import numpy as np
import pytest

from audit_fixtures import build_models, write_pairs
from metacompress.attack import AttackConfig, run_attack
from metacompress.attack.naturalness import codebleu, components
from metacompress.report.escape import md_text

JAVA = """int total(int[] values) {
    int sum = 0;
    for (int i = 0; i < values.length; i++) {
        sum += values[i];
    }
    return sum;
}
"""
JAVA_RENAMED = JAVA.replace("sum", "acc").replace("values", "items")
JAVA_OTHER = """String greet(String name) {
    if (name == null) {
        return "nobody";
    }
    return "hello " + name;
}
"""
C = "int twice(int a) {\n    int b = a * 2;\n    return b;\n}\n"
C_RENAMED = C.replace("a", "q").replace("twice", "tw")
C_OTHER = "void clear(char *p, int n) {\n    while (n--) *p++ = 0;\n}\n"
PYTHON = "def mean(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total / len(xs)\n"
PYTHON_RENAMED = PYTHON.replace("total", "acc").replace("xs", "values")
PYTHON_OTHER = "class Box:\n    def __init__(self):\n        self.items = []\n"
CASES = {"java": (JAVA, JAVA_RENAMED, JAVA_OTHER), "c": (C, C_RENAMED, C_OTHER),
         "python": (PYTHON, PYTHON_RENAMED, PYTHON_OTHER)}


@pytest.mark.parametrize("language", sorted(CASES))
def test_identical_code_scores_one(language):
    original = CASES[language][0]
    assert codebleu((original,), (original,), language) == 1.0
    assert set(components((original,), (original,), language).values()) == {1.0}


@pytest.mark.parametrize("language", sorted(CASES))
def test_a_renaming_scores_below_one_and_above_a_different_function(language):
    original, renamed, other = CASES[language]
    parts = components((original,), (renamed,), language)
    # a renaming keeps the syntax subtrees and the (name-normalised) data flow, and changes tokens
    assert parts["syntax"] == 1.0 and parts["dataflow"] == 1.0
    assert parts["ngram"] < 1.0
    assert codebleu((original,), (other,), language) < codebleu((original,), (renamed,), language) < 1.0


def test_the_score_is_codebleus_definition_on_a_hand_computed_case():
    # tokens x = 1 / y = 1: precisions 2/3, 1/2 and no 3- or 4-gram match (smoothed to 0.1 / 1);
    # the weighted recall form: no keyword, unigrams 0.4 / max(1, 0.6); no data-flow edge, same tree
    ngram = (2 / 3 * 1 / 2 * 0.1 * 0.1) ** 0.25
    weighted = (0.4 * 1 / 2 * 0.1 * 0.1) ** 0.25
    parts = components(("x = 1\n",), ("y = 1\n",), "python")
    assert parts["ngram"] == pytest.approx(ngram) and parts["weighted_ngram"] == pytest.approx(weighted)
    assert parts["syntax"] == 1.0 and parts["dataflow"] == 1.0
    assert codebleu(("x = 1\n",), ("y = 1\n",), "python") == pytest.approx(0.25 * (ngram + weighted + 2), abs=1e-6)


def test_keywords_weigh_five_times_other_tokens_in_the_weighted_component():
    # reference if, x, :, pass (weights 1, 0.2, 0.2, 1); the rewrite changes x only: unigram recall
    # 2.2 / 2.4; bigrams 1/3, trigrams 0/2 and 4-grams 0/1 (both smoothed to 0.1)
    parts = components(("if x: pass\n",), ("if y: pass\n",), "python")
    assert parts["weighted_ngram"] == pytest.approx((2.2 / 2.4 * 1 / 3 * 0.1 / 2 * 0.1) ** 0.25)
    assert parts["ngram"] == pytest.approx((3 / 4 * 1 / 3 * 0.1 / 2 * 0.1) ** 0.25)


def test_a_changed_data_flow_lowers_the_dataflow_component():
    before = "def f(a, b):\n    c = a + b\n    return c\n"
    after = "def f(a, b):\n    c = a + a\n    return c\n"
    assert components((before,), (after,), "python")["dataflow"] < 1.0


def test_a_pair_is_scored_as_one_corpus():
    # only the second function changes: the score lies between the unchanged and the changed one's
    pair = codebleu((PYTHON, JAVA), (PYTHON, JAVA_RENAMED), "java")
    assert codebleu((JAVA,), (JAVA_RENAMED,), "java") < pair < 1.0


# ---- report.json's distributions and adversarial.jsonl -------------------------------------------


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    models = build_models(tmp_path_factory.mktemp("models"))
    pairs = write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=6)
    out = tmp_path_factory.mktemp("runs") / "flip"
    run_attack(AttackConfig(teacher=str(models["teacher"]), student=str(models["perturbed"]),
                            task="clone-detection", data=str(pairs), out=str(out), bootstrap=0, budget=12,
                            progress=False, overwrite=True))
    records = [json.loads(line) for line in (out / "adversarial.jsonl").read_text().splitlines()]
    return json.loads((out / "report.json").read_text()), records, out


@pytest.mark.slow
def test_every_rewrite_carries_its_codebleu(attacked):
    _, records, _ = attacked
    checked = 0
    for record in records:
        for attack in record["attacks"].values():
            if attack["adversarial"] is None:
                assert attack["codebleu"] is None
                continue
            expected = codebleu(tuple(record["original"]), tuple(attack["adversarial"]), "java")
            assert attack["codebleu"] == pytest.approx(expected) and 0.0 <= attack["codebleu"] < 1.0
            checked += 1
    assert checked > 0


@pytest.mark.slow
def test_the_distributions_are_those_of_the_successes_in_adversarial_jsonl(attacked):
    report, records, _ = attacked
    seen = 0
    for name, row in report["attacks"].items():
        wins = [r["attacks"][name] for r in records if r["attacks"][name]["success"]]
        for measure, distribution in row["edit_size"].items():
            values = [w[measure] for w in wins]
            assert distribution["n"] == len(values)
            if not values:
                assert distribution["median"] is None
                continue
            seen += 1
            low, q1, median, q3, high = np.percentile(values, [0, 25, 50, 75, 100])
            assert (distribution["min"], distribution["q1"], distribution["median"], distribution["q3"],
                    distribution["max"]) == pytest.approx((low, q1, median, q3, high), abs=1e-6)
            assert row["metrics"][measure]["value"] == pytest.approx(float(np.mean(values)))
            assert row["metrics"][measure]["n"] == len(values)
    assert seen > 0


@pytest.mark.slow
def test_report_md_shows_the_edit_size_of_the_successes(attacked):
    report, _, out = attacked
    text = (out / "report.md").read_text()
    assert "### Edit size of the successes" in text
    for name, row in report["attacks"].items():
        median = row["edit_size"]["codebleu"]["median"]
        if median is not None:
            assert f"| {name} | codebleu | {row['edit_size']['codebleu']['n']} |" in text
            assert md_text(f"{median:.4g}") in text
