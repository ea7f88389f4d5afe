"""Worked examples, one or more from each notebook the project grew from."""

from __future__ import annotations

EXAMPLES: list[dict] = [
    {
        "id": "micrograd-L",
        "title": "micrograd's L = (a*b + c) * f",
        "about": "The first graph of micrograd's lecture. Step backward and watch each "
                 "gradient come from the one above it.",
        "program": """\
# micrograd's first graph
a = 2.0
b = -3.0
c = 10.0
e = a * b
d = e + c
f = -2.0
L = d * f
""",
    },
    {
        "id": "sum-product",
        "title": "A sum and a product",
        "about": "output = var1 * var2 + var3: each gradient is what its input is "
                 "multiplied by (5, 2 and 1).",
        "program": """\
var1 = 2
var2 = 5
var3 = 10
interim1 = var1 * var2
output1 = interim1 + var3
""",
    },
    {
        "id": "quadratic",
        "title": "The quadratic 3x² - 4x + 5 and its slope",
        "about": "The slope at x is 6x - 4: 14 at x = 3. Nudge x downhill and watch "
                 "it walk to the minimum at x = 2/3.",
        "program": """\
x = 3.0
y = 3 * x**2 - 4 * x + 5
""",
    },
    {
        "id": "squares",
        "title": "x1² + x2²",
        "about": "The gradient is 2x: [6, 8] at [3, 4]. Compare with finite differences.",
        "program": """\
x = [3.0, 4.0]
y = x[0]**2 + x[1]**2
""",
    },
    {
        "id": "mixed",
        "title": "-a³ + sin(3b) - 1/c + b^2.5 - a^0.5",
        "about": "The notebook's analytical-gradient exercise: "
                 "[-12.3536, 10.2570, 0.0625] at (2, 3, 4).",
        "program": """\
a = 2.0
b = 3.0
c = 4.0
f = -a**3 + sin(3 * b) - 1.0 / c + b**2.5 - a**0.5
""",
    },
    {
        "id": "softmax-nll",
        "title": "Softmax with negative log likelihood",
        "about": "The loss for class 3 of four logits. The gradient is probs minus the "
                 "one-hot target.",
        "program": """\
logits = [0.0, 3.0, -2.0, 1.0]
probs = softmax(logits)
loss = -probs[3].log()
""",
    },
    {
        "id": "softmax-by-hand",
        "title": "Softmax by hand: exp, sum, divide",
        "about": "The same loss written out the way the notebook builds it.",
        "program": """\
logits = [0.0, 3.0, -2.0, 1.0]
counts = [exp(z) for z in logits]
total = sum(counts)
probs = [n / total for n in counts]
loss = -log(probs[3])
""",
    },
    {
        "id": "chain-one-line",
        "title": "sin, exp, cos, log: the chain rule in one line",
        "about": "y = β4 + ω4·log(β3 + ω3·cos(β2 + ω2·exp(β1 + ω1·sin(β0 + ω0·x)))).",
        "program": """\
x = 2.3
beta0 = 1.0; beta1 = 2.0; beta2 = -3.0; beta3 = 0.4; beta4 = -0.3
omega0 = 0.1; omega1 = -0.4; omega2 = 2.0; omega3 = 3.0; omega4 = -0.5
y = beta4 + omega4 * log(beta3 + omega3 * cos(beta2 + omega2 * exp(beta1 + omega1 * sin(beta0 + omega0 * x))))
""",
    },
    {
        "id": "chain-steps",
        "title": "sin, exp, cos, log: the same chain as named steps",
        "about": "The forward pass stores f0, h1, ..., h4; the backward pass walks them "
                 "in reverse.",
        "program": """\
x = 2.3
beta0 = 1.0; beta1 = 2.0; beta2 = -3.0; beta3 = 0.4; beta4 = -0.3
omega0 = 0.1; omega1 = -0.4; omega2 = 2.0; omega3 = 3.0; omega4 = -0.5
f0 = beta0 + omega0 * x
h1 = sin(f0)
f1 = beta1 + omega1 * h1
h2 = exp(f1)
f2 = beta2 + omega2 * h2
h3 = cos(f2)
f3 = beta3 + omega3 * h3
h4 = log(f3)
y = beta4 + omega4 * h4
""",
    },
    {
        "id": "tanh-neuron",
        "title": "A neuron: tanh(x1·w1 + x2·w2 + b)",
        "about": "micrograd's neuron. Click x1 and x2 to freeze them, then nudge: only "
                 "the weights and the bias move.",
        "program": """\
x1 = 2.0
x2 = 0.0
w1 = -3.0
w2 = 1.0
b = 6.8813735870195432
x1w1 = x1 * w1
x2w2 = x2 * w2
n = x1w1 + x2w2 + b
o = tanh(n)
""",
    },
]

