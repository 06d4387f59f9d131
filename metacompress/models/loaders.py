"""The built-in loaders: model specs (``.toml``) and Hugging Face folders or hub ids.

Each decides from the source alone whether it can load it; the heavy modules (torch,
transformers) are imported only by ``load``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .base import CodeClassifier, ModelLoader, register_loader

HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


@register_loader
class SpecLoader(ModelLoader):
    """A model spec: a ``.toml`` file describing a checkpoint without ``config.json``."""

    name = "spec"

    def can_load(self, source: str) -> bool:
        path = Path(source).expanduser()
        return path.suffix == ".toml" and path.is_file()

    def load(self, source: str, *, model_root: str | os.PathLike | None = None,
             trust_remote_code: bool = False) -> CodeClassifier:
        from .spec_model import load_spec

        return load_spec(source, model_root=model_root, trust_remote_code=trust_remote_code)


@register_loader
class HuggingFaceLoader(ModelLoader):
    """A folder with ``config.json``, or a hub id (``name`` or ``org/name``) that is no local path."""

    name = "huggingface"

    def can_load(self, source: str) -> bool:
        path = Path(source).expanduser()
        if path.suffix == ".toml":
            return False
        if path.is_dir():
            return (path / "config.json").is_file()
        return not path.exists() and not looks_like_path(source)

    def load(self, source: str, *, model_root: str | os.PathLike | None = None,
             trust_remote_code: bool = False) -> CodeClassifier:
        from .hf import load_hf

        return load_hf(source, trust_remote_code=trust_remote_code)


def looks_like_path(source: str) -> bool:
    """A missing path the user meant as a path, not a hub id (``org/name`` or ``name``)."""
    return source.startswith((".", "/", "~")) or "\\" in source or not HUB_ID.fullmatch(source)


def why_no_loader(source: str) -> str:
    """What is wrong with a source that no loader takes."""
    path = Path(source).expanduser()
    if path.suffix != ".toml" and path.is_dir():
        specs = sorted(p.name for p in path.glob("*.toml"))
        hint = f" (a spec is there: {specs[0]})" if specs else ""
        return (
            f"{source} is a folder without config.json, so not a Hugging Face model; load a checkpoint "
            f"without config.json through a model spec (.toml, see configs/models/README.md){hint}"
        )
    if path.suffix != ".toml" and path.exists():
        return f"{source} is a file; give a model spec (.toml), a Hugging Face folder or a hub id"
    return f"model path {source} does not exist"
