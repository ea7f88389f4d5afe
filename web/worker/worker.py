"""The engine behind the page's worker (web/worker/engine-worker.js runs this in Pyodide).

One entry point, ``handle(method, args_json) -> reply_json``: plain strings cross
between JavaScript and Python (fast, and no proxies to leak). Every reply is
``{"ok": true, ...}`` or ``{"ok": false, "error": {"line", "col", "message"}}``;
nothing raises into JavaScript. ``progress(what)`` (set by the worker) reports the
phase of long work, so the page can say what it is waiting for.

Methods:
- ``load(text, layout)``: compile a program; on success it replaces the session.
  Returns the scene without the frames' text (``layout=False`` leaves the layout out
  too, for a program the page has already drawn).
- ``act(name, args)``: one stepper action (gradstep.program.session.Session.act).
- ``frames(start, count)``: the text of frames ``start .. start+count-1`` of the
  current timeline, with the timeline's version.
- ``lab(what, leaf, h)``: the gradient lab at the current leaf values
  (engine/lab.py): ``compare``, ``error_curve``, ``slope_view``, ``closed_form``,
  ``paths``, ``forward_mode``. Every float in the reply is sent as its ``repr``
  (``{"r": "0.1"}``-free: plain strings), so the page shows Python's digits exactly.

Keep the imports light: everything imported here adds to the worker's start-up.
"""

import json
import traceback

from gradstep.core.errors import ProgramError
from gradstep.program.session import Session

_session = None
progress = print  # replaced by the worker with a function that posts to the page


def _fail(message, line=None, col=None):
    return {"ok": False, "error": {"line": line, "col": col, "message": message}}


def _load(text, layout=True):
    global _session
    progress("reading the program and computing both passes")
    session = Session(str(text), frames=False)
    if layout:
        progress("laying out the graph")
    from gradstep.program.scene import scene

    out = scene(session, layout=bool(layout))
    _session = session
    return {"ok": True, "scene": out}


def _act(name, args=None):
    if _session is None:
        return _fail("no program is loaded")
    reply = _session.act(str(name), **(args or {}))
    reply["ok"] = True
    return reply


def _frames(start, count=1):
    if _session is None:
        return _fail("no program is loaded")
    timeline = _session.timeline
    end = min(len(timeline), int(start) + max(1, int(count)))
    frames = [timeline.frame(k) for k in range(max(0, int(start)), end)]
    return {"ok": True, "version": _session.state.version, "start": int(start), "frames": frames}


_LAB = ("compare", "error_curve", "slope_view", "closed_form", "paths", "forward_mode")


