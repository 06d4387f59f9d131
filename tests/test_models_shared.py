"""The four real students (../shared/models) load exactly as trained.

The correct-counts below were recorded from a full-precision (fp32, CPU) run of
``scripts/eval_students.py --limit`` with the loader that reproduces the full-test-set
accuracies of MODELS.md to four decimals (0.9537, 0.5944, 0.9147, 0.6146); any change to a head,
label order or preprocessing moves them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from metacompress.models import load_model

pytestmark = pytest.mark.shared
SPECS = Path(__file__).resolve().parents[1] / "configs" / "models"

# spec -> (checkpoint folder, parameters, layers, hidden, vocab)
STUDENTS = {
    # MODELS.md counts 514 more: it includes the position_ids buffer, which is not a weight.
    "compressor-clone": ("compressor-codebert-clone-3mb", 775_140 - 514, 12, 96, 1000),
    "compressor-devign": ("compressor-codebert-devign-3mb", 756_612 - 514, 12, 96, 1000),
    "avatar-clone": ("avatar-codebert-clone-3mb", 751_280 - 514, 1, 24, 27505),
    "avatar-devign": ("avatar-codebert-devign-3mb", 750_104 - 514, 1, 24, 27505),
}
# spec -> correct predictions on the first 200 Devign functions / first 100 BigCloneBench pairs
SUBSET_CORRECT = {"compressor-devign": 112, "avatar-devign": 114, "compressor-clone": 100, "avatar-clone": 97}


def load_student(shared_dir: Path, name: str):
    return load_model(str(SPECS / f"{name}.toml"), model_root=shared_dir / "models" / STUDENTS[name][0])


def first_rows(folder: Path, count: int) -> list[dict]:
    files = sorted(folder.glob("*.jsonl"), key=lambda f: int(re.search(r"\d+", f.name).group()))
    rows: list[dict] = []
    for file in files:
        rows += [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
        if len(rows) >= count:
            break
    return rows[:count]


@pytest.mark.parametrize("name", sorted(STUDENTS))
def test_students_load_with_the_documented_architecture(shared_dir, name):
    folder, parameters, layers, hidden, vocab = STUDENTS[name]
    info = load_student(shared_dir, name).info
    assert info.num_parameters == parameters
    assert (info.architecture["layers"], info.architecture["hidden"], info.architecture["vocab"]) == (layers, hidden, vocab)
    assert info.size_bytes == (shared_dir / "models" / folder / "model.bin").stat().st_size
    assert info.max_length == 400
    if name.endswith("clone"):
        assert (info.head, info.labels) == ("pair-concat", ["not-clone", "clone"])
    else:
        assert (info.head, info.labels) == ("sequence", ["vulnerable", "not-vulnerable"])


def test_preprocessing_is_codexglues_on_real_functions(shared_dir):
    from tokenizers import Tokenizer

    model = load_student(shared_dir, "compressor-devign")
    raw = Tokenizer.from_file(str(shared_dir / "models" / STUDENTS["compressor-devign"][0] / "BPE_1000.json"))
    functions = [row["func"] for row in first_rows(shared_dir / "data" / "devign-test", 100)]
    expected = [[0] + raw.encode(" ".join(code.split())).ids[:398] + [2] for code in functions]
    encoded = model.encode(functions)
    assert encoded.ids == expected
    assert encoded.truncated == [len(raw.encode(" ".join(code.split())).ids) > 398 for code in functions]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SUBSET_CORRECT))
def test_subset_predictions_match_the_recorded_full_precision_run(shared_dir, name):
    from metacompress.inference import InferenceSettings, predict_proba

    model = load_student(shared_dir, name)
    settings = InferenceSettings(device="cpu", precision="fp32", progress=False)
    if name.endswith("clone"):
        rows = first_rows(shared_dir / "data" / "bigclonebench-test", 100)
        probs = predict_proba(model, [(r["code1"], r["code2"]) for r in rows], settings).probs
        correct = sum(int(p.argmax() == 1) == int(r["label"]) for p, r in zip(probs, rows))
    else:
        rows = first_rows(shared_dir / "data" / "devign-test", 200)
        probs = predict_proba(model, [r["func"] for r in rows], settings).probs
        correct = sum(int(p.argmax() == 0) == int(r["target"]) for p, r in zip(probs, rows))
    assert correct == SUBSET_CORRECT[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["compressor-devign", "avatar-devign"])
def test_converted_devign_students_match_the_spec_in_plain_transformers(shared_dir, name, tmp_path):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from metacompress.inference import InferenceSettings, predict_proba
    from metacompress.models.convert import convert_spec

    root = shared_dir / "models" / STUDENTS[name][0]
    out = convert_spec(SPECS / f"{name}.toml", tmp_path / name, model_root=root)
    functions = [row["func"] for row in first_rows(shared_dir / "data" / "devign-test", 20)]
    spec_model = load_student(shared_dir, name)
    expected = predict_proba(spec_model, functions, InferenceSettings(device="cpu", progress=False)).probs
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = AutoModelForSequenceClassification.from_pretrained(out).eval()
    batch = tokenizer([" ".join(f.split()) for f in functions], truncation=True, max_length=400,
                      padding=True, return_tensors="pt")  # fmt: skip
    with torch.inference_mode():
        got = torch.softmax(model(**batch).logits, dim=-1).numpy()
    assert abs(got - expected).max() < 1e-5
    assert load_model(str(out)).info.fingerprint == spec_model.info.fingerprint
