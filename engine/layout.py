"""Layered drawing of the computation graph, left to right, like Graphviz ``dot``.

``layout(nodes, edges)`` places value nodes (records: label / value / grad) and op
nodes (small circles) in layers, Sugiyama style, in four phases:

1. layering: longest path from the sources, every source (a leaf) pulled right to
   the layer just before its earliest consumer, then dot's network simplex to
   shorten long edges (an op -> result edge weighs 100, so they stay side by side);
2. long edges are split by dummy nodes, one per layer they pass;
3. crossing reduction as in dot's mincross: start orders (DFS, and dot's BFS),
   median sweeps down and up keeping the best order, transpose (swap neighbours
   while it lowers crossings); then sifting, and for small graphs seeded restarts.
   Op -> result edges ("ties") are then untangled so they never cross each other;
4. coordinates: x by layer; y by iterative weighted averaging toward neighbours, each
   layer solved exactly (order kept, no overlaps) by pool-adjacent-violators; an op
   node and its result value node are tied into one block so they share a y-centre.

Pure Python and stdlib only: it runs in the browser under Pyodide, so start-up and
speed matter. Everything is iterative (a chain of 100,000 nodes needs no recursion),
graphs are arrays of ints, crossings are counted by sort + bisect (O(E log E) per
pair of layers), and big graphs get less work (see ``_budget`` and ``effort``).

``count_crossings`` counts crossings from any finished drawing (ours or dot's), and
``to_dot`` / ``parse_dot_plain`` / ``dot_layout`` let tests and benchmarks render the
same graph with Graphviz to compare.
"""

from __future__ import annotations

import random
from bisect import bisect_right, insort
from itertools import accumulate

# Node sizes in pixels (the page draws with the same ones). These are the least
# sizes: a node grows to fit its label (see ``node_size``).
VALUE_WIDTH = 132.0  # a record: three rows, label / value / grad
VALUE_HEIGHT = 56.0
OP_WIDTH = 30.0  # a circle; a longer symbol makes it a pill, as high, wider
OP_HEIGHT = 30.0
NODE_SIZES = {"value": (VALUE_WIDTH, VALUE_HEIGHT), "op": (OP_WIDTH, OP_HEIGHT)}

# Text metrics of the page's fonts (web/style.css: monospace, whose glyphs advance
# 0.602 em in DejaVu Sans Mono and about 0.6 em in the others), rounded up.
LABEL_CHAR = 8.0  # a value node's name: bold 13 px
LABEL_PAD = 18.0  # each side of the name (the leaf's lock sits in the right one)
LABEL_MAX_CHARS = 40  # longer names are cut with an ellipsis (the full one on hover)
OP_CHAR = 8.0  # an op node's symbol: 13 px, semibold
OP_PAD = 7.0  # each side of the symbol
# The symbols the page draws for some ops (web/geometry.js ``opSymbol``): keep in step.
OP_GLYPHS = {"*": "×", "-": "−", "/": "÷", "neg": "−", "sigmoid": "σ", "sqrt": "√", "**": "^"}

# The local-derivative labels the page puts on input edges (web/geometry.js
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

DIRECTIONS = ("LR", "TB")

# Placement weights, as in dot's priority method: long edges (dummy to dummy) pull
# hardest, so they run straight; a follower in a tied block pulls harder still.
_W_REAL, _W_MIXED, _W_DUMMY = 1.0, 2.0, 8.0
_W_FOLLOW = 1e6
_W_TIE = 100  # network simplex weight of an op -> result edge (see _NetworkSimplex)
_W_IDLE = 1e-3  # a node with no neighbours on the side looked at keeps its place


def shown_label(label: str) -> str:
    """A value node's name as drawn: cut to LABEL_MAX_CHARS with an ellipsis."""
    if len(label) > LABEL_MAX_CHARS:
        return label[: LABEL_MAX_CHARS - 1] + "…"
    return label


