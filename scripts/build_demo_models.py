"""Build the demo's clone-detection teacher and its distilled student, in about a minute on CPU.

    python scripts/build_demo_models.py --out .cache/demo          # cached: instant when up to date
    python scripts/build_demo_models.py --write-pairs              # regenerate examples/.../pairs.jsonl

Data: examples/clone-detection/methods.jsonl holds 60 hand-written Java methods, 12
functionalities in 5 styles each. Two methods form a clone pair when they share a functionality.
A fixed 30% of the clone pairs, and as many non-clone pairs, are held out as the audit set
(pairs.jsonl, committed); every other pair may be used for training.

Teacher: a 2-layer RoBERTa cross-encoder. Trained from scratch, such a model learns the pair
task slowly, so it first learns to name functionalities (one method: that functionality; a
pair: half each), a cheap stand-in for pre-training, then is fine-tuned on clone/not-clone.
Student: a 1-layer RoBERTa with a quarter of the width. As in TinyBERT, it is first distilled
from the functionality namer, then from the teacher's clone/not-clone soft labels at temperature
T on the training pairs plus unlabelled extra pairs (the KL loss Compressor and AVATAR use).

Cache: --out/manifest.json records a hash of the methods, of this script and the training code,
the seed, thread count and library versions, and a hash of every saved file. A build whose
manifest matches returns at once without importing torch.

The models are tiny and see held-out pairs of methods they were trained on: their accuracy
only makes the demo's report concrete, it measures nothing about real models.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

EXAMPLES = REPO / "examples" / "clone-detection"
LABELS = ("not-clone", "clone")
DATA_SEED = 0  # which pairs are held out; fixed because pairs.jsonl is committed
AUDIT_SHARE = 0.3
VOCAB_SIZE = 800
MAX_LENGTH = 256
PAD_ID = 1  # RoBERTa's
TEMPERATURE = 2.0
TEACHER_SIZES = {"hidden": 64, "layers": 2, "heads": 4, "intermediate": 128}
STUDENT_SIZES = {"hidden": 16, "layers": 1, "heads": 2, "intermediate": 32}
SOURCES = [Path(__file__).resolve(), REPO / "metacompress" / "demo" / "distill.py", REPO / "metacompress" / "demo" / "tiny.py"]


@dataclass(frozen=True)
class Recipe:
    """How much training each stage gets; ``--quick`` shrinks all of it for tests."""

    pretrain_epochs: int = 16
    pretrain_lr: float = 2e-3
    teacher_epochs: int = 5
    teacher_lr: float = 1e-3
    student_pretrain_epochs: int = 12
    student_pretrain_lr: float = 5e-3
    student_epochs: int = 6
    student_lr: float = 3e-3
    unlabelled_pairs: int = 600
    train_limit: int = 0  # 0: every training pair


QUICK = Recipe(1, teacher_epochs=1, student_pretrain_epochs=1, student_epochs=1, unlabelled_pairs=16, train_limit=48)


@dataclass(frozen=True)
class Method:
    id: str
    functionality: str
    code: str


@dataclass(frozen=True)
class Pair:
    first: Method
    second: Method

    @property
    def label(self) -> int:
        return int(self.first.functionality == self.second.functionality)

    def reversed(self) -> "Pair":
        return Pair(self.second, self.first)

    def record(self) -> dict:
        return {
            "id1": self.first.id,
            "id2": self.second.id,
            "code1": self.first.code,
            "code2": self.second.code,
            "label": self.label,
        }


@dataclass
class Split:
    audit: list[Pair]  # held out: the demo audits these
    train: list[Pair]  # labelled, balanced, both orders of each pair
    unlabelled: list[Pair]  # further non-audit pairs, for distillation only


class BuildError(Exception):
    """An input the build cannot use; main prints it as one line and exits with status 2."""


def load_methods(path: Path) -> list[Method]:
    if not path.is_file():
        raise BuildError(f"{path}: methods file not found")
    methods = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            methods.append(Method(**json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise BuildError(f"{path}:{number}: expected a JSON object with id, functionality, code ({exc})") from None
    if not methods:
        raise BuildError(f"{path}: no methods")
    return methods


def split_pairs(methods: list[Method], seed: int = DATA_SEED) -> Split:
    """Hold out pairs (not methods): the tiny teacher cannot generalise to unseen methods."""
    rng = random.Random(seed)
    pairs = [Pair(a, b) for a, b in combinations(methods, 2)]
    clones = [p for p in pairs if p.label]
    others = [p for p in pairs if not p.label]
    rng.shuffle(clones)
    rng.shuffle(others)
    held = round(len(clones) * AUDIT_SHARE)
    audit = [p.reversed() if rng.random() < 0.5 else p for p in clones[:held] + others[:held]]
    rng.shuffle(audit)
    positives = [q for p in clones[held:] for q in (p, p.reversed())] + [Pair(m, m) for m in methods]
    negatives = [q for p in others[held:] for q in (p, p.reversed())]
    rng.shuffle(negatives)
    train = positives + negatives[: len(positives)]
    rng.shuffle(train)
    return Split(audit=audit, train=train, unlabelled=negatives[len(positives) :])


def write_pairs(pairs: list[Pair], path: Path) -> None:
    path.write_text("".join(json.dumps(p.record()) + "\n" for p in pairs))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_key(methods_path: Path, recipe: Recipe, seed: int, threads: int) -> dict:
    """Everything the weights depend on: when it matches the manifest, the build is skipped."""
    return {
        "builder": sha256(b"".join(path.read_bytes() for path in SOURCES)),
        "methods": sha256(methods_path.read_bytes()),
        "seed": seed,
        "threads": threads,
        "recipe": asdict(recipe),
        "versions": {name: metadata.version(name) for name in ("torch", "transformers", "tokenizers")},
    }


def file_digests(out: Path) -> dict[str, str]:
    files = sorted(p for role in ("teacher", "student") for p in (out / role).glob("*") if p.is_file())
    return {str(p.relative_to(out)): sha256(p.read_bytes()) for p in files}


def up_to_date(out: Path, key: dict) -> dict | None:
    """The manifest when it was written for ``key`` and the files are still the ones it lists."""
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    if manifest.get("key") != key or manifest.get("files") != file_digests(out):
        return None
    return manifest


def model_config(vocab_size: int, labels, sizes: dict):
    from metacompress.demo.tiny import tiny_config

    config = tiny_config(vocab_size, labels, max_length=MAX_LENGTH, initializer_range=0.02, **sizes)
    # No dropout: it halves CPU speed, and these models train for seconds, not for robustness.
    config.hidden_dropout_prob = 0.0
    config.attention_probs_dropout_prob = 0.0
    return config


def functionality_targets(singles: list[Method], pairs: list[Pair], names: list[str]):
    """One method: its functionality; a pair: half each, so same-vs-different is a peaked-vs-split output."""
    import torch

    targets = torch.zeros(len(singles) + len(pairs), len(names))
    for row, method in enumerate(singles):
        targets[row, names.index(method.functionality)] = 1.0
    for row, pair in enumerate(pairs, start=len(singles)):
        targets[row, names.index(pair.first.functionality)] += 0.5
        targets[row, names.index(pair.second.functionality)] += 0.5
    return targets


def new_model(vocab_size: int, labels, sizes: dict, init_from=None):
    """A fresh classifier; with ``init_from``, its encoder and head's hidden layer are copied over."""
    from transformers import RobertaForSequenceClassification

    model = RobertaForSequenceClassification(model_config(vocab_size, labels, sizes))
    if init_from is not None:
        model.roberta.load_state_dict(init_from.roberta.state_dict())
        model.classifier.dense.load_state_dict(init_from.classifier.dense.state_dict())
    return model


