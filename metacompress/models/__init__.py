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

import contextlib
import os
import warnings

from ..errors import MetacompressError, ModelLoadError, PluginWarning
from ..registry import PluginError, plugin_code
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
    ``trust_remote_code`` is set. Every expected failure raises ``ModelLoadError``;
    a plugin loader failing in any other way raises ``PluginError`` naming it.
    """
    source = str(source)
    name = loader_for(source)
    loader_class = LOADERS.get(name)
    guard = (contextlib.nullcontext() if name in LOADERS.builtins()
             else plugin_code(f"{LOADERS.describe(name)} failed to load {source}", passing=(MetacompressError,)))
    with guard:  # a plugin's own bug is a one-line error naming it, whatever it raises
        return loader_class().load(source, model_root=model_root, trust_remote_code=trust_remote_code)


def loader_order() -> list[str]:
    """The loaders in the order ``load_model`` asks them: plugins by name, then the built-ins."""
    builtins = LOADERS.builtins()
    return [name for name in LOADERS.names() if name not in builtins] + list(builtins)


def loader_for(source: str) -> str:
    """The name of the first loader that can load ``source``, or ModelLoadError saying why none can.

    A plugin or user loader that cannot be imported, built or asked is left out from then on; when
    another loader takes the source instead, a one-line ``PluginWarning`` says so once.
    """
    from .loaders import why_no_loader

    known_broken = LOADERS.problems()
    broken: dict[str, str] = {}
    for name in loader_order():
        try:
            if _can_load(name, source):
                for newly, problem in broken.items():
                    if newly not in known_broken:
                        warnings.warn(PluginWarning(f"{problem}; {name} loads {source} instead"), stacklevel=3)
                return name
        except PluginError as exc:  # a broken plugin never stops the other loaders
            broken[name] = str(exc)
    raise ModelLoadError(why_no_loader(source) + "".join(f" ({problem})" for problem in broken.values()))


def _can_load(name: str, source: str) -> bool:
    """Whether loader ``name`` takes ``source``; a non-built-in loader's failure is a ``PluginError``."""
    if name in LOADERS.builtins():
        return LOADERS.get(name)().can_load(source)
    loader_class = LOADERS.get(name)  # a plugin that cannot be imported raises PluginError itself
    try:
        with plugin_code(f"{LOADERS.describe(name)} failed in can_load({source!r})"):
            return bool(loader_class().can_load(source))
    except PluginError as exc:
        LOADERS.mark_broken(name, str(exc))
        raise
