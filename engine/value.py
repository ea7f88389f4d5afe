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
* ``backward()`` sorts the graph without recursion, so a 100,000-node chain works.

What ``backward()`` does to existing gradients: exactly what micrograd and PyTorch
do. It sets ``self.grad = 1.0`` and *adds* each node's contribution into the
``.grad`` of the nodes below it; it does not clear them first. Calling it twice
doubles the gradients of everything below the output, so zero them between steps
(``zero_grad()`` on a module, or ``v.grad = 0.0``). The stepper (programs, the page)
never works this way: it computes every gradient afresh for each pass.
"""

from __future__ import annotations

from .ops import OPS

_add = OPS["add"].fn
_sub = OPS["sub"].fn
_mul = OPS["mul"].fn
_div = OPS["div"].fn
_powc = OPS["powc"].fn
_pow = OPS["pow"].fn


class Value:
    """A scalar node of an autograd graph."""

    # __slots__: no per-instance dict; about half the memory and faster attribute access.
    __slots__ = ("data", "grad", "_prev", "_local", "_op", "label")

    def __init__(self, data, _children=(), _op="", label="", _local=()):
        self.data = data
        self.grad = 0.0
        self._prev = tuple(_children)
        self._local = _local
        self._op = _op
        self.label = label

    @staticmethod
    def _make(data, children, local, op):
        # Bypasses __init__'s defaults and tuple() copy: this is the hot path of
        # building a graph.
        out = Value.__new__(Value)
        out.data = data
        out.grad = 0.0
        out._prev = children
        out._local = local
        out._op = op
        out.label = ""
        return out

    # -- arithmetic ------------------------------------------------------------
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        data, local = _add(self.data, other.data)
        return Value._make(data, (self, other), local, "+")

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        data, local = _mul(self.data, other.data)
        return Value._make(data, (self, other), local, "*")

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        data, local = _sub(self.data, other.data)
        return Value._make(data, (self, other), local, "-")

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        data, local = _div(self.data, other.data)
        return Value._make(data, (self, other), local, "/")

    def __pow__(self, other):
        if isinstance(other, Value):
            data, local = _pow(self.data, other.data)
            return Value._make(data, (self, other), local, "**")
        if not isinstance(other, int | float):
            return NotImplemented
        data, local = _powc(self.data, other)
        return Value._make(data, (self,), local, f"**{other}")

    def __neg__(self):
        return Value._make(-self.data, (self,), (-1.0,), "neg")

    def __pos__(self):
        return self

    def __radd__(self, other):
        return Value(other) + self

    def __rsub__(self, other):
        return Value(other) - self

    def __rmul__(self, other):
        return Value(other) * self

    def __rtruediv__(self, other):
        return Value(other) / self

    def __rpow__(self, other):
        return Value(other) ** self

    def __abs__(self):
        return self.abs()

    # -- functions -------------------------------------------------------------
    def _unary(self, name):
        data, local = OPS[name].fn(self.data)
        return Value._make(data, (self,), local, name)

    def exp(self):
        return self._unary("exp")

    def log(self):
        return self._unary("log")

    def relu(self):
        data, local = OPS["relu"].fn(self.data)
        return Value._make(data, (self,), local, "ReLU")

    def tanh(self):
        return self._unary("tanh")

    def sigmoid(self):
        return self._unary("sigmoid")

    def sin(self):
        return self._unary("sin")

    def cos(self):
        return self._unary("cos")

    def tan(self):
        return self._unary("tan")

    def sqrt(self):
        return self._unary("sqrt")

    def abs(self):
        return self._unary("abs")

    # -- gradients -------------------------------------------------------------
    def _backward(self):
        """Push this node's gradient into its inputs (one chain-rule step)."""
        g = self.grad
        for child, d in zip(self._prev, self._local, strict=True):
            child.grad += d * g

    def topo(self) -> list[Value]:
        """Every node below this one, inputs before the nodes made from them.

        Iterative depth-first search: no recursion limit, whatever the depth.
        """
        order: list[Value] = []
        seen: set[int] = {id(self)}
        stack = [(self, iter(self._prev))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, iter(child._prev)))
                    break
            else:
                stack.pop()
                order.append(node)
        return order

    def backward(self):
        """Accumulate d(self)/d(node) into every node's ``.grad`` (see the module doc)."""
        order = self.topo()
        self.grad = 1.0
        for node in reversed(order):
            g = node.grad
            for child, d in zip(node._prev, node._local):  # noqa: B905 (hot loop)
                child.grad += d * g

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