def train_teacher(vocab: int, names: list[str], data: "Encoded", recipe: Recipe, seed: int, log):
    """Learn to name functionalities first, then fine-tune on clone/not-clone; return (namer, teacher)."""
    from metacompress.demo import distill

    namer = new_model(vocab, names, TEACHER_SIZES)
    settings = distill.TrainSettings(recipe.pretrain_epochs, batch_size=8, lr=recipe.pretrain_lr, seed=seed)
    losses = distill.fit_distribution(namer, data.name_targets, data.name_ids, PAD_ID, settings)
    log(f"teacher: learnt to name functionalities, {recipe.pretrain_epochs} epochs, loss {losses[-1]:.3f}")

    teacher = new_model(vocab, LABELS, TEACHER_SIZES, init_from=namer)
    settings = distill.TrainSettings(recipe.teacher_epochs, lr=recipe.teacher_lr, seed=seed + 1)
    losses = distill.fine_tune(teacher, data.train_ids, data.train_labels, PAD_ID, settings)
    pairs = len(data.train_ids)
    log(f"teacher: fine-tuned on {pairs} labelled pairs, {recipe.teacher_epochs} epochs, loss {losses[-1]:.3f}")
    return namer, teacher


def train_student(vocab: int, names: list[str], namer, teacher, data: "Encoded", recipe: Recipe, seed: int, log):
    """Distil the namer (general), then the teacher (task), as TinyBERT does; no labels used."""
    from metacompress.demo import distill

    student_namer = new_model(vocab, names, STUDENT_SIZES)
    settings = distill.TrainSettings(recipe.student_pretrain_epochs, lr=recipe.student_pretrain_lr, seed=seed + 2)
    namer_logits = distill.predict_logits(namer, data.name_ids, PAD_ID)
    distill.distill(student_namer, namer_logits, data.name_ids, PAD_ID, settings, temperature=TEMPERATURE)

    student = new_model(vocab, LABELS, STUDENT_SIZES, init_from=student_namer)
    ids = data.train_ids + data.unlabelled_ids
    teacher_logits = distill.predict_logits(teacher, ids, PAD_ID)
    settings = distill.TrainSettings(recipe.student_epochs, lr=recipe.student_lr, seed=seed + 3)
    losses = distill.distill(student, teacher_logits, ids, PAD_ID, settings, temperature=TEMPERATURE)
    log(
        f"student: distilled at T={TEMPERATURE} on {len(data.train_ids)} training + {len(data.unlabelled_ids)} "
        f"unlabelled pairs, {recipe.student_epochs} epochs, loss {losses[-1]:.3f}"
    )
    return student


