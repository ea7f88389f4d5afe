"""``Value``: a scalar that remembers how it was made, compatible with micrograd's.

Code written for micrograd (``from micrograd.engine import Value``) runs with only the
import changed: ``.data``, ``.grad``, ``+ - * / **`` both ways round, ``.relu()``,
``.tanh()``, ``.exp()``, ``.log()``, ``.sigmoid()``, ``.backward()``, ``_prev``,
``_op``, ``label`` and ``_backward()``. Added: ``sin cos tan sqrt abs`` and a Value
as exponent.

Differences that matter, each on purpose:

* ``_prev`` is a tuple with one entry per use, so ``a + a`` has two edges (micrograd
  keeps a set and draws one).
* Local derivatives are stored as data (``_local``) when the node is made, from the
  op table in ``ops.py``; there are no closures, so a graph has no reference cycles
  and is freed as soon as it is dropped (micrograd spends most of a large training
  step in the cycle collector).
* ``backward()`` orders the graph without recursion, so a 100,000-node chain works.

What ``backward()`` does to existing gradients: exactly what micrograd and PyTorch
do. It sets ``self.grad = 1.0`` and *adds* each node's contribution into the
``.grad`` of the nodes below it; it does not clear them first. Calling it twice
doubles the gradients of everything below the output, so zero them between steps
(``zero_grad()`` on a module, or ``v.grad = 0.0``). The stepper (programs, the page)
never works this way: it computes every gradient afresh for each pass.
"""

from __future__ import annotations

import itertools
from operator import attrgetter

from gradstep.core.ops import OPS

_add = OPS["add"].fn
_sub = OPS["sub"].fn
_mul = OPS["mul"].fn
_div = OPS["div"].fn
_powc = OPS["powc"].fn
_pow = OPS["pow"].fn


