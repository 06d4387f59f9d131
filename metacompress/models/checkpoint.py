"""Read a spec's weights file safely and fit its keys onto the module the spec describes.

The checks are strict on purpose: a checkpoint that loads with a few layers left at random
values still produces probabilities, and an audit of such a model would be silently
meaningless. So every key must be accounted for, and each mismatch is reported by name.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

from ..errors import ModelLoadError

IGNORED_SUFFIXES = ("embeddings.position_ids", "embeddings.token_type_ids")  # buffers, not weights
SHOWN = 4  # how many offending keys a message names


def read_weights(spec) -> dict:
    """The state_dict in the spec's weights file, never unpickling anything but tensors."""
    path: Path = spec.weights
    if not path.is_file():
        raise ModelLoadError(f"{spec.path}: weights file {path} does not exist")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        try:
            data = load_file(str(path))
        except Exception as exc:  # safetensors raises its own SafetensorError
            raise ModelLoadError(f"{spec.path}: {path} is not a safetensors file: {exc}") from None
    else:
        data = _torch_load(spec, path)
    if spec.state_dict.key is not None:
        if not isinstance(data, dict) or spec.state_dict.key not in data:
            raise ModelLoadError(f"{spec.path}: {path} has no entry {spec.state_dict.key!r} ([state_dict] key)")
        data = data[spec.state_dict.key]
    return _tensors_only(spec, path, data)


def _torch_load(spec, path: Path):
    import torch

    _check_torch_file(spec, path)
    try:
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        reason = next((line for line in str(exc).splitlines() if "GLOBAL" in line), "")
        if not reason:  # not a refused object but a broken pickle ("Unsupported operand", truncation)
            detail = next((line.strip() for line in str(exc).splitlines()[3:] if line.strip()), "")
            raise ModelLoadError(f"{spec.path}: {path} is not a PyTorch checkpoint: a damaged pickle"
                                 f"{' (' + detail + ')' if detail else ''}") from None
        raise ModelLoadError(
            f"{spec.path}: refusing to load {path}: it holds Python objects, not only tensors, and "
            f"unpickling them could run code (torch.load weights_only=True). {reason}".strip()
        ) from None
    except Exception as exc:  # torch's unpickler raises anything from KeyError to RuntimeError on junk
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        with path.open("rb") as handle:
            damaged = "a damaged or truncated pickle" if handle.read(1) == b"\x80" else "a zip archive torch cannot read"
        raise ModelLoadError(f"{spec.path}: {path} is not a PyTorch checkpoint: {damaged} ({detail})") from None


def _check_torch_file(spec, path: Path) -> None:
    """torch.save writes a zip archive (PK) or, before torch 1.6, a pickle (protocol byte 0x80)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise ModelLoadError(f"{spec.path}: cannot read weights file {path} ({exc.strerror})") from None
    if not head:
        raise ModelLoadError(f"{spec.path}: weights file {path} is empty (0 bytes)")
    if not (head.startswith(b"PK") or head.startswith(b"\x80")):
        kind = "text" if all(32 <= b < 127 or b in (9, 10, 13) for b in head) else "an unknown format"
        raise ModelLoadError(f"{spec.path}: weights file {path} is not a PyTorch checkpoint (it holds {kind}, "
                             "not the zip archive or pickle that torch.save writes)")
    if head.startswith(b"PK") and not zipfile.is_zipfile(path):
        raise ModelLoadError(f"{spec.path}: weights file {path} is a truncated or damaged zip archive "
                             f"({path.stat().st_size:,} bytes, no end-of-archive record); copy or download it again")


def _tensors_only(spec, path: Path, data) -> dict:
    import torch

    if not isinstance(data, dict) or not data:
        raise ModelLoadError(f"{spec.path}: {path} does not hold a state_dict (a mapping of names to tensors)")
    tensors = {name: value for name, value in data.items() if isinstance(value, torch.Tensor)}
    if not tensors:
        nested = ", ".join(repr(k) for k in list(data)[:SHOWN])
        raise ModelLoadError(
            f"{spec.path}: {path} holds no tensors at its top level (keys {nested}); "
            "name the entry that holds the state_dict with [state_dict] key"
        )
    return tensors


def fit_state_dict(spec, weights: dict, module, targets: dict[str, str]) -> dict:
    """Rename checkpoint keys to ``module``'s names, checking prefixes, key sets and shapes.

    ``targets`` maps each checkpoint prefix to the module prefix it becomes, e.g.
    ``{"encoder.roberta.": "roberta.", "encoder.classifier.": "classifier."}``.
    """
    weights = {k: v for k, v in weights.items() if not k.endswith(IGNORED_SUFFIXES)}
    _check_prefixes(spec, weights, targets)
    renamed, unmatched = {}, []
    by_length = sorted(targets, key=len, reverse=True)  # "encoder.classifier." before "encoder."
    for key, tensor in weights.items():
        prefix = next((p for p in by_length if key.startswith(p)), None)
        if prefix is None:
            unmatched.append(key)
        else:
            renamed[targets[prefix] + key[len(prefix):]] = (key, tensor)
    expected = {k: v for k, v in module.state_dict().items() if not k.endswith(IGNORED_SUFFIXES)}
    _check_shapes(spec, renamed, expected)
    missing = [_original_name(k, targets) for k in expected if k not in renamed]
    unexpected = unmatched + [original for k, (original, _) in renamed.items() if k not in expected]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing ({_few(missing)})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected ({_few(unexpected)})")
        raise ModelLoadError(
            f"{spec.path}: the weights in {spec.weights.name} do not match the spec's architecture and head "
            f"{spec.head!r}: {'; '.join(parts)}"
        )
    return {k: tensor for k, (_, tensor) in renamed.items()}


def _check_prefixes(spec, weights: dict, targets: dict[str, str]) -> None:
    for prefix, role in zip(targets, ("encoder_prefix", "classifier_prefix")):
        if not any(key.startswith(prefix) for key in weights):
            starts = sorted({".".join(key.split(".")[:2]) + "." for key in weights})
            raise ModelLoadError(
                f"{spec.path}: no key in {spec.weights.name} starts with {role} {prefix!r}; its keys start with "
                f"{_few(starts)} — fix [state_dict] {role}"
            )


def _check_shapes(spec, renamed: dict, expected: dict) -> None:
    wrong = [(original, tuple(tensor.shape), tuple(expected[k].shape))
             for k, (original, tensor) in renamed.items()
             if k in expected and tuple(tensor.shape) != tuple(expected[k].shape)]
    if not wrong:
        return
    name, found, needed = wrong[0]
    more = f" (and {len(wrong) - 1} more tensor(s) of the wrong size)" if len(wrong) > 1 else ""
    hint = ""
    if spec.head == "sequence-classification" and name.endswith("dense.weight") and found[1] == 2 * needed[1]:
        hint = "; a classifier over twice the hidden size is the CodeXGLUE pair head: head = \"pair-concat-cls\"?"
    raise ModelLoadError(
        f"{spec.path}: tensor {name} has shape {found} in {spec.weights.name} but the spec's architecture "
        f"needs {needed}{more}{hint}"
    )


def _original_name(key: str, targets: dict[str, str]) -> str:
    for source, target in sorted(targets.items(), key=lambda item: len(item[1]), reverse=True):
        if key.startswith(target):
            return source + key[len(target):]
    return key


def _few(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (", …" if len(names) > SHOWN else "")
