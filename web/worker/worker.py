"""The engine behind the page's worker (web/worker/engine-worker.js runs this in Pyodide).

One entry point, ``handle(method, args_json) -> reply_json``: plain strings cross
between JavaScript and Python (fast, and no proxies to leak). Every reply is
``{"ok": true, ...}`` or ``{"ok": false, "error": {"line", "col", "message"}}``;
nothing raises into JavaScript. ``progress(what)`` (set by the worker) reports the
phase of long work, so the page can say what it is waiting for.

Methods (the page's stepper, web/graph/stepper.js, owns the position and the undo
history; the worker computes only what needs Python):
- ``load(text, layout, version=1)``: compile a program; on success it replaces the
  program held here. Returns ``scene`` without the frames' text (``layout=False``
  leaves the layout out too, for a program the page has already drawn), its timeline
  kept as ``version``, and ``leaf_info``: ``[{label, line, col}]`` in the order of
  ``timeline.leaves`` (the page's notes and errors name and place a leaf with it).
- ``timeline(version, leaves)``: the timeline of new leaf values (``leaves``: each
  named leaf's value as a repr string, in the order of ``timeline.leaves``), kept as
  ``version`` (the page numbers them): ``{version, timeline: {version, values, grads,
  slopes}, program}``, ``program`` being the text with those values as its literals;
  a domain error is a ProgramError at its line and column, and changes nothing.
- ``frames(start, count, version=None, leaves=None)``: the text of frames ``start ..
  start+count-1`` of the timeline of ``version`` (the latest asked for without one),
  with its version. A version not held here (an older one after Stop) is made again
  from ``leaves``; without them the reply is an error with ``unknown_version``.
- ``lab(..., version=None, leaves=None)``: the gradient lab (``_lab``'s arguments) at
  the leaf values of ``version`` (as ``frames`` finds it; the latest without one)
  (gradstep/lab/views.py): ``compare``, ``error_curve``, ``slope_view``, ``closed_form``,
  ``paths``, ``forward_mode``, ``yours`` (``text``). Every float in the reply is sent as its ``repr``
  (``{"r": "0.1"}``-free: plain strings), so the page shows Python's digits exactly.
- ``export(to, h=1e-6, version=None, leaves=None)``: the program at the current leaf values
  as a ``pytorch`` or ``micrograd`` script or a ``notebook`` (gradstep/lab/export.py):
  ``{to, text, filename}``; a program too large to export is an error saying so.
- ``python(code)``: Python mode, the learner's own code (gradstep/program/python_mode.py):
  ``{output, graphs, error}``.

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


def _load(text, layout=True, version=1):
    global _session, _starts, _timelines
    from gradstep.program.session import State

    progress("reading the program and computing both passes")
    session = Session(str(text), frames=False)
    version = int(version)
    session.state = State(session.timeline, version)  # (a fresh session's state, numbered as asked)
    if layout:
        progress("laying out the graph")
    from gradstep.program.scene import scene

    out = scene(session, layout=bool(layout))
    tape = session.tape
    leaf_info = [{"label": tape.labels[i], "line": tape.locs[i][0], "col": tape.locs[i][1]}
                 for i in tape.leaf_indices()]
    _session, _starts, _timelines = session, {version: session.timeline.start}, {version: session.timeline}
    return {"ok": True, "scene": out, "leaf_info": leaf_info}


_starts = {}  # version -> the start values of the timelines handed out last (the page resends older ones)
_timelines = {}  # version -> Timeline, the few asked for last
_KEEP = 4
_KEEP_STARTS = 256  # (a long session of nudges must not grow the worker without end)


def _remember(version, start):
    _starts.pop(version, None)
    _starts[version] = start  # (the latest last)
    while len(_starts) > _KEEP_STARTS:
        del _starts[next(iter(_starts))]


def _select(version, leaves=None):
    """The timeline of ``version`` (made again from its start values, or from ``leaves``,
    when not held), made the current one: what ``lab`` computes at."""
    from gradstep.program.session import State
    from gradstep.program.timeline import Timeline

    version = int(version)
    timeline = _timelines.pop(version, None)
    if timeline is None:
        if version not in _starts:
            if leaves is None:
                raise _Unknown(version)
            _remember(version, _start_of(leaves))
        timeline = Timeline(_session.tape, _starts[version])
    _timelines[version] = timeline  # (the latest last)
    while len(_timelines) > _KEEP:
        del _timelines[next(iter(_timelines))]
    _session.state = State(timeline, version)  # (the worker keeps no position: the page does)
    return timeline


class _Unknown(Exception):
    def __init__(self, version):
        super().__init__(version)
        self.version = version


def _start_of(leaves):
    """Start values for the tape: its literals, each named leaf's replaced by ``leaves``."""
    tape = _session.tape
    indices = tape.leaf_indices()
    if len(leaves) != len(indices):
        raise ValueError(f"expected {len(indices)} leaf values, not {len(leaves)}")
    start = list(tape.init)
    for i, value in zip(indices, leaves, strict=True):
        start[i] = float(value)
    return start


