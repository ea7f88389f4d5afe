"""Sizes and spacing: how big each node is drawn and how far apart things stay.

Follows no paper: the page's own metrics. Every phase reads its gaps from here, and
the page (web/graph/geometry.js) draws with the same numbers, so keep the two in step.

Pre-conditions: a node is a dict with ``kind`` (``"value"`` | ``"op"``) and ``label``,
optionally ``width``/``height`` (which win).
Post-conditions: ``node_size`` is a pure function of those keys; a value node is at
least VALUE_WIDTH x VALUE_HEIGHT, an op node at least OP_WIDTH x OP_HEIGHT.
"""

from __future__ import annotations

# Node sizes in pixels (the page draws with the same ones). These are the least
# sizes: a node grows to fit its label (see ``node_size``).
VALUE_WIDTH = 132.0  # a record: three rows, label / value / grad
VALUE_HEIGHT = 56.0
OP_WIDTH = 30.0  # a circle; a longer symbol makes it a pill, as high, wider
OP_HEIGHT = 30.0
NODE_SIZES = {"value": (VALUE_WIDTH, VALUE_HEIGHT), "op": (OP_WIDTH, OP_HEIGHT)}

# Text metrics of the page's fonts (web/page/style.css: monospace, whose glyphs advance
# 0.602 em in DejaVu Sans Mono and about 0.6 em in the others), rounded up.
LABEL_CHAR = 8.0  # a value node's name: bold 13 px
LABEL_PAD = 18.0  # each side of the name (the leaf's lock sits in the right one)
LABEL_MAX_CHARS = 40  # longer names are cut with an ellipsis (the full one on hover)
OP_CHAR = 8.0  # an op node's symbol: 13 px, semibold
OP_PAD = 7.0  # each side of the symbol

# The local-derivative labels the page puts on input edges (web/graph/geometry.js
# ``EDGE_LABEL``): room for 8 characters of 11 px monospace plus padding, and a
# clearance from nodes. The gap in front of a layer with op nodes fits one.
EDGE_LABEL_WIDTH = 66.0
EDGE_LABEL_HEIGHT = 16.0
EDGE_LABEL_CLEAR = 5.0
LABEL_RANK_SEP = EDGE_LABEL_WIDTH + 2 * EDGE_LABEL_CLEAR + 4.0
LABEL_COLUMNS = 3  # at most this many labels side by side in a crowded gap

RANK_SEP = 36.0  # between layers, before the extra room steep edges get
RANK_SEP_EXTRA = 48.0  # at most this much extra between two layers ...
RANK_SEP_SLOPE = 0.1  # ... growing with the largest vertical drop of an edge there
NODE_SEP = 14.0  # between nodes in a layer
EDGE_SEP = 8.0  # between two edges passing a layer side by side
MARGIN = 12.0


def shown_label(label: str) -> str:
    """A value node's name as drawn: cut to LABEL_MAX_CHARS with an ellipsis."""
    if len(label) > LABEL_MAX_CHARS:
        return label[: LABEL_MAX_CHARS - 1] + "…"
    return label


def node_size(node: dict) -> tuple[float, float]:
    """(width, height) of a node: its own ``width``/``height`` if given, else by kind,
    grown to fit its label: a value record fits its name (up to LABEL_MAX_CHARS), an
    op node the text drawn in it, its ``glyph`` (else its label): a circle for one or two
    characters, else a pill."""
    kind = node.get("kind")
    w, h = NODE_SIZES.get(kind, NODE_SIZES["value"])
    label = str(node.get("label") or "")
    if kind == "op":
        glyph = str(node.get("glyph") or label)
        w = max(w, float(-(-(len(glyph) * OP_CHAR + 2 * OP_PAD) // 1)))
    else:
        w = max(w, float(-(-(len(shown_label(label)) * LABEL_CHAR + 2 * LABEL_PAD) // 1)))
    return float(node.get("width", w)), float(node.get("height", h))
