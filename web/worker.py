"""The engine behind the page's worker (web/engine-worker.js runs this in Pyodide).

One entry point, ``handle(method, args_json) -> reply_json``: plain strings cross
between JavaScript and Python (fast, and no proxies to leak). Every reply is
``{"ok": true, ...}`` or ``{"ok": false, "error": {"line", "col", "message"}}``;
nothing raises into JavaScript. ``progress(what)`` (set by the worker) reports the
phase of long work, so the page can say what it is waiting for.

Methods:
- ``load(text, layout)``: compile a program; on success it replaces the session.
  Returns the scene without the frames' text (``layout=False`` leaves the layout out
  too, for a program the page has already drawn).
- ``act(name, args)``: one stepper action (engine.session.Session.act).
- ``frames(start, count)``: the text of frames ``start .. start+count-1`` of the
  current timeline, with the timeline's version.

Keep the imports light: everything imported here adds to the worker's start-up.
"""

import json
import traceback

from engine.errors import ProgramError
from engine.session import Session

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
    from engine.scene import scene

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


_METHODS = {"load": _load, "act": _act, "frames": _frames}


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
