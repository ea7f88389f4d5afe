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

from gradstep.training.datasets import CLASSES, make, split
from gradstep.training.settings import BY_NAME, PAGE, parse

GRID_PLAYING = 32  # the boundary's cells a side while training runs (the page asks finer when idle)
GRID_MIN, GRID_MAX = 4, 200
# A single score crosses as a whole number of thousandths (clamped): the heat map needs no
# more, and a 64 x 64 grid's reply is a third of the floats' repr (issue #15: the page's frames).
SCORE_SCALE = 1000
SCORE_CLAMP = 1_000_000
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
        return reply

    def new(self, raw: dict, points=None) -> dict:
        """The data and the network from the page's settings (strings) and, when given, the
        learner's own points ``[[x, y, class], ...]`` in place of the dataset's."""
        from gradstep.training.fast_trainer import FastTrainer
        from gradstep.training.trainer import default_loss

        s = parse(raw, names=[setting.name for setting in PAGE])
        X = y = None
        if points is not None:
            X = [[float(p[0]), float(p[1])] for p in points]
            y = [int(p[2]) for p in points]
            if not X:
                raise ValueError("there are no points left: add some, or choose the data again")
        self.progress("making the data and the network")
        if X is None:
            X, y = make(s["dataset"], n=100, noise=s.get("noise"), seed=s["seed"])
        loss = default_loss(CLASSES[s["dataset"]]) if s["loss"] == "default" else s["loss"]
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
        self.trainer = FastTrainer([X[i] for i in train_at], [y[i] for i in train_at], s["layers"], seed=s["seed"],
                                   activation=s["activation"], loss=loss, lr=s["lr"], batch=s["batch"],
                                   classes=CLASSES[s["dataset"]], **options)  # (0: a regression)
        t = self.trainer
        reply = {"step": 0, "loss": None, "accuracy": t.accuracy(),
                 "data": {"points": X, "labels": y, "classes": t.classes, "test": test_at}}
        reply.update(self.tested(None))
        return reply

    def tested(self, test_loss) -> dict:
        """The test points' loss (the last step's, as the command line's ``test_losses``) and accuracy now."""
        if not self.X_test:
            return {"test_loss": None, "test_accuracy": None}
        return {"test_loss": test_loss, "test_accuracy": self.trainer.evaluate(self.X_test, self.y_test)[1]}

    def step(self, steps=1) -> dict:
        self._batch = None  # (its 65,000 nodes are of the last step: free them)
        self.progress("training")
        losses, test_losses = [], []
        for _ in range(max(1, min(STEPS_MAX, int(steps)))):
            losses.append(self.trainer.step())
            if self.X_test:  # (after each step, as the command line's test_losses)
                test_losses.append(self.trainer.evaluate(self.X_test, self.y_test)[0])
        reply = {"step": self.trainer.steps, "losses": losses, "loss": losses[-1], "accuracy": self.trainer.accuracy(),
                 "test_losses": test_losses}
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
        xs = [p[0] for p in t.X + self.X_test]  # (the test points in view too)
        ys = [p[1] for p in t.X + self.X_test]
        pad_x = 0.15 * (max(xs) - min(xs) or 1.0)
        pad_y = 0.15 * (max(ys) - min(ys) or 1.0)
        x0, x1, y0, y1 = min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y
        cells = [[x0 + (j + 0.5) * (x1 - x0) / n, y1 - (i + 0.5) * (y1 - y0) / n] for i in range(n) for j in range(n)]
        out = t.scores(cells)
        if not t.single:
            out = [max(range(len(o)), key=o.__getitem__) for o in out]
            scale = 1
        else:
            # (thousandths, clamped: nan as 0; the page divides by the scale)
            out = [0 if v != v else round(max(-SCORE_CLAMP, min(SCORE_CLAMP, v)) * SCORE_SCALE) for v in out]
            scale = SCORE_SCALE
        return {"n": n, "xs": [x0, x1], "ys": [y0, y1], "scores": out, "scale": scale, "classes": t.classes}

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
