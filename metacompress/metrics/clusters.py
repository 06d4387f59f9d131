"""The bootstrap's and the clustered tests' unit: which rows share something and must be drawn together.

``example_id`` (the default): one original input, with its rows under every relation.

``function`` (pair tasks): in clone detection a function often appears in several pairs (in
BigCloneBench's test split, 42 of 253 functions of 150 pairs), so two pairs that share a
function are correlated. The clusters are then the connected components of the graph whose
nodes are functions and whose edges are pairs (Cameron, Gelbach & Miller 2011 on multiway
clustering; components are the coarsest partition that keeps every shared function inside one
cluster). A function is known by its code when the table carries ``original_code``, else by the
two ids of a pair's ``example_id`` (``id1-id2``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

CLUSTER_UNITS = ("example_id", "function")
PAIR_SEPARATOR = "\n// ---- second function of the pair ----\n"


def cluster_keys(samples: pd.DataFrame, unit: str = "example_id") -> np.ndarray:
    """One cluster key per row of ``samples``: its example id, or its component of shared functions."""
    if unit not in CLUSTER_UNITS:
        raise ValueError(f"cluster unit {unit!r} is not one of {', '.join(CLUSTER_UNITS)}")
    ids = samples["example_id"].astype(str).to_numpy()
    if unit == "example_id":
        return ids
    members = {example: _functions(example, code) for example, code in zip(ids, _codes(samples))}
    component = components(list(members.values()))
    by_example = dict(zip(members, component))
    return np.asarray([f"component-{by_example[e]}" for e in ids], dtype=object)


def _codes(samples: pd.DataFrame) -> Sequence[str | None]:
    if "original_code" in samples.columns:
        return samples["original_code"].fillna("").astype(str).tolist()
    return [None] * len(samples)


def _functions(example_id: str, code: str | None) -> tuple[str, ...]:
    if code and PAIR_SEPARATOR in code:
        return tuple("code:" + part for part in code.split(PAIR_SEPARATOR, 1))
    parts = example_id.split("-")
    return tuple("id:" + p for p in parts) if len(parts) == 2 and all(parts) else ("example:" + example_id,)


def components(groups: Sequence[Sequence[str]]) -> list[int]:
    """For each group of node names, the index of its connected component (union-find)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for group in groups:
        for other in group[1:]:
            a, b = root(group[0]), root(other)
            if a != b:
                parent[b] = a
    numbers: dict[str, int] = {}
    return [numbers.setdefault(root(group[0]), len(numbers)) for group in groups]
