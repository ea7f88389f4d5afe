"""A fixed MLP's training step without a graph: the same floats as ``Value``, far faster.

A network of fixed shape builds the same graph at every step, so the graph need not
be built at all. ``compile_net`` writes, once per shape, a Python function that does
one step's forward and backward in plain floats: straight-line code per sample with
every weight, bias and gradient in a local variable (no object per node, no list
indexing, no calls in the inner loops), compiled with ``exec``; ``Net.source`` shows
it. It performs the same float operations in the same order as the graph ``Value``
builds in ``gradstep.training.trainer`` (``gradstep.training.nn`` and ``gradstep.training.losses``):

    inputs = [list(map(Value, x)) for x in xs]
    scores = [model(x) for x in inputs]      # Neuron: act = b; act = act + wi*xi; act.relu()
    "hinge": losses = [(1 + -y * s).relu() for y, s in zip(ys, scores)]
             total = sum(losses) * (1.0 / n) + alpha * sum(p * p for p in params)
    "mse":   terms = [d * d for d = s - t, over points, then outputs]
             total = sum(terms) * (1.0 / len(terms))
    "xent":  per point: m = max(s.data); sh = [s - m ...]; tot = sum(e.exp() for e in sh)
             losses.append(tot.log() - sh[y]);  total = sum(losses) * (1.0 / n)
    model.zero_grad(); total.backward()
    for p in params: p.data -= lr * p.grad

including the order in which backward adds into each gradient (float addition is not
associative): ``Value.backward`` visits nodes newest first, so a weight's gradient is
the regularisation term's contributions (L2's two, L1's one), then one per sample from the last sample
to the first; a hidden unit's gradient gathers from the next layer's neurons last to
first. tanh, exp and log are ``floatmath``'s, as in ``Value``.
tests/test_fastnet.py checks every float bit for bit against graphs built with Value.

Exact shortcuts, each because adding a zero changes nothing: a sample whose hinge is
inactive, and a ReLU unit that is off, add no terms to any gradient (``Value`` adds
``+-0.0``; a gradient sum starts at ``+0.0`` and round-to-nearest never turns it
into ``-0.0``, so skipping gives the same bits).

Weights travel as nested lists, ``weights[layer][neuron] == [w, b]`` with ``w`` a
list of floats; gradients come back in the same shape. ``flat`` forms (one list in
``parameters()`` order) skip the nesting for a training loop.
"""

from __future__ import annotations

from functools import lru_cache

from gradstep.core import floatmath as fm

ACTIVATIONS = ("relu", "tanh", "linear")
LOSSES = ("hinge", "mse", "xent")
ALIASES = {"cross_entropy": "xent", "svm": "hinge"}  # gradstep.training.trainer's names
DEFAULT_ALPHA = {"hinge": 1e-4, "mse": 0.0, "xent": 0.0}  # micrograd's demo regularises its hinge


class Net:
    """One network shape, activation and loss, compiled; call it with any weights.

    ``sizes`` is ``[nin, n1, ..., nout]``; ``activations`` one name per layer (the
    last usually "linear", as micrograd's MLP).
    """

    def __init__(self, sizes, activations, loss, alpha, l1=0.0):
        self.sizes = tuple(sizes)
        self.activations = tuple(activations)
        self.loss = loss
        self.alpha = alpha
        self.l1 = l1
        self.source = _source(self.sizes, self.activations, loss, alpha, l1)
        # The functions Value's tanh, exp and log compute through (ops.py); exp's
        # argument here is at most 0, so the op's overflow check never fires.
        space = {"tanh": fm.tanh, "exp": fm.exp, "log": fm.log}
        exec(compile(self.source, f"<fastnet {list(self.sizes)} {loss}>", "exec"), space)  # noqa: S102
        self._step = space["step"]
        self._scores = space["scores"]
        self._hidden = space["hidden"]

    # -- flat: parameters() order ------------------------------------------------
    def step_flat(self, params, xs, ys):
        """(loss, scores, grads) for one batch: forward and backward."""
        return self._step(params, xs, ys)

    def scores_flat(self, params, xs):
        """The network's outputs for each input (no loss, no gradients)."""
        return self._scores(params, xs)

    def hidden_flat(self, params, xs):
        """Every hidden neuron's output for each input: one list per input, layer by layer
        (the last layer, the outputs, left out); a linear unit's output is its sum."""
        return self._hidden(params, xs)

    def train_flat(self, params, xs, ys, lr):
        """One SGD step: (loss, scores, new params)."""
        loss, scores, grads = self._step(params, xs, ys)
        return loss, scores, sgd(params, grads, lr)

    # -- nested: weights[layer][neuron] == [w, b] --------------------------------
    def forward(self, weights, xs, ys):
        """(loss, scores); the loss as the step would report it, before any update."""
        loss, scores, _ = self._step(flatten(weights), xs, ys)
        return loss, scores

    def gradients(self, weights, xs, ys):
        """(loss, scores, grads) with grads nested like the weights."""
        loss, scores, grads = self._step(flatten(weights), xs, ys)
        return loss, scores, nest(grads, self.sizes)

    def train(self, weights, xs, ys, lr):
        """One SGD step, p - lr * grad: (loss, scores, new weights)."""
        loss, scores, params = self.train_flat(flatten(weights), xs, ys, lr)
        return loss, scores, nest(params, self.sizes)

    def scores(self, weights, xs):
        return self._scores(flatten(weights), xs)


