"""Load any model metacompress audits into one ``CodeClassifier`` interface.

``load_model`` asks the registered loaders, in turn, whether they can load the source, and the
first that says yes loads it (lm-evaluation-harness style registry). The order: loaders from
plugins (the ``metacompress.loaders`` entry point group) and any registered with
``@register_loader`` in your own code come first, by name; then the built-ins:

- ``spec``: a ``.toml`` file → CodeXGLUE-style checkpoints without ``config.json``, see
  ``metacompress.models.spec`` and ``configs/models/README.md``;
- ``huggingface``: a folder with ``config.json``, or anything else that reads as a hub id
  (``name`` or ``org/name``), offline from the local cache when the hub cannot be reached.

A source no loader takes gets an error saying why (a missing path, a folder without
``config.json``, ...). torch and transformers are imported only when a model is actually loaded.
"""

from __future__ import annotations

import os

from ..errors import ModelLoadError
from ..registry import PluginError
from .base import LOADERS, CodeClassifier, Encoded, HeadKind, ModelInfo, ModelLoader, register_loader

LOADERS.declare({
    "spec": "metacompress.models.loaders",
    "huggingface": "metacompress.models.loaders",
})

__all__ = ["CodeClassifier", "Encoded", "HeadKind", "ModelInfo", "ModelLoader", "LOADERS", "load_model",
           "loader_for", "loader_order", "register_loader"]


def load_model(
    source: str, *, model_root: str | os.PathLike | None = None, trust_remote_code: bool = False
) -> CodeClassifier:
    """Load ``source`` (spec file, Hugging Face folder or hub id) as a ``CodeClassifier``.

    ``model_root`` overrides where a spec's relative paths point (else $METACOMPRESS_MODEL_ROOT,
    else the spec's ``root`` key, else the spec's folder). Remote code runs only when
    ``trust_remote_code`` is set. Every expected failure raises ``ModelLoadError``.
    """
    source = str(source)
    loader = LOADERS.get(loader_for(source))()
    return loader.load(source, model_root=model_root, trust_remote_code=trust_remote_code)


def loader_order() -> list[str]:
    """The loaders in the order ``load_model`` asks them: plugins by name, then the built-ins."""
    builtins = LOADERS.builtins()
    return [name for name in LOADERS.names() if name not in builtins] + list(builtins)


def loader_for(source: str) -> str:
    """The name of the first loader that can load ``source``, or ModelLoadError saying why none can."""
    from .loaders import why_no_loader

    broken = []
    for name in loader_order():
        try:
            loader = LOADERS.get(name)()
        except PluginError as exc:  # a broken plugin never stops the other loaders
            broken.append(str(exc))
            continue
        if loader.can_load(source):
            return name
    raise ModelLoadError(why_no_loader(source) + "".join(f" ({problem})" for problem in broken))
