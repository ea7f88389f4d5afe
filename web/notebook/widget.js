// The notebook widget's view (anywidget: `export default {render}`): the page's own
// graph view (GraphView, the store, the renderers) with a small bar of step controls,
// in a notebook cell. It steps as the page does, with the page's Stepper
// (web/graph/stepper.js): every move, undo and freeze is decided here, and the
// kernel (engine/gradstep/notebook/widget.py) is asked only for what needs Python.
//
// To the kernel:   {kind: "timeline", version, leaves}  the timeline of a nudge's or
//                                                        an edit's new leaf values
//                  {kind: "state", state, change}        after every action: what is
//                     shown ("push" | "pop" | null: what it did to the undo history),
//                     so w.gradients, w.write_back() and w.link are what is on screen
//                  {kind: "view"}                        a view drawn: the current scene?
//                  {kind: "write_back"}
// From the kernel: {kind: "timeline", timeline, program} | {kind: "error", message}
//                  {kind: "scene", scene}                 (answers "view")
//                  {kind: "reply", action, reply}         w.act(...) called from Python
//                  {kind: "note", message}
// A view starts from the model's `scene` trait (the scene the widget was made with)
// and asks the kernel for the current one, so a view drawn after steps shows them.
//
// Nothing here touches the notebook's document outside `el`: the styles are graph.css
// under .gs-theme plus the few rules below (gradstep/notebook/widget.py sends both as _css).

import { GraphView } from "../graph/graph-view.js";
import { describeStep, fmtGraph, formulaSegments } from "../graph/scene.js";
import { Store } from "../graph/store.js";
import { Stepper } from "../graph/stepper.js";

const BUTTONS = [
  ["forward_step", "Forward step", "forward-step"],
  ["forward_all", "Forward all", "forward-all"],
  ["backward_step", "Backward step", "backward-step"],
  ["backward_all", "Backward all", "backward-all"],
  ["undo", "Undo", "undo"],
  ["reset", "Reset", "reset"],
];

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/** The widget's elements (the same parts the page has, found by reference, not id). */
function buildDom(el) {
  const root = h("div", { class: "gs-theme gs-widget", "data-testid": "gs-widget" });
  const bar = h("div", { class: "gs-bar", role: "toolbar", "aria-label": "Step through the graph" });
  const buttons = {};
  for (const [action, label, testid] of BUTTONS) {
    buttons[action] = h("button", { type: "button", "data-testid": testid, "data-action": action, text: label });
    bar.append(buttons[action]);
  }
  const rate = h("input", { type: "number", value: "0.01", step: "any", min: "0", "data-testid": "nudge-rate",
    "aria-label": "Nudge rate", class: "gs-rate" });
  const direction = h("select", { "data-testid": "nudge-direction", "aria-label": "Nudge direction" },
    h("option", { value: "descend", text: "descend" }), h("option", { value: "ascend", text: "ascend" }));
  buttons.nudge = h("button", { type: "button", "data-testid": "nudge", "data-action": "nudge", text: "Nudge" });
  const writeBack = h("button", { type: "button", "data-testid": "write-back", text: "Write back",
    title: "Set the notebook's Values to the leaves' values shown here" });
  const link = h("a", { "data-testid": "open-page", target: "_blank", rel: "noopener", text: "Open in gradstep" });
  bar.append(h("span", { class: "gs-nudge" }, h("span", { class: "gs-muted", text: "rate" }), rate, direction, buttons.nudge),
    writeBack, link);
  const status = h("p", { class: "gs-status", "data-testid": "status", "data-phase": "start", role: "status" });
  const formula = h("p", { class: "gs-formula", "data-testid": "frame-text" });
  const sentence = h("p", { class: "gs-sentence", "data-testid": "step-sentence" });
  const message = h("p", { class: "gs-message", "data-testid": "error", role: "alert", hidden: "" });
  const note = h("p", { class: "gs-note", "data-testid": "note", role: "status" });
  const dom = {
    host: h("div", { class: "graph-host", tabindex: "0", role: "region", "data-testid": "graph-host",
      "aria-label": "Computation graph: arrow keys pan; Tab goes on to the leaves" }),
    empty: h("p", { class: "graph-empty", text: "Loading the graph…" }),
    minimap: h("canvas", { class: "minimap", hidden: "", role: "img", "aria-label": "Overview map" }),
    panHint: h("p", { class: "pan-hint", hidden: "", text: "Drag to pan · wheel or pinch to zoom" }),
    follow: h("button", { type: "button", "aria-pressed": "false", text: "Follow" }),
    leafKeys: h("div", { class: "leaf-keys", role: "group", "aria-label": "Leaves: Enter freezes, E edits", hidden: "" }),
    focusRing: h("div", { class: "focus-ring", hidden: "" }),
    editor: h("input", { type: "text", class: "leaf-editor", hidden: "", inputmode: "decimal" }),
    themeRoot: root,
  };
  const fit = h("button", { type: "button", text: "Fit", "aria-label": "Fit to the view" });
  const zoom = h("div", { class: "zoom", role: "group", "aria-label": "Zoom" }, fit, dom.follow);
  const wrap = h("div", { class: "graph-wrap gs-graph" }, dom.host, dom.focusRing, dom.panHint, dom.minimap,
    dom.empty, zoom, dom.leafKeys, dom.editor);
  root.append(bar, status, formula, sentence, message, note, wrap);
  el.append(root);
  return { root, bar, buttons, rate, direction, writeBack, link, status, formula, sentence, message, note, fit, dom };
}

