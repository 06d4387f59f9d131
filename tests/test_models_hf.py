"""Hugging Face folders and hub ids: safe loading, labels, max length, encoding, clear errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from metacompress.errors import ModelLoadError
from metacompress.models import load_model, loader_for
from metacompress.models.hf import hf_max_length
from metacompress.demo.tiny import build_tiny_classifier
from models_fixtures import TEXTS

MAX_LENGTH = 48


@pytest.fixture(scope="session")
def hf_folder(tmp_path_factory) -> Path:
    return build_tiny_classifier(
        tmp_path_factory.mktemp("hf") / "tiny", TEXTS, labels=("not-clone", "clone"), max_length=MAX_LENGTH,
        hidden=16, layers=1, heads=2, intermediate=32,
    )  # fmt: skip


@pytest.fixture(scope="session")
def hf_model(hf_folder):
    return load_model(str(hf_folder))


def test_folder_loads_with_its_labels_head_and_limits(hf_model, hf_folder):
    info = hf_model.info
    assert (info.format, info.head, info.labels) == ("huggingface", "sequence", ["not-clone", "clone"])
    assert info.max_length == MAX_LENGTH
    assert info.size_bytes == (hf_folder / "model.safetensors").stat().st_size
    assert info.num_parameters == sum(p.numel() for p in hf_model.module.parameters())
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", info.fingerprint)
    assert hf_model.pad_id == 1


def test_encode_matches_the_tokenizer_and_reports_truncation(hf_model):
    short, long = "int a = 1;", " ".join(["total += values[i];"] * 30)
    encoded = hf_model.encode([short, long])
    expected = hf_model.tokenizer([short, long], truncation=True, max_length=MAX_LENGTH)["input_ids"]
    assert encoded.ids == [list(ids) for ids in expected]
    assert encoded.truncated == [False, True]
    assert len(hf_model.tokenizer(long)["input_ids"]) > MAX_LENGTH  # really was cut
    assert hf_model._prefix is not None and len(long) > hf_model._prefix.chars  # through the prefix shortcut


def test_encode_pairs_cross_encodes_longest_first(hf_model):
    pairs = [("int a;", "int b;"), ("int a;", " ".join(["x += y;"] * 40))]
    encoded = hf_model.encode_pairs(pairs)
    firsts, seconds = [a for a, _ in pairs], [b for _, b in pairs]
    expected = hf_model.tokenizer(firsts, seconds, truncation="longest_first", max_length=MAX_LENGTH)["input_ids"]
    assert encoded.ids == [list(ids) for ids in expected]
    assert encoded.truncated == [False, True]


def test_logits_are_the_models_raw_float_logits(hf_model):
    ids = torch.tensor(hf_model.encode(["return a + b;"]).ids)
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        got = hf_model.logits(ids, mask)
        expected = hf_model.module(input_ids=ids, attention_mask=mask).logits
    assert got.dtype == torch.float32 and torch.equal(got, expected)


def test_loading_prints_no_progress_bars_or_warnings(hf_folder, capfd):
    load_model(str(hf_folder))
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_max_length_takes_the_tighter_of_tokenizer_and_positions():
    roberta = SimpleNamespace(model_type="roberta", max_position_embeddings=514, pad_token_id=1)
    bert = SimpleNamespace(model_type="bert", max_position_embeddings=512, pad_token_id=0)
    unlimited = SimpleNamespace(model_max_length=int(1e30))
    assert hf_max_length(unlimited, roberta) == 512  # positions minus RoBERTa's pad offset
    assert hf_max_length(SimpleNamespace(model_max_length=256), roberta) == 256
    assert hf_max_length(unlimited, bert) == 512
    assert hf_max_length(unlimited, SimpleNamespace(model_type="t5")) == 512  # nothing known: fallback


def safetensors_state(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(folder / "model.safetensors")


def test_pytorch_bin_folder_loads_with_the_same_fingerprint(hf_folder, hf_model, tmp_path):
    folder = shutil.copytree(hf_folder, tmp_path / "bin", ignore=shutil.ignore_patterns("model.safetensors"))
    torch.save(safetensors_state(hf_folder), folder / "pytorch_model.bin")
    model = load_model(str(folder))
    assert model.info.fingerprint == hf_model.info.fingerprint
    assert model.info.size_bytes == (folder / "pytorch_model.bin").stat().st_size


def test_pickled_objects_in_pytorch_bin_are_refused_and_never_run(hf_folder, tmp_path):
    marker = tmp_path / "executed"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    folder = shutil.copytree(hf_folder, tmp_path / "evil", ignore=shutil.ignore_patterns("model.safetensors"))
    torch.save({**safetensors_state(hf_folder), "payload": Payload()}, folder / "pytorch_model.bin")
    with pytest.raises(ModelLoadError, match="refusing to unpickle the weights"):
        load_model(str(folder))
    assert not marker.exists()


def test_a_checkpoint_without_trained_head_weights_is_refused(hf_folder, tmp_path):
    from safetensors.torch import save_file

    folder = shutil.copytree(hf_folder, tmp_path / "headless")
    state = {k: v for k, v in safetensors_state(hf_folder).items() if not k.startswith("classifier.")}
    save_file(state, folder / "model.safetensors")
    with pytest.raises(ModelLoadError, match=r"lacks 4 weight\(s\) of the classifier \(classifier\.dense\.bias"):
        load_model(str(folder))


def test_folder_without_config_points_to_model_specs(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"")
    with pytest.raises(ModelLoadError, match="folder without config.json.*model spec"):
        load_model(str(tmp_path))


@pytest.mark.parametrize("source", ["./missing-model", "/no/such/model", "models/student/v2", "~/nowhere-model"])
def test_missing_paths_are_reported_as_paths(source):
    with pytest.raises(ModelLoadError, match=f"^model path {re.escape(source)} does not exist$"):
        load_model(source)


def test_uncached_hub_id_offline_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="not in the local Hugging Face cache .*offline"):
        load_model("metacompress-tests/no-such-model")


def test_loader_is_chosen_by_what_the_source_is(hf_folder, tmp_path):
    spec = tmp_path / "m.toml"
    spec.write_text("")
    assert loader_for(str(spec)) == "spec"
    assert loader_for(str(hf_folder)) == "huggingface"
    assert loader_for("microsoft/codebert-base") == "huggingface"
    assert loader_for("roberta-base") == "huggingface"
    with pytest.raises(ModelLoadError, match="is a file"):
        loader_for(str(hf_folder / "config.json"))


def test_remote_code_is_never_run_unless_asked(tmp_path):
    marker = tmp_path / "executed"
    (tmp_path / "configuration_mc.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n")
    (tmp_path / "config.json").write_text(json.dumps({
        "model_type": "mc-custom",
        "auto_map": {"AutoConfig": "configuration_mc.McConfig",
                     "AutoModelForSequenceClassification": "modeling_mc.McModel"},
    }))  # fmt: skip
    with pytest.raises(ModelLoadError, match="needs its own Python code; rerun with --trust-remote-code"):
        load_model(str(tmp_path))
    assert not marker.exists()


def test_a_folder_without_tokenizer_names_the_tokenizer(hf_folder, tmp_path):
    folder = shutil.copytree(hf_folder, tmp_path / "no-tokenizer", ignore=shutil.ignore_patterns("tokenizer*"))
    with pytest.raises(ModelLoadError, match="the model loads but its tokenizer does not"):
        load_model(str(folder))
