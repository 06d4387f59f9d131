"""Load any model metacompress audits into one ``CodeClassifier`` interface.

``load_model`` picks a loader from what the source is (lm-evaluation-harness style registry):

- a ``.toml`` file → the model-spec loader (CodeXGLUE-style checkpoints without ``config.json``,
  see ``metacompress.models.spec`` and ``configs/models/README.md``);
- a folder with ``config.json`` → the Hugging Face loader;
- anything else that reads as a hub id (``name`` or ``org/name``) → the Hugging Face loader,
  offline from the local cache when the hub cannot be reached.

torch and transformers are imported only when a model is actually loaded.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import ModelLoadError
from ..registry import Registry
from .base import CodeClassifier, Encoded, HeadKind, ModelInfo

LOADERS: Registry = Registry("model loader")
LOADERS.register("spec", "metacompress.models.spec_model:load_spec")
LOADERS.register("huggingface", "metacompress.models.hf:load_hf")

HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")

__all__ = ["CodeClassifier", "Encoded", "HeadKind", "ModelInfo", "LOADERS", "load_model", "loader_for"]


def load_model(
    source: str, *, model_root: str | os.PathLike | None = None, trust_remote_code: bool = False
) -> CodeClassifier:
    """Load ``source`` (spec file, Hugging Face folder or hub id) as a ``CodeClassifier``.

    ``model_root`` overrides where a spec's relative paths point (else $METACOMPRESS_MODEL_ROOT,
    else the spec's ``root`` key, else the spec's folder). Remote code runs only when
    ``trust_remote_code`` is set. Every expected failure raises ``ModelLoadError``.
    """
    source = str(source)
    kind = loader_for(source)
    if kind == "spec":
        return LOADERS.get(kind)(source, model_root=model_root, trust_remote_code=trust_remote_code)
    return LOADERS.get(kind)(source, trust_remote_code=trust_remote_code)


def loader_for(source: str) -> str:
    """The registered loader name for ``source``, or ModelLoadError when it cannot be a model."""
    path = Path(source).expanduser()
    if path.suffix == ".toml":
        if not path.is_file():
            raise ModelLoadError(f"model path {source} does not exist")
        return "spec"
    if path.is_dir():
        if (path / "config.json").is_file():
            return "huggingface"
        specs = sorted(p.name for p in path.glob("*.toml"))
        hint = f" (a spec is there: {specs[0]})" if specs else ""
        raise ModelLoadError(
            f"{source} is a folder without config.json, so not a Hugging Face model; load a checkpoint "
            f"without config.json through a model spec (.toml, see configs/models/README.md){hint}"
        )
    if path.exists():
        raise ModelLoadError(f"{source} is a file; give a model spec (.toml), a Hugging Face folder or a hub id")
    if looks_like_path(source):
        raise ModelLoadError(f"model path {source} does not exist")
    return "huggingface"


def looks_like_path(source: str) -> bool:
    """A missing path the user meant as a path, not a hub id (``org/name`` or ``name``)."""
    return source.startswith((".", "/", "~")) or "\\" in source or not HUB_ID.fullmatch(source)
