"""The audit's speed-ups give exactly what the slower paths gave (issue 23: the whole run)."""

from __future__ import annotations

import numpy as np
import pytest

from models_fixtures import TEXTS, build_tiny_checkpoint

LONG = " ".join(f"int v{i} = {i} * {i};" for i in range(40))  # past the tiny checkpoints' 32-token block


@pytest.fixture(scope="module")
def pair_model(tmp_path_factory):
    from metacompress.models import load_model

    return load_model(str(build_tiny_checkpoint(tmp_path_factory.mktemp("pair"), "pair-concat-cls")))


@pytest.fixture(scope="module")
def sequence_model(tmp_path_factory):
    from metacompress.models import load_model

    return load_model(str(build_tiny_checkpoint(tmp_path_factory.mktemp("seq"), "sequence-classification")))


def _functions() -> list[str]:
    texts = list(dict.fromkeys(TEXTS))
    return texts + [LONG, LONG + " // past the window", "// before the window\n" + LONG]


def _counting_encoder(model, monkeypatch) -> list[str]:
    """Every text the model's tokenizer is asked to encode, in order."""
    seen: list[str] = []
    encode = model.encode

    def counted(texts):
        seen.extend(texts)
        return encode(texts)

    monkeypatch.setattr(model, "encode", counted)
    return seen


def test_unit_tokens_give_the_digests_predict_proba_reports_for_pairs(pair_model, monkeypatch):
    from metacompress.inference import UnitTokens, predict_proba

    functions = _functions()
    pairs = [(a, b) for a in functions for b in functions[::2]]
    predicted = predict_proba(pair_model, pairs)
    tokens = UnitTokens(pair_model)
    seen = _counting_encoder(pair_model, monkeypatch)
    halves = [tokens(pairs[: len(pairs) // 2]), tokens(pairs[len(pairs) // 2 :]), tokens(pairs[:3])]
    digests = np.concatenate([halves[0][0], halves[1][0]])
    truncated = np.concatenate([halves[0][1], halves[1][1]])

    assert (digests == predicted.digests).all() and (truncated == predicted.truncated).all()
    assert truncated.any() and not truncated.all()
    assert (halves[2][0] == predicted.digests[:3]).all()
    assert sorted(seen) == sorted(functions), "each function is tokenised once, however many pairs hold it"


def test_unit_tokens_tell_an_edit_past_the_window_from_one_inside(sequence_model):
    from metacompress.inference import UnitTokens, predict_proba, tokenised

    snippets = _functions()
    tokens = UnitTokens(sequence_model)
    digests, truncated = tokens(snippets)
    assert (digests == predict_proba(sequence_model, snippets).digests).all()
    assert (digests == tokenised(sequence_model, snippets)[0]).all()
    long_at = snippets.index(LONG)
    assert truncated[long_at] and not truncated[0]
    assert digests[long_at] == digests[long_at + 1], "an edit past the window is not read"
    assert digests[long_at] != digests[long_at + 2], "an edit inside it is"


def test_inference_reuses_the_units_the_visibility_check_tokenised(pair_model, monkeypatch):
    from metacompress.inference import InferenceSettings, UnitTokens, predict_proba

    functions = _functions()
    pairs = [(a, b) for a in functions for b in functions[1::2]]
    plain = predict_proba(pair_model, pairs, InferenceSettings(progress=False))
    tokens = UnitTokens(pair_model)
    tokens(pairs[:5])  # what a visibility check would have asked
    seen = _counting_encoder(pair_model, monkeypatch)
    shared = predict_proba(pair_model, pairs, InferenceSettings(progress=False, tokens=tokens))

    assert np.array_equal(shared.probs, plain.probs)
    assert np.array_equal(shared.digests, plain.digests) and np.array_equal(shared.truncated, plain.truncated)
    assert shared.distinct_sequences == plain.distinct_sequences
    already = {text for pair in pairs[:5] for text in pair}
    assert seen and already.isdisjoint(seen), "units tokenised for the check are not tokenised again"


def test_a_unit_the_tokenizer_failed_on_stays_failed_when_reused(pair_model, monkeypatch):
    from metacompress.inference import InferenceSettings, UnitTokens, predict_proba

    encode = pair_model.encode

    def fragile(texts):
        if any("BOOM" in text for text in texts):
            raise RuntimeError("cannot tokenise")
        return encode(texts)

    monkeypatch.setattr(pair_model, "encode", fragile)
    pairs = [(TEXTS[0], TEXTS[1]), (TEXTS[0], "BOOM " + TEXTS[2]), (TEXTS[1], TEXTS[2])]
    tokens = UnitTokens(pair_model)
    tokens(pairs)
    plain = predict_proba(pair_model, pairs, InferenceSettings(progress=False))
    shared = predict_proba(pair_model, pairs, InferenceSettings(progress=False, tokens=tokens))
    assert list(shared.failed) == list(plain.failed) == [1]
    assert "cannot tokenise" in shared.failed[1]
    assert np.isnan(shared.probs[1]).all() and np.array_equal(shared.probs[[0, 2]], plain.probs[[0, 2]])


@pytest.mark.parametrize("head", ["pair-concat-cls", "sequence-classification"])
def test_spec_models_encode_the_ids_and_truncation_of_the_full_tokenizer(head, pair_model, sequence_model):
    model = pair_model if head == "pair-concat-cls" else sequence_model
    texts = _functions()
    full = model.tokenizer.encode_batch([model._prepare(text) for text in texts])
    encoded = model.encode(texts)
    assert encoded.ids == [e.ids for e in full]
    assert encoded.truncated == [bool(e.overflowing) for e in full] and any(encoded.truncated)
