"""gradstep in a notebook: ``show(value)`` draws a ``Value`` graph with the page's own
graph view and step controls, and steps it in the notebook's Python kernel.

    from gradstep import Value, show
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    L = (a * b).tanh(); L.label = "L"
    show(L)                 # step forward and backward by clicks, nudge, undo

It is an anywidget (``pip install gradstep[widget]``): one widget works in Jupyter,
JupyterLab, Colab and VS Code, and its JavaScript ships in the package (web/graph/ and web/notebook/,
read by gradstep/notebook/assets.py), so it works offline. The view (web/notebook/widget.js)
steps with the page's own Stepper (web/graph/stepper.js): moves, undo and freezing
happen there; the kernel computes only what needs Python, the timeline of a nudge's
or an edit's new leaf values (``{kind: "timeline", version, leaves}``). After every
action the view says what it shows (``{kind: "state", state, change}``): the widget's
``Session`` follows it, so ``gradients``, ``write_back()`` and ``link`` are what is on
screen. ``act(...)`` called from Python runs that ``Session`` and the views follow.
``write_back()`` (or the widget's **Write back** button) sets the notebook's
``Value``s to the leaves' values after nudges. ``auto_show()`` makes a bare ``L`` at
the end of a cell show itself.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import replace

from gradstep.core.errors import ProgramError
from gradstep.notebook.assets import web_file
from gradstep.program.from_graph import program_and_leaves, share_link
from gradstep.program.scene import scene
from gradstep.program.session import HISTORY_LIMIT, Session, State
from gradstep.program.timeline import Timeline
from gradstep.program.writer import program_with

try:  # the widget's own dependency: pip install "gradstep[widget]"
    import anywidget
    import traitlets
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError("the notebook widget needs anywidget: pip install 'gradstep[widget]'") from error

ENTRY = "notebook/widget.js"
# A relative import of another web module: `from "./scene.js"`, `from "../graph/scene.js"`.
_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*)(["'])(\.{1,2}/[\w./-]+\.js)\2""")

# Where the page is served, for the widget's "Open in gradstep" link; "" (no page
# known): the widget shows no link, and ``widget.link`` is the fragment alone.
DEFAULT_BASE = ""


def _resolve(importer: str, spec: str) -> str:
    """The web/ path that ``spec`` (relative) names, imported from ``importer``."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))


def _module_closure(entry: str = ENTRY) -> dict[str, str]:
    """The web modules ``entry`` imports, directly or not: path -> source, each relative
    import written as the path it names, quoted with a ``gs:`` mark."""
    sources: dict[str, str] = {}
    todo = [entry]
    while todo:
        name = todo.pop()
        if name in sources:
            continue
        text = web_file(name)
        deps = [_resolve(name, m.group(3)) for m in _IMPORT.finditer(text)]
        marked = lambda m, n=name: f"{m.group(1)}{m.group(2)}gs:{_resolve(n, m.group(3))}{m.group(2)}"  # noqa: E731
        sources[name] = _IMPORT.sub(marked, text)
        todo.extend(deps)
    return sources


def bundle(entry: str = ENTRY) -> str:
    """One ES module for anywidget's ``_esm``: the page's modules, each made a blob URL
    with its relative imports pointed at the others' URLs (anywidget loads ``_esm``
    itself from a blob, so relative paths have nothing to resolve against). No build
    step and no bundler: the files are the page's own, as served."""
    sources = _module_closure(entry)
    return (
        "// gradstep's notebook widget: the page's modules (web/), loaded from blob URLs.\n"
        f"const SOURCES = {json.dumps(sources)};\n"
        "const IMPORT = /([\"'])gs:([\\w./-]+\\.js)\\1/g;\n"
        "const urls = new Map();\n"
        "function url(name) {\n"
        "  if (!urls.has(name)) {\n"
        "    const text = SOURCES[name].replace(IMPORT, (m, q, dep) => `${q}${url(dep)}${q}`);\n"
        "    urls.set(name, URL.createObjectURL(new Blob([text], { type: 'text/javascript' })));\n"
        "  }\n"
        "  return urls.get(name);\n"
        "}\n"
        f"const mod = await import(url({json.dumps(entry)}));\n"
        "export default mod.default;\n"
    )


