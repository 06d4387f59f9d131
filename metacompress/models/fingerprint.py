"""Identity and size of a model's weights, independent of the format they were stored in.

The fingerprint lets a report say "this exact student" and lets a user check that a converted
folder still holds the weights of the checkpoint it came from: it hashes the tensors of the
loaded module (names, dtypes, shapes, raw bytes), never the files, so a ``model.bin`` described
by a spec and the ``model.safetensors`` written by ``convert`` fingerprint the same.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Mapping

# Weight files transformers reads, in its order of preference (safetensors first).
WEIGHT_FILES = (
    ("model.safetensors.index.json", "model.safetensors"),
    ("pytorch_model.bin.index.json", "pytorch_model.bin"),
)


def fingerprint(state_dict: Mapping[str, object]) -> str:
    """``sha256:<hex>`` over the sorted (name, dtype, shape, bytes) of every tensor."""
    import torch

    digest = hashlib.sha256()
    for name in sorted(state_dict):
        tensor = state_dict[name]
        if not isinstance(tensor, torch.Tensor):
            continue
        tensor = tensor.detach().to("cpu").contiguous()
        header = f"{name}\0{str(tensor.dtype).removeprefix('torch.')}\0{tuple(tensor.shape)}\0"
        digest.update(header.encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return "sha256:" + digest.hexdigest()


# config.json keys that name where or with what a model was saved, not how it computes
UNCOMPUTED_CONFIG_KEYS = ("transformers_version", "id2label", "label2id")


def preprocessing_fingerprint(tokenizer: str, config, **options) -> str:
    """``sha256:<hex>`` over what turns code into outputs besides the weights.

    ``tokenizer`` is the tokenizer's full description (for a Rust tokenizer its JSON: vocabulary,
    merges, normalizer, special-token template, truncation); ``config`` the encoder's transformers
    config (attention heads, activation, layer-norm epsilon...; paths and versions left out);
    ``options`` the loader's own preprocessing (whitespace normalisation, max length, ...). The
    prediction store keys outputs on it, so a changed tokenizer never reuses an old output.
    """
    import json

    settings = {k: v for k, v in config.to_dict().items() if not k.startswith("_") and k not in UNCOMPUTED_CONFIG_KEYS}
    digest = hashlib.sha256()
    for part in (tokenizer, json.dumps(settings, sort_keys=True, default=str), json.dumps(options, sort_keys=True, default=str)):
        digest.update(hashlib.sha256(part.encode("utf-8", "surrogatepass")).digest())
    return "sha256:" + digest.hexdigest()


def num_parameters(module) -> int:
    """Trainable weights only (tied weights once, buffers such as ``position_ids`` not at all)."""
    return sum(parameter.numel() for parameter in module.parameters())


def files_size(paths: Iterable[str | os.PathLike]) -> int:
    return sum(Path(path).stat().st_size for path in paths)


def hf_weight_files(folder: str | os.PathLike) -> list[Path]:
    """The files a Hugging Face folder's weights come from (shards included), as transformers picks them."""
    folder = Path(folder)
    for index_name, single_name in WEIGHT_FILES:
        if (folder / single_name).is_file():
            return [folder / single_name]
        if (folder / index_name).is_file():
            import json

            index = json.loads((folder / index_name).read_text())
            shards = sorted(set(index.get("weight_map", {}).values()))
            return [folder / shard for shard in shards if (folder / shard).is_file()]
    return []
