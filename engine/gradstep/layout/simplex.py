"""Network simplex on the layering: the edge-length optimiser behind ``rank.py``.

Paper: E. R. Gansner, E. Koutsofios, S. C. North, K.-P. Vo, "A Technique for Drawing
Directed Graphs", IEEE TSE 19(3), 1993, section 2 (and Graphviz ``lib/common/ns.c``):
minimise sum w(e) * (rank[head] - rank[tail]) subject to every edge being at least 1
long, by pivoting a feasible spanning tree on cut values.

Pre-conditions: ``rank`` is feasible (every edge at least 1 long), e.g. longest path.
Post-conditions: ``rank`` (changed in place) is still feasible and its weighted length
is no larger; optimal unless the pivot cap (big graphs) stopped the run first.
Iterative throughout: subtrees are ranges of postorder numbers, so nothing recurses.
"""

from __future__ import annotations

import heapq

W_TIE = 100  # the weight of an op -> result edge (see NetworkSimplex.__init__)


class NetworkSimplex:
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
                weight[s, t] = W_TIE
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