DEFAULT = EXAMPLES[0]


# Python mode's examples (issue #19): the lecture's pieces, written in this project's own words,
# run in the page's worker when chosen (they are the page's own code, not a link's). Each ends
# with the graph to draw: its last expression, or show(...).
PYTHON_EXAMPLES: list[dict] = [
    {
        "id": "py-value-class",
        "mode": "python",
        "title": "Python: a Value class with its own backward",
        "about": "A Value class of your own: each operation remembers its inputs and a function that "
                 "passes its gradient back to them. It runs backward itself; gradstep draws the graph it made "
                 "and steps the same chain rule.",
        "program": """\
import math


class Value:
    \"\"\"A number that remembers how it was made, and passes gradients back.\"\"\"

    def __init__(self, data, parents=(), op="", label=""):
        self.data = data
        self.grad = 0.0
        self._prev = parents
        self._op = op
        self.label = label
        self._backward = lambda: None

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = backward
        return out

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")

        def backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node._prev:
                    visit(parent)
                order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.881373587019543, label="b")
n = x1 * w1 + x2 * w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()
print("its own backward says: dL/dw1 =", w1.grad, " dL/dx1 =", x1.grad)
o
""",
    },
    {
        "id": "py-neuron-tanh",
        "mode": "python",
        "title": "Python: a neuron whose tanh is built from exp",
        "about": "The same neuron, with tanh written as (e^2n - 1) / (e^2n + 1) out of smaller operations: "
                 "more nodes, the same gradients. Step backward through the division and the exponential.",
        "program": """\
from gradstep import Value

x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.881373587019543, label="b")
n = x1 * w1 + x2 * w2 + b
e = (2 * n).exp()
o = (e - 1) / (e + 1)
o.label = "o"
print("o =", o.data)
o
""",
    },
    {
        "id": "py-mlp",
        "mode": "python",
        "title": "Python: a small MLP, one input's output",
        "about": "Neuron, Layer and MLP classes of your own on gradstep's Value: a 3-input network with two "
                 "hidden layers of 4. The graph is one forward pass; step backward for every weight's gradient.",
        "program": """\
import random

from gradstep import Value

random.seed(1)


class Neuron:
    def __init__(self, inputs, linear=False):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(inputs)]
        self.b = Value(0.0)
        self.linear = linear

    def __call__(self, x):
        total = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return total if self.linear else total.tanh()


class Layer:
    def __init__(self, inputs, outputs, linear=False):
        self.neurons = [Neuron(inputs, linear) for _ in range(outputs)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out


class MLP:
    def __init__(self, inputs, sizes):
        shape = [inputs] + sizes
        self.layers = [Layer(shape[k], shape[k + 1], linear=k == len(sizes) - 1) for k in range(len(sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


net = MLP(3, [4, 4, 1])
y = net([2.0, 3.0, -1.0])
y.label = "y"
y
""",
    },
    {
        "id": "py-training-loss",
        "mode": "python",
        "title": "Python: one training step's loss",
        "about": "Four inputs, their targets and a small MLP: the loss is the sum of squared errors. "
                 "show() draws it; a nudge at the rate is one step of gradient descent on every weight.",
        "program": """\
import random

from gradstep import Value

random.seed(2)


def neuron(inputs):
    return [Value(random.uniform(-1, 1)) for _ in range(inputs)] + [Value(0.0)]


def layer(inputs, outputs):
    return [neuron(inputs) for _ in range(outputs)]


def forward(network, x):
    for k, weights in enumerate(network):
        last = k == len(network) - 1
        x = [sum((w * v for w, v in zip(n[:-1], x)), n[-1]) for n in weights]
        x = x if last else [v.tanh() for v in x]
    return x[0]


network = [layer(3, 4), layer(4, 1)]
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
targets = [1.0, -1.0, -1.0, 1.0]
predictions = [forward(network, x) for x in xs]
loss = sum(((p - t) ** 2 for p, t in zip(predictions, targets)), Value(0.0))
print("predictions:", [round(p.data, 4) for p in predictions])
print("loss:", loss.data)
show(loss, "the loss over four inputs")
""",
    },
]


def by_id(example_id: str) -> dict:
    for example in EXAMPLES:
        if example["id"] == example_id:
            return example
    raise KeyError(example_id)
