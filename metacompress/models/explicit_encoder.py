"""A BERT/RoBERTa encoder forward written out, for what transformers 5 no longer computes.

transformers 4.x offered ``position_embedding_type = "relative_key"`` and
``"relative_key_query"`` (Shaw et al.; Huang et al.) for every BERT-style model; transformers 5
dropped them, yet published students (MORPH) were trained with them. GraphCodeBERT also needs
an encoder that takes a 3-D attention mask (one row per query token) and explicit position ids.
``explicit_forward`` runs the encoder's own submodules (so the state-dict names do not change)
the way transformers 4.x's eager attention did, and adds both.

Kept apart from the loader because it is torch code: imported only when such a model loads.
"""

from __future__ import annotations

import math
import types

import torch
from torch import nn

RELATIVE_KINDS = ("relative_key", "relative_key_query")
POSITION_KINDS = ("absolute", *RELATIVE_KINDS)


def use_explicit_forward(base_model, position_kind: str = "absolute") -> None:
    """Give ``base_model`` (a RobertaModel or BertModel) the written-out forward; relative kinds
    add each layer's ``distance_embedding`` (2·max_positions − 1 rows, one head wide)."""
    config = base_model.config
    if position_kind in RELATIVE_KINDS:
        head_size = config.hidden_size // config.num_attention_heads
        for layer in base_model.encoder.layer:
            layer.attention.self.distance_embedding = nn.Embedding(2 * config.max_position_embeddings - 1, head_size)
    base_model.metacompress_position_kind = position_kind
    base_model.forward = types.MethodType(explicit_forward, base_model)


def explicit_forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None,
                     inputs_embeds=None, **_ignored):
    from transformers.modeling_outputs import BaseModelOutputWithPoolingAndCrossAttentions

    hidden = _embed(self, input_ids, token_type_ids, position_ids, inputs_embeds)
    if attention_mask is None:
        attention_mask = torch.ones(hidden.shape[:2], dtype=torch.long, device=hidden.device)
    mask = attention_mask[:, None, :, :] if attention_mask.dim() == 3 else attention_mask[:, None, None, :]
    additive = (1.0 - mask.to(hidden.dtype)) * torch.finfo(hidden.dtype).min
    for layer in self.encoder.layer:
        attended = layer.attention.output(_self_attention(self, layer.attention.self, hidden, additive), hidden)
        hidden = layer.output(layer.intermediate(attended), attended)
    pooled = self.pooler(hidden) if getattr(self, "pooler", None) is not None else None
    return BaseModelOutputWithPoolingAndCrossAttentions(last_hidden_state=hidden, pooler_output=pooled)


def _embed(self, input_ids, token_type_ids, position_ids, inputs_embeds):
    embeddings = self.embeddings
    if inputs_embeds is None:
        inputs_embeds = embeddings.word_embeddings(input_ids)
    shape = inputs_embeds.shape[:2]
    if token_type_ids is None:
        token_type_ids = torch.zeros(shape, dtype=torch.long, device=inputs_embeds.device)
    hidden = inputs_embeds + embeddings.token_type_embeddings(token_type_ids)
    if self.metacompress_position_kind == "absolute":
        if position_ids is None:
            position_ids = _default_positions(self, input_ids, shape, inputs_embeds.device)
        hidden = hidden + embeddings.position_embeddings(position_ids)
    return embeddings.LayerNorm(hidden)


def _default_positions(self, input_ids, shape, device):
    """RoBERTa counts from pad_token_id + 1 over non-padding tokens; BERT from 0."""
    if self.config.model_type == "bert":
        return torch.arange(shape[1], device=device).expand(shape)
    padding = self.config.pad_token_id
    if input_ids is None:
        return torch.arange(padding + 1, shape[1] + padding + 1, device=device).expand(shape)
    real = input_ids.ne(padding).int()
    return (torch.cumsum(real, dim=1).type_as(real) * real).long() + padding


def _self_attention(self, attention, hidden, additive):
    batch, length, _ = hidden.shape
    head_size = attention.attention_head_size

    def heads(linear):
        return linear(hidden).view(batch, length, -1, head_size).transpose(1, 2)

    query, key, value = heads(attention.query), heads(attention.key), heads(attention.value)
    scores = torch.matmul(query, key.transpose(-1, -2))
    kind = self.metacompress_position_kind
    if kind in RELATIVE_KINDS:
        positions = torch.arange(length, device=hidden.device)
        distance = positions[:, None] - positions[None, :]
        table = attention.distance_embedding(distance + self.config.max_position_embeddings - 1).to(query.dtype)
        scores = scores + torch.einsum("bhld,lrd->bhlr", query, table)
        if kind == "relative_key_query":
            scores = scores + torch.einsum("bhrd,lrd->bhlr", key, table)
    probabilities = torch.softmax(scores / math.sqrt(head_size) + additive, dim=-1)
    context = torch.matmul(probabilities, value).transpose(1, 2).contiguous()
    return context.view(batch, length, -1)
