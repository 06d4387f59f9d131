"""GraphCodeBERT's forward: packed rows (``models.graphcodebert``) to the encoder's last hidden states.

As GraphCodeBERT's ``Model.forward`` in both references: a node's input embedding is the mean
of the word embeddings of the sub-tokens it may attend to; the encoder then runs on those
embeddings with the explicit position ids and the 3-D graph-guided mask. The encoder must have
``models.explicit_encoder``'s forward (transformers 5 takes no 3-D mask).

Kept apart from the input builder because it is torch code.
"""

from __future__ import annotations

import numpy as np
import torch

from .graph_inputs import GraphInput, SpecialIds


def reference_arrays(rows: list[list[int]], ids: SpecialIds, width: int | None = None):
    """(input ids, position ids, mask [batch, width, width]) as numpy arrays, exactly as the
    references build them for packed ``rows`` (``width``: the longest input's length unless given).

    A row that is no packed input (the engine's placeholder for a text that failed to encode)
    becomes ``<s> </s>``; its output is discarded by the engine anyway.
    """
    inputs = [GraphInput.unpack(row) if GraphInput.packed_length(row) == len(row) else
              GraphInput([ids.bos, ids.eos], [], [], False) for row in rows]
    width = width or max(len(item.code_ids) + len(item.node_spans) for item in inputs)
    tokens = np.full((len(inputs), width), ids.pad, dtype=np.int64)
    positions = np.full((len(inputs), width), ids.pad, dtype=np.int64)
    mask = np.zeros((len(inputs), width, width), dtype=bool)
    for row, item in enumerate(inputs):
        _fill(item, tokens[row], positions[row], mask[row], ids)
    return tokens, positions, mask


def batch_tensors(input_ids: torch.Tensor, lengths: torch.Tensor, ids: SpecialIds, full_width: int):
    """Tensors of a padded batch of packed rows, on ``input_ids``' device, giving the references' outputs.

    A node whose variable was cut away and that flows from no kept node sees nothing, so
    attention spreads it evenly over every position, padding included, and ``<s>`` reads it: the
    references' output then depends on their fixed width (``code_length + data_flow_length``),
    so such a batch is padded to it. Otherwise the batch is as wide as its longest input and each
    padding position sees itself, which changes no real output and leaves no row all masked
    (all masked rows give NaN in half precision).
    """
    rows = [row[: int(n)] for row, n in zip(input_ids.cpu().tolist(), lengths.cpu().tolist())]
    tokens, positions, mask = reference_arrays(rows, ids)
    real = positions != ids.pad
    blind = (real & ~mask.any(axis=-1)).any()
    if blind and tokens.shape[1] < full_width:
        tokens, positions, mask = reference_arrays(rows, ids, full_width)
    elif not blind:
        padding = np.nonzero(~real)
        mask[padding[0], padding[1], padding[1]] = True
    device = input_ids.device
    return (torch.from_numpy(tokens).to(device), torch.from_numpy(positions).to(device),
            torch.from_numpy(mask).to(device))


def _fill(item: GraphInput, tokens: np.ndarray, positions: np.ndarray, mask: np.ndarray, ids: SpecialIds) -> None:
    code, nodes = len(item.code_ids), len(item.node_spans)
    length = code + nodes
    tokens[:code] = item.code_ids
    tokens[code:length] = ids.unk
    positions[:code] = np.arange(code) + ids.pad + 1
    positions[code:length] = 0
    mask[:code, :code] = True
    special = np.isin(tokens[:code], (ids.bos, ids.eos))
    mask[:code][special, :length] = True
    for node, (start, end) in enumerate(item.node_spans):
        if start < code and end < code:  # a node whose variable was cut away sees no token
            mask[code + node, start:end] = True
            mask[start:end, code + node] = True
    for node, sources in enumerate(item.node_sources):
        mask[code + node, [code + source for source in sources]] = True


def graph_inputs_embeds(base_model, input_ids: torch.Tensor, positions: torch.Tensor, mask: torch.Tensor):
    """Word embeddings, each node's replaced by the mean of the sub-tokens it sees."""
    embeddings = base_model.embeddings.word_embeddings(input_ids)
    nodes = positions.eq(0)
    real_tokens = positions.ge(base_model.config.pad_token_id + 1)
    sees = (nodes[:, :, None] & real_tokens[:, None, :] & mask).to(embeddings.dtype)
    weights = sees / (sees.sum(-1) + 1e-10)[:, :, None]
    averages = torch.einsum("abc,acd->abd", weights, embeddings)
    node_rows = nodes[:, :, None].to(embeddings.dtype)
    return embeddings * (1 - node_rows) + averages * node_rows


def graph_hidden(base_model, input_ids: torch.Tensor, lengths: torch.Tensor, ids: SpecialIds,
                 full_width: int) -> torch.Tensor:
    """Last hidden states [batch, length, hidden] of a padded batch of packed rows."""
    tokens, positions, mask = batch_tensors(input_ids, lengths, ids, full_width)
    embeds = graph_inputs_embeds(base_model, tokens, positions, mask)
    out = base_model(inputs_embeds=embeds, attention_mask=mask.long(), position_ids=positions,
                     token_type_ids=torch.zeros_like(positions))
    return out.last_hidden_state


def graph_logits(model, input_ids: torch.Tensor, lengths: torch.Tensor, ids: SpecialIds,
                 full_width: int) -> torch.Tensor:
    """Logits of a ``*ForSequenceClassification`` whose base model has the explicit forward."""
    tokens, positions, mask = batch_tensors(input_ids, lengths, ids, full_width)
    embeds = graph_inputs_embeds(model.base_model, tokens, positions, mask)
    return model(inputs_embeds=embeds, attention_mask=mask.long(), position_ids=positions,
                 token_type_ids=torch.zeros_like(positions)).logits
