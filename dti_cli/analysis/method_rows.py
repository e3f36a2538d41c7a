"""The methodology tree flattened into rows: each node under each parent, with weights and shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.model.method import Method


def method_rows(method: Method, *, lang: str = "vi") -> pd.DataFrame:
    """The methodology tree flattened: each node under each parent, with weights and shares in the index."""
    shares = method.shares()
    recs = []

    def walk(node: str, parent: str, weight: float | None, share: float | None, depth: int, tree: str) -> None:
        agg = method.aggregates.get(node)
        leaf = method.leaves.get(node)
        recs.append({
            "tree": tree, "depth": depth, "node": node, "parent": parent, "name": method.node_label(node, lang),
            "kind": "aggregate" if agg else "indicator",
            "aggregate": agg.aggregate.value if agg else "",
            "normalise": leaf.normalise.value if leaf else "",
            "weight": weight, "share_in_parent": share,
            "share_in_index": shares.get(node) if tree == method.root else np.nan,
        })
        if agg:
            raw = agg.raw_weights or (None,) * len(agg.children)
            norm = agg.weights or (None,) * len(agg.children)
            for c, w, s in zip(agg.children, raw, norm):
                walk(c, node, w, s, depth + 1, tree)

    walk(method.root, "", None, None, 0, method.root)
    for p in method.pillars:
        if p in method.aggregates:
            walk(p, "", None, None, 0, p)
    out = pd.DataFrame(recs)
    for col in ("weight", "share_in_parent", "share_in_index"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    return out
