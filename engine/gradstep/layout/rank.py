"""Phase 1, ranking: the layer of every node.

Paper: Gansner et al., "A Technique for Drawing Directed Graphs", IEEE TSE 1993,
section 2 (rank assignment by network simplex; ``simplex.py``), started from a longest-
path layering (Sugiyama, Tagawa, Toda, "Methods for Visual Understanding of
Hierarchical System Structures", IEEE SMC 1981). Beyond dot, every source (a leaf)
is pulled right to the layer just before its earliest consumer, as micrograd's
``draw_dot`` pictures read.

Pre-conditions: ``n`` nodes, edges ``src[k] -> tgt[k]`` (ints, repeats allowed, no loops).
Post-conditions: ``rank[t] >= rank[s] + 1`` for every edge; layers numbered 0..nranks-1
with none empty; a source with consumers sits at (its earliest consumer's layer) - 1.
Raises ``ValueError`` on a cycle. O(V + E) plus the capped simplex.
"""

from __future__ import annotations

from .simplex import NetworkSimplex


def rank_nodes(n: int, src: list[int], tgt: list[int]) -> tuple[list[int], int]:
    """Layer of each node, and the number of layers: longest path from the sources,
    sources pulled right, then dot's network simplex to shorten the edges (fewer
    dummies, fewer crossings)."""
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for s, t in zip(src, tgt, strict=True):
        succ[s].append(t)
        indeg[t] += 1
    # Kahn's algorithm: the nodes are promised in topological order, but this costs
    # O(V + E) and turns a cycle into a clear error instead of a wrong drawing.
    left = indeg[:]
    queue = [v for v in range(n) if not indeg[v]]
    rank = [0] * n
    for v in queue:  # the list grows while we walk it
        rv = rank[v] + 1
        for t in succ[v]:
            if rank[t] < rv:
                rank[t] = rv
            left[t] -= 1
            if not left[t]:
                queue.append(t)
    if len(queue) < n:
        raise ValueError("the graph has a cycle")
    _pull_sources(rank, indeg, succ)
    # Skip the simplex when every edge is already 1 long (a chain, a tree): optimal.
    if any(rank[t] - rank[s] > 1 for s, t in zip(src, tgt, strict=True)):
        NetworkSimplex(n, src, tgt, rank).run()
        # Also after a capped run: a leaf right before its earliest consumer.
        _pull_sources(rank, indeg, succ)
    # Number layers from 0 with none empty (the simplex may leave a gap between
    # unconnected parts).
    used = sorted(set(rank))
    if used and used[-1] - used[0] != len(used) - 1 or (used and used[0]):
        remap = {r: k for k, r in enumerate(used)}
        rank = [remap[r] for r in rank]
    return rank, len(used)


def _pull_sources(rank, indeg, succ):
    """A leaf sits right before its earliest consumer, not in a far first column."""
    for v in range(len(rank)):
        if not indeg[v] and succ[v]:
            rank[v] = min(rank[t] for t in succ[v]) - 1
