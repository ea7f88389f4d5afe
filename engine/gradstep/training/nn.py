"""micrograd's ``nn``, on gradstep's ``Value``: Module, Neuron, Layer, MLP.

The same classes and the same behaviour as ``micrograd.nn`` when called as micrograd
calls them: weights drawn with ``random.uniform(-1, 1)`` from the global ``random``
module, layer by layer and neuron by neuron, zero bias, ReLU on every layer but the
last, ``sum(w*x) + b`` added up from the bias. micrograd's demo trains with only the
import changed.

Added, all by keyword:

* ``activation="relu" | "tanh" | "linear"``: the unit of the hidden layers (the
  last layer of an ``MLP`` stays linear, as in micrograd).
* ``seed=S`` or ``rng=random.Random(...)``: the weights come from that generator
  instead of the global one. Only ``Random.uniform`` is used, which is Mersenne
  Twister bits and float arithmetic, so a seed gives the same weights in CPython and
  in Pyodide, and the same as micrograd's after ``random.seed(S)``.
* ``predict(x)`` on a ``Neuron``, ``Layer`` or ``MLP``: the output for plain floats,
  without building a graph (for accuracy and the decision boundary). It does
  exactly the float operations the ``Value`` forward pass does, so the numbers are
  the same to the bit.
"""

from __future__ import annotations

import random

from gradstep.core import floatmath
from gradstep.core.value import Value

ACTIVATIONS = ("relu", "tanh", "linear")


class Module:
    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self):
        return []


def _generator(seed, rng):
    """The random source weights are drawn from: ``rng``, else ``Random(seed)``, else
    the global ``random`` module (micrograd's behaviour)."""
    if rng is not None and seed is not None:
        raise ValueError("give a seed or a random.Random, not both")
    if rng is not None:
        return rng
    return random if seed is None else random.Random(seed)


class Neuron(Module):
    def __init__(self, nin, nonlin=True, activation="relu", *, seed=None, rng=None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {activation!r}")
        source = _generator(seed, rng)
        self.w = [Value(source.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        # micrograd's flag: nonlin=False makes a linear unit whatever the activation
        self.activation = activation if nonlin else "linear"
        self.nonlin = self.activation != "linear"

    def __call__(self, x):
        # sum(w*x) + b, started from the bias as micrograd does
        act = self.b
        for wi, xi in zip(self.w, x, strict=True):
            act = act + wi * xi
        if self.activation == "relu":
            return act.relu()
        if self.activation == "tanh":
            return act.tanh()
        return act

    def predict(self, x):
        """The output for a list of floats, with the same float operations as __call__."""
        act = self.b.data
        for wi, xi in zip(self.w, x, strict=True):
            act = act + wi.data * xi
        if self.activation == "relu":
            return act if act > 0.0 else 0.0  # ops.py's relu
        if self.activation == "tanh":
            return floatmath.tanh(act)  # ops.py's tanh
        return act

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        kind = {"relu": "ReLU", "tanh": "Tanh", "linear": "Linear"}[self.activation]
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    def __init__(self, nin, nout, *, seed=None, rng=None, **kwargs):
        source = _generator(seed, rng)
        self.neurons = [Neuron(nin, rng=source, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def predict(self, x):
        out = [n.predict(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """``MLP(2, [16, 16, 1])``: two inputs, two hidden layers of 16, one linear output.

    ``MLP(2, [16, 16, 1], activation="tanh", seed=0)`` uses tanh hidden units and
    weights from ``random.Random(0)``.
    """

    def __init__(self, nin, nouts, activation="relu", *, seed=None, rng=None):
        source = _generator(seed, rng)
        sizes = [nin] + list(nouts)
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1,
                             activation=activation, rng=source)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
            if isinstance(x, Value):
                x = [x]  # a hidden layer of one unit (micrograd's MLP fails here)
        return x[0] if len(x) == 1 else x

    def predict(self, x):
        for layer in self.layers:
            x = layer.predict(x)
            if not isinstance(x, list):
                x = [x]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
