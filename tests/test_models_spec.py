"""Model specs: CodeXGLUE-style checkpoints load as trained, and every mismatch is named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import torch

from metacompress.errors import ModelLoadError
from metacompress.models import load_model
from metacompress.models.spec import read_spec
from models_fixtures import BLOCK, build_tiny_checkpoint, write_spec


@pytest.fixture(scope="session")
def seq_spec(tmp_path_factory) -> Path:
    return build_tiny_checkpoint(tmp_path_factory.mktemp("seq"), "sequence-classification")


@pytest.fixture(scope="session")
def pair_spec(tmp_path_factory) -> Path:
    return build_tiny_checkpoint(tmp_path_factory.mktemp("pair"), "pair-concat-cls", seed=1)


@pytest.fixture(scope="session")
def seq_model(seq_spec):
    return load_model(str(seq_spec))


@pytest.fixture(scope="session")
def pair_model(pair_spec):
    return load_model(str(pair_spec))


def raw_ids(spec_path: Path, code: str) -> list[int]:
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(spec_path.parent / "bpe.json")).encode(" ".join(code.split())).ids


def checkpoint(spec_path: Path) -> dict:
    return torch.load(spec_path.parent / "model.bin", weights_only=True)


def test_sequence_spec_describes_itself(seq_model, seq_spec):
    info = seq_model.info
    assert (info.format, info.head, info.labels, info.max_length) == ("spec", "sequence", ["no", "yes"], BLOCK)
    assert info.size_bytes == (seq_spec.parent / "model.bin").stat().st_size
    weights = {k: v for k, v in checkpoint(seq_spec).items() if not k.endswith("position_ids")}
    assert info.num_parameters == sum(v.numel() for v in weights.values())
    assert info.architecture["hidden"] == 16 and info.architecture["layers"] == 1


def test_encode_wraps_truncates_and_normalises_whitespace_like_codexglue(seq_model, seq_spec):
    short = "int  add(int a,\n\tint b) { return a + b; }"
    long = " ".join(["total += values[i];"] * 40)
    encoded = seq_model.encode([short, long])
    for code, ids in zip([short, long], encoded.ids):
        assert ids == [0] + raw_ids(seq_spec, code)[: BLOCK - 2] + [2]
    assert encoded.truncated == [False, True]
    assert len(encoded.ids[1]) == BLOCK
    assert seq_model.encode(["int add(int a, int b) { return a + b; }"]).ids[0] == encoded.ids[0]


def test_encode_lowercases_as_the_tokenizer_does(seq_model):
    assert seq_model.encode(["RETURN Total;"]).ids == seq_model.encode(["return total;"]).ids


def test_sequence_logits_match_a_plain_transformers_model(seq_model, seq_spec):
    from transformers import RobertaForSequenceClassification

    reference = RobertaForSequenceClassification(seq_model.config).eval()
    state = {k.removeprefix("encoder."): v for k, v in checkpoint(seq_spec).items() if not k.endswith("position_ids")}
    reference.load_state_dict(state, strict=True)
    ids = seq_model.encode(["if (buffer == NULL) { free(ctx); return -1; }"]).ids
    x = torch.tensor(ids)
    with torch.inference_mode():
        expected = reference(input_ids=x, attention_mask=torch.ones_like(x)).logits
        got = seq_model.logits(x, torch.ones_like(x))
    assert torch.allclose(got, expected, atol=1e-6)


def test_sequence_spec_encodes_pairs_roberta_style_within_the_block(seq_model, seq_spec):
    left, right = "int a = 1;", " ".join(["x += y;"] * 40)
    encoded = seq_model.encode_pairs([(left, right)])
    ids = encoded.ids[0]
    first = raw_ids(seq_spec, left)
    assert ids[: len(first) + 3] == [0] + first + [2, 2]
    assert len(ids) == BLOCK and ids[-1] == 2 and encoded.truncated == [True]


def test_pair_head_concatenates_the_two_first_token_vectors(pair_model, pair_spec):
    from transformers import RobertaModel

    state = checkpoint(pair_spec)
    encoder = RobertaModel(pair_model.config, add_pooling_layer=True).eval()
    encoder.load_state_dict({k[len("encoder."):]: v for k, v in state.items()
                             if k.startswith("encoder.") and not k.endswith("position_ids")})  # fmt: skip
    codes = ["int add(int a, int b) { return a + b; }", "for (int i = 0; i < n; i++) { total += values[i]; }"]
    with torch.inference_mode():
        vectors = []
        for ids in pair_model.encode(codes).ids:
            x = torch.tensor([ids])
            vectors.append(encoder(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state[:, 0, :])
        joined = torch.cat(vectors, dim=-1)
        hidden = torch.tanh(joined @ state["classifier.dense.weight"].T + state["classifier.dense.bias"])
        expected = hidden @ state["classifier.out_proj.weight"].T + state["classifier.out_proj.bias"]
        ids = pair_model.encode(codes).ids
        width = max(map(len, ids))
        x = torch.tensor([row + [1] * (width - len(row)) for row in ids])
        embedded = pair_model.embed(x, (x != 1).long())
        got = pair_model.pair_logits(embedded[:1], embedded[1:])
    assert pair_model.info.head == "pair-concat"
    assert torch.allclose(got, expected, atol=1e-5)


def test_pair_head_refuses_single_sequence_calls(pair_model):
    with pytest.raises(NotImplementedError):
        pair_model.logits(torch.zeros(1, 3, dtype=torch.long), torch.ones(1, 3, dtype=torch.long))
    with pytest.raises(NotImplementedError):
        pair_model.encode_pairs([("a", "b")])


def test_predict_proba_runs_the_pair_head(pair_model):
    from metacompress.inference import InferenceSettings, predict_proba

    a, b, c = "int a = 1;", "return a + b;", "while (*s++) n++;"
    probs = predict_proba(pair_model, [(a, b), (b, c), (a, c)], InferenceSettings(progress=False)).probs
    assert probs.shape == (3, 2) and len({round(p, 6) for p in probs[:, 1]}) == 3


# ---- where paths point ---------------------------------------------------------------------------


def test_root_key_is_relative_to_the_spec_file(seq_spec, tmp_path):
    shutil.copytree(seq_spec.parent, tmp_path / "models" / "tiny")
    spec = tmp_path / "specs" / "m.toml"
    spec.parent.mkdir()
    spec.write_text(seq_spec.read_text().replace('weights = "model.bin"', 'root = "../models/tiny"\nweights = "model.bin"'))
    assert read_spec(spec).root == (tmp_path / "models" / "tiny").resolve()
    assert load_model(str(spec)).info.fingerprint == load_model(str(seq_spec)).info.fingerprint


def test_model_root_argument_and_environment_override_the_spec_folder(seq_spec, tmp_path, monkeypatch):
    spec = tmp_path / "elsewhere.toml"
    shutil.copy(seq_spec, spec)
    with pytest.raises(ModelLoadError, match=f"tokenizer file {re.escape(str(tmp_path / 'bpe.json'))} does not exist"):
        load_model(str(spec))
    expected = load_model(str(seq_spec)).info.fingerprint
    assert load_model(str(spec), model_root=str(seq_spec.parent)).info.fingerprint == expected
    monkeypatch.setenv("METACOMPRESS_MODEL_ROOT", str(seq_spec.parent))
    assert load_model(str(spec)).info.fingerprint == expected


# ---- errors that name the problem ---------------------------------------------------------------


def test_missing_spec_path(tmp_path):
    with pytest.raises(ModelLoadError, match="model path .*nope.toml does not exist"):
        load_model(str(tmp_path / "nope.toml"))


def test_unknown_head_is_named(seq_spec):
    spec = seq_spec.parent / "bad-head.toml"
    spec.write_text(seq_spec.read_text().replace('head = "sequence-classification"', 'head = "sequence-cls"'))
    with pytest.raises(ModelLoadError, match="unknown head 'sequence-cls'; expected one of sequence-classification, pair-concat-cls"):
        load_model(str(spec))


def test_wrong_head_reports_the_classifier_shape_and_suggests_the_pair_head(pair_spec):
    spec = write_spec(pair_spec.parent, "sequence-classification", name="wrong-head.toml",
                      encoder_prefix="encoder.", classifier_prefix="classifier.")  # fmt: skip
    with pytest.raises(ModelLoadError, match=r"tensor classifier\.dense\.weight has shape \(16, 32\) .* needs \(16, 16\).*pair-concat-cls"):
        load_model(str(spec))


def test_wrong_sizes_name_the_tensor_and_both_shapes(seq_spec):
    spec = write_spec(seq_spec.parent, "sequence-classification", name="wide.toml", hidden=24, heads=2)
    with pytest.raises(ModelLoadError, match=r"tensor encoder\.roberta\.embeddings\.word_embeddings\.weight has shape \(\d+, 16\) .* needs \(\d+, 24\)"):
        load_model(str(spec))


def test_missing_and_unexpected_keys_are_counted_and_named(seq_spec):
    spec = write_spec(seq_spec.parent, "sequence-classification", name="deep.toml", layers=2)
    with pytest.raises(ModelLoadError, match=r"16 missing \(encoder\.roberta\.encoder\.layer\.1\."):
        load_model(str(spec))


def test_mismatched_prefix_lists_the_prefixes_the_file_has(seq_spec):
    spec = write_spec(seq_spec.parent, "sequence-classification", name="prefix.toml", encoder_prefix="model.roberta.")
    with pytest.raises(ModelLoadError, match=r"no key in model\.bin starts with encoder_prefix 'model\.roberta\.'; its keys start with encoder\.classifier\., encoder\.roberta\."):
        load_model(str(spec))


def test_missing_tokenizer_is_named(seq_spec, tmp_path):
    shutil.copy(seq_spec.parent / "model.bin", tmp_path / "model.bin")
    text = seq_spec.read_text()
    (tmp_path / "m.toml").write_text(text)
    with pytest.raises(ModelLoadError, match=r"tokenizer file .*bpe\.json does not exist"):
        load_model(str(tmp_path / "m.toml"))
    (tmp_path / "n.toml").write_text(text.replace('file = "bpe.json"\n', ""))
    with pytest.raises(ModelLoadError, match=r"\[tokenizer\] needs exactly one of file, vocab \(\+ merges\) or pretrained"):
        load_model(str(tmp_path / "n.toml"))


def test_unknown_spec_key_is_a_typo_not_ignored(seq_spec):
    text = seq_spec.read_text().replace("block_size =", "blocksize =")
    spec = seq_spec.parent / "typo.toml"
    spec.write_text(text)
    with pytest.raises(ModelLoadError, match=r"unknown key\(s\) blocksize in \[preprocessing\]"):
        load_model(str(spec))


def test_pickled_objects_are_refused_and_never_run(seq_spec, tmp_path):
    marker = tmp_path / "executed"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    state = checkpoint(seq_spec)
    state["extra"] = Payload()
    torch.save(state, tmp_path / "model.bin")
    shutil.copy(seq_spec.parent / "bpe.json", tmp_path / "bpe.json")
    shutil.copy(seq_spec, tmp_path / "m.toml")
    with pytest.raises(ModelLoadError, match="refusing to load .*model.bin: it holds Python objects"):
        load_model(str(tmp_path / "m.toml"))
    assert not marker.exists()


def test_nested_state_dict_needs_and_honours_the_key_option(seq_spec, tmp_path):
    torch.save({"epoch": 3, "model_state_dict": checkpoint(seq_spec)}, tmp_path / "model.bin")
    shutil.copy(seq_spec.parent / "bpe.json", tmp_path / "bpe.json")
    text = seq_spec.read_text()
    (tmp_path / "a.toml").write_text(text)
    with pytest.raises(ModelLoadError, match=r"holds no tensors at its top level .*\[state_dict\] key"):
        load_model(str(tmp_path / "a.toml"))
    (tmp_path / "b.toml").write_text(text + 'key = "model_state_dict"\n')
    assert load_model(str(tmp_path / "b.toml")).info.fingerprint == load_model(str(seq_spec)).info.fingerprint


def test_fingerprint_depends_on_the_weights_not_their_file_format(seq_spec, tmp_path):
    from safetensors.torch import save_file

    state = {k: v.contiguous() for k, v in checkpoint(seq_spec).items()}
    save_file(state, tmp_path / "model.safetensors")
    shutil.copy(seq_spec.parent / "bpe.json", tmp_path / "bpe.json")
    (tmp_path / "st.toml").write_text(seq_spec.read_text().replace("model.bin", "model.safetensors"))
    original = load_model(str(seq_spec)).info.fingerprint
    assert load_model(str(tmp_path / "st.toml")).info.fingerprint == original
    state["encoder.classifier.out_proj.bias"] = state["encoder.classifier.out_proj.bias"] + 1e-3
    save_file(state, tmp_path / "model.safetensors")
    assert load_model(str(tmp_path / "st.toml")).info.fingerprint != original


@pytest.mark.parametrize("key", ["bos_id", "eos_id", "pad_id"])
def test_negative_special_token_id_is_named(seq_spec, key):
    spec = seq_spec.parent / f"negative-{key}.toml"
    spec.write_text(re.sub(rf"{key} = \d+", f"{key} = -1", seq_spec.read_text()))
    with pytest.raises(ModelLoadError, match=rf"negative-{key}.toml: \[preprocessing\] {key} must be a token id \(0 or more\), not -1"):
        load_model(str(spec))


def test_empty_spec_file_says_it_is_empty(tmp_path):
    (tmp_path / "m.toml").write_text("")
    with pytest.raises(ModelLoadError, match=r"m\.toml: the model spec is empty"):
        load_model(str(tmp_path / "m.toml"))


def test_spec_without_head_asks_for_one(seq_spec):
    spec = seq_spec.parent / "no-head.toml"
    spec.write_text(seq_spec.read_text().replace('head = "sequence-classification"\n', ""))
    with pytest.raises(ModelLoadError, match="the spec needs head = one of sequence-classification, pair-concat-cls"):
        load_model(str(spec))


@pytest.mark.parametrize("content, problem", [
    (b"", r"is empty \(0 bytes\)"),
    (b"this is not a checkpoint\n", r"is not a PyTorch checkpoint \(it holds text"),
    (b"\x00\x01\x02\x03garbage", r"is not a PyTorch checkpoint \(it holds an unknown format"),
    (b"\x80\x02garbage", r"is not a PyTorch checkpoint: "),
])
def test_unusable_weights_file_is_named_with_its_problem(seq_spec, tmp_path, content, problem):
    (tmp_path / "model.bin").write_bytes(content)
    shutil.copy(seq_spec.parent / "bpe.json", tmp_path / "bpe.json")
    shutil.copy(seq_spec, tmp_path / "m.toml")
    with pytest.raises(ModelLoadError, match=rf"m\.toml: (weights file )?.*model\.bin {problem}"):
        load_model(str(tmp_path / "m.toml"))
