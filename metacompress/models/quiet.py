"""Keep transformers' progress bars and advice off the terminal while metacompress loads models.

A CLI user sees metacompress's own one-line errors; "Loading weights: 100%" bars, retry notices
and "you should probably TRAIN this model" warnings would bury them. The previous settings are
restored afterwards so a notebook that imports metacompress keeps its own logging choices.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def quiet_transformers() -> Iterator[None]:
    from huggingface_hub.utils import are_progress_bars_disabled
    from huggingface_hub.utils import disable_progress_bars as hub_disable
    from huggingface_hub.utils import enable_progress_bars as hub_enable
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars_on = hf_logging.is_progress_bar_enabled()
    hub_bars_off = are_progress_bars_disabled()
    hub_logger = logging.getLogger("huggingface_hub")
    hub_level = hub_logger.level
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    hub_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        hub_logger.setLevel(hub_level)
        if bars_on:
            hf_logging.enable_progress_bar()
        if not hub_bars_off:
            hub_enable()
        else:
            hub_disable()
