"""gradstep.Value: micrograd's own test expectations, reuse, depth, and parity with
micrograd's Value on the same expressions."""

from __future__ import annotations

import math
import random
import time

import pytest

from gradstep import Value
from gradstep.core.errors import DomainError
from gradstep.training.nn import MLP


def test_micrograd_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_micrograd_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.7041, abs=1e-4)
    assert a.grad == pytest.approx(138.8338, abs=1e-4)
    assert b.grad == pytest.approx(645.5773, abs=1e-4)


def test_reused_node_gets_every_contribution_and_two_edges():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b._prev == (a, a)
    assert len(c._prev) == 2


def test_backward_accumulates_like_micrograd():
    # Documented: backward adds into .grad; calling it twice doubles what is below.
    a = Value(2.0)
    b = a * 3.0
    b.backward()
    b.backward()
    assert a.grad == 6.0
    a.grad = 0.0
    b.backward()
    assert a.grad == 3.0


def test_deep_chain_has_no_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.000001 + 0.0
    y.backward()
    assert y.data == pytest.approx(1.000001**100_000, rel=1e-9)
    assert x.grad == pytest.approx(1.000001**100_000, rel=1e-9)


def test_node_exponent_and_extra_functions():
    a, b = Value(2.0), Value(3.0)
    out = a**b + a.sin() + b.cos() + a.tan() + b.sqrt() + abs(Value(-1.5) * a)
    out.backward()
    assert out.data == pytest.approx(8 + math.sin(2) + math.cos(3) + math.tan(2) + math.sqrt(3) + 3)
    assert a.grad == pytest.approx(3 * 4 + math.cos(2) + 1 / math.cos(2) ** 2 + 1.5)
    assert b.grad == pytest.approx(8 * math.log(2) - math.sin(3) + 0.5 / math.sqrt(3))
    assert (2 ** Value(3.0)).data == 8.0


def test_reflected_ops():
    a = Value(4.0)
    assert (1 - a).data == -3.0
    assert (8 / a).data == 2.0
    assert (3 * a).data == 12.0
    assert (1 + a).data == 5.0
    assert (-a).data == -4.0


def test_domain_error_is_a_value_error():
    with pytest.raises(DomainError, match="log needs a positive input"):
        Value(-1.0).log()
    with pytest.raises(ValueError):
        Value(1.0) / 0.0


def test_label_and_op_like_micrograd():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    e = a * b
    e.label = "e"
    assert (e._op, e.label, a.label) == ("*", "e", "a")
    assert repr(e) == "Value(data=-6.0, grad=0.0)"
    assert (a.relu()._op, (a**2)._op) == ("ReLU", "**2")


def test_lecture_manual_backward_steps():
    # micrograd's lecture sets o.grad = 1 and calls _backward() node by node.
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    s = x1w1 + x2w2
    n = s + b
    o = n.tanh()
    o.grad = 1.0
    for node in (o, n, s, x2w2, x1w1):
        node._backward()
    assert o.data == pytest.approx(math.sqrt(0.5))
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0))


def _random_expression(V, rng: random.Random, leaves: list):
    """The same random expression for either Value class (same rng seed)."""
    nodes = list(leaves)
    for _ in range(30):
        a, b = rng.choice(nodes), rng.choice(nodes)
        kind = rng.randrange(7)
        if kind == 0:
            out = a + b
        elif kind == 1:
            out = a * b
        elif kind == 2:
            out = a - b
        elif kind == 3:
            out = a / 3.0  # micrograd 0.1.0 has relu but no tanh or exp
        elif kind == 4:
            out = a.relu() + 0.5
        elif kind == 5:
            out = -(a * 0.3) ** 2
        else:
            out = a * 2.0 + b**2
        nodes.append(out)
    return nodes[-1] + sum(nodes[len(leaves):]) * 0.01


@pytest.mark.parametrize("seed", range(20))
def test_same_numbers_as_micrograd(seed):
    micrograd = pytest.importorskip("micrograd.engine", reason="micrograd is in the test extra")
    results = []
    for V in (Value, micrograd.Value):
        rng = random.Random(seed)
        leaves = [V(rng.uniform(-1.5, 1.5)) for _ in range(4)]
        out = _random_expression(V, rng, leaves)
        out.backward()
        results.append((out.data, [leaf.grad for leaf in leaves]))
    (ours, our_grads), (theirs, their_grads) = results
    assert ours == pytest.approx(theirs, rel=1e-12)
    assert our_grads == pytest.approx(their_grads, rel=1e-9, abs=1e-12)


def test_mlp_like_micrograd_nn():
    random.seed(0)
    model = MLP(2, [4, 4, 1])
    assert len(model.parameters()) == (2 * 4 + 4) + (4 * 4 + 4) + (4 + 1)
    out = model([Value(0.5), Value(-1.0)])
    out.backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def _backward_seconds(n: int) -> float:
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y * 0.999 + x
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        y.backward()
        best = min(best, time.perf_counter() - start)
    return best


def test_backward_takes_linear_time():
    # autograd's assert_linear_time: 10x the nodes should cost about 10x, not 100x.
    # The bound is loose on purpose (a busy machine); a quadratic backward gives ~100.
    small, large = _backward_seconds(5_000), _backward_seconds(50_000)
    assert large / small < 35


def test_inline_arithmetic_agrees_with_the_op_table():
    from gradstep.core.ops import OPS

    rng = random.Random(5)
    for _ in range(500):
        x, y = rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3)
        for symbol, name in (("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "div")):
            a, b = Value(x), Value(y)
            out = {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[symbol]
            data, local = OPS[name].fn(x, y)
            assert (out.data, out._local) == (data, local)
            assert out._prev == (a, b) and out._op == symbol
    big, minus_big = Value(1.7e308), Value(-1.7e308)
    with pytest.raises(DomainError, match="1.7e\\+308 \\+ 1.7e\\+308 overflows"):
        big + big
    with pytest.raises(DomainError, match="1.7e\\+308 - -1.7e\\+308 overflows"):
        big - minus_big
    with pytest.raises(DomainError, match="1.7e\\+308 \\* 1.7e\\+308 overflows"):
        big * big
