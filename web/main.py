"""PyScript glue: the engine's Session behind a tiny JSON bridge on ``window``.

JS calls ``window.gradstepPy.load(text)`` and ``window.gradstepPy.act(name, argsJson)``
and gets JSON strings back (``JSON.parse`` on the JS side): plain strings cross the
FFI fast and leave no proxies to leak. Every reply is ``{"ok": true, ...}`` or
``{"ok": false, "error": {"line", "col", "message"}}``; nothing raises into JS.
Keep this file tiny: everything it imports adds to the page's start-up time.
"""

import json
import traceback

from pyscript import window
from pyscript.ffi import create_proxy, to_js

from engine.errors import ProgramError
from engine.session import Session

_session = None


def _fail(message, line=None, col=None):
    return json.dumps({"ok": False, "error": {"line": line, "col": col, "message": message}})


def _internal(where):
    window.console.error(f"gradstep: {where} failed\n{traceback.format_exc()}")
    return _fail(f"internal error in the engine ({where}); see the browser console")


def load(text, layout=True):
    """Compile a program; on success it replaces the current session.

    ``layout=False`` leaves the layout out (the page already drew this program from
    web/build/default-scene.json), which keeps the layout code out of start-up.
    """
    global _session
    try:
        session = Session(str(text))
        scene = session.scene(layout=bool(layout))
    except ProgramError as e:
        return _fail(e.message, e.line, e.col)
    except Exception:
        return _internal("load")
    _session = session
    return json.dumps({"ok": True, "scene": scene})


def act(name, args_json="{}"):
    """Do one action on the current session; the state is unchanged on an error."""
    if _session is None:
        return _fail("no program is loaded")
    try:
        reply = _session.act(str(name), **json.loads(str(args_json) or "{}"))
    except ProgramError as e:
        return _fail(e.message, e.line, e.col)
    except (TypeError, ValueError) as e:  # a bad action name or argument
        window.console.warn(f"gradstep: {name} refused: {e}")
        return _fail(str(e))
    except Exception:
        return _internal(str(name))
    reply["ok"] = True
    return json.dumps(reply)


window.gradstepPy = to_js(
    {"load": create_proxy(load), "act": create_proxy(act)}
)
window.dispatchEvent(window.Event.new("gradstep:py-ready"))
