"""The page's training view without its drawing: what the worker's ``train`` method does.

``TrainingView`` holds one network and its data, built from the page's settings (checked
against ``gradstep.training.settings`` before any work starts); it takes steps, computes the
decision boundary on a grid, writes one point's loss as a program, and keeps the whole
batch's graph for the step it was built at, so opening its groups does not build 65,000
nodes again. Plain Python in, JSON-able data out: ``web/worker/worker.py`` only turns
messages into calls of ``act`` and replies into JSON, and the tests run all of this in
CPython. Floats are the command line's (``gradstep train``), bit for bit.
"""

from __future__ import annotations

import math
import time

from gradstep.training import csvdata
from gradstep.training.csvdata import DATA_CHARS_MAX  # (the page's link leaves longer text out)
from gradstep.training.datasets import CLASSES, make, split
from gradstep.training.settings import BY_NAME, PAGE, SettingError, parse
from gradstep.training.trainer import Diverged

GRID_PLAYING = 32  # the boundary's cells a side while training runs (the page asks finer when idle)
GRID_MIN, GRID_MAX = 4, 200
# A single score crosses as a whole number of thousandths (clamped): the heat map needs no
# more, and a 64 x 64 grid's reply is a third of the floats' repr (issue #15: the page's frames).
SCORE_SCALE = 1000
SCORE_CLAMP = 1_000_000
NEURON_GRID = 20  # each hidden neuron's heat map: cells a side
NEURON_UNITS_MAX = 128  # hidden units whose maps are computed (more: the diagram draws no maps)
STEPS_MAX = 1000  # steps in one call: the page asks for a chunk at a time and draws between
ACTIONS = ("new", "step", "grid", "point", "batch", "expand")


class Stale(ValueError):
    """A batch-graph group asked for at a step training has left."""

    def __init__(self, step: int):
        super().__init__("training has moved on since this graph")
        self.step = step


