"""The inference engine gives exactly what one-at-a-time inference gives, only faster."""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from metacompress.errors import UsageError
from metacompress.inference import InferenceSettings, predict_proba, resolve_device, resolve_precision
from metacompress.models import load_model
from metacompress.models.base import CodeClassifier, Encoded, ModelInfo

MAX_LENGTH = 24
QUIET = InferenceSettings(batch_size=7, device="cpu", progress=False)


class CharClassifier(CodeClassifier):
    """A real (tiny, random) RoBERTa encoder with a character tokenizer, in both head layouts.

    It counts the rows it is asked to encode, so tests can see what the engine deduplicated.
    """

    def __init__(self, head: str = "sequence", labels: int = 3, seed: int = 0):
        from transformers import RobertaConfig, RobertaModel

        torch.manual_seed(seed)
        config = RobertaConfig(
            vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
            max_position_embeddings=MAX_LENGTH + 2, type_vocab_size=1, pad_token_id=1, initializer_range=0.5,
        )
        self._module = torch.nn.ModuleDict(
            {
                "encoder": RobertaModel(config, add_pooling_layer=False),
                "head": torch.nn.Linear(32 if head == "pair-concat" else 16, labels),
            }
        )
        self.info = ModelInfo("char-classifier", "test", [f"L{i}" for i in range(labels)], head, MAX_LENGTH, 0, 0, "")
        self.pad_id = 1
        self.rows_encoded = 0

    @property
    def module(self):
        return self._module

    @staticmethod
    def _tokens(text: str) -> list[int]:
        return [5 + ord(c) % 59 for c in text]

    def encode(self, texts):
        ids = [[0] + self._tokens(t)[: MAX_LENGTH - 2] + [2] for t in texts]
        return Encoded(ids, [len(t) > MAX_LENGTH - 2 for t in texts])

    def encode_pairs(self, pairs):
        budget = (MAX_LENGTH - 4) // 2
        ids = [[0] + self._tokens(a)[:budget] + [2, 2] + self._tokens(b)[:budget] + [2] for a, b in pairs]
        return Encoded(ids, [max(len(a), len(b)) > budget for a, b in pairs])

    def _first_token(self, input_ids, attention_mask):
        self.rows_encoded += input_ids.shape[0]
        return self._module["encoder"](input_ids=input_ids, attention_mask=attention_mask).last_hidden_state[:, 0]

    def logits(self, input_ids, attention_mask):
        return self._module["head"](self._first_token(input_ids, attention_mask))

    def embed(self, input_ids, attention_mask):
        return self._first_token(input_ids, attention_mask)

    def pair_logits(self, left, right):
        return self._module["head"](torch.cat([left, right], dim=-1))


