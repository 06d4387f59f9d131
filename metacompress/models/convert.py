"""Turn a spec-described checkpoint into a standard Hugging Face folder.

The folder loads with plain ``AutoModelForSequenceClassification`` + ``AutoTokenizer`` and
tokenises as the spec does (``<s> … </s>`` template, ``model_max_length`` = block size), apart
from one step no tokenizer file can express: CodeXGLUE's whitespace normalisation
(``" ".join(code.split())``). That step is recorded in ``config.json`` (read back by
metacompress's own loader) and in the folder's README for everyone else.

Pair-concat (CodeXGLUE clone) heads have no transformers class, so they cannot be converted.
"""

from __future__ import annotations

import json
from dataclasses import asdict
import os
from pathlib import Path

from ..errors import UsageError
from .hf import PREPROCESSING_KEY
from .spec import read_spec

README = """# {name} (converted by metacompress)

{description}

Converted from the model spec `{spec}`; weights fingerprint `{fingerprint}`
(identical to the spec-loaded model: `metacompress inspect` shows it for both).

Labels (softmax index → name): {labels}.

## Preprocessing the model was trained with

1. Normalise whitespace first: `code = " ".join(code.split())`. The tokenizer cannot do this
   itself; metacompress applies it automatically because `config.json` records
   `"{key}": {{"normalize_whitespace": true, ...}}`.
2. Tokenise with `AutoTokenizer.from_pretrained(folder)(code, truncation=True, max_length={block})`:
   it {wrapping} and keeps the first {inner} tokens of the function.
"""


def convert_spec(
    spec_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    model_root: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``out_dir`` as a Hugging Face folder holding the spec's sequence classifier."""
    from . import loader_for
    from .spec_model import load_spec

    if loader_for(str(spec_path)) != "spec":
        raise UsageError(f"{spec_path}: convert takes a model spec (.toml); a Hugging Face model needs no conversion")
    spec = read_spec(spec_path, model_root=model_root)
    if spec.head == "pair-concat-cls":
        raise UsageError(
            f"{spec_path}: head pair-concat-cls (the CodeXGLUE clone head: two functions encoded apart, "
            "their <s> vectors concatenated) has no standard Hugging Face class; load it with the "
            "metacompress spec loader instead (metacompress run/inspect accept the .toml)"
        )
    if spec.logits == "sigmoid":
        raise UsageError(f'{spec_path}: logits = "sigmoid" (one logit) has no Hugging Face sequence-classification '
                         "equivalent (one label means regression there); load the .toml instead")
    out = Path(out_dir)
    _check_target(out, overwrite)
    model = load_spec(str(spec_path), model_root=model_root)
    out.mkdir(parents=True, exist_ok=True)
    _save_model(model, out)
    _save_tokenizer(model, out)
    pre = spec.preprocessing
    (out / "README.md").write_text(
        README.format(
            name=spec.name,
            description=spec.description or "A sequence classifier.",
            spec=spec.path.name,
            fingerprint=model.info.fingerprint,
            labels=", ".join(f"{i} = {name}" for i, name in enumerate(spec.labels)),
            key=PREPROCESSING_KEY,
            block=pre.block_size,
            inner=pre.block_size - pre.added_per_function,
            wrapping=_wrapping(model.tokenizer, pre),
        ),
        encoding="utf-8",
    )
    return out


def _check_target(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise UsageError(f"{out} exists and is not empty; pass --overwrite to write into it")


def _wrapping(tokenizer, pre) -> str:
    if pre.special_tokens == "none":
        return "adds no special tokens"
    return f"adds `{tokenizer.id_to_token(pre.bos_id)}` … `{tokenizer.id_to_token(pre.eos_id)}`"


def _save_model(model, out: Path) -> None:
    from .quiet import quiet_transformers

    pre = model.spec.preprocessing
    config = model.module.config
    setattr(config, PREPROCESSING_KEY, {
        "normalize_whitespace": pre.normalize_whitespace,
        "block_size": pre.block_size,
        "source_spec": model.spec.name,
        **({"graphcodebert": asdict(model.spec.graph)} if model.spec.graph else {}),
    })
    with quiet_transformers():
        model.module.save_pretrained(str(out))


def _save_tokenizer(model, out: Path) -> None:
    """The spec's tokenizer with its ``<s> $A </s>`` template, wrapped so AutoTokenizer reads it."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    from .quiet import quiet_transformers

    tokenizer = Tokenizer.from_str(model.tokenizer.to_str())
    tokenizer.no_truncation()
    pre = model.spec.preprocessing
    vocab = tokenizer.get_vocab()
    wrapped_by = {"bos_id": ("bos_token", "cls_token"), "eos_id": ("eos_token", "sep_token"), "pad_id": ("pad_token",)}
    specials = {
        **{name: tokenizer.id_to_token(token_id) for key, token_id in pre.special_ids().items() for name in wrapped_by[key]},
        "unk_token": "<unk>" if "<unk>" in vocab else None,
        "mask_token": "<mask>" if "<mask>" in vocab else None,
    }
    with quiet_transformers():
        wrapped = PreTrainedTokenizerFast(
            tokenizer_object=tokenizer,
            model_max_length=pre.block_size,
            padding_side="right",
            truncation_side="right",
            **{key: value for key, value in specials.items() if value is not None},
        )
        wrapped.save_pretrained(str(out))
    # transformers 5 writes its own class name; the older alias loads in 4.x and 5.x alike.
    config_file = out / "tokenizer_config.json"
    settings = json.loads(config_file.read_text(encoding="utf-8"))
    settings["tokenizer_class"] = "PreTrainedTokenizerFast"
    config_file.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
