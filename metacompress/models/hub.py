"""Whether the Hugging Face hub may be contacted (read by the model and the tokenizer loaders)."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

OFFLINE_VALUES = {"1", "on", "yes", "true"}


def hub_offline() -> bool:
    """True when the hub must not be contacted: offline mode is set, or the endpoint is unreachable.

    Probing first turns a 25-second series of retries on a machine without network into an
    immediate, cache-only load.
    """
    for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(variable, "").strip().lower() in OFFLINE_VALUES:
            return True
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", port), timeout=3):
            return False
    except OSError:
        return True