def _css() -> str:
    """graph.css nested under .gs-theme, so nothing in it reaches the notebook around
    the widget (anywidget puts ``_css`` in the notebook's <head>): its ``:root`` colours
    become the widget root's own (``&``), its class rules apply only inside it. Then
    the widget's own bar (widget.css, already under .gs-widget)."""
    graph = (web_file("graph/graph.css")
             .replace(":root, .gs-theme {", "& {")
             .replace(".gs-theme, .gs-theme *", "&, & *")
             .replace(".gs-theme [hidden]", "& [hidden]"))
    code = re.sub(r"/\*.*?\*/", "", graph, flags=re.S)
    if ":root" in code or ".gs-theme" in code:  # (a selector these replacements missed)
        raise RuntimeError("graph.css has a :root or .gs-theme selector gradstep/notebook/widget.py does not scope")
    return ".gs-theme {\n" + graph + "\n}\n" + web_file("notebook/widget.css")


class GraphWidget(anywidget.AnyWidget):
    """A gradstep graph in a notebook cell, stepped in the kernel."""

    _esm = bundle()
    _css = _css()
    scene = traitlets.Dict().tag(sync=True)  # the scene to start from (gradstep.program.scene)
    link = traitlets.Unicode("").tag(sync=True)  # the page's share link for what is shown

    def __init__(self, source, *, base: str = DEFAULT_BASE, **kwargs):
        """``source``: a ``Value`` (engine's or micrograd-style) or a program's text."""
        if isinstance(source, str):
            text, self.values = source, {}
        else:
            text, self.values = program_and_leaves(source)
        self.base = base
        self.session = Session(text, frames=True)
        # Numbers Python made (the 2 of 2 * x, micrograd's -1 in a - b, a target) are
        # leaves with no label: frozen, so a nudge moves only the learner's own values.
        tape = self.session.tape
        made = {tape.names[name] for name, node in self.values.items() if not getattr(node, "label", "")}
        self.session.state = replace(self.session.state, frozen=frozenset(made))
        # The timelines the views may show, by version: the Session's and those a view asked for.
        self._timelines = {self.session.state.version: self.session.timeline}
        super().__init__(**kwargs)
        first = {**scene(self.session, layout=True), "leaf_info": self._leaf_info()}
        self._layout = first["layout"]
        self.scene = first  # (what a view starts from; it then asks for the current one)
        self.link = self._link()
        self.on_msg(self._on_msg)

    # -- steps called from Python (the views step by themselves) -------------
    def act(self, action: str, **args) -> dict:
        """One step (``Session.act``) from Python; the views follow its reply."""
        try:
            reply = self.session.act(action, **args)
        except ProgramError as error:  # a nudge or an edit left an op's domain
            self.send({"kind": "error", "message": str(error)})
            raise
        self._timelines[self.session.state.version] = self.session.timeline
        self.link = self._link()
        self.send({"kind": "reply", "action": action, "reply": reply})
        return reply

    def current_scene(self) -> dict:
        """What is shown now, for a view drawn after steps were taken (a cell shown
        again, a reloaded notebook): it asks on render. (Not kept in the ``scene``
        trait: that would send the whole timeline to the notebook on every click.)"""
        return {**scene(self.session, layout=False), "layout": self._layout, "leaf_info": self._leaf_info()}

    def _leaf_info(self) -> list[dict]:
        """Each named leaf's label and place, in the timeline's order (the view's notes
        and errors name a leaf with them)."""
        tape = self.session.tape
        return [{"label": tape.labels[i], "line": tape.locs[i][0], "col": tape.locs[i][1]}
                for i in tape.leaf_indices()]

    # -- what a view asks of Python -----------------------------------------
    def _timeline(self, leaves) -> dict:
        """The timeline of new leaf values (reprs, in the order of ``timeline.leaves``),
        numbered after every version made so far. A domain error raises ProgramError."""
        s = self.session
        indices = s.tape.leaf_indices()
        if len(leaves) != len(indices):
            raise ValueError(f"expected {len(indices)} leaf values, not {len(leaves)}")
        start = list(s.tape.init)
        for i, value in zip(indices, leaves, strict=True):
            start[i] = float(value)
        timeline = Timeline(s.tape, start)
        s._versions += 1
        version = s._versions
        self._timelines[version] = timeline
        text = program_with(s.tape, start)
        return {"kind": "timeline", "program": "\ufeff" + text if s.text.startswith("\ufeff") else text,
                "timeline": {**timeline.to_dict(version, structure=False), "frames": timeline.frames}}

    def _view_state(self, state: dict, change: str | None) -> None:
        """What a view shows after an action of its own: the Session follows it (and its
        undo history, pushed or popped as the view's was)."""
        s = self.session
        version = int(state["timeline_version"])
        if version not in self._timelines:
            raise ValueError(f"the kernel made no timeline {version}")
        new = State(timeline=self._timelines[version], version=version, position=int(state["position"]),
                    frozen=frozenset(int(i) for i in state.get("frozen") or ()),
                    nudges=tuple(state.get("nudges") or ()),
                    last=None if state.get("current") is None else int(state["current"]),
                    ran=state.get("phase") != "start")
        if change == "pop":
            if s.history:
                s.history.pop()
        elif change == "push":
            s.history.append(s.state)
            del s.history[:-HISTORY_LIMIT]
        s.state = new
        self.link = self._link()

    def write_back(self) -> int:
        """Set the notebook's ``Value``s (the leaves ``show`` was given) to the values
        on screen; returns how many changed."""
        start = self.session.timeline.start
        tape = self.session.tape
        changed = 0
        for i in tape.leaf_indices():
            original = self.values.get(tape.labels[i])
            if original is not None and original.data != start[i]:
                original.data = start[i]
                changed += 1
        return changed

    @property
    def gradients(self) -> dict:
        """Each named leaf's gradient as shown: ``{}`` until the backward pass is done."""
        s = self.session
        if s.phase != "backward-done":
            return {}
        return {s.tape.labels[i]: s.timeline.grads[i] for i in s.tape.leaf_indices()}

    def _link(self) -> str:
        """The page's share link for what is shown (the fragment alone without a base)."""
        s = self.session
        frozen = [s.tape.labels[i] for i in sorted(s.state.frozen)]
        return share_link(s.program_text(), base=self.base, frozen=frozen)

    def _on_msg(self, _widget, content, _buffers):
        kind = content.get("kind")
        try:
            if kind == "timeline":
                try:
                    self.send(self._timeline(list(content["leaves"])))
                except ProgramError as error:  # the new values leave an op's domain: nothing changes
                    self.send({"kind": "error", "message": str(error)})
            elif kind == "state":
                self._view_state(dict(content["state"]), content.get("change"))
            elif kind == "view":
                self.send({"kind": "scene", "scene": self.current_scene()})
            elif kind == "write_back":
                n = self.write_back()
                message = f"Wrote {n} value{'s' * (n != 1)} back to the notebook's Values."
                self.send({"kind": "note", "message": message})
            else:
                raise ValueError(f"the kernel does not know the message {kind!r}")
        except (KeyError, TypeError, ValueError) as error:
            self.send({"kind": "error", "message": f"could not do that: {error}"})


def show(value, *, base: str = DEFAULT_BASE) -> GraphWidget:
    """The interactive graph of ``value`` (a ``Value`` or a program's text)."""
    return GraphWidget(value, base=base)


def auto_show(cls=None, on: bool = True) -> None:
    """Make a bare ``Value`` at the end of a cell show as the widget (``cls``: the
    class to hook, ``gradstep.Value`` by default; micrograd's works too)."""
    if cls is None:
        from gradstep.core.value import Value as cls
    if on:
        cls._repr_mimebundle_ = lambda self, **kw: GraphWidget(self)._repr_mimebundle_(**kw)
    elif "_repr_mimebundle_" in cls.__dict__:
        del cls._repr_mimebundle_
