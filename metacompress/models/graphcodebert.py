"""GraphCodeBERT inputs: code tokens plus data-flow nodes, built as the published training code built them.

A GraphCodeBERT classifier reads ``<s> code tokens </s>`` followed by one node per variable of
the function's data-flow graph (``models.dfg``). Following microsoft/CodeBERT's clone-detection
``convert_examples_to_features`` and the ALERT Devign one (soarsmu/attack-pretrain-models-of-code):

- every code token is tokenised on its own, with a leading space except the first
  (``tokenize("@ " + token)[1:]``); a node points at the sub-tokens of its variable;
- code tokens are cut to ``code_length + data_flow_length - reserved - min(nodes, data_flow_length)``
  (``reserved`` 3 and at most 509 tokens in the clone code, 2 in the Devign code), then nodes
  to what is left of ``code_length + data_flow_length``;
- position ids: ``pad_id + 1 + i`` for the i-th token, 0 for nodes, ``pad_id`` for padding;
- the graph-guided mask: tokens see tokens, ``<s>``/``</s>`` see everything, a node sees the
  sub-tokens of its variable (and they see it) and the nodes it flows from.

The inference engine pads and batches flat id rows, so one input is packed into one row that
carries its graph (``GraphInput.pack``); ``models.graph_encoder`` unpacks a padded batch into ids,
position ids and the mask on the device. The row's digest therefore covers the graph too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .dfg import GRAPH_LANGUAGES, extract_dataflow
from .graph_inputs import GraphInput, SpecialIds

CLONE_TOKEN_CAP = 509  # the clone-detection code keeps at most 512 - 3 code sub-tokens
DEFAULT_CODE_LENGTH = 256  # both references' defaults
DEFAULT_DATA_FLOW_LENGTH = 64


@dataclass(frozen=True)
class GraphSettings:
    """What a GraphCodeBERT model was trained with (spec ``[graph]``, or config.json)."""

    language: str
    code_length: int = DEFAULT_CODE_LENGTH
    data_flow_length: int = DEFAULT_DATA_FLOW_LENGTH
    unk_id: int = 3  # the id every node carries (RoBERTa's <unk>)

    @property
    def total_length(self) -> int:
        return self.code_length + self.data_flow_length


def subtoken_ids(tokenizer, code_tokens: list[str]) -> list[list[int]]:
    """Ids of each code token, the first as is and the others after a space (as ``"@ " + token``)."""
    if not code_tokens:
        return []
    texts = [code_tokens[0]] + ["@ " + token for token in code_tokens[1:]]
    encodings = tokenizer.encode_batch(texts, add_special_tokens=False)
    return [encodings[0].ids] + [encoding.ids[1:] for encoding in encodings[1:]]


def build_input(code: str, tokenizer, settings: GraphSettings, ids: SpecialIds, reserved: int) -> GraphInput:
    """The reference's features of ``code``; ``reserved`` is 3 (clone code, capped) or 2 (Devign)."""
    flow = extract_dataflow(code, settings.language)
    pieces = subtoken_ids(tokenizer, flow.code_tokens)
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece))
    flat = [token for piece in pieces for token in piece]
    nodes = flow.nodes
    kept_tokens = settings.total_length - reserved - min(len(nodes), settings.data_flow_length)
    code = flat[: max(kept_tokens, 0)]
    if reserved == 3:
        code = code[:CLONE_TOKEN_CAP]
    code_ids = [ids.bos, *code, ids.eos]
    kept_nodes = nodes[: max(settings.total_length - len(code_ids), 0)]
    node_of_token = {node.index: position for position, node in enumerate(kept_nodes)}  # the last one wins
    spans = [(starts[node.index] + 1, starts[node.index + 1] + 1) for node in kept_nodes]
    sources = [[node_of_token[source] for source in node.sources if source in node_of_token] for node in kept_nodes]
    truncated = len(code) < len(flat) or len(kept_nodes) < len(nodes)
    return GraphInput(code_ids, spans, sources, truncated)


def check_settings(where: str, settings: GraphSettings, max_positions: int, pad_id: int, reserved: int) -> str | None:
    """Why ``settings`` cannot work with the encoder's position table, or None."""
    if settings.language not in GRAPH_LANGUAGES:
        return f"{where} language {settings.language!r} has no data-flow rules; known: {', '.join(GRAPH_LANGUAGES)}"
    if settings.code_length < 1 or settings.data_flow_length < 0:
        return f"{where} code_length must be 1 or more and data_flow_length 0 or more"
    longest_code = settings.total_length - reserved + 2
    if reserved == 3:
        longest_code = min(longest_code, CLONE_TOKEN_CAP + 2)
    highest = pad_id + longest_code  # the position id of the last token
    if highest >= max_positions:
        return (f"{where} code_length + data_flow_length = {settings.total_length} gives position ids up to "
                f"{highest}, beyond the encoder's max_position_embeddings {max_positions}")
    return None


class GraphEncoding:
    """Encodes functions as packed GraphCodeBERT rows and runs the encoder on them, for a classifier."""

    def __init__(self, tokenizer, settings: GraphSettings, ids: SpecialIds, reserved: int):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_str(tokenizer.to_str())  # a private copy: no padding, no truncation
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.settings, self.ids, self.reserved = settings, ids, reserved

    def fingerprint_options(self) -> dict:
        """What the prediction store must key on besides the tokenizer and encoder."""
        return {"inputs": "graphcodebert", "graph": {**asdict(self.settings), "reserved": self.reserved}}

    def encode(self, texts: list[str]):
        from .base import Encoded

        built = [build_input(text, self.tokenizer, self.settings, self.ids, self.reserved) for text in texts]
        return Encoded(ids=[item.pack() for item in built], truncated=[item.truncated for item in built])

    def hidden(self, base_model, input_ids, attention_mask):
        from .graph_encoder import graph_hidden

        return graph_hidden(base_model, input_ids, attention_mask.sum(dim=1), self.ids, self.settings.total_length)

    def logits(self, model, input_ids, attention_mask):
        from .graph_encoder import graph_logits

        return graph_logits(model, input_ids, attention_mask.sum(dim=1), self.ids, self.settings.total_length)


def single_function_layout():
    """The sequence layout, refusing pairs before anything is encoded: the references read a
    GraphCodeBERT sequence head one function at a time (the clone model has a pair head)."""
    from ..errors import UsageError
    from .heads import SequenceLayout

    class GraphSequenceLayout(SequenceLayout):
        kind = "graphcodebert-sequence"

        def units(self, model, inputs, pairs):
            if pairs and inputs:
                raise UsageError(f"{model.info.source}: a GraphCodeBERT sequence classifier reads one function at "
                                 "a time, not pairs (a clone-detection model needs a pair head: "
                                 'head = "pair-concat-cls" in a model spec)')
            return super().units(model, inputs, pairs)

    return GraphSequenceLayout()