function statusText(s) {
  const st = s.scene.state;
  const tl = s.scene.timeline;
  const p = st.position;
  const out = s.labelOf(tl.output);
  switch (st.phase) {
    case "start": return `Start: only the leaves have values (${s.ix.F} forward and ${s.ix.B} backward steps to go).`;
    case "forward": return `Forward pass: step ${p} of ${s.ix.F}.`;
    case "forward-done": return `Forward pass done: ${out} = ${fmtGraph(tl.values[tl.output])}.`;
    case "backward": return `Backward pass: step ${p - s.ix.F} of ${s.ix.B}.`;
    case "backward-done": return `Backward pass done: every gradient of ${out} is known.`;
    default: return st.phase;
  }
}

function render({ model, el }) {
  const ui = buildDom(el);
  const store = new Store();
  let stepper = null;
  let waiting = null; // {name, asked, stepper}: an action waiting for the kernel's timeline
  const say = (text) => {
    ui.message.textContent = text;
    ui.message.hidden = !text;
  };
  const setBusy = (on) => {
    if (on) ui.root.dataset.busy = "true";
    else delete ui.root.dataset.busy;
  };
  const refused = (e) => say(e.line != null ? `line ${e.line}, col ${e.col}: ${e.message}` : e.message);
  /** A Stepper's answer to the store and to the kernel (what is shown, for w.gradients and w.link). */
  const shown = (reply, history) => {
    say("");
    ui.note.textContent = "";
    store.applyReply({ state: reply.state, timeline: reply.timeline ?? null, program: reply.program ?? null, note: reply.note });
    const change = stepper.history.length > history ? "push" : stepper.history.length < history ? "pop" : null;
    model.send({ kind: "state", state: reply.state, change });
    setLink();
  };
  const send = (action, args = {}) => {
    if (waiting || !stepper) return;
    const history = stepper.history.length;
    let reply;
    try {
      reply = stepper.act(action, args);
    } catch (e) {
      return refused(e);
    }
    if (!reply.need) return shown(reply, history);
    waiting = { reply, history, stepper };
    setBusy(true);
    model.send({ kind: "timeline", ...reply.need });
  };
  const view = new GraphView(store, {
    onToggle: (i) => send("toggle_freeze", { node: i }),
    onSetLeaf: (i, value) => send("set_leaf", { node: i, value }),
    onInspect: () => {},
    toast: say,
  }, ui.dom);

  store.subscribe((s, changed) => {
    if (!s.scene) return;
    const st = s.scene.state;
    ui.status.dataset.phase = st.phase;
    ui.status.textContent = statusText(s);
    const frame = st.position > 0 ? s.frames.get(st.position - 1) : null;
    ui.formula.textContent = formulaSegments(frame).map((seg) => seg.text).join("");
    ui.sentence.textContent = (s.note ? s.note + " " : "") + describeStep(s.scene.timeline, s.ix, st.position, s.labelOf);
    if (changed.has("program") || changed.has("scene")) setLink();
  });

  for (const [action, b] of Object.entries(ui.buttons)) {
    b.addEventListener("click", () => {
      if (action !== "nudge") return send(action);
      const rate = Number(ui.rate.value);
      if (!(rate > 0)) return say("The nudge rate is a positive number, like 0.01.");
      return send("nudge", { rate, direction: ui.direction.value });
    });
  }
  ui.writeBack.addEventListener("click", () => model.send({ kind: "write_back" }));
  ui.fit.addEventListener("click", () => view.fit());
  ui.dom.follow.addEventListener("click", () => view.toggleFollow());

  // "Open in gradstep" only when the kernel knows where the page is (show(..., base=)).
  function setLink() {
    const link = model.get("link") || "";
    ui.link.hidden = !link || link.startsWith("#");
    ui.link.href = link || "#";
  }

  const onMessage = (msg) => {
    if (msg.kind === "timeline" || msg.kind === "error") { // (answers to a "timeline")
      const w = waiting;
      waiting = null;
      setBusy(false);
      if (msg.kind === "error") return say(msg.message);
      if (w && w.stepper === stepper) shown(w.reply.finish(msg), w.history);
    } else if (msg.kind === "reply") {
      // w.act(...) in Python: its Session did it; this view follows (an undo is ours too).
      if (!stepper) return;
      say("");
      ui.note.textContent = "";
      const reply = msg.action === "undo" ? stepper.act("undo") : { state: stepper.record(msg.reply), note: msg.reply.note,
        timeline: msg.reply.timeline ? stepper.tl : null, program: msg.reply.program };
      store.applyReply({ ...reply, timeline: reply.timeline ?? null, program: reply.program ?? null });
      setLink();
    } else if (msg.kind === "scene") {
      say("");
      stepper = new Stepper(msg.scene);
      store.setScene(msg.scene);
    } else if (msg.kind === "note") {
      say("");
      ui.note.textContent = msg.message;
    }
  };
  model.on("msg:custom", onMessage);
  const scene = model.get("scene");
  const start = () => {
    view.setTheme(); // (the colours of the widget's root, now that it is in the page)
    if (scene && scene.timeline) {
      const mine = structuredClone(scene);
      stepper = new Stepper(mine);
      store.setScene(mine);
    }
    setLink();
    ui.root.dataset.ready = "true";
    // The trait holds the scene the widget was made with; steps taken since (before
    // this view was drawn) come with the kernel's current scene.
    model.send({ kind: "view" });
  };
  // JupyterLab calls render before `el` is in the document (no size yet): the graph is
  // laid out once its area has a width, or it would be fitted to a 1 x 1 view.
  let sized = null;
  if (ui.dom.host.clientWidth > 0) start();
  else {
    sized = new ResizeObserver(() => {
      if (ui.dom.host.clientWidth === 0) return;
      sized.disconnect();
      sized = null;
      start();
    });
    sized.observe(ui.dom.host);
  }
  return () => {
    sized?.disconnect();
    model.off("msg:custom", onMessage);
    view.viewport?.el?.remove?.();
  };
}

export default { render };