def _reprs(x):
    """Floats as their repr strings (the page shows Python's digits), nested."""
    if isinstance(x, float):
        return repr(x)
    if isinstance(x, dict):
        return {k: _reprs(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_reprs(v) for v in x]
    return x


def _lab(what, leaf=None, h=1e-6, **extra):
    if _session is None:
        return _fail("no program is loaded")
    if what not in _LAB:
        raise ValueError(f"the lab has no {what!r}; one of {', '.join(_LAB)}")
    from gradstep.lab import views as lab

    progress({"compare": "comparing the gradients", "closed_form": "deriving the closed form",
              "paths": "finding the paths", "error_curve": "measuring the error against h",
              }.get(what, "computing"))
    tape, start = _session.tape, _session.timeline.start
    fn = getattr(lab, what)
    args = [tape, start] + ([] if what == "compare" else [int(leaf)])
    if what in ("compare", "slope_view"):
        args.append(float(h))
    result = fn(*args, **extra)
    return {"ok": True, "version": _session.state.version, "what": what, "result": _reprs(result)}


_trainer = None
GRID_PLAYING = 32  # the boundary's cells a side while training runs (the page asks finer when idle)


def _grid(n):
    """The network's score on an n x n grid over the data (plain floats, no graph):
    one score a point for two classes, the class for more."""
    t = _trainer
    xs = [p[0] for p in t.X]
    ys = [p[1] for p in t.X]
    pad_x = 0.15 * (max(xs) - min(xs) or 1.0)
    pad_y = 0.15 * (max(ys) - min(ys) or 1.0)
    x0, x1, y0, y1 = min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y
    cells = [[x0 + (j + 0.5) * (x1 - x0) / n, y1 - (i + 0.5) * (y1 - y0) / n] for i in range(n) for j in range(n)]
    out = t.scores(cells)
    if not t.single:
        out = [max(range(len(o)), key=o.__getitem__) for o in out]
    return {"n": n, "xs": [x0, x1], "ys": [y0, y1], "scores": out, "classes": t.classes}


_batch = None  # (the trainer, its step, its BatchGraph)


def _batch_graph():
    """The BatchGraph of the trainer at its current step, built once per step."""
    global _batch
    if _batch is None or _batch[0] is not _trainer or _batch[1] != _trainer.steps:
        from gradstep.training.batch_graph import BatchGraph

        progress("building the whole batch's graph")
        _batch = (_trainer, _trainer.steps, BatchGraph(_trainer))
    return _batch[2]


def _train(what, settings=None, points=None, steps=1, grid=GRID_PLAYING, index=0, group="", step=None):
    """The training view (contract section 5): ``new`` builds the data and the network
    from the settings (``points``: the learner's own points, [[x, y, class], ...]);
    ``step`` takes ``steps`` SGD steps and returns their losses; ``grid`` redraws the
    boundary finer. Floats are the command line's (gradstep.training.trainer), bit for bit."""
    global _trainer, _batch
    from gradstep.training.datasets import CLASSES, make
    from gradstep.training.fast_trainer import FastTrainer
    from gradstep.training.trainer import default_loss

    if what == "new":
        s = settings or {}
        dataset = str(s.get("dataset", "moons"))
        if dataset not in CLASSES:
            raise ValueError(f"unknown dataset {dataset!r}: choose one of {', '.join(CLASSES)}")
        layers = [int(v) for v in str(s.get("layers", "16,16")).split(",") if v.strip()]
        seed = int(s.get("seed", 0))
        lr = float(s.get("lr", 1.0))
        batch = int(s.get("batch", 100))
        loss = str(s.get("loss", "default"))
        loss = default_loss(CLASSES[dataset]) if loss == "default" else loss
        progress("making the data and the network")
        X, y = make(dataset, n=100, seed=seed)
        if points is not None:
            X = [[float(p[0]), float(p[1])] for p in points]
            y = [int(p[2]) for p in points]
            if not X:
                raise ValueError("there are no points left: add some, or choose the data again")
        _batch = None
        _trainer = FastTrainer(X, y, layers, seed=seed, activation=str(s.get("activation", "relu")),
                               loss=loss, lr=lr, batch=batch)
        reply = {"step": 0, "loss": None, "accuracy": _trainer.accuracy(),
                 "data": {"points": _trainer.X, "labels": _trainer.y, "classes": _trainer.classes}}
    elif _trainer is None:
        return _fail("no network yet: choose the settings first")
    elif what == "step":
        _batch = None  # (its 65,000 nodes are of the last step: free them)
        progress("training")
        losses = [_trainer.step() for _ in range(max(1, min(1000, int(steps))))]
        reply = {"step": _trainer.steps, "losses": losses, "loss": losses[-1], "accuracy": _trainer.accuracy()}
    elif what == "grid":
        reply = {"step": _trainer.steps}
    elif what == "point":
        # One point's loss as a program, to step through like any other; a nudge at
        # this rate is that point's SGD update (the trainer itself does not move).
        index = int(index)
        if not 0 <= index < len(_trainer.X):
            raise ValueError(f"there is no point {index}: choose 0 to {len(_trainer.X) - 1}")
        return _reprs({"ok": True, "program": _trainer.point_program(index), "rate": _trainer.learning_rate(),
                       "step": _trainer.steps})
    elif what == "batch":
        # The whole batch's graph collapsed into neurons (engine/batch_graph.py); kept
        # for the expand calls that follow, until the weights move.
        return _reprs({"ok": True, "summary": _batch_graph().summary()})
    elif what == "expand":
        graph = _batch_graph()
        if step is not None and int(step) != _batch[1]:
            # The page's boxes are of another step: it asks for the summary again.
            return {"ok": False, "stale": True, "step": _batch[1],
                    "error": {"line": None, "col": None, "message": "training has moved on since this graph"}}
        try:
            expansion = graph.expand(str(group))
        except KeyError as error:
            raise ValueError(error.args[0]) from None
        return _reprs({"ok": True, "step": _batch[1], "expansion": expansion})
    else:
        raise ValueError(f"training has no {what!r}: new, step, grid, point, batch or expand")
    reply["grid"] = _grid(max(4, min(200, int(grid))))
    reply["ok"] = True
    return _reprs(reply)


_METHODS = {"load": _load, "act": _act, "frames": _frames, "lab": _lab, "train": _train}


def handle(method, args_json="{}"):
    """Run one method; the reply as a JSON string."""
    try:
        fn = _METHODS[str(method)]
        reply = fn(**json.loads(str(args_json) or "{}"))
    except ProgramError as e:
        reply = _fail(e.message, e.line, e.col)
    except (KeyError, TypeError, ValueError) as e:  # a bad method, action or argument
        reply = _fail(str(e))
    except Exception:
        traceback.print_exc()
        reply = _fail(f"internal error in the engine ({method}); see the browser console")
    return json.dumps(reply)
