"""The chain rule as a sum over paths.

d(output)/d(leaf) is a sum with one term per path from the leaf to the output
through the graph; each term is the product of the local derivatives along its
edges. A node used twice gives two edges and so two paths: ``b = a + a`` has two
paths from ``a`` to ``b``, each with product 1, and db/da = 2.

Backprop adds exactly these terms, but grouped: it sums at each node the paths
that pass through it (d(output)/d(node)) once and reuses that sum for every path
below, which is why it never enumerates them. There can be astronomically many:
``x = x + x`` ten times makes 2**10 paths. The count needs no enumeration either
(dynamic programming over the DAG: a node's path count is the sum of its inputs'),
and this module lists only the first ``limit`` of them.

Summing the path products gives backprop's number up to float rounding: the same
products, multiplied and added in a different order. On a chain (one path) the
product is formed in backprop's order, output first, so it is the identical float.
"""

from __future__ import annotations

import math
from itertools import islice

from gradstep.core.tape import Tape

MAX_SAFE_INTEGER = 2**53  # JavaScript numbers hold integers exactly up to here


def on_paths(tape: Tape, leaf: int) -> set[int]:
    """The nodes on some path from ``leaf`` to the output (both included, if joined)."""
    below = {tape.output}
    for i in range(tape.output, -1, -1):
        if i in below:
            below.update(tape.inputs[i])
    if leaf not in below:
        return set()
    above = {leaf}
    for i in range(leaf + 1, tape.output + 1):
        if any(j in above for j in tape.inputs[i]):
            above.add(i)
    return above & below


def count_paths(tape: Tape, leaf: int) -> int:
    """How many leaf-to-output paths there are, one per edge use, without listing
    them: ``count[i]`` is the sum of ``count`` over node i's inputs (each use)."""
    if leaf == tape.output:
        return 1
    count = {leaf: 1}
    for i in range(leaf + 1, tape.output + 1):
        c = sum(count.get(j, 0) for j in tape.inputs[i])
        if c:
            count[i] = c
    return count.get(tape.output, 0)


def _count_text(c: int) -> str:
    if c < 10**30:
        return str(c)
    digits = c.bit_length() * math.log10(2)
    lead = 10 ** (digits - math.floor(digits))
    return f"about {lead:.2f}e{math.floor(digits)}"


def _walk_networkx(tape: Tape, keep: set[int], leaf: int):
    """Edge paths from networkx: ``all_simple_edge_paths`` on the tape's MultiDiGraph
    (one edge per use), restricted to the nodes on paths, so every branch it
    explores reaches the output. In a DAG every path is simple."""
    import networkx as nx

    from gradstep.program.graph import to_networkx

    # A graph of its own, built in tape order (a subgraph view would hand out neighbours in the
    # order of the ``keep`` set's hashes once it is small: the paths' order would wander).
    full = to_networkx(tape)
    g = nx.MultiDiGraph()
    g.add_nodes_from(n for n in full if n in keep)
    g.add_edges_from((u, v, key, data) for u, v, key, data in full.edges(keys=True, data=True)
                     if u in keep and v in keep)
    for path in nx.all_simple_edge_paths(g, leaf, tape.output):
        yield [(v, g.edges[u, v, key]["input"]) for u, v, key in path]


def _walk_python(tape: Tape, keep: set[int], leaf: int):
    """The same paths in the same order as ``_walk_networkx``, without networkx:
    depth first, consumers in tape order, a consumer's uses in input order."""
    users: dict[int, list[tuple[int, int]]] = {i: [] for i in keep}
    for i in sorted(keep):
        for k, j in enumerate(tape.inputs[i]):
            if j in keep:
                users[j].append((i, k))
    stack = [(leaf, 0)]
    edges: list[tuple[int, int]] = []
    while stack:
        node, next_user = stack[-1]
        if node == tape.output:
            yield list(edges)
        if node == tape.output or next_user >= len(users[node]):
            stack.pop()
            if edges:
                edges.pop()
            continue
        stack[-1] = (node, next_user + 1)
        consumer, k = users[node][next_user]
        edges.append((consumer, k))
        stack.append((consumer, 0))


def paths(tape: Tape, start: list[float], leaf: int, limit: int = 200,
          use_networkx: bool = True) -> dict:
    """Every path from ``leaf`` to the output with its local derivatives and their
    product, and the sum of the products next to backprop's gradient.

    ``{"leaf", "label", "count", "count_text", "listed", "complete", "paths": [
    {"nodes": [leaf, ..., output], "edges": [{"consumer", "input", "from", "local"}...],
    "locals" (the edges' local derivatives, leaf first), "product"}...], "sum",
    "backprop", "difference", "note"}``. ``count`` is exact (dynamic programming);
    only the first ``limit`` paths are listed, and ``sum`` is ``None`` when some are
    left out. ``difference`` is ``sum - backprop``: float
    rounding only (the same terms added in another order).
    """
    if tape.kinds[leaf] != "leaf":
        raise ValueError(f"node {leaf} ({tape.labels[leaf]}) is not a named leaf")
    values, slopes = tape.forward(list(start))
    backprop = tape.backward(slopes)[leaf]
    total = count_paths(tape, leaf)
    keep = on_paths(tape, leaf)
    walk = []
    if total and leaf == tape.output:
        walk = [[]]
    elif total:
        try:
            if not use_networkx:
                raise ImportError
            walk = list(islice(_walk_networkx(tape, keep, leaf), max(0, limit)))
        except ImportError:
            walk = list(islice(_walk_python(tape, keep, leaf), max(0, limit)))
    listed = []
    for edges in walk:
        # Multiplied output first, the order backprop multiplies in.
        product = 1.0
        for consumer, k in reversed(edges):
            if product != 0.0:  # 0 * inf would be nan; backprop skips these terms too
                product *= slopes[consumer][k]
        listed.append({
            "nodes": [leaf] + [consumer for consumer, _ in edges],
            "edges": [{"consumer": c, "input": k, "from": tape.inputs[c][k],
                       "local": slopes[c][k]} for c, k in edges],
            "locals": [slopes[c][k] for c, k in edges],
            "product": product,
        })
    complete = len(listed) == total
    path_sum = math.fsum(p["product"] for p in listed) if complete else None
    out = tape.labels[tape.output]
    name = tape.labels[leaf]
    if total == 0:
        note = f"{out} does not depend on {name}: no paths, so the gradient is 0."
    elif complete:
        note = (f"d{out}/d{name} is the sum over the {total} path{'s' if total != 1 else ''} of "
                "the products of local derivatives; it equals backprop up to float rounding "
                "(the same terms, added in a different order).")
    else:
        note = (f"{_count_text(total)} paths (counted, not listed: each node's count is the sum of "
                f"its inputs' counts); the first {len(listed)} are shown. Backprop never lists "
                "them: it adds the paths through each node once and reuses that sum.")
    return {
        "leaf": leaf, "label": name, "output": tape.output,
        "count": total if total <= MAX_SAFE_INTEGER else float(total) if total.bit_length() < 1024 else None,
        "count_text": _count_text(total), "listed": len(listed), "complete": complete,
        "paths": listed, "sum": path_sum, "backprop": backprop,
        "difference": None if path_sum is None else path_sum - backprop, "note": note,
    }