def node_size(node: dict) -> tuple[float, float]:
    """(width, height) of a node: its own ``width``/``height`` if given, else by kind,
    grown to fit its label: a value record fits its name (up to LABEL_MAX_CHARS), an
    op node its symbol (a circle for one or two characters, else a pill)."""
    kind = node.get("kind")
    w, h = NODE_SIZES.get(kind, NODE_SIZES["value"])
    label = str(node.get("label") or "")
    if kind == "op":
        glyph = OP_GLYPHS.get(label, label)
        w = max(w, float(-(-(len(glyph) * OP_CHAR + 2 * OP_PAD) // 1)))
    else:
        w = max(w, float(-(-(len(shown_label(label)) * LABEL_CHAR + 2 * LABEL_PAD) // 1)))
    return float(node.get("width", w)), float(node.get("height", h))


def _budget(size: int) -> tuple[int, int, int]:
    """(mincross iterations, transpose passes per iteration, placement sweeps).

    ``size`` is nodes + dummies + edges of the layered graph. dot uses up to 24
    mincross iterations; a pure-Python sweep costs about 1 us per node and edge, so
    big graphs get fewer to stay well under a second in CPython (Pyodide is 2-3x
    slower). Expression graphs are nearly trees, whose DFS start order is already
    crossing-free, so the loss is small.
    """
    if size <= 6_000:
        return 24, 1000, 12  # as dot: transpose runs until it gains nothing
    if size <= 30_000:
        return 8, 4, 8
    if size <= 120_000:
        return 4, 2, 6
    if size <= 400_000:
        return 2, 1, 2
    return 0, 1, 2  # the DFS order, one transpose pass


# Above this many dummy nodes, long edges from one source share them (see _Proper).
BUNDLE_DUMMIES = 100_000

# --------------------------------------------------------------------------- layout


def layout(nodes: list[dict], edges: list[dict], *, direction: str = "LR") -> dict:
    """Lay out a DAG. See the module doc and docs/scene.md.

    ``nodes``: dicts with ``id``, ``kind`` (``"value"`` | ``"op"``), ``label``, listed
    in a topological order; ``edges``: dicts with ``source``, ``target`` (repeats are
    kept: one edge per use). Other keys are copied through. Returns ``{"nodes",
    "edges", "width", "height", "direction"}`` with ``x, y, width, height`` (top-left
    corner, y down) on each node, in the given order, and on each edge ``points``: the
    polyline from the source's outgoing side (right-middle for LR) to the target's
    incoming side (left-middle), through a pair of bend points (entering and leaving
    the layer's column) at each layer the edge passes where it bends (a straight run
    keeps only its ends; so does a shared trunk, see BUNDLE_DUMMIES).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    lr = direction == "LR"
    n = len(nodes)
    index: dict[str, int] = {}
    for i, nd in enumerate(nodes):
        nid = nd["id"]
        if nid in index:
            raise ValueError(f"duplicate node id {nid!r}")
        index[nid] = i
    src: list[int] = []
    tgt: list[int] = []
    for e in edges:
        try:
            s, t = index[e["source"]], index[e["target"]]
        except KeyError as exc:
            raise ValueError(f"edge {e!r} names an unknown node {exc.args[0]!r}") from None
        if s == t:
            raise ValueError(f"edge {e!r} is a loop")
        src.append(s)
        tgt.append(t)

    sizes = [node_size(nd) for nd in nodes]
    # Extent of each node along the rank axis (layer thickness) and within its layer.
    r_ext = [w if lr else h for w, h in sizes]
    o_ext = [h if lr else w for w, h in sizes]

    rank, nranks = _ranks(n, src, tgt)
    g = _Proper(n, rank, nranks, src, tgt)
    g.order()
    g.place(o_ext)
    label_gap = _label_gaps(g, edges, nodes, rank, nranks) if lr else None
    left, thick = _rank_positions(g, r_ext, label_gap)

    # Node boxes. A node is centred in its layer's column.
    y = g.y
    rc = [left[r] + thick[r] / 2 for r in rank]  # centre along the rank axis
    out_nodes = []
    for nd, c, o, (w, h) in zip(nodes, rc, y, sizes, strict=False):  # y has dummies too
        x0, y0 = (c - w / 2, o - h / 2) if lr else (o - w / 2, c - h / 2)
        out_nodes.append({**nd, "x": x0, "y": y0, "width": w, "height": h})

    out_edges = []
    layer_of = g.layer_of
    for e, chain in zip(edges, g.chains, strict=True):
        s, t = chain[0], chain[-1]
        pts = [[rc[s] + r_ext[s] / 2, y[s]]]
        dummies = chain[1:-1]
        last = len(dummies) - 1
        for k, d in enumerate(dummies):
            # A dummy level with both neighbours adds nothing to the drawn line: skip
            # it (a long straight edge, or a shared trunk, stays a few points).
            if 0 < k < last and y[dummies[k - 1]] == y[d] == y[dummies[k + 1]]:
                continue
            r = layer_of[d]
            pts.append([left[r], y[d]])
            if thick[r] > 0:
                pts.append([left[r] + thick[r], y[d]])
        pts.append([rc[t] - r_ext[t] / 2, y[t]])
        if not lr:
            pts = [[b, a] for a, b in pts]
        out_edges.append({**e, "points": pts})

    r_end = left[-1] + thick[-1] + MARGIN if nranks else 2 * MARGIN
    o_end = g.o_end + MARGIN
    width, height = (r_end, o_end) if lr else (o_end, r_end)
    return {
        "nodes": out_nodes,
        "edges": out_edges,
        "width": width,
        "height": height,
        "direction": direction,
    }


def _ranks(n: int, src: list[int], tgt: list[int]) -> tuple[list[int], int]:
    """Layer of each node: longest path from the sources, sources pulled right, then
    dot's network simplex to shorten the edges (fewer dummies, fewer crossings)."""
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
        _NetworkSimplex(n, src, tgt, rank).run()
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


class _NetworkSimplex:
    """Gansner et al.'s network simplex (as in Graphviz ``ns.c``): minimise the total
    weighted edge length sum w(e) (rank[head] - rank[tail]) with every edge at least
    1 long. Iterative throughout; subtrees are ranges of postorder numbers, so no
    walk needs recursion. Each iteration keeps the ranks feasible, so a run stopped
    by the iteration cap (big graphs) still gives a valid, shorter layering."""

    SEARCH_SIZE = 30  # tree edges with negative cut value looked at per iteration (dot's)

    def __init__(self, n, src, tgt, rank):
        weight: dict[tuple[int, int], int] = {}
        for key in zip(src, tgt, strict=True):  # parallel edges become one, heavier
            weight[key] = weight.get(key, 0) + 1
        # An edge that is its tail's only way out and its head's only way in (an op
        # node -> its result) weighs more: it stays 1 long, op and value side by side.
        outdeg = [0] * n
        indeg = [0] * n
        for s, t in zip(src, tgt, strict=True):
            outdeg[s] += 1
            indeg[t] += 1
        for s, t in weight:
            if outdeg[s] == 1 and indeg[t] == 1:
                weight[s, t] = _W_TIE
        self.n = n
        self.tail = [k[0] for k in weight]
        self.head = [k[1] for k in weight]
        self.w = list(weight.values())
        self.rank = rank
        self.inc: list[list[int]] = [[] for _ in range(n)]  # incident edge ids
        for e, (s, t) in enumerate(weight):
            self.inc[s].append(e)
            self.inc[t].append(e)
        m = len(self.w)
        # A pure-Python pivot costs O(V) (renumbering a subtree); cap the pivots so
        # big graphs stay fast (dot has the same kind of cap, nslimit). Program
        # graphs start close to optimal: ~100 pivots for 10,000 nodes.
        self.max_iter = max(20, 600_000 // max(1, n + m))

    def run(self):
        self._feasible_tree()
        self._init_cutvalues()
        cut, tree = self.cut, self.tree_list
        start = 0
        for _ in range(self.max_iter):
            # Leave: a tree edge with negative cut value (the most negative of the
            # first SEARCH_SIZE found, searching on from where the last search ended).
            e = -1
            found = 0
            nt = len(tree)
            i = start
            for _k in range(nt):
                f = tree[i]
                if cut[f] < 0:
                    if e < 0 or cut[f] < cut[e]:
                        e = f
                    found += 1
                    if found >= self.SEARCH_SIZE:
                        break
                i += 1
                if i == nt:
                    i = 0
            if e < 0:
                return
            start = i
            f = self._enter_edge(e)
            if f < 0:  # cannot happen in a connected tree; stay safe
                return
            self._update(e, f)

    def _slack(self, e):
        return self.rank[self.head[e]] - self.rank[self.tail[e]] - 1

    def _feasible_tree(self):
        """A spanning forest of tight edges (slack 0). Tight components are merged
        smallest first: shift the smallest by the least slack of an edge leaving it,
        which makes that edge tight; each node is shifted O(log V) times."""
        import heapq

        n, tail, head, rank, inc = self.n, self.tail, self.head, self.rank, self.inc
        parent = list(range(n))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        in_tree = bytearray(len(tail))
        members = {v: [v] for v in range(n)}
        for e in range(len(tail)):
            if rank[head[e]] - rank[tail[e]] == 1:
                a, b = find(tail[e]), find(head[e])
                if a != b:
                    if len(members[a]) < len(members[b]):
                        a, b = b, a
                    parent[b] = a
                    members[a].extend(members.pop(b))
                    in_tree[e] = 1
        heap = [(len(ms), r) for r, ms in members.items()]
        heapq.heapify(heap)
        while heap:
            size, r = heapq.heappop(heap)
            ms = members.get(r)
            if ms is None or len(ms) != size:
                continue  # stale entry
            best = -1
            best_slack = 0
            for v in ms:
                for e in inc[v]:
                    other = head[e] if tail[e] == v else tail[e]
                    if find(other) == r:
                        continue
                    s = rank[head[e]] - rank[tail[e]] - 1
                    if best < 0 or s < best_slack:
                        best, best_slack = e, s
            if best < 0:
                continue  # a whole connected part: done
            delta = best_slack if find(tail[best]) == r else -best_slack
            if delta:
                for v in ms:
                    rank[v] += delta
            o = find(head[best]) if find(tail[best]) == r else find(tail[best])
            parent[r] = o
            members[o].extend(members.pop(r))
            in_tree[best] = 1
            heapq.heappush(heap, (len(members[o]), o))
        self.in_tree = in_tree
        self.tree_adj: list[list[int]] = [[] for _ in range(n)]
        self.tree_list = [e for e in range(len(tail)) if in_tree[e]]
        self.tree_pos = {e: i for i, e in enumerate(self.tree_list)}
        for e in self.tree_list:
            self.tree_adj[tail[e]].append(e)
            self.tree_adj[head[e]].append(e)
        self.roots = [r for r in members]

    def _dfs_range(self, root, par_edge, low):
        """Postorder numbers: ``lim[v]``, and ``low[v]`` the least lim in v's subtree;
        so the subtree of v is exactly the nodes with lim in [low[v], lim[v]]."""
        tail, head, tree_adj = self.tail, self.head, self.tree_adj
        par, lows, lim, at = self.par, self.low, self.lim, self.at
        par[root] = par_edge
        stack = [(root, 0)]
        lows[root] = low
        counter = low
        while stack:
            v, i = stack[-1]
            adj = tree_adj[v]
            pe = par[v]
            while i < len(adj) and adj[i] == pe:
                i += 1
            if i < len(adj):
                e = adj[i]
                stack[-1] = (v, i + 1)
                w = head[e] if tail[e] == v else tail[e]
                par[w] = e
                lows[w] = counter
                stack.append((w, 0))
            else:
                stack.pop()
                lim[v] = counter
                at[counter] = v
                counter += 1
        return counter

    def _init_cutvalues(self):
        n = self.n
        self.par = [-1] * n
        self.low = [0] * n
        self.lim = [0] * n
        self.at = [0] * n
        self.cut = [0] * len(self.tail)
        low = 0
        for r in self.roots:
            low = self._dfs_range(r, -1, low)
        tail, par, at = self.tail, self.par, self.at
        for k in range(n):  # postorder: children before parents
            v = at[k]
            f = par[v]
            if f >= 0:
                self._x_cutval(f, v, 1 if tail[f] == v else -1)

    def _x_cutval(self, f, v, dir):
        """Cut value of tree edge f from those of v's child edges (v: f's lower end)."""
        tail, head, w, cut, in_tree = self.tail, self.head, self.w, self.cut, self.in_tree
        low, lim = self.low[v], self.lim[v]
        lims = self.lim
        total = 0
        for e in self.inc[v]:
            t = tail[e]
            other = head[e] if t == v else t
            if not (low <= lims[other] <= lim):
                outside = True
                rv = w[e]
            else:
                outside = False
                rv = (cut[e] if in_tree[e] else 0) - w[e]
            if dir > 0:
                d = 1 if head[e] == v else -1
            else:
                d = 1 if t == v else -1
            if outside:
                d = -d
            total += rv if d > 0 else -rv
        cut[f] = total

    def _enter_edge(self, e):
        """The non-tree edge of least slack from e's head side to its tail side."""
        tail, head, rank, in_tree = self.tail, self.head, self.rank, self.in_tree
        lim, at = self.lim, self.at
        if lim[tail[e]] < lim[head[e]]:
            v, outsearch = tail[e], False  # the subtree is the tail side
        else:
            v, outsearch = head[e], True
        lo, hi = self.low[v], lim[v]
        best, best_slack = -1, 0
        for k in range(lo, hi + 1):
            u = at[k]
            for f in self.inc[u]:
                if in_tree[f]:
                    continue
                if outsearch:
                    if tail[f] != u or lo <= lim[head[f]] <= hi:
                        continue
                elif head[f] != u or lo <= lim[tail[f]] <= hi:
                    continue
                s = rank[head[f]] - rank[tail[f]] - 1
                if best < 0 or s < best_slack:
                    best, best_slack = f, s
                    if s == 0:
                        return best
        return best

    def _update(self, e, f):
        tail, head, rank, lim, low, at = (
            self.tail, self.head, self.rank, self.lim, self.low, self.at)
        delta = self._slack(f)
        if delta:
            # Shift e's lower side (a subtree: a range of postorder numbers) so f is tight.
            if lim[tail[e]] < lim[head[e]]:
                v, d = tail[e], -delta
            else:
                v, d = head[e], delta
            for k in range(low[v], lim[v] + 1):
                rank[at[k]] += d
        cv = self.cut[e]
        lca = self._tree_update(tail[f], head[f], cv, True)
        self._tree_update(head[f], tail[f], cv, False)
        self.cut[f] = -cv
        self.cut[e] = 0
        # Swap e for f in the tree.
        self.in_tree[e] = 0
        self.in_tree[f] = 1
        self.tree_adj[tail[e]].remove(e)
        self.tree_adj[head[e]].remove(e)
        self.tree_adj[tail[f]].append(f)
        self.tree_adj[head[f]].append(f)
        i = self.tree_pos.pop(e)
        self.tree_list[i] = f
        self.tree_pos[f] = i
        self._dfs_range(lca, self.par[lca], low[lca])

    def _tree_update(self, v, w, cv, dir):
        """Adjust cut values on the tree path from v up to the ancestor of w."""
        tail, head, lim, low, par, cut = (
            self.tail, self.head, self.lim, self.low, self.par, self.cut)
        lw = lim[w]
        while not (low[v] <= lw <= lim[v]):
            e = par[v]
            d = dir if v == tail[e] else not dir
            if d:
                cut[e] += cv
            else:
                cut[e] -= cv
            v = tail[e] if lim[tail[e]] > lim[head[e]] else head[e]
        return v


class _Proper:
    """The layered graph with dummy nodes: vertices ``0..n-1`` are the real nodes,
    ``n..`` the dummies. ``up[v]``/``down[v]`` list neighbours in the layer before and
    after, once per edge (parallel edges repeat)."""

    def __init__(self, n, rank, nranks, src, tgt):
        self.n = n
        self.nranks = nranks
        self.layer_of = rank[:]
        up: list[list[int]] = [[] for _ in range(n)]
        down: list[list[int]] = [[] for _ in range(n)]
        layer_of = self.layer_of
        chains = []
        v_count = n
        # One leaf used all along a long graph (`x += y` ten thousand times) would need
        # a dummy per layer per edge: quadratic. Past a budget, the long edges of one
        # source share a trunk of dummies and branch off where they end (Graphviz's
        # `concentrate`); smaller graphs keep one chain per edge, as dot draws them.
        spans = sum(max(0, rank[t] - rank[s] - 1) for s, t in zip(src, tgt, strict=True))
        bundle = spans > BUNDLE_DUMMIES
        trunks: dict[int, list[int]] = {}
        for s, t in zip(src, tgt, strict=True):
            span = rank[t] - rank[s] - 1  # layers the edge passes
            if bundle:
                trunk = trunks.setdefault(s, [])
                prev = trunk[-1] if trunk else s
                need = range(rank[s] + 1 + len(trunk), rank[t])
            else:
                trunk = []
                prev = s
                need = range(rank[s] + 1, rank[t])
            for r in need:
                d = v_count
                v_count += 1
                layer_of.append(r)
                up.append([prev])
                down.append([])
                down[prev].append(d)
                trunk.append(d)
                prev = d
            if bundle and span > 0:
                # A bundled edge keeps only where it joins and leaves the trunk (its
                # drawing runs straight between them): listing every trunk dummy for
                # every edge would be quadratic again.
                prev = trunk[span - 1]
                chain = [s, trunk[0], prev, t] if span > 1 else [s, prev, t]
            else:
                chain = [s, *trunk, t]
            down[prev].append(t)
            up[t].append(prev)
            chains.append(chain)
        self.count = v_count
        self.up, self.down, self.chains = up, down, chains
        self.n_edges = sum(len(ds) for ds in down)
        size = v_count + self.n_edges
        self.mincross_iters, self.transpose_passes, self.sweeps = _budget(size)
        # How hard to work on crossings: 3 (tiny: restarts), 2 (small: every start
        # order gets mincross + sifting), 1 (dot's schedule + sifting), 0 (one DFS
        # start, capped mincross). Sifting costs O(layer size^2).
        self.role = b""  # tie roles: none while searching freely (see order)
        self.effort = 3 if size <= 400 else 2 if size <= 1_200 else 1 if size <= 3_500 else 0

    # ---------------------------------------------------------------- ordering

    def _dfs_layers(self, starts, nbrs):
        """Layers filled in DFS preorder from ``starts`` along ``nbrs``: for a tree
        drawn from its root this order has no crossings at all."""
        seen = bytearray(self.count)
        layers: list[list[int]] = [[] for _ in range(self.nranks)]
        layer_of = self.layer_of
        for s in starts:
            if seen[s]:
                continue
            stack = [s]
            while stack:
                v = stack.pop()
                if seen[v]:
                    continue
                seen[v] = 1
                layers[layer_of[v]].append(v)
                ns = nbrs[v]
                for k in range(len(ns) - 1, -1, -1):  # first neighbour on top
                    if not seen[ns[k]]:
                        stack.append(ns[k])
        return layers

    def _bfs_layers(self, starts, first, second):
        """dot's start order (build_ranks): BFS over the graph taken as undirected."""
        seen = bytearray(self.count)
        layers: list[list[int]] = [[] for _ in range(self.nranks)]
        layer_of = self.layer_of
        for s in starts:
            if seen[s]:
                continue
            seen[s] = 1
            queue = [s]
            for v in queue:
                layers[layer_of[v]].append(v)
                for w in first[v]:
                    if not seen[w]:
                        seen[w] = 1
                        queue.append(w)
                for w in second[v]:
                    if not seen[w]:
                        seen[w] = 1
                        queue.append(w)
        return layers

    def order(self):
        """Order each layer and set ``self.layers`` and ``self.pos``.

        Like dot's mincross: several start orders with a few median/transpose
        iterations each, then up to 24 more from the best. Beyond dot, for graphs
        small enough (see ``_Proper.__init__``): DFS start orders (they suit
        expression trees), sifting after mincross, and seeded random restarts."""
        n, up, down = self.n, self.up, self.down
        sinks = [v for v in range(n - 1, -1, -1) if not down[v]]  # the output first
        sources = [v for v in range(n) if not up[v]]
        # A DFS back from the sinks, following inputs in operand order, puts input 0
        # above input 1 and draws any tree with no crossings.
        starts = [self._dfs_layers(sinks, up)]
        effort = self.effort
        if effort:
            starts += [
                self._bfs_layers(sources, down, up),  # dot's two start orders
                self._bfs_layers(sinks, up, down),
                self._dfs_layers(sources, down),
            ]
        if effort >= 3:
            rng = random.Random(len(starts[0]))  # seeded: the same graph, the same drawing
            for k in range(6):
                shuffled = [layer[:] for layer in starts[k % 4]]
                for layer in shuffled:
                    rng.shuffle(layer)
                starts.append(shuffled)
        best = None
        for layers in starts:
            if effort >= 2:  # each start gets the full treatment
                c = self._mincross(layers, self.mincross_iters)
                if c:
                    self._sift(layers)
                    c = self.total_crossings()
            else:
                c = self._mincross(layers, 4 if effort else self.mincross_iters)
            if best is None or c < best[0]:
                best = (c, [layer[:] for layer in layers])
            if c == 0:
                break
        c, layers = best
        self.layers = layers
        self._set_pos()
        if c and effort == 1:
            c = self._mincross(layers, self.mincross_iters)
            if c:
                # Sifting moves one node at a time to its best place in its layer
                # (transpose moves it only one step).
                self._sift(layers)
                c = self.total_crossings()
        # Tie edges may cross now; untangle them, then improve again with transpose
        # and sifting kept from crossing them anew.
        self.role = self._tie_roles()
        self._untangle_ties()
        if c:
            self._transpose(layers, False)
            if effort:
                self._sift(layers)
            c = self.total_crossings()
        self.crossings = c

    def _tie_roles(self):
        """Per vertex: 1 if it is the tail of a tie edge, 2 if the head, 3 if both."""
        n, up, down = self.n, self.up, self.down
        role = bytearray(self.count)
        for u in range(n):
            ds = down[u]
            if len(ds) == 1 and ds[0] < n and len(up[ds[0]]) == 1:
                role[u] |= 1
                role[ds[0]] |= 2
        return role

    def _untangle_ties(self):
        """Make tie edges (an op node -> its result) not cross each other, so every
        op node can sit level with its result. Where two do, put the tied nodes of
        one of the two layers, in the slots they hold, in the order of their
        partners; of the two ways keep the one with fewer crossings. Median sweeps
        keep ties uncrossed (a tied node's median is its partner's place); transpose
        and sifting are then kept from swapping two nodes with the same tie role."""
        layers, role, up, down, pos = self.layers, self.role, self.up, self.down, self.pos
        for r in range(len(layers) - 1):
            tails = [u for u in layers[r] if role[u] & 1]
            if len(tails) < 2 or all(
                pos[down[a][0]] < pos[down[b][0]] for a, b in zip(tails, tails[1:], strict=False)
            ):
                continue
            heads = [v for v in layers[r + 1] if role[v] & 2]
            ways = [(r + 1, heads, lambda v: pos[up[v][0]])]
            # Layers are done left to right: reordering the tails is allowed only when
            # none of them heads a tie edge from the layer before (already untangled).
            if not any(role[u] & 2 for u in tails):
                ways.append((r, tails, lambda u: pos[down[u][0]]))
            options = []
            for k, movers, key in ways:
                layer = layers[k][:]
                slots = [i for i, x in enumerate(layer) if x in set(movers)]
                for i, x in zip(slots, sorted(movers, key=key), strict=True):
                    layer[i] = x
                options.append((k, layer))
            saved = {k: layers[k] for k in (r, r + 1)}
            best = None
            for k, layer in options:
                layers[k] = layer
                for i, x in enumerate(layer):
                    pos[x] = i
                c = sum(self._gap_crossings(g) for g in (r - 1, r, r + 1))
                if best is None or c < best[0]:
                    best = (c, k, layer)
                layers[k] = saved[k]
                for i, x in enumerate(saved[k]):
                    pos[x] = i
            _, k, layer = best
            layers[k] = layer
            for i, x in enumerate(layer):
                pos[x] = i

    def _set_pos(self):
        pos = self.pos = [0] * self.count
        for layer in self.layers:
            for i, v in enumerate(layer):
                pos[v] = i

    def _gap_crossings(self, r):
        """Crossings between layers r and r + 1 (0 if there is no such gap)."""
        if r < 0 or r + 1 >= len(self.layers):
            return 0
        down, pos = self.down, self.pos
        seq: list[int] = []
        for u in self.layers[r]:
            ds = down[u]
            if len(ds) == 1:
                seq.append(pos[ds[0]])
            elif ds:
                seq.extend(sorted([pos[w] for w in ds]))
        return _inversions(seq)

    def total_crossings(self):
        return sum(self._gap_crossings(r) for r in range(len(self.layers) - 1))

    def _mincross(self, layers, iters):
        """dot's mincross loop: median sweeps alternately down and up, each followed
        by a transpose; the best order seen is left in ``layers`` (in place). Stops
        after 8 iterations without real progress (dot's MinQuit). Returns the
        crossing count."""
        self.layers = layers
        self._set_pos()
        best_c = self.total_crossings()
        if best_c == 0:
            return 0
        best = [layer[:] for layer in layers]
        up, down = self.up, self.down
        trying = 0
        for it in range(iters):
            if trying >= 8:
                break
            trying += 1
            # As dot: in two iterations of four, equal medians swap and transpose
            # does not; in the other two the reverse. That gets off plateaus.
            ties = it % 4 < 2
            if it % 2 == 0:
                for r in range(1, len(layers)):
                    self._reorder(layers[r], up, ties)
            else:
                for r in range(len(layers) - 2, -1, -1):
                    self._reorder(layers[r], down, ties)
            self._transpose(layers, not ties)
            c = self.total_crossings()
            if c <= best_c:
                if c < 0.995 * best_c:
                    trying = 0
                best_c = c
                best = [layer[:] for layer in layers]
                if c == 0:
                    break
        layers[:] = best
        self._set_pos()
        if best_c:
            self._transpose(layers, False)
            best_c = self.total_crossings()
        return best_c

    def _reorder(self, layer, nbrs, ties):
        """Sort a layer by the (weighted) median position of its neighbours in the
        fixed layer; a node with no such neighbours keeps its slot. With ``ties``,
        nodes with equal medians change places."""
        if len(layer) < 2:
            return
        pos = self.pos
        keyed = []
        fixed = []
        sign = -1 if ties else 1
        for i, v in enumerate(layer):
            ns = nbrs[v]
            k = len(ns)
            if k == 0:
                fixed.append(i)
                continue
            if k == 1:
                med = pos[ns[0]]
            else:
                ps = sorted([pos[w] for w in ns])
                m = k // 2
                if k % 2:
                    med = ps[m]
                elif k == 2:
                    med = (ps[0] + ps[1]) / 2
                else:  # Gansner et al.: weight toward the side where neighbours are denser
                    lo, hi = ps[m - 1] - ps[0], ps[-1] - ps[m]
                    med = (ps[m - 1] * hi + ps[m] * lo) / (lo + hi) if lo + hi else ps[m]
            keyed.append((med, sign * i, v))
        keyed.sort()
        if fixed:
            out = [-1] * len(layer)
            for i in fixed:
                out[i] = layer[i]
            it = iter(keyed)
            for i in range(len(out)):
                if out[i] < 0:
                    out[i] = next(it)[2]
            layer[:] = out
        else:
            layer[:] = [kv[2] for kv in keyed]
        for i, v in enumerate(layer):
            pos[v] = i

    def _transpose(self, layers, ties):
        """dot's transpose: swap neighbours in a layer while that lowers the crossings
        around them (with ``ties``, also when it leaves them equal), rechecking only
        layers next to one that changed, until a pass gains nothing. Big graphs stop
        after ``transpose_passes`` passes."""
        up, down, pos, role = self.up, self.down, self.pos, self.role
        nl = len(layers)
        cand = [len(layer) > 1 for layer in layers]
        for _ in range(self.transpose_passes):
            gain = 0
            nxt = [False] * nl
            for r in range(nl):
                if not cand[r]:
                    continue
                layer = layers[r]
                # Neighbour positions, sorted; fixed while this layer is worked on.
                pu = [sorted([pos[w] for w in up[v]]) for v in layer]
                pd = [sorted([pos[w] for w in down[v]]) for v in layer]
                changed = False
                for i in range(len(layer) - 1):
                    au, bu, ad, bd = pu[i], pu[i + 1], pd[i], pd[i + 1]
                    c0 = c1 = 0  # crossings as they are, and if swapped
                    if au and bu:
                        if len(au) == 1 and len(bu) == 1:  # the common case, inline
                            if au[0] > bu[0]:
                                c0 = 1
                            elif au[0] < bu[0]:
                                c1 = 1
                        else:
                            c0 = _pair_crossings(au, bu)
                            c1 = _pair_crossings(bu, au)
                    if ad and bd:
                        if len(ad) == 1 and len(bd) == 1:
                            if ad[0] > bd[0]:
                                c0 += 1
                            elif ad[0] < bd[0]:
                                c1 += 1
                        else:
                            c0 += _pair_crossings(ad, bd)
                            c1 += _pair_crossings(bd, ad)
                    if role and role[layer[i]] & role[layer[i + 1]]:
                        continue  # would cross two tie edges
                    if c0 and (c1 < c0 or (ties and c1 == c0)):
                        u, v = layer[i], layer[i + 1]
                        layer[i], layer[i + 1] = v, u
                        pos[u], pos[v] = i + 1, i
                        pu[i], pu[i + 1] = bu, au
                        pd[i], pd[i + 1] = bd, ad
                        gain += c0 - c1
                        changed = True
                if changed:
                    nxt[r] = True
                    if r:
                        nxt[r - 1] = True
                    if r + 1 < nl:
                        nxt[r + 1] = True
            if gain < 1:
                break
            cand = [c and len(layers[r]) > 1 for r, c in enumerate(nxt)]

    def _sift(self, layers, passes=4):
        """Sifting: take each node out of its layer and put it back where the
        crossings with both neighbouring layers are fewest. Exact for the moved
        node, so the total only goes down. O(layer size^2) per layer: small graphs."""
        up, down, pos, role = self.up, self.down, self.pos, self.role
        nl = len(layers)
        for p in range(passes):
            gain = 0
            rng = range(nl) if p % 2 == 0 else range(nl - 1, -1, -1)
            for r in rng:
                layer = layers[r]
                m = len(layer)
                if m < 2:
                    continue
                n_up = len(layers[r - 1]) if r else 0
                n_dn = len(layers[r + 1]) if r + 1 < nl else 0
                nu = {v: [pos[w] for w in up[v]] for v in layer}
                nd = {v: [pos[w] for w in down[v]] for v in layer}
                for v in sorted(layer, key=lambda x: -len(up[x]) - len(down[x])):
                    vu, vd = nu[v], nd[v]
                    if not vu and not vd:
                        continue
                    # lt[b]: how many of v's neighbours sit before position b.
                    lt_u = _count_before(vu, n_up)
                    lt_d = _count_before(vd, n_dn)
                    du, dd = len(vu), len(vd)
                    i = layer.index(v)
                    others = layer[:i] + layer[i + 1 :]
                    # Cost with v first, then the change as v steps past each other.
                    cost = 0
                    steps = []
                    for w in others:
                        below = above = 0  # v above w / w above v
                        for b in nu[w]:
                            below += du - lt_u[b + 1]
                            above += lt_u[b]
                        for b in nd[w]:
                            below += dd - lt_d[b + 1]
                            above += lt_d[b]
                        cost += below
                        steps.append(above - below)
                    # Slots v may take: all, or (keeping tie edges uncrossed) those
                    # between the nearest nodes sharing a tie role with it.
                    lo, hi = 0, m - 1
                    if role and role[v]:
                        for k in range(i - 1, -1, -1):
                            if role[others[k]] & role[v]:
                                lo = k + 1
                                break
                        for k in range(i, m - 1):
                            if role[others[k]] & role[v]:
                                hi = k
                                break
                    best_k, best_cost, cur_cost = -1, 0, cost
                    for k in range(m):
                        if k == i:
                            cur_cost = cost
                        if lo <= k <= hi and (best_k < 0 or cost < best_cost):
                            best_k, best_cost = k, cost
                        if k < m - 1:
                            cost += steps[k]
                    if best_cost < cur_cost:
                        others.insert(best_k, v)
                        layer[:] = others
                        for k, x in enumerate(layer):
                            pos[x] = k
                        gain += cur_cost - best_cost
            if not gain:
                break

    # ---------------------------------------------------------------- y placement

    def _room_for_ties(self, offsets):
        """Widen least gaps so that tied nodes (op node and result) can be level:
        between two tie edges, each of the two layers must leave as much room as
        the other needs (an op layer can hold edges that pass its neighbours
        elsewhere). Gaps only grow; a few passes both ways settle chains of ties."""
        role, down, pos, layers = self.role, self.down, self.pos, self.layers
        if not role:
            return
        tie_gaps = [r for r in range(len(layers) - 1) if any(role[u] & 1 for u in layers[r])]
        for k in range(6):
            changed = False
            for r in tie_gaps if k % 2 == 0 else reversed(tie_gaps):
                top, bottom = offsets[r], offsets[r + 1]
                # Tie edges do not cross, so their ends go down both layers together;
                # widen lazily (a widening moves everything below it) in one pass.
                grow_top: dict[int, float] = {}
                grow_bottom: dict[int, float] = {}
                add_top = add_bottom = 0.0
                prev = None
                for u in layers[r]:
                    if not role[u] & 1:
                        continue
                    i, j = pos[u], pos[down[u][0]]
                    a, b = top[i] + add_top, bottom[j] + add_bottom
                    if prev is not None:
                        need = (b - prev[1]) - (a - prev[0])
                        if need > 1e-9:
                            grow_top[i] = grow_top.get(i, 0.0) + need
                            add_top += need
                            a += need
                        elif need < -1e-9:
                            grow_bottom[j] = grow_bottom.get(j, 0.0) - need
                            add_bottom -= need
                            b -= need
                    prev = (a, b)
                for off, grow in ((top, grow_top), (bottom, grow_bottom)):
                    if grow:
                        changed = True
                        acc = 0.0
                        for idx in range(len(off)):
                            acc += grow.get(idx, 0.0)
                            off[idx] += acc
            if not changed:
                break


    def place(self, o_ext):
        """Centre of each vertex within its layer (``self.y``), and ``self.o_end``."""
        n, count, up, down = self.n, self.count, self.up, self.down
        layers = self.layers
        ext = o_ext + [0.0] * (count - n)  # dummies are points

        # Blocks: an edge u -> v with u's only out-edge and v's only in-edge (both real
        # nodes) ties them to one y. Every op -> result-value edge is such an edge, and
        # so is a leaf -> unary op edge when the leaf has one use.
        nxt = [-1] * count
        prv = [-1] * count
        for u in range(n):
            ds = down[u]
            if len(ds) == 1 and ds[0] < n and len(up[ds[0]]) == 1:
                nxt[u] = ds[0]
                prv[ds[0]] = u
        # Keep a block only if its edges do not cross another block's edge between the
        # same two layers: crossing blocks cannot both be straight.
        for layer in layers:
            last = -1
            for u in layer:
                v = nxt[u]
                if v >= 0:
                    if self.pos[v] > last:
                        last = self.pos[v]
                    else:
                        nxt[u] = prv[v] = -1

        # Each block's neighbours outside it, with weights, on each side; stored at the
        # block's head (its leftmost vertex). Dummies (one neighbour each side, never
        # in a block) are handled inline in the sweeps.
        head = list(range(count))
        nb_up: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        nb_dn: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for v in range(n):
            if prv[v] >= 0:
                continue
            a, b = nb_up[v], nb_dn[v]
            w = v
            while w >= 0:
                head[w] = v
                for x in up[w]:
                    if x != prv[w]:
                        a.append((x, _W_MIXED if x >= n else _W_REAL))
                for x in down[w]:
                    if x != nxt[w]:
                        b.append((x, _W_MIXED if x >= n else _W_REAL))
                w = nxt[w]

        # Offsets: the least distance between centres of consecutive vertices, summed.
        offsets = []
        for layer in layers:
            off = [0.0] * len(layer)
            acc = 0.0
            for i in range(1, len(layer)):
                a, b = layer[i - 1], layer[i]
                sep = EDGE_SEP if (a >= n and b >= n) else NODE_SEP
                acc += (ext[a] + ext[b]) / 2 + sep
                off[i] = acc
            offsets.append(off)

        self._room_for_ties(offsets)

        # Start with every layer packed and centred on 0.
        y = self.y = [0.0] * count
        for layer, off in zip(layers, offsets, strict=True):
            if layer:
                mid = off[-1] / 2
                for v, o in zip(layer, off, strict=True):
                    y[v] = o - mid

        # Sweeps: first one-sided (inputs only, then consumers only), then both sides.
        # The last sweep runs right to left, so every op node follows its result value
        # node exactly where nothing is in the way.
        sweeps = self.sweeps
        plan = [(True, "up"), (False, "down")]
        while len(plan) < sweeps:
            plan += [(True, "both"), (False, "both")]
        for forward, side in plan:
            use_up, use_dn = side != "down", side != "up"
            follow = prv if forward else nxt

            def desire(v, follow=follow, use_up=use_up, use_dn=use_dn):
                """Where v would like to be, and how hard it pulls: (y, weight)."""
                if v >= n:  # a dummy: straight between its two neighbours
                    acc = tot = 0.0
                    if use_up:
                        x = up[v][0]
                        w = _W_DUMMY if x >= n else _W_MIXED
                        acc, tot = w * y[x], w
                    if use_dn:
                        x = down[v][0]
                        w = _W_DUMMY if x >= n else _W_MIXED
                        acc += w * y[x]
                        tot += w
                    return acc / tot, tot
                f = follow[v]
                if f >= 0:  # follows its block, already placed in this sweep
                    return y[f], _W_FOLLOW
                h = head[v]
                acc = tot = 0.0
                if use_up:
                    for x, w in nb_up[h]:
                        acc += w * y[x]
                        tot += w
                if use_dn:
                    for x, w in nb_dn[h]:
                        acc += w * y[x]
                        tot += w
                return (acc / tot, tot) if tot else (y[v], _W_IDLE)

            for r in range(len(layers)) if forward else range(len(layers) - 1, -1, -1):
                layer = layers[r]
                if len(layer) == 1:  # nothing to keep apart: go straight there
                    y[layer[0]] = desire(layer[0])[0]
                    continue
                pulls = [desire(v) for v in layer]
                _pava(layer, [d for d, _ in pulls], [w for _, w in pulls], offsets[r], y)

        # The follower weight leaves a block's members a hair apart; make them equal
        # where that is (within rounding) what the solver found.
        for v in range(count):
            u = prv[v]
            if u >= 0 and abs(y[v] - y[u]) < 0.5:
                y[v] = y[u]

        # Shift so the top edge sits at the margin.
        top = min((y[v] - ext[v] / 2 for v in range(count)), default=0.0)
        shift = MARGIN - top
        for v in range(count):
            y[v] += shift
        self.o_end = max((y[v] + ext[v] / 2 for v in range(count)), default=MARGIN)


def _pava(layer, des, wts, off, y):
    """Place one layer: minimise sum w_i (y_i - des_i)^2 keeping the order and the
    least gaps (y_{i+1} - y_i >= off_{i+1} - off_i). With z_i = y_i - off_i it is
    weighted isotonic regression of des_i - off_i, solved exactly in O(n) by
    pool-adjacent-violators."""
    bw: list[float] = []  # per pool: total weight, weighted sum, size
    bs: list[float] = []
    bn: list[int] = []
    for i in range(len(layer)):
        w = wts[i]
        s = w * (des[i] - off[i])
        c = 1
        while bw and bs[-1] * w > s * bw[-1]:  # previous pool's mean > this one's
            w += bw.pop()
            s += bs.pop()
            c += bn.pop()
        bw.append(w)
        bs.append(s)
        bn.append(c)
    i = 0
    for w, s, c in zip(bw, bs, bn, strict=True):
        z = s / w
        for k in range(i, i + c):
            y[layer[k]] = z + off[k]
        i += c


def _label_gaps(g: _Proper, edges, nodes, rank, nranks) -> list[float]:
    """The least gap in front of each layer, for the labels the page puts on input
    edges (into op nodes; LR only: in TB a label's height fits any gap).

    One label fits between the columns (LABEL_RANK_SEP). Where many labels would
    crowd one place (several edges whose last stretch has its middle within a
    label's height of each other: a node used many times, a busy layer), the gap
    holds several side by side, up to LABEL_COLUMNS."""
    gaps = [0.0] * nranks
    band = EDGE_LABEL_HEIGHT + 4.0
    counts: list[dict[int, int]] = [{} for _ in range(nranks)]
    y = g.y
    for e, chain in zip(edges, g.chains, strict=True):
        t = chain[-1]
        if e.get("input") is None and nodes[t].get("kind") != "op":
            continue
        r = rank[t]
        mid = (y[chain[-2]] + y[t]) / 2
        c = counts[r]
        k = int(mid // band)
        c[k] = c.get(k, 0) + 1
    for r, c in enumerate(counts):
        if c:
            crowd = max(c.values())
            cols = min(LABEL_COLUMNS, max(1, crowd))
            gaps[r] = LABEL_RANK_SEP + (cols - 1) * (EDGE_LABEL_WIDTH + 2 * EDGE_LABEL_CLEAR + 6.0)
    return gaps


def _rank_positions(
    g: _Proper, r_ext: list[float], least_gap: list[float] | None = None
) -> tuple[list[float], list[float]]:
    """Left side and thickness of every layer's column along the rank axis;
    ``least_gap[r]``: the least gap in front of layer r (room for edge labels)."""
    nranks, n = g.nranks, g.n
    thick = [0.0] * nranks
    for v in range(n):
        r = g.layer_of[v]
        if r_ext[v] > thick[r]:
            thick[r] = r_ext[v]
    # Steep edges get a little more room: the gap after layer r grows with the largest
    # vertical drop of an edge segment between layers r and r+1.
    drop = [0.0] * nranks
    y, layer_of = g.y, g.layer_of
    for v in range(g.count):
        r = layer_of[v]
        for w in g.down[v]:
            d = abs(y[w] - y[v])
            if d > drop[r]:
                drop[r] = d
    left = [0.0] * nranks
    x = MARGIN
    for r in range(nranks):
        left[r] = x
        gap = RANK_SEP + min(RANK_SEP_EXTRA, RANK_SEP_SLOPE * drop[r])
        if least_gap is not None and r + 1 < nranks and least_gap[r + 1] > gap:
            gap = least_gap[r + 1]
        x += thick[r] + gap
    return left, thick


# --------------------------------------------------------------------------- crossings


def _inversions(seq: list[int | float]) -> int:
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


def _count_before(ps: list[int], size: int) -> list[int]:
    """out[b] = how many of ``ps`` are < b, for b in 0..size."""
    cnt = [0] * (size + 1)
    for a in ps:
        cnt[a + 1] += 1
    return list(accumulate(cnt))


def _pair_crossings(pa: list[int], pb: list[int]) -> int:
    """Crossings between the edges of a node above and a node below it, given the
    sorted neighbour positions of each: pairs (a, b) with a > b."""
    c = 0
    if pa:
        na = len(pa)
        for b in pb:
            c += na - bisect_right(pa, b)
    return c


def count_crossings(result: dict) -> int:
    """Edge crossings in a finished drawing (``layout``'s result or ``parse_dot_plain``'s).

    Layers are the distinct centre positions of nodes along the rank axis (x for LR).
    Each edge is cut where it passes a layer's centre line (interpolating its
    ``points``, or a straight line if it has none), which turns it into one segment
    per pair of adjacent layers; those segments are the dummy nodes' segments. Two
    segments between the same two layers cross when their ends are in opposite order
    on both lines (segments sharing an end never cross). The same function counts
    both our drawings and dot's, so the two are compared on equal terms.
    """
    lr = result.get("direction", "LR") == "LR"
    rc: dict[str, float] = {}
    oc: dict[str, float] = {}
    for nd in result["nodes"]:
        cx = nd["x"] + nd["width"] / 2
        cy = nd["y"] + nd["height"] / 2
        rc[nd["id"]], oc[nd["id"]] = (cx, cy) if lr else (cy, cx)
    centres = sorted({round(c, 3) for c in rc.values()})
    layer = {c: k for k, c in enumerate(centres)}
    gaps: list[list[tuple[float, float]]] = [[] for _ in range(max(0, len(centres) - 1))]
    for e in result["edges"]:
        s, t = e["source"], e["target"]
        ls, lt = layer[round(rc[s], 3)], layer[round(rc[t], 3)]
        if ls == lt:
            continue  # a flat edge inside a layer: not between layers
        pts = [(p[0], p[1]) if lr else (p[1], p[0]) for p in e.get("points") or ()]
        if not pts:
            pts = [(rc[s], oc[s]), (rc[t], oc[t])]
        ys, ye = oc[s], oc[t]
        if ls > lt:  # a backward edge: walk it from its left end
            ls, lt, ys, ye = lt, ls, ye, ys
        prev = round(ys, 6)
        for k in range(ls + 1, lt):
            cur = round(_cut(pts, centres[k]), 6)
            gaps[k - 1].append((prev, cur))
            prev = cur
        gaps[lt - 1].append((prev, round(ye, 6)))
    total = 0
    for segs in gaps:
        segs.sort()
        total += _inversions([b for _, b in segs])
    return total


def _cut(pts: list[tuple[float, float]], x: float) -> float:
    """The second coordinate of the polyline ``pts`` where it first meets ``x``."""
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        if min(x0, x1) <= x <= max(x0, x1):
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    # Not reached (should not happen): the nearest end.
    return pts[0][1] if abs(pts[0][0] - x) < abs(pts[-1][0] - x) else pts[-1][1]