@dataclass
class Encoded:
    """Token ids of everything the build trains on, encoded once."""

    name_ids: list  # single methods, then training pairs
    name_targets: object  # tensor [len(name_ids), functionalities]
    train_ids: list
    train_labels: list[int]
    unlabelled_ids: list
    audit_ids: list
    audit_labels: list[int]


def encode_all(tokenizer, methods: list[Method], split: Split, recipe: Recipe, names: list[str]) -> Encoded:
    train = split.train[: recipe.train_limit] if recipe.train_limit else split.train
    singles = [tokenizer(m.code, truncation=True, max_length=MAX_LENGTH)["input_ids"] for m in methods]
    train_ids = encode(tokenizer, train)
    return Encoded(
        name_ids=singles + train_ids,
        name_targets=functionality_targets(methods, train, names),
        train_ids=train_ids,
        train_labels=[p.label for p in train],
        unlabelled_ids=encode(tokenizer, split.unlabelled[: recipe.unlabelled_pairs]),
        audit_ids=encode(tokenizer, split.audit),
        audit_labels=[p.label for p in split.audit],
    )


def encode(tokenizer, pairs: list[Pair]):
    from metacompress.demo import distill

    return distill.encode_pairs(tokenizer, [(p.first.code, p.second.code) for p in pairs], MAX_LENGTH)