class TrainingView:
    """One network, its data, and the whole batch's graph of its current step."""

    def __init__(self, progress=None):
        self.progress = progress or (lambda what: None)
        self.trainer = None
        self.X_test, self.y_test = [], []  # the points held out for testing (the test share)
        self._batch = None  # (its step, its BatchGraph)
        self.copies = []  # the optimizer comparison's: {"optimizer", "trainer", "diverged"}
        self._neuron_cells = (None, None)  # (what they are of, the neuron maps' cells as the network's inputs)

    # ------------------------------------------------------------------ actions
    def act(self, action: str, *, settings=None, points=None, steps=1, grid=GRID_PLAYING, index=0, group="",
            step=None) -> dict:
        """One of ``ACTIONS``; the reply's data (no ``ok``). ``ValueError`` for a bad request
        (``SettingError`` for a setting out of its limits), ``Stale`` for an old group."""
        if action == "new":
            reply = self.new(settings or {}, points)
        elif action not in ACTIONS:
            raise ValueError(f"training has no {action!r}: {', '.join(ACTIONS)}")
        elif self.trainer is None:
            raise ValueError("no network yet: choose the settings first")
        elif action == "step":
            reply = self.step(steps)
        elif action == "grid":
            reply = {"step": self.trainer.steps}
        elif action == "point":
            return self.point(None if index is None or str(index).strip() == "" else index)
        elif action == "batch":
            return {"summary": self.batch_graph().summary()}
        else:
            return self.expand(group, step)
        reply["grid"] = self.grid(max(GRID_MIN, min(GRID_MAX, int(grid))))
        reply["network"] = self.network()
        return reply

    def new(self, raw: dict, points=None) -> dict:
        """The data and the network from the page's settings (strings) and, when given, the
        learner's own points ``[[x, y, class], ...]`` in place of the dataset's."""
        from gradstep.training.fast_trainer import FastTrainer
        from gradstep.training.trainer import default_loss

        own = self.read_data(raw.get("data"))
        s = parse(raw, names=[setting.name for setting in PAGE], classes=None if own is None else own.classes)
        classes = CLASSES[s["dataset"]] if own is None else own.classes  # (0: a regression)
        X = y = None
        if own is not None:
            X, y = own.X, own.y
        if points is not None and classes:  # (a regression's points are not edited by clicks)
            X = [[float(p[0]), float(p[1])] for p in points]
            y = [int(p[2]) for p in points]
            if not X:
                raise ValueError("there are no points left: add some, or choose the data again")
        self.progress("making the data and the network")
        if X is None:
            X, y = make(s["dataset"], n=100, noise=s.get("noise"), seed=s["seed"])
        loss = default_loss(classes) if s["loss"] == "default" else s["loss"]
        # The test points held out as the command line holds them out (gradstep.training.run.train):
        # the same split of the same points, so the losses are its losses bit for bit.
        train_at, test_at = split(len(X), s.get("test-fraction") or 0.0, s["seed"])
        if not train_at:
            raise ValueError("there are no training points left: add some, or hold out fewer for testing")
        self.X_test = [X[i] for i in test_at]
        self.y_test = [y[i] for i in test_at]
        options = {k.replace("-", "_"): s[k] for k in ("reg", "reg-rate", "optimizer", "momentum", "beta1", "beta2",
                                                       "eps", "weight-decay", "init", "features") if k in s}
        if isinstance(options.get("features"), str):  # (the table's default is its text, "x,y")
            options["features"] = BY_NAME["features"].parse(options["features"])
        self._batch = None
        X_train, y_train = [X[i] for i in train_at], [y[i] for i in train_at]
        self.trainer = FastTrainer(X_train, y_train, s["layers"], seed=s["seed"],
                                   activation=s["activation"], loss=loss, lr=s["lr"], batch=s["batch"],
                                   classes=classes, watch=True, **options)
        # The optimizer comparison's copies: the same network, weights and batches (the same seed).
        compare = s.get("compare") or ()
        if isinstance(compare, str):
            compare = BY_NAME["compare"].parse(compare)
        self.copies = [{"optimizer": name, "diverged": None,
                        "trainer": FastTrainer(X_train, y_train, s["layers"], seed=s["seed"],
                                               activation=s["activation"], loss=loss, lr=rate, batch=s["batch"],
                                               classes=classes, **{**options, "optimizer": name})}
                       for name, rate in compare]
        t = self.trainer
        reply = {"step": 0, "loss": None, "accuracy": t.accuracy(),
                 "compare": self.compared([[] for _ in self.copies]),
                 "data": {"points": X, "labels": y, "classes": t.classes, "test": test_at,
                          "skipped": [] if own is None else [list(row) for row in own.skipped]}}
        reply.update(self.tested(None))
        return reply

    def compared(self, losses) -> list:
        """The comparison's copies for a reply: each one's optimizer, rate, this reply's losses,
        accuracy now, and why it stopped (None while it trains)."""
        return [{"optimizer": c["optimizer"], "lr": c["trainer"].lr, "losses": losses[k],
                 "accuracy": c["trainer"].accuracy(), "diverged": c["diverged"]} for k, c in enumerate(self.copies)]

    @staticmethod
    def read_data(text):
        """The learner's own points from CSV text (``gradstep.training.csvdata``, as ``--data``
        reads a file), or None without any; a ``SettingError`` naming "Your data" when no row
        can be read or the text is over DATA_CHARS_MAX (checked before any reading)."""
        if text is None or not str(text).strip():
            return None
        text = str(text)
        if len(text) > DATA_CHARS_MAX:
            raise SettingError(BY_NAME["data"], f"at most {DATA_CHARS_MAX:,} characters, not {len(text):,} "
                                                f"(about {csvdata.MAX_ROWS:,} rows): use fewer rows")
        try:
            return csvdata.read(text)
        except ValueError as error:
            raise SettingError(BY_NAME["data"], str(error)) from None

    def tested(self, test_loss) -> dict:
        """The test points' loss (the last step's, as the command line's ``test_losses``) and accuracy now."""
        if not self.X_test:
            return {"test_loss": None, "test_accuracy": None}
        return {"test_loss": test_loss, "test_accuracy": self.trainer.evaluate(self.X_test, self.y_test)[1]}

    def step(self, steps=1) -> dict:
        self._batch = None  # (its 65,000 nodes are of the last step: free them)
        self.progress("training")
        losses, test_losses = [], []
        copy_losses = [[] for _ in self.copies]
        started = time.perf_counter()
        for _ in range(max(1, min(STEPS_MAX, int(steps)))):
            losses.append(self.trainer.step())
            for c, copy in enumerate(self.copies):
                if copy["diverged"] is None:
                    try:
                        copy_losses[c].append(copy["trainer"].step())
                    except Diverged as error:
                        copy["diverged"] = str(error)
            if self.X_test:  # (after each step, as the command line's test_losses)
                test_losses.append(self.trainer.evaluate(self.X_test, self.y_test)[0])
        taken = len(losses)
        stats = self.trainer.stats[-taken:]
        del self.trainer.stats[:-1]  # (the page keeps the history; the view only the last)
        reply = {"step": self.trainer.steps, "losses": losses, "loss": losses[-1], "accuracy": self.trainer.accuracy(),
                 "test_losses": test_losses, "grad_norms": [st["norms"] for st in stats],
                 "dead_relu": [st["dead"] for st in stats], "compare": self.compared(copy_losses),
                 # (the steps' own time: Play sizes its next chunk by it, not by the boundary's and maps' time)
                 "steps_ms": 1000 * (time.perf_counter() - started)}
        reply.update(self.tested(test_losses[-1] if test_losses else None))
        return reply

    def point(self, index=None) -> dict:
        """One point's loss as a program, to step through like any other; a nudge at the
        returned rate is that point's SGD update (the trainer itself does not move). Without
        an index, the point whose loss is largest (its gradients are the largest: a point the
        network already gets right by its margin has loss 0 and every gradient 0). The reply
        says the point's loss and the largest, so the page can say why all gradients are 0."""
        t = self.trainer
        losses = t.point_losses()
        worst = max(range(len(losses)), key=losses.__getitem__)
        if index is None:
            index = worst
        else:
            text = str(index).strip()
            last = len(t.X) - 1
            if not (text.isascii() and text.isdigit()) or int(text) > last:
                raise ValueError(f"Point: must be a whole number from 0 to {last} (the data's points), not {text!r}")
            index = int(text)
        return {"program": t.point_program(index), "rate": t.learning_rate(), "step": t.steps, "index": index,
                "loss": losses[index], "loss_name": t.loss_name, "largest": {"index": worst, "loss": losses[worst]}}

    def grid(self, n: int) -> dict:
        """The network's score on an n x n grid over the data, padded by 15% (plain floats, no
        graph): one score a point for a single output, the class for more."""
        t = self.trainer
        x0, x1, y0, y1 = self.extent()
        out = t.scores(self.cells(n))
        if not t.single:
            out = [max(range(len(o)), key=o.__getitem__) for o in out]
            scale = 1
        else:
            # (thousandths, clamped: nan as 0; the page divides by the scale)
            out = [0 if v != v else round(max(-SCORE_CLAMP, min(SCORE_CLAMP, v)) * SCORE_SCALE) for v in out]
            scale = SCORE_SCALE
        return {"n": n, "xs": [x0, x1], "ys": [y0, y1], "scores": out, "scale": scale, "classes": t.classes}

    def extent(self) -> tuple[float, float, float, float]:
        """x0, x1, y0, y1: the data's points (the test points too), padded by 15% each side."""
        t = self.trainer
        xs = [p[0] for p in t.X + self.X_test]
        ys = [p[1] for p in t.X + self.X_test]
        pad_x = 0.15 * (max(xs) - min(xs) or 1.0)
        pad_y = 0.15 * (max(ys) - min(ys) or 1.0)
        return min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y

    def cells(self, n: int) -> list[list[float]]:
        """The centres of an n x n grid over ``extent()``, row by row from the top."""
        x0, x1, y0, y1 = self.extent()
        return [[x0 + (j + 0.5) * (x1 - x0) / n, y1 - (i + 0.5) * (y1 - y0) / n] for i in range(n) for j in range(n)]

    def network(self) -> dict:
        """The network for its diagram: ``sizes`` ([inputs, n1, ..., outputs]), ``features``,
        ``weights`` and the last step's ``grads`` (parameters() order: each neuron's weights,
        then its bias; grads None before the first step), and ``maps``: each hidden neuron's
        output over ``cells(NEURON_GRID)`` (the boundary's extent) in whole thousandths toward
        0, clamped as the boundary's scores are, one list a neuron, layer by layer (None when the network
        has more than NEURON_UNITS_MAX hidden units)."""
        from gradstep.training.features import featurize

        t = self.trainer
        units = sum(t.sizes[1:-1])
        maps = None
        if units <= NEURON_UNITS_MAX:
            key = (self.extent(), tuple(t.features))
            if self._neuron_cells[0] != key:  # (the same cells until the data or the features change)
                self._neuron_cells = (key, [featurize(c, t.features) for c in self.cells(NEURON_GRID)])
            outs = t.hidden_outputs(self._neuron_cells[1])
            maps = [_thousandths(col) for col in zip(*outs, strict=True)]
        return {"sizes": list(t.sizes), "features": list(t.features), "weights": t.weights(),
                "grads": None if t.last_grads is None else list(t.last_grads), "n": NEURON_GRID,
                "scale": SCORE_SCALE, "maps": maps}

    # -------------------------------------------------------- the whole batch's graph
    def batch_graph(self):
        """The BatchGraph of the trainer at its current step, built once per step."""
        if self._batch is None or self._batch[0] != self.trainer.steps:
            from gradstep.training.batch_graph import BatchGraph

            self.progress("building the whole batch's graph")
            self._batch = (self.trainer.steps, BatchGraph(self.trainer))
        return self._batch[1]

    def expand(self, group: str, step=None) -> dict:
        """One group's nodes; ``Stale`` when the page's boxes are of another step than the graph held."""
        graph = self.batch_graph()
        if step is not None and int(step) != self._batch[0]:
            raise Stale(self._batch[0])
        try:
            expansion = graph.expand(str(group))
        except KeyError as error:
            raise ValueError(error.args[0]) from None
        return {"step": self._batch[0], "expansion": expansion}


def _thousandths(values) -> list[int]:
    """Floats as whole thousandths toward 0, clamped to +-SCORE_CLAMP, nan as 0 (the common case,
    every value finite and in range, in one comprehension: a 16,16 network's maps are 12,800)."""
    if math.isfinite(sum(values)) and -SCORE_CLAMP < min(values) and max(values) < SCORE_CLAMP:
        return [int(v * SCORE_SCALE) for v in values]
    return [0 if v != v else int(max(-SCORE_CLAMP, min(SCORE_CLAMP, v)) * SCORE_SCALE) for v in values]
