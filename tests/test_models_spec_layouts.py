"""Special-token layouts and unknown tokens: a student trained without <s>/</s>, on a WordPiece
vocabulary that lacks the [UNK] its tokenizer names, loads through a spec exactly as trained."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from metacompress.cli import cli
from metacompress.errors import ModelLoadError
from metacompress.models import load_model
from models_fixtures import BLOCK, bare_wordpiece_config, build_bare_wordpiece_checkpoint, write_bare_spec

CODES = [
    "int add(int a,\n    int b) { return a + b; }",
    "if (buffer == NULL) { free(ctx); return -1; }",
    "String café = \"naïve\"; // 日本語 λ",  # characters the vocabulary cannot spell
    " ".join(["total += values[i];"] * 30),  # longer than the block
]
BERT = 'special_tokens = "bert"\nbos_id = 1\neos_id = 2\npad_id = 0'  # [CLS] = 1, [SEP] = 2, [PAD] = 0


@pytest.fixture(scope="module")
def bare_spec(tmp_path_factory) -> Path:
    return build_bare_wordpiece_checkpoint(tmp_path_factory.mktemp("bare-wordpiece"))


@pytest.fixture(scope="module")
def bare_model(bare_spec):
    return load_model(str(bare_spec))


@pytest.fixture(scope="module")
def reference(bare_spec):
    """The same weights in a plain transformers model, no metacompress in between."""
    from transformers import RobertaForSequenceClassification

    config = bare_wordpiece_config(raw_tokenizer(bare_spec).get_vocab_size())
    model = RobertaForSequenceClassification(config).eval()
    state = torch.load(bare_spec.parent / "model.bin", weights_only=True)
    model.load_state_dict({k.removeprefix("encoder."): v for k, v in state.items()}, strict=True)
    return model


def raw_tokenizer(spec: Path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(spec.parent / "wordpiece.json"))
    tokenizer.model.unk_token = "<unk>"  # what the spec's unk_token declares
    return tokenizer


def raw_ids(spec: Path, code: str) -> list[int]:
    return raw_tokenizer(spec).encode(" ".join(code.split())).ids


def test_inputs_carry_no_special_tokens_and_unknown_text_becomes_the_declared_token(bare_model, bare_spec):
    encoded = bare_model.encode(CODES)
    assert encoded.ids == [raw_ids(bare_spec, code)[:BLOCK] for code in CODES]
    assert encoded.truncated == [False, False, False, True] and len(encoded.ids[3]) == BLOCK
    unk = raw_tokenizer(bare_spec).token_to_id("<unk>")
    assert unk in encoded.ids[2] and unk not in encoded.ids[0]
    assert bare_model.pad_id == 0 and bare_model.info.max_length == BLOCK


def test_pairs_are_the_two_functions_back_to_back(bare_model, bare_spec):
    left, right = "int a = 1;", "return a + b;"
    assert bare_model.encode_pairs([(left, right)]).ids == [raw_ids(bare_spec, left) + raw_ids(bare_spec, right)]


def test_probabilities_reproduce_a_direct_forward_of_the_same_weights(bare_model, bare_spec, reference):
    from metacompress.inference import InferenceSettings, predict_proba

    got = predict_proba(bare_model, CODES, InferenceSettings(device="cpu", progress=False)).probs
    with torch.inference_mode():
        expected = torch.cat([
            torch.softmax(reference(input_ids=torch.tensor([raw_ids(bare_spec, code)[:BLOCK]])).logits, dim=-1)
            for code in CODES
        ]).numpy()  # fmt: skip
    # transformers may pick another attention kernel for each model: float32 rounding, not a difference
    assert abs(got - expected).max() < 1e-4
    assert len({round(float(p), 5) for p in got[:, 1]}) == len(CODES)


def test_bert_layout_wraps_in_cls_sep_and_marks_the_second_function_as_type_1(bare_spec, reference):
    model = load_model(str(write_bare_spec(bare_spec.parent, "bert.toml", preprocessing=BERT)))
    left, right = "int a = 1;", "return a + b;"
    a, b = raw_ids(bare_spec, left), raw_ids(bare_spec, right)
    assert model.encode([left]).ids == [[1] + a + [2]]
    ids = model.encode_pairs([(left, right)]).ids[0]
    assert ids == [1] + a + [2] + b + [2]
    types = [0] * (len(a) + 2) + [1] * (len(b) + 1)
    x = torch.tensor([ids])
    with torch.inference_mode():
        got = model.logits(x, torch.ones_like(x))
        expected = reference(input_ids=x, token_type_ids=torch.tensor([types])).logits
        untyped = reference(input_ids=x).logits
    assert torch.allclose(got, expected, atol=1e-4)
    assert not torch.allclose(got, untyped, atol=1e-3)  # the token types do change the answer


def test_a_missing_unknown_token_is_refused_at_load_time_with_the_fix(bare_spec):
    spec = write_bare_spec(bare_spec.parent, "no-unk.toml", tokenizer="")
    message = (rf"{spec}: tokenizer file {bare_spec.parent / 'wordpiece.json'} names '\[UNK\]' as its unknown token "
               r"but its WordPiece vocabulary has no '\[UNK\]'.*set \[tokenizer\] unk_token = ")
    with pytest.raises(ModelLoadError, match=message):
        load_model(str(spec))
    result = CliRunner().invoke(cli, ["inspect", str(spec)])
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "unk_token" in result.stderr and "Traceback" not in result.output


def test_convert_keeps_the_bare_layout(bare_model, bare_spec, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from metacompress.inference import InferenceSettings, predict_proba
    from metacompress.models.convert import convert_spec

    out = convert_spec(bare_spec, tmp_path / "hf")
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = AutoModelForSequenceClassification.from_pretrained(out).eval()
    batch = tokenizer([" ".join(c.split()) for c in CODES], truncation=True, padding=True, return_tensors="pt")
    assert batch["input_ids"][0, : len(raw_ids(bare_spec, CODES[0]))].tolist() == raw_ids(bare_spec, CODES[0])
    with torch.inference_mode():
        got = torch.softmax(model(**batch).logits, dim=-1).numpy()
    expected = predict_proba(bare_model, CODES, InferenceSettings(device="cpu", progress=False)).probs
    assert abs(got - expected).max() < 1e-5
    assert "adds no special tokens and keeps the first 32 tokens" in (out / "README.md").read_text()