def compile_net(sizes, activation="relu", loss="hinge", alpha=None, l1=0.0) -> Net:
    """The compiled step for an MLP of ``sizes`` (``[nin, n1, ..., nout]``).

    ``activation``: one name for every hidden layer with a linear last layer (as
    micrograd's MLP), or a list with one name per layer. ``alpha``: the L2 weight,
    by default 1e-4 for "hinge" (micrograd's demo) and 0 for "mse" and "xent"
    ("cross_entropy"). Labels ``ys``: -1/+1 for "hinge"; a target per point for
    "mse" (a list of one per output when there are several); a class index for "xent".
    ``l1``: the L1 weight instead, ``l1 * sum(abs(p))`` added to the loss (``losses.l1``;
    abs'(0) = 0), its gradient ``sign(p) * l1`` first as L2's is.
    """
    sizes = tuple(int(n) for n in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must be [inputs, layer, ..., outputs], all positive, not {list(sizes)}")
    layers = len(sizes) - 1
    if isinstance(activation, str):
        activations = (activation,) * (layers - 1) + ("linear",)
    else:
        activations = tuple(activation)
    if len(activations) != layers or any(a not in ACTIVATIONS for a in activations):
        raise ValueError(f"activations must be {layers} of {ACTIVATIONS}, not {activation!r}")
    loss = ALIASES.get(loss, loss)
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, not {loss!r}")
    if loss == "hinge" and sizes[-1] != 1:
        raise ValueError(f"the hinge loss needs one output, not {sizes[-1]}")
    alpha = DEFAULT_ALPHA[loss] if alpha is None else alpha
    if alpha and l1:
        raise ValueError("one regularisation at a time: alpha (L2) or l1")
    return _compiled(sizes, activations, loss, alpha, l1)


@lru_cache(maxsize=32)
def _compiled(sizes, activations, loss, alpha, l1=0.0) -> Net:
    return Net(sizes, activations, loss, alpha, l1)


# -- weights in their shapes ------------------------------------------------------
def flatten(weights) -> list[float]:
    """Nested ``[[[w, b], ...], ...]`` to one list in parameters() order (w..., b)."""
    return [x for layer in weights for w, b in layer for x in (*w, b)]


def nest(flat, sizes) -> list:
    """The inverse of ``flatten`` for an MLP of ``sizes``."""
    count = sum((nin + 1) * nout for nin, nout in zip(sizes, sizes[1:], strict=False))
    if count != len(flat):
        raise ValueError(f"{len(flat)} numbers for a network of {count} parameters")
    out, at = [], 0
    for nin, nout in zip(sizes, sizes[1:], strict=False):
        layer = []
        for _ in range(nout):
            layer.append([list(flat[at:at + nin]), flat[at + nin]])
            at += nin + 1
        out.append(layer)
    return out


def sgd(params, grads, lr) -> list[float]:
    """p - lr * g for each parameter (micrograd's ``p.data -= lr * p.grad``)."""
    return [p - lr * g for p, g in zip(params, grads, strict=True)]


def sizes_of(mlp) -> list[int]:
    """[nin, n1, ..., nout] of an gradstep.training.nn (or micrograd) MLP."""
    layers = mlp.layers
    return [len(layers[0].neurons[0].w)] + [len(layer.neurons) for layer in layers]


def from_mlp(mlp) -> list:
    """An MLP's weights (``p.data``, in parameters() order) as nested lists."""
    return nest([p.data for p in mlp.parameters()], sizes_of(mlp))


def to_mlp(mlp, weights) -> None:
    """Write nested weights into an MLP's parameters (``p.data``), in parameters() order."""
    params = mlp.parameters()
    flat = flatten(weights)
    if len(flat) != len(params):
        raise ValueError(f"{len(flat)} numbers for a network of {len(params)} parameters")
    for p, x in zip(params, flat, strict=True):
        p.data = x


# -- the code generator -------------------------------------------------------------
CHUNK = 32  # terms per statement: a + b + c ... nests one level per term in the compiler


def _sum(target, start, terms, ind) -> list[str]:
    """``target = start + t0 + t1 + ...`` (added left to right), a few terms a line."""
    lines = []
    for at in range(0, len(terms), CHUNK):
        lines.append(f"{ind}{target} = {start}{''.join(' + ' + t for t in terms[at:at + CHUNK])}")
        start = target
    return lines or [f"{ind}{target} = {start}"]


def _source(sizes, activations, loss, alpha, l1=0.0) -> str:
    """The Python source of ``step(params, xs, ys)`` and ``scores(params, xs)``."""
    layers = len(sizes) - 1
    nout = sizes[-1]
    # Names: input i is h0_i; layer l (1-based) neuron k has weights w{l}_{k}_{i}, bias
    # b{l}_{k}, sum z{l}_{k}, output h{l}_{k} (z itself when linear), the gradient of
    # its output g{l}_{k}; the parameters' gradients are gw... and gb...

    def h(lay, i):
        if lay == 0:
            return f"h0_{i}"
        return f"z{lay}_{i}" if activations[lay - 1] == "linear" else f"h{lay}_{i}"

    params = []
    for lay in range(1, layers + 1):
        for k in range(sizes[lay]):
            params += [f"w{lay}_{k}_{i}" for i in range(sizes[lay - 1])] + [f"b{lay}_{k}"]
    grads = ["g" + p for p in params]
    inputs = ", ".join(f"h0_{i}" for i in range(sizes[0]))
    outs = [h(layers, j) for j in range(nout)]
    score = outs[0] if nout == 1 else f"[{', '.join(outs)}]"

    def forward(ind):
        lines = []
        for lay in range(1, layers + 1):
            act = activations[lay - 1]
            for k in range(sizes[lay]):
                # Neuron: act = b; act = act + wi * xi for each input, in order
                terms = [f"w{lay}_{k}_{i} * {h(lay - 1, i)}" for i in range(sizes[lay - 1])]
                lines += _sum(f"z{lay}_{k}", f"b{lay}_{k}", terms, ind)
                if act == "relu":
                    lines.append(f"{ind}h{lay}_{k} = z{lay}_{k} if z{lay}_{k} > 0.0 else 0.0")
                elif act == "tanh":
                    lines.append(f"{ind}h{lay}_{k} = tanh(z{lay}_{k})")
        return lines

    def backward(ind):
        """From g{layers}_j, the gradients of the outputs, into every gw and gb."""
        lines = []
        for lay in range(layers, 0, -1):
            act = activations[lay - 1]
            nin = sizes[lay - 1]
            if lay > 1 and act == "relu":  # units may be skipped: start every sum at 0.0
                lines.append(f"{ind}{' = '.join(f'g{lay - 1}_{i}' for i in range(nin))} = 0.0")
            for k in range(sizes[lay] - 1, -1, -1):  # the newest neuron first, as backward()
                inner = ind
                if act == "relu":  # relu' is 0.0 or 1.0: an unit that is off adds nothing
                    lines.append(f"{ind}if z{lay}_{k} > 0.0:")
                    inner = ind + "    "
                    d = f"g{lay}_{k}"
                elif act == "tanh":  # the local derivative 1 - t*t, times the gradient
                    lines.append(f"{ind}d = (1.0 - h{lay}_{k} * h{lay}_{k}) * g{lay}_{k}")
                    d = "d"
                else:
                    d = f"g{lay}_{k}"
                lines.append(f"{inner}gb{lay}_{k} += {d}")
                lines += [f"{inner}gw{lay}_{k}_{i} += {h(lay - 1, i)} * {d}" for i in range(nin)]
                if lay > 1:
                    first = k == sizes[lay] - 1 and act != "relu"
                    op = "=" if first else "+="
                    lines += [f"{inner}g{lay - 1}_{i} {op} w{lay}_{k}_{i} * {d}" for i in range(nin)]
        return lines

    ind = " " * 8
    src = ["def step(params, xs, ys):",
           f"    {', '.join(params)}, = params"]
    if loss == "mse":  # the mean over every output of every point
        src.append(f"    c = 1.0 / (len(xs) * {nout})")
    else:
        src.append("    c = 1.0 / len(xs)")
    if alpha:
        src.append(f"    alpha = {alpha!r}")
        # sum(p * p for p in parameters()), from sum()'s int 0
        src += _sum("reg", "0", [f"{p} * {p}" for p in params], "    ")
        # p*p's node adds p * alpha to p's gradient twice, before any sample's term
        src += [f"    g{p} = 0.0 + {p} * alpha + {p} * alpha" for p in params]
    elif l1:
        src.append(f"    alpha = {l1!r}")
        # sum(abs(p) for p in parameters()), from sum()'s int 0
        src += _sum("reg", "0", [f"abs({p})" for p in params], "    ")
        # abs's node adds sign(p) * alpha (abs'(0) = 0), before any sample's term
        src += [f"    g{p} = 0.0 + (alpha if {p} > 0.0 else -alpha if {p} < 0.0 else 0.0)" for p in params]
    else:
        src.append(f"    {' = '.join(grads)} = 0.0")
    src += ["    rows = [(*x, y) for x, y in zip(xs, ys, strict=True)]",
            "    rows.reverse()  # backward adds the last sample's terms first",
            "    scores = []",
            "    losses = []  # reversed: the last sample's first",
            f"    for {inputs}, y in rows:"]
    src += forward(ind)
    src.append(f"{ind}scores.append({score})")
    if loss == "hinge":  # (1 + -y * s).relu(); s.grad = -y * relu' * c
        src += [f"{ind}ny = -y",
                f"{ind}u = 1 + ny * {outs[0]}",
                f"{ind}if u > 0.0:",
                f"{ind}    losses.append(u)",
                f"{ind}    g{layers}_0 = ny * c"]
        src += backward(ind + "    ")
        src += [f"{ind}else:",
                f"{ind}    losses.append(0.0)"]
    elif loss == "mse":  # d = s - t; d * d; d.grad = d * c + d * c (two uses)
        targets = ["y"] if nout == 1 else [f"t{j}" for j in range(nout)]
        if nout > 1:
            src.append(f"{ind}{', '.join(targets)}, = y")
        for j in range(nout):
            src.append(f"{ind}d{j} = {outs[j]} - {targets[j]}")
        src.append(f"{ind}losses += ({', '.join(f'd{j} * d{j}' for j in range(nout - 1, -1, -1))},)")
        src += [f"{ind}g{layers}_{j} = d{j} * c + d{j} * c" for j in range(nout)]
        src += backward(ind)
    else:  # xent: log(sum(exp(s - m))) - (s[y] - m), m = max(s) a float
        src.append(f"{ind}m = max({', '.join(outs)})" if nout > 1 else f"{ind}m = {outs[0]}")
        src += [f"{ind}e{j} = exp({outs[j]} - m)" for j in range(nout)]
        src += _sum("tot", "0", [f"e{j}" for j in range(nout)], ind)
        src.append(f"{ind}losses.append(log(tot) - ({', '.join(f'{o} - m' for o in outs)},)[y])")
        # log's local derivative 1/tot, times the loss's gradient c; then each exp's
        # out * that; the class's shifted logit also gets -c, which backward adds first
        src.append(f"{ind}gt = 1.0 / tot * c")
        src += [f"{ind}g{layers}_{j} = e{j} * gt" for j in range(nout)]
        for j in range(nout):
            src += [f"{ind}{'if' if j == 0 else 'elif'} y == {j}:",
                    f"{ind}    g{layers}_{j} = -c + g{layers}_{j}"]
        src += backward(ind)
    src += ["    scores.reverse()",
            "    losses.reverse()",
            "    total = 0  # sum(losses), in order",
            "    for x in losses:",
            "        total = total + x",
            f"    return total * c{' + alpha * reg' if alpha or l1 else ''}, scores, [{', '.join(grads)}]",
            "",
            "",
            "def scores(params, xs):",
            f"    {', '.join(params)}, = params",
            "    scores = []",
            f"    for {inputs}, in xs:"]
    src += forward(ind)
    src += [f"{ind}scores.append({score})",
            "    return scores",
            "",
            "",
            "def hidden(params, xs):",
            f"    {', '.join(params)}, = params",
            "    out = []",
            f"    for {inputs}, in xs:"]
    src += forward(ind)
    units = [h(lay, k) for lay in range(1, layers) for k in range(sizes[lay])]
    src += [f"{ind}out.append([{', '.join(units)}])",
            "    return out"]
    return "\n".join(src) + "\n"
