"""A training batch's whole loss graph, collapsed into groups by neuron and by layer.

``BatchGraph(trainer)`` builds the loss of the batch the trainer's next step will use
exactly as ``Trainer.loss_graph`` does (about 65,000 nodes for MLP(2, [16, 16, 1]) on
100 points), runs ``backward`` on it and puts every node in one group:

* ``"in"``: the inputs, two ``Value`` leaves per point;
* ``"L{l}N{j}"``: neuron ``j`` (from 0) of layer ``l`` (from 1): its parameters and
  every node made while it was called, for every point;
* ``"loss"``: everything made after the model: the loss terms, the regularisation,
  the sums and the constants they use.

``summary()`` gives each group's counts and sums, per neuron and per layer, and the
edges between groups (plain JSON-able data); its ``totals`` are counted on the full
graph itself, so the groups can be checked against them. ``expand(id)`` gives one
group's own nodes laid out by the network's structure: a row per batch point, the
nodes in creation order across it, and row -1 for what no single point owns (the
parameters, the shared sums). No general graph layout is needed.

How nodes are told apart: ``loss_graph`` is given a forward function that runs the
model exactly as ``MLP.__call__`` does but calls the neurons one at a time and notes
the creation number of each call's output. Creation numbers are consecutive and
nothing else is made between two calls, so a call's nodes are those numbered after
the previous call's output up to its own: one merge of two sorted lists, no walk
per neuron. The graph is walked once, without recursion.
"""

from __future__ import annotations

import math
import random
from operator import attrgetter

from gradstep.core.value import Value

_NONE, _MANY = -2, -1  # which point a loss node depends on: none, several, else the point's row


def next_batch(trainer) -> list[int]:
    """The points the trainer's next step will use. Drawn by the trainer's own
    ``batch_indices`` from a copy of its generator, so training draws the same."""
    copy = random.Random()
    copy.setstate(trainer.rng.getstate())
    own, trainer.rng = trainer.rng, copy
    try:
        return trainer.batch_indices()
    finally:
        trainer.rng = own


def creation_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, itself included, oldest first (a topological order)."""
    seen = {root}
    stack = [root]
    pop, push, add = stack.pop, stack.append, seen.add
    while stack:
        node = pop()
        a = node._a
        if a is not None:
            if a not in seen:
                add(a)
                push(a)
            b = node._b
            if b is not None and b not in seen:
                add(b)
                push(b)
    return sorted(seen, key=attrgetter("_n"))


class _Forward:
    """``MLP.__call__`` (with ``Layer.__call__`` inside) to the letter, calling the
    neurons one by one and noting each call's output."""

    def __init__(self, model):
        self.layers = [layer.neurons for layer in model.layers]
        self.inputs = []  # each point's input Values
        self.outs = []  # each call's output, in call order (so by creation number)
        self.calls = []  # each call's (group number, the point's row)

    def __call__(self, x):
        row = len(self.inputs)
        self.inputs.append(x)
        unit = 1
        for neurons in self.layers:
            out = []
            for neuron in neurons:
                v = neuron(x)
                out.append(v)
                self.outs.append(v)
                self.calls.append((unit, row))
                unit += 1
            x = out[0] if len(out) == 1 else out  # Layer.__call__
            if isinstance(x, Value):
                x = [x]  # MLP.__call__: a layer of one unit
        return x[0] if len(x) == 1 else x


# Above this many nodes the graph is not built: 65,818 for MLP(2, [16, 16, 1]) on 100
# points takes 250 ms and some 25 MB in Pyodide; [64, 64] would be 880,000 nodes
# (350 MB), and [256, 256] more memory than a browser tab's 32-bit Pyodide has.
MAX_NODES = 400_000