def build(out: Path, methods: list[Method], recipe: Recipe, seed: int, threads: int, log) -> dict:
    """Train and save both models; return the figures the manifest records."""
    from transformers.utils import logging as hf_logging

    from metacompress.demo import distill
    from metacompress.demo.tiny import save_tokenizer, train_bpe

    hf_logging.disable_progress_bar()
    distill.make_deterministic(seed, threads)
    tokenizer = train_bpe([m.code for m in methods], VOCAB_SIZE)
    log(f"tokenizer: {tokenizer.get_vocab_size()} BPE tokens from {len(methods)} methods")
    for role in ("teacher", "student"):
        wrapped = save_tokenizer(tokenizer, out / role, MAX_LENGTH)
    names = sorted({m.functionality for m in methods})
    data = encode_all(wrapped, methods, split_pairs(methods), recipe, names)
    vocab = len(wrapped)

    namer, teacher = train_teacher(vocab, names, data, recipe, seed, log)
    student = train_student(vocab, names, namer, teacher, data, recipe, seed, log)
    teacher.save_pretrained(str(out / "teacher"))
    student.save_pretrained(str(out / "student"))

    teacher_logits = distill.predict_logits(teacher, data.audit_ids, PAD_ID)
    student_logits = distill.predict_logits(student, data.audit_ids, PAD_ID)
    return {
        "audit_pairs": len(data.audit_ids),
        "teacher_accuracy": round(distill.accuracy(teacher_logits, data.audit_labels), 4),
        "student_accuracy": round(distill.accuracy(student_logits, data.audit_labels), 4),
        "agreement": round(distill.agreement(teacher_logits, student_logits), 4),
    }


def describe(figures: dict) -> str:
    return (
        f"held-out accuracy on {figures['audit_pairs']} pairs: teacher {figures['teacher_accuracy']:.3f}, "
        f"student {figures['student_accuracy']:.3f}; they agree on {figures['agreement']:.0%}"
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / ".cache" / "demo", help="folder for teacher/ and student/")
    parser.add_argument("--methods", type=Path, default=EXAMPLES / "methods.jsonl")
    parser.add_argument("--seed", type=int, default=0, help="training seed (the held-out split never changes)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads; results are reproducible per count")
    parser.add_argument("--quick", action="store_true", help="a few seconds of training, for tests")
    parser.add_argument("--force", action="store_true", help="rebuild even when the manifest matches")
    parser.add_argument("--write-pairs", action="store_true", help="rewrite the audit pairs file and exit")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        methods = load_methods(args.methods)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.write_pairs:
        target = args.methods.parent / "pairs.jsonl"
        write_pairs(split_pairs(methods).audit, target)
        print(f"wrote {target}")
        return 0

    from bench_support import print_provenance  # scripts/ is on sys.path when a script runs

    print_provenance()
    recipe = QUICK if args.quick else Recipe()
    key = build_key(args.methods, recipe, args.seed, args.threads)
    manifest = up_to_date(args.out, key)
    if manifest and not args.force:
        print(f"demo models up to date in {args.out} ({describe(manifest['figures'])}); --force rebuilds")
        return 0

    started = time.perf_counter()
    print(f"building demo models in {args.out} (seed {args.seed}{', quick' if args.quick else ''})", flush=True)
    (args.out / "manifest.json").unlink(missing_ok=True)
    figures = build(args.out, methods, recipe, args.seed, args.threads, lambda line: print("  " + line, flush=True))
    seconds = round(time.perf_counter() - started, 1)
    manifest = {"key": key, "files": file_digests(args.out), "figures": figures, "build_seconds": seconds}
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"  {describe(figures)}")
    print(f"done in {seconds} s: {args.out / 'teacher'}, {args.out / 'student'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
