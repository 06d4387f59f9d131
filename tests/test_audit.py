"""The audit as a library call: what a teacher/student comparison must show."""

from __future__ import annotations

import gc
import json

import pytest

from audit_fixtures import build_models, write_pairs
from metacompress.audit import AuditConfig, run_audit
from metacompress.errors import InputError, ModelLoadError, UsageError

RELATIONS = ["swap-if-else", "insert-dead-code", "add-unused-variable"]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=14)


def audit(models, pairs, student="same", **overrides):
    settings = dict(
        teacher=str(models["teacher"]), student=str(models[student]), task="clone-detection",
        data=str(pairs), relations=RELATIONS, bootstrap=100, progress=False,
    )
    settings.update(overrides)
    return run_audit(AuditConfig(**settings))


def metric(row, name: str):
    return row.metrics[name].value


def test_identical_student_never_departs_from_its_teacher(models, pairs):
    result = audit(models, pairs)
    for name, row in result.report.rows():
        assert row.applied > 0, name
        assert metric(row, "prediction_agreement") == 1.0
        assert metric(row, "student_flip_rate") == metric(row, "teacher_flip_rate")
        assert metric(row, "student_only_flip_rate") == 0.0
        assert metric(row, "discrepancy_rate") == 0.0
        assert metric(row, "probability_similarity") == pytest.approx(0.0, abs=1e-6)


def test_perturbed_student_shows_discrepancy(models, pairs):
    result = audit(models, pairs, student="perturbed")
    assert metric(result.report.all_relations, "discrepancy_rate") > 0.2
    assert metric(result.report.all_relations, "probability_similarity") > 0.05


def test_same_seed_same_figures_and_rewrites(models, pairs):
    first = audit(models, pairs, student="perturbed", seed=3)
    second = audit(models, pairs, student="perturbed", seed=3)
    assert first.report.relations == second.report.relations
    assert list(first.samples["rewritten_code"]) == list(second.samples["rewritten_code"])


def test_report_records_what_makes_figures_traceable(models, pairs, tmp_path):
    result = audit(models, pairs, out=str(tmp_path / "out"), limit=10, seed=5)
    run = result.report.run
    assert run.seed == 5 and run.data.examples_audited == 10
    assert run.models["teacher"].fingerprint.startswith("sha256:")
    assert run.models["teacher"].fingerprint == run.models["student"].fingerprint
    assert {"torch", "transformers", "tree-sitter", "metacompress"} <= set(run.versions)
    assert {"transform", "inference", "total"} <= set(run.timings_s)
    written = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert written["run"]["models"]["teacher"]["fingerprint"] == run.models["teacher"].fingerprint
    for name in ("report.json", "samples.csv", "report.md"):
        assert (tmp_path / "out" / name).is_file()
    # one row per example x relation, skipped ones with their reason
    assert len(result.samples) == 10 * len(RELATIONS)
    skipped = result.samples[~result.samples["applied"]]
    assert (skipped["skip_reason"].str.len() > 0).all()


def test_pair_side_first_rewrites_only_the_first_function(models, pairs):
    result = audit(models, pairs, pair_side="first", relations=["add-unused-variable"])
    applied = result.samples[result.samples["applied"]]
    assert set(applied["rewritten_sides"]) == {"0"}


def test_unlabelled_data_leaves_label_metrics_absent(models, tmp_path):
    data = write_pairs(tmp_path / "unlabelled.jsonl", count=8, labelled=False)
    result = audit(models, data, student="perturbed")
    metrics = result.report.all_relations.metrics
    assert "teacher_accuracy_x" not in metrics or metrics["teacher_accuracy_x"].value is None
    assert metrics["prediction_agreement"].value is not None


def test_existing_report_is_not_overwritten_silently(models, pairs, tmp_path):
    audit(models, pairs, out=str(tmp_path), limit=3)
    with pytest.raises(UsageError, match="--overwrite"):
        audit(models, pairs, out=str(tmp_path), limit=3)
    audit(models, pairs, out=str(tmp_path), limit=3, overwrite=True)


