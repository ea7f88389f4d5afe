"""Crossing counts on the proper layered graph, for the ordering phase.

Paper: W. Barth, P. Mutzel, M. Jünger, "Simple and Efficient Bilayer Cross Counting",
JGAA 8(2), 2004: the crossings between two layers are the inversions of the
sequence of lower ends read in upper order. Counted here by insertion with bisect
(C code and memmove, fast for these layer sizes) rather than their accumulator tree.

Pre-conditions: ``g.layers`` holds every vertex once, ``g.pos`` its index in its layer.
Post-conditions: pure; nothing in ``g`` changes (``set_pos`` rebuilds ``g.pos``).
"""

from __future__ import annotations

from bisect import bisect_right, insort
from itertools import accumulate


def inversions(seq: list[int | float]) -> int:
    """Pairs i < j with seq[i] > seq[j] (strictly), by insertion into a sorted list:
    bisect is C code, and the list moves are memmove, fast for the layer sizes here."""
    if all(seq[i] <= seq[i + 1] for i in range(len(seq) - 1)):
        return 0
    seen: list[int | float] = []
    inv = 0
    for k, x in enumerate(seq):
        inv += k - bisect_right(seen, x)
        insort(seen, x)
    return inv


def count_before(ps: list[int], size: int) -> list[int]:
    """out[b] = how many of ``ps`` are < b, for b in 0..size."""
    cnt = [0] * (size + 1)
    for a in ps:
        cnt[a + 1] += 1
    return list(accumulate(cnt))


def pair_crossings(pa: list[int], pb: list[int]) -> int:
    """Crossings between the edges of a node above and a node below it, given the
    sorted neighbour positions of each: pairs (a, b) with a > b."""
    c = 0
    if pa:
        na = len(pa)
        for b in pb:
            c += na - bisect_right(pa, b)
    return c


def set_pos(g):
    """``g.pos[v]``: v's index in its layer, from ``g.layers``."""
    pos = g.pos = [0] * g.count
    for layer in g.layers:
        for i, v in enumerate(layer):
            pos[v] = i


def gap_crossings(g, r):
    """Crossings between layers r and r + 1 (0 if there is no such gap)."""
    if r < 0 or r + 1 >= len(g.layers):
        return 0
    down, pos = g.down, g.pos
    seq: list[int] = []
    for u in g.layers[r]:
        ds = down[u]
        if len(ds) == 1:
            seq.append(pos[ds[0]])
        elif ds:
            seq.extend(sorted([pos[w] for w in ds]))
    return inversions(seq)


def total_crossings(g):
    """Crossings of the whole layered graph in its current order."""
    return sum(gap_crossings(g, r) for r in range(len(g.layers) - 1))
