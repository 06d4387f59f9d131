"""One GraphCodeBERT input packed into one id row, and the special ids it needs.

Shared by ``models.graphcodebert`` (which builds and packs inputs) and ``models.graph_encoder``
(which unpacks a padded batch on the device), so that neither imports the other at load time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpecialIds:
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass
class GraphInput:
    """One function as GraphCodeBERT reads it: ``<s> tokens </s>`` then the nodes."""

    code_ids: list[int]  # <s> sub-tokens </s>
    node_spans: list[tuple[int, int]]  # [start, end) of each node's variable in code_ids
    node_sources: list[list[int]]  # node indexes each node flows from
    truncated: bool

    def pack(self) -> list[int]:
        """``[tokens, nodes, *code_ids, *(start, end) per node, *(count, *sources) per node]``."""
        row = [len(self.code_ids), len(self.node_spans), *self.code_ids]
        for start, end in self.node_spans:
            row += [start, end]
        for sources in self.node_sources:
            row += [len(sources), *sources]
        return row

    @classmethod
    def unpack(cls, row: list[int]) -> "GraphInput":
        tokens, nodes = row[0], row[1]
        code_ids = list(row[2 : 2 + tokens])
        cursor = 2 + tokens
        spans = [(row[cursor + 2 * i], row[cursor + 2 * i + 1]) for i in range(nodes)]
        cursor += 2 * nodes
        sources = []
        for _ in range(nodes):
            count = row[cursor]
            sources.append(list(row[cursor + 1 : cursor + 1 + count]))
            cursor += 1 + count
        return cls(code_ids, spans, sources, truncated=False)

    @staticmethod
    def packed_length(row: list[int]) -> int:
        """How long a well-formed packed row is (its header says), or -1 when it cannot be one."""
        if len(row) < 2 or row[0] < 1 or row[1] < 0 or len(row) < 2 + row[0] + 2 * row[1]:
            return -1
        cursor = 2 + row[0] + 2 * row[1]
        for _ in range(row[1]):
            if cursor >= len(row):
                return -1
            cursor += 1 + row[cursor]
        return cursor