class Value:
    """A scalar node of an autograd graph."""

    # __slots__ and at most two inputs held in fields of their own (_a, _b with local
    # derivatives _da, _db), not in tuples: one GC-tracked object per node instead of
    # three, which is what makes a 65,000-node graph cheap to build (see bench/).
    # _n is the creation number: creation order is a topological order.
    __slots__ = ("data", "grad", "_a", "_b", "_da", "_db", "_op", "label", "_n")

    def __init__(self, data, _children=(), _op="", label="", _local=()):
        if len(_children) > 2:
            raise ValueError("a Value has at most two inputs")
        self.data = data
        self.grad = 0.0
        children = tuple(_children) + (None, None)
        local = tuple(_local) + (0.0, 0.0)
        self._a, self._b = children[0], children[1]
        self._da, self._db = local[0], local[1]
        self._op = _op
        self.label = label
        self._n = _next()

    @property
    def _prev(self) -> tuple:
        """The inputs, one entry per use (``a + a`` gives ``(a, a)``)."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    @property
    def _local(self) -> tuple:
        """d(self)/d(input) for each entry of ``_prev``."""
        return (self._da, self._db)[: len(self._prev)]

    # -- arithmetic ------------------------------------------------------------
    # + - * build the node inline (no helper call) and compute inline what ops.py's
    # _add, _sub and _mul compute: they are the hot path of building a graph, about
    # 15% faster so on micrograd's moons step (bench/engine_bench.py).
    # tests/test_value.py checks that they agree with the op table.
    def __add__(self, other):
        if not isinstance(other, Value):
            other = _constant(other)
        out = _new(Value)
        x = self.data
        y = other.data
        out.data = z = x + y
        if z - z != 0.0:  # inf or nan: let the op table say what overflowed
            _add(x, y)
        out._da = 1.0
        out._db = 1.0
        out.grad = 0.0
        out._a = self
        out._b = other
        out._op = "+"
        out.label = ""
        out._n = _next()
        return out

    def __mul__(self, other):
        if not isinstance(other, Value):
            other = _constant(other)
        out = _new(Value)
        x = self.data
        y = other.data
        out.data = z = x * y
        if z - z != 0.0:  # inf or nan: let the op table say what overflowed
            _mul(x, y)
        out._da = y
        out._db = x
        out.grad = 0.0
        out._a = self
        out._b = other
        out._op = "*"
        out.label = ""
        out._n = _next()
        return out

    def __sub__(self, other):
        if not isinstance(other, Value):
            other = _constant(other)
        out = _new(Value)
        x = self.data
        y = other.data
        out.data = z = x - y
        if z - z != 0.0:  # inf or nan: let the op table say what overflowed
            _sub(x, y)
        out._da = 1.0
        out._db = -1.0
        out.grad = 0.0
        out._a = self
        out._b = other
        out._op = "-"
        out.label = ""
        out._n = _next()
        return out

    def __truediv__(self, other):
        if not isinstance(other, Value):
            other = _constant(other)
        data, (da, db) = _div(self.data, other.data)
        return _binary(data, self, other, da, db, "/")

    def __pow__(self, other):
        if isinstance(other, Value):
            data, (da, db) = _pow(self.data, other.data)
            return _binary(data, self, other, da, db, "**")
        if not isinstance(other, int | float):
            return NotImplemented
        data, (da,) = _powc(self.data, other)
        return _unary(data, self, da, f"**{other}")

    def __neg__(self):
        return _unary(-self.data, self, -1.0, "neg")

    def __pos__(self):
        return self

    def __radd__(self, other):
        return _constant(other) + self

    def __rsub__(self, other):
        return _constant(other) - self

    def __rmul__(self, other):
        return _constant(other) * self

    def __rtruediv__(self, other):
        return _constant(other) / self

    def __rpow__(self, other):
        return _constant(other) ** self

    def __abs__(self):
        return self.abs()

    # -- functions -------------------------------------------------------------
    def _apply(self, name, op=None):
        data, (d,) = OPS[name].fn(self.data)
        return _unary(data, self, d, op or name)

    def exp(self):
        return self._apply("exp")

    def log(self):
        return self._apply("log")

    def relu(self):
        return self._apply("relu", "ReLU")

    def tanh(self):
        return self._apply("tanh")

    def sigmoid(self):
        return self._apply("sigmoid")

    def sin(self):
        return self._apply("sin")

    def cos(self):
        return self._apply("cos")

    def tan(self):
        return self._apply("tan")

    def sqrt(self):
        return self._apply("sqrt")

    def abs(self):
        return self._apply("abs")

    # -- gradients -------------------------------------------------------------
    def _backward(self):
        """Push this node's gradient into its inputs (one chain-rule step)."""
        g = self.grad
        if self._a is not None:
            self._a.grad += self._da * g
            if self._b is not None:
                self._b.grad += self._db * g

    def backward(self):
        """Accumulate d(self)/d(node) into every node's ``.grad`` (see the module doc)."""
        # Only nodes with inputs need visiting: a leaf's gradient arrives from its
        # consumers. Collect them without recursion, then walk them newest first
        # (creation order is a topological order, so no depth-first sort is needed).
        seen = {self} if self._a is not None else set()
        stack = list(seen)
        pop, push, add = stack.pop, stack.append, seen.add
        while stack:
            node = pop()
            a = node._a
            if a._a is not None and a not in seen:
                add(a)
                push(a)
            b = node._b
            if b is not None and b._a is not None and b not in seen:
                add(b)
                push(b)
        self.grad = 1.0
        for node in sorted(seen, key=_creation, reverse=True):
            g = node.grad
            node._a.grad += node._da * g
            b = node._b
            if b is not None:
                b.grad += node._db * g

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


_next = itertools.count().__next__
_creation = attrgetter("_n")
_new = Value.__new__


def _constant(x):
    """A number met in arithmetic, as a leaf: micrograd's ``Value(other)``, made
    without __init__'s generality."""
    out = _new(Value)
    out.data = x
    out.grad = 0.0
    out._a = None
    out._b = None
    out._da = out._db = 0.0
    out._op = ""
    out.label = ""
    out._n = _next()
    return out


def _binary(data, a, b, da, db, op):
    # Bypasses __init__: this is the hot path of building a graph.
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._a = a
    out._b = b
    out._da = da
    out._db = db
    out._op = op
    out.label = ""
    out._n = _next()
    return out


def _unary(data, a, da, op):
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._a = a
    out._b = None
    out._da = da
    out._db = 0.0
    out._op = op
    out.label = ""
    out._n = _next()
    return out