def test_label_count_mismatch_fails_before_inference(models, pairs):
    with pytest.raises(UsageError, match="3 output labels"):
        audit(models, pairs, student="three")


def test_missing_model_path(models, pairs, tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        audit(models, pairs, teacher=str(tmp_path / "nowhere"))


def test_empty_and_malformed_data(models, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(InputError, match="empty.jsonl"):
        audit(models, empty)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n[1, 2]\n")
    with pytest.raises(InputError, match="broken.jsonl"):
        audit(models, broken)


def test_a_library_call_leaves_the_garbage_collector_as_it_found_it(models, pairs):
    # the run freezes the heap it loads (fewer objects for full collections to walk) and must hand
    # the host process its collector back: after success and failure alike, and untouched when the
    # host froze objects itself
    assert gc.get_freeze_count() == 0
    audit(models, pairs, limit=2)
    assert gc.get_freeze_count() == 0
    with pytest.raises(ModelLoadError):
        audit(models, pairs, limit=2, teacher=str(pairs.parent / "no-such-model"))
    assert gc.get_freeze_count() == 0
    held = [object() for _ in range(10)]  # noqa: F841 (alive while frozen)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        audit(models, pairs, limit=2)
        assert 0 < gc.get_freeze_count() <= frozen  # neither unfrozen nor frozen more (frozen objects may die)
    finally:
        gc.unfreeze()


def test_unknown_relation_suggests_the_right_name(models, pairs):
    with pytest.raises(UsageError, match="Did you mean 'swap-if-else'"):
        audit(models, pairs, relations=["swap-if-els"])


def _outputs(failed: dict[int, str], originals: int, rows: int):
    """Outputs whose probabilities encode where they came from: original i -> [i/10, 1 - i/10]."""
    import numpy as np

    from metacompress.outputs import ModelOutputs, Outputs

    def one(failed):
        original = np.array([[i / 10, 1 - i / 10] for i in range(originals)])
        rewritten = np.array([[0.05 * k, 1 - 0.05 * k] for k in range(rows)])
        return ModelOutputs(original=original, rewritten=rewritten, truncated_original=np.zeros(originals, bool),
                            truncated_rewritten=np.zeros(rows, bool), digest_original=np.arange(originals),
                            digest_rewritten=np.arange(rows) + 100, distinct_sequences=originals + rows,
                            seconds=0.0, device="cpu", failed=failed)

    return Outputs(teacher=one(failed), student=one({}))


def test_inputs_a_model_cannot_take_drop_their_example_or_become_skipped_rows():
    from metacompress.audit import _drop_failed
    from metacompress.rewriting import RewrittenExample, number_rows
    from metacompress.tasks.base import Example

    examples = [Example(f"e{i}", (f"int f{i}() {{}}",)) for i in range(3)]
    rewrites = number_rows([RewrittenExample(i, "r", applied, (f"x{i}",) if applied else examples[i].code,
                                             "" if applied else "not applicable: no site")
                            for i, applied in ((0, True), (1, True), (2, True), (0, False))])
    assert [r.row for r in rewrites] == [0, 1, 2, None]
    # original 1 fails (its example goes), and so does the rewrite in row 2 (input 3 + 2)
    skipped: list = []
    kept, moved, outputs = _drop_failed(examples, rewrites, _outputs({1: "too long", 5: "odd"}, 3, 3), skipped)
    assert [e.id for e in kept] == ["e0", "e2"]
    assert [s.where for s in skipped] == ["e1"] and "teacher: too long" in skipped[0].reason
    assert [(r.example_index, r.applied, r.row) for r in moved] == [(0, True, 0), (1, False, None), (0, False, None)]
    assert moved[1].reason == "skipped: the rewrite cannot be given to the models: teacher: odd"
    assert moved[1].code == examples[2].code
    # the outputs kept line up with the examples and rows kept
    assert outputs.teacher.original[:, 0].tolist() == [0.0, 0.2]
    assert outputs.student.rewritten[:, 0].tolist() == [0.0]
    assert outputs.teacher.digest_rewritten.tolist() == [100]
