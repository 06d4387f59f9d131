"""Every malformed spec value or weights file is one clear line, from the library and from the CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from metacompress.cli import cli
from metacompress.errors import ModelLoadError
from metacompress.models import load_model
from models_fixtures import build_tiny_checkpoint


def setting(key: str, value: str):
    """An edit that gives an existing ``key = …`` line of the spec a new value."""
    return lambda text: re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text, count=1)


def adding(after: str, line: str):
    """An edit that adds ``line`` after the first line starting with ``after``."""
    return lambda text: re.sub(rf"(?m)^({re.escape(after)}.*)$", rf"\1\n{line}", text, count=1)


def vocab_of(text: str) -> int:
    return int(re.search(r"vocab_size = (\d+)", text).group(1))


def bos_past_the_tokenizer(text: str) -> str:
    """An embedding 8 rows larger than the tokenizer, and bos_id on one of the extra rows."""
    vocab = vocab_of(text)
    return setting("bos_id", str(vocab + 4))(setting("vocab_size", str(vocab + 8))(text))


SPEC_CASES = {
    "negative-id": (setting("bos_id", "-1"), r"\[preprocessing\] bos_id must be a token id \(0 or more\), not -1"),
    "false-id": (setting("eos_id", "false"),
                 r"\[preprocessing\] eos_id must be a token id \(an integer\), got false; .*special_tokens = \"none\""),
    "true-pad": (setting("pad_id", "true"), r"\[preprocessing\] pad_id must be an integer, got true"),
    "true-block": (setting("block_size", "true"), r"\[preprocessing\] block_size must be an integer, got true"),
    "int-flag": (setting("normalize_whitespace", "1"), r"\[preprocessing\] normalize_whitespace must be true or false, got 1"),
    "id-past-embedding": (setting("bos_id", "5000"), r"\[preprocessing\] bos_id 5000 is beyond the embedding \(vocab_size \d+: ids 0 to \d+\)"),
    "pad-past-embedding": (setting("pad_id", "5000"), r"\[preprocessing\] pad_id 5000 is beyond the embedding"),
    "int64-id": (setting("eos_id", "9223372036854775807"), r"\[preprocessing\] eos_id 9223372036854775807 is beyond the embedding"),
    "id-past-tokenizer": (bos_past_the_tokenizer, r"\[preprocessing\] bos_id \d+ is not a token of the tokenizer \(its ids run from 0 to \d+\)"),
    "unknown-layout": (adding("block_size", 'special_tokens = "gpt2"'),
                       r"\[preprocessing\] special_tokens \"gpt2\" is unknown; expected one of roberta, bert, none"),
    "false-layout": (adding("block_size", "special_tokens = false"), r"\[preprocessing\] special_tokens must be a string, got false"),
    "none-with-ids": (adding("block_size", 'special_tokens = "none"'),
                      r"\[preprocessing\] bos_id and eos_id cannot be used with special_tokens = \"none\""),
    "bert-without-ids": (lambda text: adding("block_size", 'special_tokens = "bert"')(re.sub(r"(?m)^bos_id = .*\n", "", text)),
                         r"special_tokens = \"bert\" needs bos_id \(the \[CLS\] id\) and eos_id \(the \[SEP\] id\)"),
    "block-too-small-for-pairs": (setting("block_size", "5"), r"block_size 5 must lie between 6 and 64"),
    "encoder-true-size": (setting("hidden_size", "true"), r"\[encoder\] hidden_size must be an integer, got true"),
    "encoder-negative-size": (setting("num_hidden_layers", "-1"), r"\[encoder\] num_hidden_layers must be an integer of 1 or more, got -1"),
    "encoder-pad-past-embedding": (setting("pad_token_id", "5000"), r"\[encoder\] pad_token_id 5000 is beyond the embedding"),
    "encoder-text-number": (setting("layer_norm_eps", '"small"'), r"\[encoder\] layer_norm_eps must be a number, got \"small\""),
    "encoder-heads": (setting("num_attention_heads", "3"), r"the \[encoder\] fields do not describe a model: .*multiple"),
    "tokenizer-text-flag": (setting("lowercase", '"yes"'), r"\[tokenizer\] lowercase must be true or false, got \"yes\""),
    "unk-not-in-vocab": (adding("lowercase", 'unk_token = "[NOPE]"'),
                         r"\[tokenizer\] unk_token '\[NOPE\]' is not in the vocabulary of tokenizer file .*bpe\.json"),
    "unk-empty": (adding("lowercase", 'unk_token = ""'), r"\[tokenizer\] unk_token must name a token of the vocabulary"),
    "int-prefix": (setting("encoder_prefix", "5"), r"\[state_dict\] encoder_prefix must be a string, got 5"),
    "true-version": (setting("spec_version", "true"), r"spec_version must be an integer, got true"),
    "int-weights": (setting("weights", "5"), r"weights must be a string, got 5"),
    "unknown-key": (adding("labels", "dropout = 0.1"), r"unknown key\(s\) dropout in the spec"),
    "empty": (lambda text: "", r"the model spec is empty"),
}


@pytest.fixture(scope="module")
def seq_spec(tmp_path_factory) -> Path:
    return build_tiny_checkpoint(tmp_path_factory.mktemp("values"), "sequence-classification", seed=6)


def assert_one_line_error(spec: Path, problem: str) -> None:
    """load_model raises ModelLoadError naming the spec; ``metacompress inspect`` exits 2 with that line."""
    expected = rf"{re.escape(str(spec))}: .*{problem}"
    with pytest.raises(ModelLoadError, match=expected) as raised:
        load_model(str(spec))
    assert "\n" not in str(raised.value)
    result = CliRunner().invoke(cli, ["inspect", str(spec)])
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1 and re.match(rf"Error: {expected}", result.stderr)


@pytest.mark.parametrize("case", sorted(SPEC_CASES))
def test_malformed_spec_value_is_one_line_naming_it(seq_spec, case):
    edit, problem = SPEC_CASES[case]
    spec = seq_spec.parent / f"{case}.toml"
    spec.write_text(edit(seq_spec.read_text()), encoding="utf-8")
    assert spec.read_text() != seq_spec.read_text()
    assert_one_line_error(spec, problem)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def foreign_zip(spec: Path) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a checkpoint")
    return buffer.getvalue()


def safetensors_bytes(spec: Path) -> bytes:
    from safetensors.torch import save

    return save({k: v.contiguous() for k, v in torch.load(spec.parent / "model.bin", weights_only=True).items()})


WEIGHTS_CASES = {
    "empty-bin": ("model.bin", lambda spec: b"", r"weights file .*model\.bin is empty \(0 bytes\)"),
    "text-bin": ("model.bin", lambda spec: b"version https://git-lfs.github.com/spec/v1\n",
                 r"weights file .*model\.bin is not a PyTorch checkpoint \(it holds text"),
    "binary-junk-bin": ("model.bin", lambda spec: b"\x00\x01\x02\x03junk",
                        r"weights file .*model\.bin is not a PyTorch checkpoint \(it holds an unknown format"),
    "broken-pickle-bin": ("model.bin", lambda spec: b"\x80\x02junk",
                          r"model\.bin is not a PyTorch checkpoint: a damaged or truncated pickle \("),
    "truncated-bin": ("model.bin", lambda spec: truncated((spec.parent / "model.bin").read_bytes()),
                      r"weights file .*model\.bin is a truncated or damaged zip archive \([\d,]+ bytes, no end-of-archive record\)"),
    "foreign-zip-bin": ("model.bin", foreign_zip, r"model\.bin is not a PyTorch checkpoint: a zip archive torch cannot read \("),
    "empty-safetensors": ("model.safetensors", lambda spec: b"", r"model\.safetensors is not a safetensors file"),
    "truncated-safetensors": ("model.safetensors", lambda spec: truncated(safetensors_bytes(spec)),
                              r"model\.safetensors is not a safetensors file"),
}


@pytest.mark.parametrize("case", sorted(WEIGHTS_CASES))
def test_unusable_weights_file_is_one_line_naming_it(seq_spec, tmp_path, case):
    name, content, problem = WEIGHTS_CASES[case]
    (tmp_path / name).write_bytes(content(seq_spec))
    shutil.copy(seq_spec.parent / "bpe.json", tmp_path / "bpe.json")
    spec = tmp_path / "m.toml"
    spec.write_text(seq_spec.read_text().replace('"model.bin"', f'"{name}"'), encoding="utf-8")
    assert_one_line_error(spec, problem)