def snippets(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcdefxyz(){};=+ 0123"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(count)]


def reference(model: CharClassifier, inputs) -> np.ndarray:
    """One input at a time, no padding, no sorting, no dedupe: the result to match."""
    model.module.eval()
    rows = []
    with torch.no_grad():
        for item in inputs:
            if model.head == "pair-concat":
                left, right = (torch.tensor(model.encode([t]).ids) for t in item)
                vectors = [model.embed(ids, torch.ones_like(ids)) for ids in (left, right)]
                logits = model.pair_logits(*vectors)
            else:
                encoded = model.encode_pairs([item]) if isinstance(item, tuple) else model.encode([item])
                ids = torch.tensor(encoded.ids)
                logits = model.logits(ids, torch.ones_like(ids))
            rows.append(torch.softmax(logits.double(), dim=-1)[0].numpy())
    return np.stack(rows)


@pytest.fixture(scope="module")
def sequence_model():
    return CharClassifier("sequence")


@pytest.fixture(scope="module")
def pair_model():
    return CharClassifier("pair-concat", labels=2, seed=1)


def test_single_snippets_match_reference_in_input_order(sequence_model):
    texts = snippets(40)
    texts = texts + texts[:10]  # duplicates, interleaved by a shuffle
    random.Random(1).shuffle(texts)
    before = sequence_model.rows_encoded
    result = predict_proba(sequence_model, texts, QUIET)
    assert sequence_model.rows_encoded - before == 40
    assert result.distinct_sequences == 40
    assert result.probs.shape == (50, 3) and result.probs.dtype == np.float64
    assert result.device == "cpu"
    np.testing.assert_allclose(result.probs, reference(sequence_model, texts), atol=1e-6, rtol=0)
    np.testing.assert_allclose(result.probs.sum(axis=1), 1.0, atol=1e-6)


def test_probabilities_vary_across_inputs(sequence_model):
    # Otherwise the reference comparisons above would prove nothing.
    probs = predict_proba(sequence_model, snippets(20), QUIET).probs
    assert probs[:, 0].std() > 0.01


def test_batch_size_does_not_change_results(sequence_model, pair_model):
    texts = snippets(30, seed=2)
    pairs = list(zip(texts[:15], texts[15:]))
    for model, inputs in ((sequence_model, texts), (sequence_model, pairs), (pair_model, pairs)):
        one = predict_proba(model, inputs, InferenceSettings(batch_size=1, device="cpu", progress=False))
        seven = predict_proba(model, inputs, QUIET)
        big = predict_proba(model, inputs, InferenceSettings(batch_size=64, device="cpu", progress=False))
        np.testing.assert_allclose(one.probs, seven.probs, atol=1e-6, rtol=0)
        np.testing.assert_allclose(one.probs, big.probs, atol=1e-6, rtol=0)


def test_pair_concat_embeds_each_distinct_function_once(pair_model):
    functions = snippets(12, seed=3)
    rng = random.Random(4)
    pairs = [(rng.choice(functions), rng.choice(functions)) for _ in range(60)]
    before = pair_model.rows_encoded
    result = predict_proba(pair_model, pairs, QUIET)
    distinct = len({text for pair in pairs for text in pair})
    assert result.distinct_sequences == distinct
    assert pair_model.rows_encoded - before == distinct
    np.testing.assert_allclose(result.probs, reference(pair_model, pairs), atol=1e-6, rtol=0)
    swapped = predict_proba(pair_model, [(b, a) for a, b in pairs], QUIET)
    assert not np.allclose(swapped.probs, result.probs)  # order within a pair matters to this head


def test_sequence_head_pairs_dedupe_identical_pairs(sequence_model):
    texts = snippets(10, seed=5)
    pairs = [(texts[i % 4], texts[(i * 3) % 10]) for i in range(25)]
    result = predict_proba(sequence_model, pairs, QUIET)
    assert result.distinct_sequences == len(set(pairs))
    np.testing.assert_allclose(result.probs, reference(sequence_model, pairs), atol=1e-6, rtol=0)


def test_truncation_flags(sequence_model, pair_model):
    short, long = "ab", "x" * (MAX_LENGTH + 5)
    assert predict_proba(sequence_model, [short, long, short], QUIET).truncated.tolist() == [False, True, False]
    flags = predict_proba(pair_model, [(short, short), (short, long), (long, short)], QUIET).truncated
    assert flags.tolist() == [False, True, True]


def test_empty_input(sequence_model, pair_model):
    for model, width in ((sequence_model, 3), (pair_model, 2)):
        result = predict_proba(model, [], QUIET)
        assert result.probs.shape == (0, width) and result.truncated.shape == (0,)
        assert result.distinct_sequences == 0


def test_pair_concat_rejects_single_snippets(pair_model):
    with pytest.raises(UsageError, match="pairs of functions"):
        predict_proba(pair_model, ["int f();"], QUIET)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_goes_to_a_terminal_stderr_only_when_asked(sequence_model, capsys, monkeypatch):
    predict_proba(sequence_model, snippets(5), QUIET)
    assert capsys.readouterr().err == ""
    # Not a terminal (a CI log): no bars even when asked, so logs stay readable.
    predict_proba(sequence_model, snippets(5), InferenceSettings(device="cpu", description="student"))
    assert capsys.readouterr().err == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    predict_proba(sequence_model, snippets(5), InferenceSettings(device="cpu", description="student"))
    assert "student: classify" in terminal.getvalue() and capsys.readouterr().out == ""


def test_device_and_precision_errors():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    with pytest.raises(UsageError, match="--device must be auto, cpu, cuda, cuda:N or mps, not 'tpu'"):
        resolve_device("tpu")
    with pytest.raises(UsageError, match="--precision must be one of fp32, fp16, bf16, not 'fp8'"):
        resolve_precision("fp8", torch.device("cpu"))
    with pytest.raises(UsageError, match="--precision fp16 needs a GPU"):
        resolve_precision("fp16", torch.device("cpu"))
    with pytest.raises(UsageError, match="--batch-size must be at least 1, not 0"):
        predict_proba(CharClassifier(), ["x"], InferenceSettings(batch_size=0, device="cpu"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_a_usage_error():
    with pytest.raises(UsageError, match="^--device cuda: CUDA is not available on this machine$"):
        resolve_device("cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(sequence_model, pair_model):
    texts = snippets(40, seed=6)
    pairs = list(zip(texts[:20], texts[20:]))
    for model, inputs in ((sequence_model, texts), (pair_model, pairs)):
        cpu = predict_proba(model, inputs, QUIET).probs
        gpu = predict_proba(model, inputs, InferenceSettings(batch_size=7, device="cuda", progress=False)).probs
        half = predict_proba(model, inputs, InferenceSettings(batch_size=7, device="cuda", precision="fp16", progress=False)).probs
        np.testing.assert_allclose(gpu, cpu, atol=1e-4, rtol=0)
        np.testing.assert_allclose(half, cpu, atol=5e-2, rtol=0)
        model.module.to("cpu")


# ---- through the real loaders ------------------------------------------------------------------


def hf_reference(model, inputs) -> np.ndarray:
    """The loader's own encode and logits, one input at a time, unpadded."""
    rows = []
    with torch.no_grad():
        for item in inputs:
            encoded = model.encode_pairs([item]) if isinstance(item, tuple) else model.encode([item])
            ids = torch.tensor(encoded.ids)
            rows.append(torch.softmax(model.logits(ids, torch.ones_like(ids)).double(), dim=-1)[0].numpy())
    return np.stack(rows)


@pytest.mark.slow
def test_tiny_hugging_face_folder_matches_reference(tmp_path):
    from metacompress.demo.tiny import build_tiny_classifier

    texts = snippets(30, seed=7) + ["int f(int a) {\n  return a * 2;\n}" * 9]
    folder = build_tiny_classifier(tmp_path / "tiny", texts, labels=("no", "yes"), max_length=32)
    model = load_model(str(folder))
    inputs = texts + texts[:5]
    result = predict_proba(model, inputs, QUIET)
    assert result.distinct_sequences == len(texts)
    assert result.truncated[30] and not result.truncated[:30].all()
    # Batch size 1 matches to 1e-7; wider batches change float32 kernel blocking, and this model's
    # large random weights amplify that to ~2e-6. A padding or ordering bug moves results by >1e-2.
    np.testing.assert_allclose(result.probs, hf_reference(model, inputs), atol=1e-5, rtol=0)
    one = predict_proba(model, inputs, InferenceSettings(batch_size=1, device="cpu", progress=False))
    np.testing.assert_allclose(one.probs, hf_reference(model, inputs), atol=1e-6, rtol=0)
    pairs = list(zip(texts[:10], texts[10:20]))
    np.testing.assert_allclose(predict_proba(model, pairs, QUIET).probs, hf_reference(model, pairs), atol=1e-5, rtol=0)


@pytest.mark.shared
@pytest.mark.slow
def test_real_pair_concat_student_matches_reference(shared_dir):
    from metacompress.tasks import get_task, sample

    spec = Path(__file__).resolve().parents[1] / "configs" / "models" / "avatar-clone.toml"
    model = load_model(str(spec), model_root=shared_dir / "models" / "avatar-codebert-clone-3mb")
    examples = sample(get_task("clone-detection").load(str(shared_dir / "data" / "bigclonebench-test")).examples, 24, 0)
    pairs = [(e.code[0], e.code[1]) for e in examples]
    result = predict_proba(model, pairs, InferenceSettings(batch_size=8, device="cpu", progress=False))
    assert result.distinct_sequences == len({t for p in pairs for t in p})
    np.testing.assert_allclose(result.probs, reference(model, pairs), atol=1e-6, rtol=0)


def test_a_model_left_in_training_mode_is_put_in_eval_mode_before_it_predicts():
    # dropout left on (in the whole model, or in one layer) would make every call differ
    model = CharClassifier("sequence", seed=3)
    inputs = snippets(12, seed=4)
    expected = reference(model, inputs)
    dropouts = [m for m in model.module.modules() if isinstance(m, torch.nn.Dropout)]
    for leave_on in (lambda: model.module.train(), lambda: dropouts[-1].train()):
        leave_on()
        assert np.allclose(predict_proba(model, inputs, QUIET).probs, expected, atol=1e-6)
        assert not any(sub.training for sub in model.module.modules())