def estimated_nodes(trainer, points: int) -> int:
    """About how many nodes the batch's graph has (the model's part exactly: per point
    and unit, a product and a sum per input and its activation; the loss's part roughly)."""
    sizes = [len(trainer.model.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in trainer.model.layers]
    per_point = sum(n_out * (2 * n_in + 1) for n_in, n_out in zip(sizes, sizes[1:], strict=False))
    params = len(trainer.params)
    return points * (per_point + sizes[0] + 3 * sizes[-1] + 4) + 3 * params


class BatchGraph:
    """The graph of ``trainer``'s loss on ``indices`` (default: the next step's batch) at
    its current weights, after backward; ``summary()`` and ``expand(id)`` read it.
    Building it changes neither the weights nor the trainer's random draws; it leaves
    the model's gradients at this batch's."""

    def __init__(self, trainer, indices=None):
        if hasattr(trainer, "sync"):
            trainer.sync()  # a FastTrainer keeps its weights in .flat
        self.trainer = trainer
        self.indices = next_batch(trainer) if indices is None else list(indices)
        if not self.indices:
            raise ValueError("a batch needs at least one point")
        size = estimated_nodes(trainer, len(self.indices))
        if size > MAX_NODES:
            raise ValueError(f"this batch's graph would have about {size:,} nodes, more than the "
                             f"{MAX_NODES:,} a browser tab can hold and draw: choose a smaller batch or smaller layers")
        model = trainer.model
        # (layer from 1, index in it, Neuron) of each neuron group, numbered from 1
        self.units = [(lay, j, n) for lay, layer in enumerate(model.layers, 1) for j, n in enumerate(layer.neurons)]
        self.ids = ["in"] + [f"L{lay}N{j}" for lay, j, _ in self.units] + ["loss"]
        forward = _Forward(model)
        self.root = trainer.loss_graph(self.indices, forward=forward)
        model.zero_grad()
        self.root.backward()
        self._assign(forward)

    def _assign(self, forward):
        """Each node's group and row, the edges into each group and between groups."""
        nodes = self.nodes = creation_order(self.root)
        loss = len(self.ids) - 1
        names = self.names = {self.root: "loss"}
        owner = {}  # the leaves the model holds or is given: Value -> (group, row)
        for row, xs in enumerate(forward.inputs):
            for i, v in enumerate(xs):
                owner[v], names[v] = (0, row), f"x{i}"
        for u, (_, _, neuron) in enumerate(self.units, 1):
            for i, p in enumerate(neuron.w):
                owner[p], names[p] = (u, -1), f"w{i}"
            owner[neuron.b], names[neuron.b] = (u, -1), "b"
        for v in forward.outs:
            names.setdefault(v, "out")
        ends = [v._n for v in forward.outs]
        calls, last = forward.calls, len(ends)
        first = max(v._n for xs in forward.inputs for v in xs)  # every input is made before the model runs
        at = self.at = {}
        group, rows, point = [], [], []  # point: the row a loss node depends on, or _NONE/_MANY
        edges = [0] * len(self.ids)
        links = {}
        constants = {}  # a loss leaf -> the row of its consumers (-1 if they differ)
        i = 0
        for k, v in enumerate(nodes):
            at[v] = k
            o = owner.get(v)
            n = v._n
            while i < last and ends[i] < n:  # both in creation order: one merge
                i += 1
            if o is not None:
                g, r = o
                p = _NONE if r < 0 else r
            elif i < last:
                if n <= first:
                    raise ValueError(f"node {n} was made before the model ran and is not an input or a parameter")
                g, r = calls[i]
                p = r
            else:
                g, p = loss, _NONE
            a = v._a
            if a is not None:
                ka, b = at[a], v._b
                kb = None if b is None else at[b]
                if g == loss:  # the points it depends on: its inputs' together
                    p = point[ka]
                    if kb is not None:
                        q = point[kb]
                        p = q if p == _NONE or p == q else (p if q == _NONE else _MANY)
                edges[g] += 1 if kb is None else 2
                for kx in (ka, kb):
                    if kx is None:
                        break
                    gx = group[kx]
                    if gx != g:
                        links[gx, g] = links.get((gx, g), 0) + 1
                if g == loss:
                    r = p if p >= 0 else -1
                    for kx in (ka, kb):  # a constant goes in the row of what uses it
                        if kx is not None and group[kx] == loss and nodes[kx]._a is None:
                            constants[kx] = r if constants.get(kx, r) == r else -1
            elif g == loss:
                r = -1
            group.append(g)
            rows.append(r)
            point.append(p)
        for kx, r in constants.items():
            rows[kx] = r
        self.group, self.rows, self.edges, self.links = group, rows, edges, links
        self.members = [[] for _ in self.ids]
        for k, g in enumerate(group):
            self.members[g].append(k)
        self.out_rows = [[] for _ in self.ids]  # each neuron's output at each point, in row order
        for v, (u, _) in zip(forward.outs, calls, strict=True):
            self.out_rows[u].append(v.data)

    # -- the summary -----------------------------------------------------------
    def summary(self) -> dict:
        """Totals of the full graph, its groups per neuron and per layer (each level adds
        up to the totals), and the number of edges between each two groups."""
        nodes = self.nodes
        params = {p for _, _, n in self.units for p in n.parameters()}
        model = self.trainer.model
        sizes = [len(model.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in model.layers]
        neurons = [self._group_stats(g) for g in range(len(self.ids))]
        layer_of = [g["layer"] for g in neurons]
        layers = [neurons[0]] + [self._layer_stats(lay, sizes[lay]) for lay in range(1, len(sizes))] + [neurons[-1]]
        layer_links = {}
        for (a, b), count in self.links.items():
            key = (layer_of[a], layer_of[b])
            if key[0] != key[1]:
                layer_links[key] = layer_links.get(key, 0) + count
        layer_ids = [g["id"] for g in layers]
        return {
            "step": self.trainer.steps, "points": list(self.indices), "sizes": sizes,
            "activation": self.trainer.activation, "loss": self.trainer.loss_name, "loss_value": self.root.data,
            "totals": {  # counted on the graph itself, not added up from the groups
                "nodes": len(nodes), "edges": sum(len(v._prev) for v in nodes),
                "parameters": sum(1 for v in nodes if v in params),
                "value_sum": math.fsum(v.data for v in nodes), "grad_sum": math.fsum(v.grad for v in nodes)},
            "neurons": neurons, "layers": layers,
            "neuron_links": [{"from": self.ids[a], "to": self.ids[b], "edges": c}
                             for (a, b), c in sorted(self.links.items())],
            "layer_links": [{"from": layer_ids[a], "to": layer_ids[b], "edges": c}
                            for (a, b), c in sorted(layer_links.items())],
        }

    def _stats(self, gid, kind, layer, index, label, groups, params) -> dict:
        nodes = self.nodes
        ks = [k for g in groups for k in self.members[g]]
        return {"id": gid, "kind": kind, "layer": layer, "index": index, "label": label, "nodes": len(ks),
                "edges": sum(self.edges[g] for g in groups), "parameters": len(params),
                "value_sum": math.fsum(nodes[k].data for k in ks), "grad_sum": math.fsum(nodes[k].grad for k in ks),
                "grad_norm": math.hypot(*(p.grad for p in params)), "dead": None, "mean_out": None}

    def _group_stats(self, g) -> dict:
        last = len(self.ids) - 1
        if g == 0:
            return self._stats("in", "inputs", 0, None, "inputs", [0], [])
        if g == last:
            return self._stats("loss", "loss", self.units[-1][0] + 1, None, "loss", [g], [])
        lay, j, neuron = self.units[g - 1]
        out = self._stats(self.ids[g], "neuron", lay, j, f"L{lay} N{j}", [g], neuron.parameters())
        outs = self.out_rows[g]
        out["mean_out"] = math.fsum(outs) / len(outs)
        if neuron.activation == "relu":
            out["dead"] = sum(1 for o in outs if o == 0.0) / len(outs)
        return out

    def _layer_stats(self, lay, width) -> dict:
        groups = self._layer_groups(lay)
        params = [p for g in groups for p in self.units[g - 1][2].parameters()]
        activation = self.units[groups[0] - 1][2].activation
        return self._stats(f"L{lay}", "layer", lay, None, f"L{lay}: {width} {activation}", groups, params)

    def _layer_groups(self, lay) -> list[int]:
        return [g for g, unit in enumerate(self.units, 1) if unit[0] == lay]

    # -- one group's nodes -----------------------------------------------------
    def expand(self, group_id: str) -> dict:
        """The nodes of a group (a neuron's, a layer's, "in" or "loss"), laid out: row r is
        the r-th point of the batch, row -1 what no single point owns; cols in creation order."""
        if group_id in self.ids:
            ks = self.members[self.ids.index(group_id)]
            prefix = False
        else:
            groups = [g for g, unit in enumerate(self.units, 1) if f"L{unit[0]}" == group_id]
            if not groups:
                raise KeyError(f"no group {group_id!r}: one of {', '.join(self.ids)} or a layer L1, L2, ...")
            ks = sorted(k for g in groups for k in self.members[g])
            prefix = True  # a layer's nodes: name the neuron of each parameter and output
        nodes, at, group, rows, names = self.nodes, self.at, self.group, self.rows, self.names
        local = {k: i for i, k in enumerate(ks)}
        width = {}
        out = []
        for i, k in enumerate(ks):
            v = nodes[k]
            r = rows[k]
            c = width.get(r, 0)
            width[r] = c + 1
            inside, ext = [], 0
            for a in v._prev:
                j = local.get(at[a])
                if j is None:
                    ext += 1
                else:
                    inside.append(j)
            label = names.get(v, v.label)
            if prefix and v in names:
                label = f"N{self.units[group[k] - 1][1]} {label}"
            out.append({"k": i, "op": v._op, "label": label, "data": v.data, "grad": v.grad,
                        "row": r, "col": c, "in": inside, "ext": ext})
        return {"id": group_id, "nodes": out, "rows": len(self.indices), "cols": max(width.values(), default=0)}
