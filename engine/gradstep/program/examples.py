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


def by_id(example_id: str) -> dict:
    for example in EXAMPLES:
        if example["id"] == example_id:
            return example
    raise KeyError(example_id)