def _timeline(version, leaves):
    if _session is None:
        return _fail("no program is loaded")
    from gradstep.program.timeline import Timeline

    version = int(version)
    start = _start_of(leaves)
    timeline = Timeline(_session.tape, start)  # a ProgramError (a domain error) changes nothing
    _remember(version, start)
    _timelines.pop(version, None)
    _timelines[version] = timeline
    _select(version)
    return {"ok": True, "version": version, "program": _session.program_text(),
            "timeline": timeline.to_dict(version, frames=False, structure=False)}


def _frames(start, count=1, version=None, leaves=None):
    if _session is None:
        return _fail("no program is loaded")
    if version is None:
        version = _session.state.version
    try:
        timeline = _select(version, leaves)
    except _Unknown:
        return {**_fail(f"the worker does not hold timeline {version}: send its leaves"), "unknown_version": True}
    end = min(len(timeline), int(start) + max(1, int(count)))
    frames = [timeline.frame(k) for k in range(max(0, int(start)), end)]
    return {"ok": True, "version": int(version), "start": int(start), "frames": frames}


def _lab_at(version=None, leaves=None, **args):
    """``lab`` at the leaf values of ``version`` (the page's undo may have gone back to
    older values since the worker last heard of them)."""
    if _session is not None and version is not None:
        try:
            _select(version, leaves)
        except _Unknown:
            return {**_fail(f"the worker does not hold timeline {version}: send its leaves"), "unknown_version": True}
    return _lab(**args)


_LAB = ("compare", "error_curve", "slope_view", "closed_form", "paths", "forward_mode", "yours")


def _reprs(x):
    """Floats as their repr strings (the page shows Python's digits), nested."""
    if isinstance(x, float):
        return repr(x)
    if isinstance(x, dict):
        return {k: _reprs(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_reprs(v) for v in x]
    return x


def _lab(view, leaf=None, h=1e-6, **extra):
    """One of the lab's views (gradstep.lab.views) at the current leaf values."""
    if _session is None:
        return _fail("no program is loaded")
    if view not in _LAB:
        raise ValueError(f"the lab has no {view!r}; one of {', '.join(_LAB)}")
    from gradstep.lab import views as lab

    progress({"compare": "comparing the gradients", "closed_form": "deriving the closed form",
              "paths": "finding the paths", "error_curve": "measuring the error against h",
              "yours": "checking your derivative",
              }.get(view, "computing"))
    tape, start = _session.tape, _session.timeline.start
    fn = getattr(lab, view)
    args = [tape, start] + ([] if view == "compare" else [int(leaf)])
    if view in ("compare", "slope_view"):
        args.append(float(h))
    result = fn(*args, **extra)
    return {"ok": True, "version": _session.state.version, "view": view, "result": _reprs(result)}


_training = None  # gradstep.training.view.TrainingView, made on the first train call


def _train(action, **args):
    """The training view (contract section 5): gradstep.training.view.TrainingView.act."""
    global _training
    from gradstep.training.settings import SettingError
    from gradstep.training.view import Stale, TrainingView

    if _training is None:
        _training = TrainingView(progress=lambda what: progress(what))
    try:
        reply = _training.act(str(action), **args)
    except SettingError as error:  # (in the page's words: its label, not the command line's flag)
        return _fail(error.page_message)
    except Stale as stale:  # the page's boxes are of another step: it asks for the summary again
        return {"ok": False, "stale": True, "step": stale.step,
                "error": {"line": None, "col": None, "message": str(stale)}}
    return _reprs({"ok": True, **reply})


def _export(to, h=1e-6, version=None, leaves=None):
    """The program at the current leaf values (those of ``version``, as ``lab`` finds them,
    when given) as a ``pytorch`` or ``micrograd`` script or a ``notebook`` (gradstep/lab/export.py):
    ``{to, text, filename}``, for the page to download."""
    if _session is None:
        return _fail("no program is loaded")
    if version is not None:
        try:
            _select(version, leaves)
        except _Unknown:
            return {**_fail(f"the worker does not hold timeline {version}: send its leaves"), "unknown_version": True}
    from gradstep.lab.export import ExportError, export, filename

    progress({"notebook": "writing the notebook (and its closed form)"}.get(str(to), "writing the script"))
    try:
        text = export(_session.tape, _session.timeline.start, str(to), float(h))
    except ExportError as error:
        return _fail(str(error))
    return {"ok": True, "to": str(to), "text": text, "filename": filename(_session.tape, str(to))}


def _python(code=""):
    """Python mode (contract section 3): the learner's code run (gradstep/program/python_mode.py):
    ``{output, graphs: [{label, program} | {label, error}], error}``; the page loads a graph's
    program as it loads any other."""
    from gradstep.program.python_mode import run

    progress("running your Python (Stop ends it)")
    return {"ok": True, **run(str(code))}


_METHODS = {"load": _load, "timeline": _timeline, "frames": _frames, "lab": _lab_at, "train": _train,
            "export": _export, "python": _python}


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
    try:
        return json.dumps(reply)
    except (TypeError, ValueError):
        traceback.print_exc()
        return json.dumps(_fail(f"internal error in the engine ({method}): its reply is not JSON"))
