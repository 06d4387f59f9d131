"""Tiny teacher/student folders and small data files for the audit and CLI tests."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
METHODS = REPO / "examples" / "clone-detection" / "methods.jsonl"
LABELS = ("not-clone", "clone")


def methods() -> list[dict]:
    return [json.loads(line) for line in METHODS.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_pairs(path: Path, count: int = 16, labelled: bool = True, seed: int = 0) -> Path:
    rng = random.Random(seed)
    items = methods()
    lines = []
    for k in range(count):
        first, second = rng.sample(items, 2)
        record = {"id1": first["id"], "id2": second["id"], "code1": first["code"], "code2": second["code"]}
        if labelled:
            record["label"] = int(first["functionality"] == second["functionality"])
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_models(root: Path) -> dict[str, Path]:
    """teacher, an identical copy, a perturbed student, and a three-label model."""
    import torch
    from safetensors.torch import load_file, save_file

    from metacompress.demo.tiny import build_tiny_classifier, train_bpe

    texts = [m["code"] for m in methods()]
    tokenizer = train_bpe(texts, 500)
    teacher = build_tiny_classifier(root / "teacher", texts, LABELS, seed=0, tokenizer=tokenizer, max_length=96)
    same = root / "same"
    shutil.copytree(teacher, same)
    perturbed = root / "perturbed"
    shutil.copytree(teacher, perturbed)
    weights = load_file(str(perturbed / "model.safetensors"))
    generator = torch.Generator().manual_seed(1)
    noisy = {k: v + 0.3 * torch.randn(v.shape, generator=generator) if v.is_floating_point() else v for k, v in weights.items()}
    save_file(noisy, str(perturbed / "model.safetensors"), metadata={"format": "pt"})
    three = build_tiny_classifier(root / "three", texts, ("a", "b", "c"), seed=2, tokenizer=tokenizer, max_length=96)
    return {"teacher": teacher, "same": same, "perturbed": perturbed, "three": three}


def store_counts(out: Path) -> dict[str, tuple[int, int]]:
    """Per model of a written report.json: (outputs taken from the prediction store, outputs computed)."""
    models = json.loads((out / "report.json").read_text())["run"]["models"]
    return {role: (m["outputs_from_store"], m["outputs_computed"]) for role, m in models.items()}
