"""Losses for ``gradstep.training.nn`` models, each built from ``Value`` ops so it backpropagates.

* ``svm_loss``: micrograd's demo loss, exactly as its notebook computes it: the hinge
  ``(1 + -yi*scorei).relu()`` averaged over the batch, plus ``alpha * sum(p*p)``
  (L2, alpha = 1e-4) over the parameters. Labels are -1 and +1.
* ``mean_squared_error``: the mean of ``(score - target)**2`` over every output.
* ``cross_entropy``: softmax cross-entropy for several classes, computed stably
  (the largest logit is subtracted first, so no ``exp`` overflows).

The order of the operations is part of the contract: the fast training path replays
the same operations on arrays and must give the same floats to the bit, so change
the order here only together with it (tests/test_train.py checks both agree).
Averages multiply by ``1.0 / n``, as micrograd's demo does, rather than divide.
"""

from __future__ import annotations

from gradstep.core.value import Value

L2_ALPHA = 1e-4  # micrograd's demo


def _data(x) -> float:
    return x.data if isinstance(x, Value) else x


def hinge(scores, ys):
    """``sum((1 + -yi*scorei).relu()) * (1.0 / n)``: the data part of micrograd's loss."""
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores, strict=True)]
    return sum(losses) * (1.0 / len(losses))


def l2(parameters, alpha=L2_ALPHA):
    """``alpha * sum(p*p)``, micrograd's regularisation."""
    return alpha * sum(p * p for p in parameters)


def l1(parameters, rate):
    """``rate * sum(abs(p))``: L1 regularisation (its derivative is ``rate * sign(p)``, 0 at 0)."""
    return rate * sum(abs(p) for p in parameters)


def svm_loss(scores, ys, parameters, alpha=L2_ALPHA):
    """micrograd's demo loss: ``hinge(scores, ys) + l2(parameters, alpha)``."""
    data_loss = hinge(scores, ys)
    reg_loss = l2(parameters, alpha)
    return data_loss + reg_loss


def svm_accuracy(scores, ys) -> float:
    """micrograd's demo accuracy: the fraction with ``(yi > 0) == (scorei > 0)``."""
    right = [(yi > 0) == (_data(s) > 0) for yi, s in zip(ys, scores, strict=True)]
    return sum(right) / len(right)


def mean_squared_error(scores, targets):
    """The mean over points (and over outputs, for a model with several) of
    ``(score - target)**2``, each square computed as ``d * d``."""
    terms = []
    for s, t in zip(scores, targets, strict=True):
        if isinstance(s, list | tuple):
            for si, ti in zip(s, t, strict=True):
                d = si - ti
                terms.append(d * d)
        else:
            d = s - t
            terms.append(d * d)
    return sum(terms) * (1.0 / len(terms))


def cross_entropy(logits, classes):
    """Softmax cross-entropy averaged over points: for each point,
    ``log(sum(exp(l - m))) - (l[c] - m)`` with ``m`` the largest logit (a float, so
    no gradient flows through it; the loss does not depend on it)."""
    losses = []
    for row, c in zip(logits, classes, strict=True):
        m = max(_data(v) for v in row)
        shifted = [v - m for v in row]
        total = sum(s.exp() for s in shifted)
        losses.append(total.log() - shifted[c])
    return sum(losses) * (1.0 / len(losses))


def plain(loss: str, scores, targets) -> float:
    """The data loss (no regularisation) of plain-float ``scores`` against ``targets``, with the
    float operations of ``hinge``, ``mean_squared_error`` and ``cross_entropy`` in their order:
    the loss a graph of these points would give, without building one (the test points' loss).
    ``loss`` is "hinge" (targets -1/+1), "mse" (a float, or a list of one per output) or
    "cross_entropy" (class numbers)."""
    from gradstep.core import floatmath

    terms = []
    if loss == "hinge":
        for s, y in zip(scores, targets, strict=True):
            u = 1 + -y * s
            terms.append(u if u > 0.0 else 0.0)
    elif loss == "mse":
        for s, t in zip(scores, targets, strict=True):
            for si, ti in (zip(s, t, strict=True) if isinstance(s, list | tuple) else ((s, t),)):
                d = si - ti
                terms.append(d * d)
    else:
        for row, c in zip(scores, targets, strict=True):
            m = max(row)
            shifted = [v - m for v in row]
            total = 0
            for v in shifted:
                total = total + floatmath.exp(v)
            terms.append(floatmath.log(total) - shifted[c])
    total = 0
    for t in terms:
        total = total + t
    return total * (1.0 / len(terms))


def argmax(row) -> int:
    """The index of the largest entry (the first of equals)."""
    best = 0
    for i in range(1, len(row)):
        if _data(row[i]) > _data(row[best]):
            best = i
    return best


def class_accuracy(logits, classes) -> float:
    """The fraction of points whose largest logit is their class."""
    right = [argmax(row) == c for row, c in zip(logits, classes, strict=True)]
    return sum(right) / len(right)
