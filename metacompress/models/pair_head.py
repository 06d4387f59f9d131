"""The CodeXGLUE clone-detection model: one encoder, two functions, one head over both.

Kept apart from the loader because it is torch code: imported only when a pair-concat spec loads.
"""

from __future__ import annotations

import torch
from torch import nn


class PairConcatHead(nn.Module):
    """``dense`` (2·hidden → hidden) → tanh → ``out_proj``; dropout is off at inference, so absent."""

    def __init__(self, hidden: int, num_labels: int):
        super().__init__()
        self.dense = nn.Linear(2 * hidden, hidden)
        self.out_proj = nn.Linear(hidden, num_labels)

    def forward(self, left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
        return self.out_proj(torch.tanh(self.dense(torch.cat([left, right], dim=-1))))


class PairConcatModel(nn.Module):
    """State-dict names ``encoder.*`` and ``classifier.*``, as the CodeXGLUE training code saved them."""

    def __init__(self, encoder: nn.Module, num_labels: int):
        super().__init__()
        self.encoder = encoder
        self.classifier = PairConcatHead(encoder.config.hidden_size, num_labels)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The first-token (``<s>``) vector of the last layer, one per function."""
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state[:, 0, :]

    def forward(self, left_ids, left_mask, right_ids, right_mask) -> torch.Tensor:
        return self.classifier(self.embed(left_ids, left_mask), self.embed(right_ids, right_mask))
