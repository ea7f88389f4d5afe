// The controller: boots the page, keeps the scene (layout + timeline + state),
// calls the Python bridge for every action and redraws what changed.
//
// Start-up: draw web/build/default-scene.json at once (no Python needed to show a
// graph), then start PyScript; when web/main.py has put window.gradstepPy up, load
// the editor's program through it and set body[data-ready=true].

import { buildModel, readTheme } from "./geometry.js";
import {
  describeStep, fmt, formulaSegments, hashForProgram, indexTimeline, makeLabelOf, parseHash,
} from "./scene.js";
import { SvgGraph } from "./render-svg.js";
import { CanvasGraph } from "./render-canvas.js";
import { Viewport } from "./viewport.js";
import { Minimap } from "./minimap.js";
import { drawNudgePlot } from "./plot.js";
import { download, svgToPng, toDot, toSvg } from "./export.js";
import { bindShortcuts, fillHelp } from "./keys.js";

/** Above this many value nodes the graph is drawn on a canvas (no per-node elements). */
export const BIG_GRAPH = 2000;

const $ = (id) => document.getElementById(id);
const dom = {
  body: document.body,
  program: $("program"),
  gutter: $("gutter"),
  run: $("run"),
  engineStatus: $("engine-status"),
  error: $("error"),
  about: $("about"),
  examples: $("examples"),
  host: $("graph-host"),
  empty: $("graph-empty"),
  status: $("status"),
  frameText: $("frame-text"),
  sentence: $("step-sentence"),
  inspect: $("inspect"),
  seek: $("seek"),
  seekOut: $("seek-out"),
  play: $("play"),
  speed: $("speed"),
  rate: $("nudge-rate"),
  direction: $("nudge-direction"),
  nudge: $("nudge"),
  plot: $("nudge-plot"),
  nudgeSummary: $("nudge-summary"),
  leafEditor: $("leaf-editor"),
  minimap: $("minimap"),
  panHint: $("pan-hint"),
  follow: $("follow"),
  leafKeys: $("leaf-keys"),
  focusRing: $("focus-ring"),
  help: $("help"),
  toast: $("toast"),
  note: $("step-note"),
  announce: $("announce"),
  fullNumbers: $("full-numbers"),
  reason: $("controls-reason"),
  linkNote: $("link-note"),
};

const app = {
  bridge: null, // window.gradstepPy once Python is up
  scene: null, // {program, layout, timeline, state}
  model: null, // geometry of the layout
  ix: null, // lookups over the timeline
  labelOf: (i) => "n" + i,
  renderer: null,
  viewport: null,
  theme: readTheme(),
  examples: [],
  lastNudges: null,
  lastCurrent: null,
  playTimer: null,
  errorKind: null, // "program" | "action"
};
window.gradstep = app; // for the console and the tests (app.drawScene draws a scene without Python)

// ------------------------------------------------------------------ drawing

app.drawScene = (scene) => drawScene(scene);

function drawScene(scene) {
  const sameLayout = app.scene && app.scene.program === scene.program &&
    app.scene.layout.nodes.length === scene.layout.nodes.length;
  app.scene = scene;
  if (!sameLayout) {
    app.model = buildModel(scene.layout);
    const big = app.model.values.length > BIG_GRAPH;
    const Kind = big ? CanvasGraph : SvgGraph;
    if (!(app.renderer instanceof Kind)) {
      app.renderer?.destroy();
      app.renderer = new Kind(dom.host, {
        onLeafToggle: (i) => doAction("toggle_freeze", { node: i }),
        onLeafEdit: openLeafEditor,
        onInspect: inspectNode,
      });
    }
    dom.body.dataset.big = String(big);
    // The SVG itself is no Tab stop: the graph host is (arrow keys pan), then the leaves.
    app.renderer.svg?.setAttribute("tabindex", "-1");
    setTimeline(scene.timeline, true);
    app.minimap.setModel(app.model, app.theme);
    // A graph too wide to read when fitted opens at a readable size at its left end
    // (the leaves), following the steps; "Fit" shows the whole, the map jumps anywhere.
    const tooBig = app.viewport.tooBigToFit(app.model.bounds);
    setFollow(tooBig);
    app.viewport.fit(app.model.bounds, { readable: true });
    showPanHint(tooBig);
    fillLeafKeys(big);
    app.lastNudges = null;
  } else {
    setTimeline(scene.timeline, false);
  }
  dom.empty.hidden = true;
  render();
}

function setTimeline(tl, rebuild) {
  app.scene.timeline = tl;
  app.ix = indexTimeline(tl);
  app.labelOf = makeLabelOf(app.scene.layout, app.ix);
  if (rebuild) app.renderer.setScene(app.model, tl, app.ix, app.theme);
  else app.renderer.setTimeline(tl, app.ix);
}

/** Redraw everything that depends on the state (cheap: the renderer diffs). */
function render() {
  const { scene, ix } = app;
  if (!scene) return;
  const st = scene.state;
  const tl = scene.timeline;
  const p = st.position;
  const phase = st.phase;
  app.renderer.update({ position: p, current: st.current, frozen: new Set(st.frozen || []) });

  dom.status.dataset.phase = phase;
  dom.body.dataset.phase = phase;
  dom.status.textContent = statusText(phase, p);
  const frame = p > 0 ? tl.frames[p - 1] : null;
  drawFormula(frame);
  dom.sentence.textContent = describeStep(tl, ix, p, app.labelOf);

  dom.seek.max = String(ix.total);
  dom.seek.value = String(p);
  dom.seekOut.textContent = `${p} / ${ix.total}`;
  // Not aria-disabled: undo with nothing to undo is a harmless no-op, and stays clickable.
  document.querySelector('[data-testid="undo"]').dataset.canUndo = String(!!st.can_undo);

  if (st.current != null && st.current !== app.lastCurrent) {
    const box = app.renderer.nodeBox(st.current);
    if (box && app.follow) app.viewport.centerOn(box.x + box.width / 2, box.y + box.height / 2);
    else if (box) app.viewport.ensureVisible(box);
  }
  app.lastCurrent = st.current;
  updateMinimap();

  const nudges = st.nudges || [];
  const key = nudges.length + ":" + (nudges.length ? nudges[nudges.length - 1].after : "");
  if (key !== app.lastNudges) {
    app.lastNudges = key;
    drawNudgePlot(dom.plot, nudges);
    dom.nudgeSummary.textContent = nudgeSummary(nudges);
  }
  if (app.inspected != null) inspectNode(app.inspected);
  if (app.playTimer && phase === "backward-done") stopPlay();
}

/**
 * The step's formula: numbers short (as the graph shows them), each with its full
 * repr on hover and focus, or all in full with "Full numbers"; the upstream gradient
 * and the local derivative of each chain-rule term are marked as such.
 */
function drawFormula(frame) {
  dom.frameText.hidden = !frame;
  dom.fullNumbers.hidden = !frame;
  if (!frame) {
    dom.frameText.replaceChildren();
    return;
  }
  const full = dom.fullNumbers.getAttribute("aria-pressed") === "true";
  const parts = formulaSegments(frame, { full });
  const out = document.createDocumentFragment();
  for (const seg of parts) {
    if (seg.kind === "text") {
      out.append(seg.text);
      continue;
    }
    const span = document.createElement("span");
    span.className = "f-" + seg.kind;
    span.textContent = seg.text;
    if (seg.kind === "num") {
      span.title = seg.full;
      span.dataset.full = seg.full;
    } else {
      // A tag under the symbol says which factor of the chain rule it is.
      span.dataset.tag = seg.kind === "up" ? "upstream" : "local";
      span.title = seg.kind === "up"
        ? "upstream gradient: how the output changes with this consumer (already known)"
        : "local derivative: how this one operation's result changes with its input";
    }
    out.append(span);
  }
  dom.frameText.replaceChildren(out);
  dom.frameText.dataset.text = frame.text;
}

function statusText(phase, p) {
  const { ix, scene } = app;
  const out = scene.timeline.values[scene.timeline.output];
  const outName = app.labelOf(scene.timeline.output);
  switch (phase) {
    case "start": return `Start: only the leaves have values (${ix.F} forward and ${ix.B} backward steps to go).`;
    case "forward": return `Forward pass: step ${p} of ${ix.F}.`;
    case "forward-done": return `Forward pass done: ${outName} = ${fmt(out)}.`;
    case "backward": return `Backward pass: step ${p - ix.F} of ${ix.B}.`;
    case "backward-done": return `Backward pass done: every gradient of ${outName} is known.`;
    default: return phase;
  }
}

function nudgeSummary(nudges) {
  if (!nudges.length) return "";
  const n = nudges[nudges.length - 1];
  const sign = (x) => (x > 0 ? "+" : "") + fmt(String(x));
  return `Nudge ${nudges.length} (${n.direction}, rate ${n.rate}): output ${fmt(String(n.before))} → ${fmt(String(n.after))}. ` +
    `The gradient predicted ${sign(n.predicted)}; the actual change was ${sign(n.actual)}.`;
}

function inspectNode(i) {
  app.inspected = i;
  if (i == null || !app.scene || i >= app.ix.n) {
    dom.inspect.textContent = "";
    return;
  }
  const { scene, ix } = app;
  const tl = scene.timeline;
  const p = scene.state.position;
  const v = ix.fwdAt[i] <= p ? tl.values[i] : "not computed yet";
  const g = ix.bwdAt[i] >= 0 && ix.bwdAt[i] <= p ? tl.grads[i] : "not computed yet";
  const kind = ix.leaves.has(i) ? "leaf" : ix.fwdAt[i] === 0 ? "constant" : "node";
  // The layout's one-line "about" (what the node is, made-up names explained) when it has one.
  const about = app.model?.byId.get("n" + i)?.about;
  dom.inspect.textContent = `${about || kind + " " + app.labelOf(i)}: data = ${v}, grad = ${g}`;
}

// ------------------------------------------------------------------ the view

/** The overview map: shown while part of the graph is off screen. */
function updateMinimap() {
  if (!app.model) return;
  const all = app.viewport.showsAll(app.model.bounds);
  dom.minimap.hidden = all;
  if (all) return;
  const cur = app.scene?.state.current;
  app.minimap.update(app.viewport.visibleRect(), cur != null ? app.renderer.nodeBox(cur) : null);
}

/** Follow mode: the view keeps the current step's node in the middle, at a readable size. */
function setFollow(on) {
  app.follow = on;
  dom.follow.setAttribute("aria-pressed", String(on));
}

function toggleFollow() {
  setFollow(!app.follow);
  if (!app.follow || !app.model) return;
  const cur = app.scene.state.current;
  const box = cur != null ? app.renderer.nodeBox(cur) : app.renderer.nodeBox(app.scene.timeline.output);
  if (box) app.viewport.centerOn(box.x + box.width / 2, box.y + box.height / 2, Math.max(1, app.viewport.t.k));
}

/** The whole graph on screen: following the step would move it off again. */
function fitAll() {
  setFollow(false);
  app.viewport.fit();
}

/** A graph larger than the view says how to move around it, until the first drag. */
let panHintTimer = 0;
function showPanHint(on) {
  clearTimeout(panHintTimer);
  dom.panHint.hidden = !on;
  dom.host.classList.toggle("pannable", on);
  if (on) panHintTimer = setTimeout(() => (dom.panHint.hidden = true), 8000);
}

/**
 * Keyboard access to the leaves of a canvas-drawn graph (above BIG_GRAPH value nodes
 * there are no per-node elements): one button per leaf after the graph in Tab order;
 * focusing one brings its node into view and rings it; Enter freezes, E edits.
 */
const LEAF_KEYS_MAX = 5000;
function fillLeafKeys(big) {
  dom.leafKeys.replaceChildren();
  dom.leafKeys.hidden = !big;
  if (!big) return;
  const frag = document.createDocumentFragment();
  let n = 0;
  for (const i of app.ix.leaves) {
    if (n++ >= LEAF_KEYS_MAX) break;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "leaf-key";
    b.dataset.leaf = String(i);
    b.textContent = app.labelOf(i);
    frag.append(b);
  }
  dom.leafKeys.append(frag);
}

function ringNode(i) {
  const box = i != null ? app.renderer.nodeBox(i) : null;
  dom.focusRing.hidden = !box;
  if (!box) return;
  app.viewport.ensureVisible(box);
  const { k, x, y } = app.viewport.t;
  Object.assign(dom.focusRing.style, {
    left: `${box.x * k + x - 3}px`, top: `${box.y * k + y - 3}px`,
    width: `${box.width * k + 6}px`, height: `${box.height * k + 6}px`,
  });
}

function wireView() {
  app.minimap = new Minimap(dom.minimap, (gx, gy) => {
    setFollow(false);
    app.viewport.centerOn(gx, gy);
  });
  app.viewport.onUserMove = () => {
    setFollow(false);
    dom.panHint.hidden = true;
  };
  dom.follow.addEventListener("click", toggleFollow);
  // Tab to a leaf off screen: the view follows the focus.
  dom.host.addEventListener("focusin", (e) => {
    const g = e.target.closest?.("[data-node-id]");
    if (!g) return;
    const box = app.renderer.nodeBox(parseInt(g.getAttribute("data-node-id").slice(1), 10));
    if (box) app.viewport.ensureVisible(box);
  });
  // The graph focused: arrow keys pan, +/- zoom (before the global shortcuts see them).
  const PAN = 60;
  dom.host.addEventListener("keydown", (e) => {
    if (e.target !== dom.host || e.altKey || e.ctrlKey || e.metaKey) return;
    const step = e.shiftKey ? PAN * 4 : PAN;
    const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    setFollow(false);
    app.viewport.panBy(m[0], m[1]);
  });
  dom.leafKeys.addEventListener("focusin", (e) => {
    const b = e.target.closest(".leaf-key");
    if (b) {
      ringNode(Number(b.dataset.leaf));
      inspectNode(Number(b.dataset.leaf));
    }
  });
  dom.leafKeys.addEventListener("focusout", () => (dom.focusRing.hidden = true));
  dom.leafKeys.addEventListener("keydown", (e) => {
    const b = e.target.closest(".leaf-key");
    if (!b) return;
    const i = Number(b.dataset.leaf);
    if (e.key === "e" || e.key === "E" || e.key === "F2") {
      e.preventDefault();
      e.stopPropagation();
      openLeafEditor(i);
    }
  });
  dom.leafKeys.addEventListener("click", (e) => {
    const b = e.target.closest(".leaf-key");
    if (b) doAction("toggle_freeze", { node: Number(b.dataset.leaf) });
  });
}

// ------------------------------------------------------------------ actions

function parseReply(json) {
  try {
    return JSON.parse(json);
  } catch (e) {
    return { ok: false, error: { line: null, col: null, message: "the engine sent a reply the page cannot read: " + e.message } };
  }
}

function doAction(name, args = {}) {
  if (!app.bridge || !app.scene) return false;
  const res = parseReply(app.bridge.act(name, JSON.stringify(args)));
  if (!res.ok) {
    showError(res.error, "action", name);
    return false;
  }
  if (app.errorKind === "action") clearError();
  if (res.timeline) setTimeline(res.timeline, false);
  app.scene.state = res.state;
  showNote(res.note);
  if (res.program != null) followValues(res.program);
  render();
  if (name === "toggle_freeze") updateHash(true);
  return true;
}

/** What a step did when it was not what its name says (the engine's note), or nothing. */
function showNote(text) {
  dom.note.textContent = text || "";
  dom.note.hidden = !text;
}

/**
 * The leaf values changed (an edit, a nudge, an undo of one): the engine sends the
 * program with the leaves' literals set to the values on screen. The editor and the
 * address take it, so a reload, a copied link or Run reproduce what is shown. An
 * editor holding edits not yet run keeps them (they are the user's); the note says so.
 */
function followValues(text) {
  const wasShown = dom.program.value === app.scene.program;
  app.scene.program = text;
  if (wasShown) {
    const { selectionStart, selectionEnd } = dom.program;
    setProgramText(text);
    if (document.activeElement === dom.program) dom.program.setSelectionRange(selectionStart, selectionEnd);
    updateHash(true);
  } else {
    showNote("The editor has changes you have not run, so it and the link keep them; " +
      "press Run to build them, or Undo to go back.");
  }
}

/** Labels of the frozen leaves, for the address. */
function frozenLabels() {
  const st = app.scene?.state;
  if (!st || !st.frozen || !st.frozen.length) return [];
  return st.frozen.map((i) => app.labelOf(i));
}

/**
 * Enable the controls that work now. Run needs Python; stepping, nudging and the
 * slider also need a graph. A disabled control says why (controls-reason).
 */
function updateControls() {
  const engine = app.bridge != null;
  const graph = engine && app.scene != null;
  for (const b of document.querySelectorAll("[data-needs-engine]")) {
    b.disabled = b.hasAttribute("data-needs-graph") ? !graph : !engine;
  }
  let reason = "";
  if (!engine) reason = "The buttons work as soon as Python has started in your browser.";
  else if (!graph) reason = "No graph yet: the program has an error. Fix it and press Run, or open the default example.";
  dom.reason.textContent = reason;
  dom.reason.hidden = !reason;
}

function loadProgram(text, { fromUser = true, frozen = null } = {}) {
  if (!app.bridge) return false;
  stopPlay();
  showNote("");
  // Leaves frozen on screen stay frozen in the new graph when their labels are still
  // leaves there (a Run after changing one line keeps the inputs frozen).
  const keep = frozen ?? frozenLabels();
  // The program on screen already has its layout: the engine need not make it again.
  const haveLayout = app.scene != null && app.scene.program === text;
  let res = parseReply(app.bridge.load(text, !haveLayout));
  if (!res.ok) {
    showError(res.error, "program");
    return false;
  }
  clearError();
  if (!res.scene.layout) {
    // A layout drawn from a stale web/build/default-scene.json (made by an older
    // engine) may not fit this timeline: then ask the engine for a fresh one.
    const drawn = app.scene.layout.nodes.filter((n) => n.kind === "value").length;
    if (drawn === res.scene.timeline.values.length) res.scene.layout = app.scene.layout;
    else res = parseReply(app.bridge.load(text, true));
    if (!res.ok) {
      showError(res.error, "program");
      return false;
    }
  }
  drawScene(res.scene);
  refreeze(keep);
  if (fromUser) updateHash(true);
  if (app.aboutFor !== text) dom.about.hidden = true; // an example's description leaves with it
  updateControls();
  return true;
}

/** Freeze the leaves with these labels (from the address, or kept across a Run). */
function refreeze(labels) {
  if (!labels.length) return;
  const byLabel = new Map();
  for (const i of app.ix.leaves) byLabel.set(app.labelOf(i), i);
  const already = new Set(app.scene.state.frozen || []);
  for (const label of labels) {
    const i = byLabel.get(label);
    if (i != null && !already.has(i)) doAction("toggle_freeze", { node: i });
  }
}

function showError(err, kind, action) {
  app.errorKind = kind;
  const where = err.line != null ? `line ${err.line}, col ${err.col}: ` : "";
  let lead;
  if (kind !== "program") lead = `The ${String(action || "step").replace(/_/g, " ")} did not happen. `;
  else if (app.scene) lead = "This program can't run, so the graph below is the previous one. ";
  else lead = "This program can't run, and there is no earlier graph to show. ";
  dom.error.replaceChildren();
  const strong = document.createElement("strong");
  strong.textContent = lead;
  const msg = document.createElement("span");
  msg.className = "error-msg";
  msg.textContent = where + err.message;
  dom.error.append(strong, msg);
  if (kind === "program" && err.line != null) {
    const go = document.createElement("button");
    go.type = "button";
    go.className = "link";
    go.textContent = "Show me";
    go.addEventListener("click", () => selectPosition(err.line, err.col));
    dom.error.append(" ", go);
  }
  if (kind === "program" && !app.scene) {
    // A dead end otherwise: offer a program that works (the editor's text stays until then).
    const def = document.createElement("button");
    def.type = "button";
    def.className = "link";
    def.dataset.testid = "open-default";
    def.textContent = "Open the default example";
    def.addEventListener("click", openDefaultExample);
    dom.error.append(" ", def);
  }
  dom.error.dataset.line = err.line ?? "";
  dom.error.dataset.col = err.col ?? "";
  dom.error.hidden = false;
  markGutter(kind === "program" ? err.line : null);
}

function clearError() {
  app.errorKind = null;
  dom.error.hidden = true;
  dom.error.replaceChildren();
  markGutter(null);
}

function selectPosition(line, col) {
  const lines = dom.program.value.split("\n");
  let offset = 0;
  for (let j = 0; j < line - 1 && j < lines.length; j++) offset += lines[j].length + 1;
  offset += Math.max(0, (col || 1) - 1);
  dom.program.focus();
  dom.program.setSelectionRange(offset, offset + 1);
}

// ------------------------------------------------------------------ play

function startPlay() {
  if (!app.bridge) return;
  stopPlay();
  // From the end, play again from the start, keeping nudged and edited values.
  if (app.scene.state.phase === "backward-done") doAction("seek", { position: 0 });
  const tick = () => {
    const st = app.scene.state;
    const ok = doAction(st.position < app.ix.F ? "forward_step" : "backward_step");
    if (!ok || app.scene.state.phase === "backward-done") stopPlay();
  };
  app.playTimer = setInterval(tick, 1000 / Number(dom.speed.value || 2));
  // A screen reader would read every frame: quiet while playing, the pause says where it is.
  dom.announce.setAttribute("aria-live", "off");
  dom.play.textContent = "Pause";
  dom.play.setAttribute("aria-pressed", "true");
}

function stopPlay() {
  if (!app.playTimer) return;
  clearInterval(app.playTimer);
  app.playTimer = null;
  dom.announce.setAttribute("aria-live", "polite");
  dom.play.textContent = "Play";
  dom.play.setAttribute("aria-pressed", "false");
}

function togglePlay() {
  if (app.playTimer) stopPlay();
  else startPlay();
}

// ------------------------------------------------------------------ leaf editor

function openLeafEditor(i) {
  if (!app.bridge || !app.scene) return;
  const box = app.renderer.nodeBox(i);
  if (!box) return;
  const { k, x, y } = app.viewport.t;
  const ed = dom.leafEditor;
  ed.hidden = false;
  const w = Math.max(90, box.width * k);
  ed.style.left = `${box.x * k + x + (box.width * k - w) / 2}px`;
  ed.style.top = `${(box.y + box.height * 0.4) * k + y}px`;
  ed.style.width = `${w}px`;
  ed.value = app.scene.timeline.values[i];
  ed.dataset.node = String(i);
  ed.setAttribute("aria-label", `New value for ${app.labelOf(i)}`);
  ed.removeAttribute("aria-invalid");
  ed.focus();
  ed.select();
}

function closeLeafEditor(commit) {
  const ed = dom.leafEditor;
  if (ed.hidden) return;
  const i = Number(ed.dataset.node);
  if (commit) {
    const v = Number(ed.value.trim());
    if (ed.value.trim() === "" || !Number.isFinite(v)) {
      ed.setAttribute("aria-invalid", "true");
      showToast("Type a number, like 2.5 or -1e-3.");
      return;
    }
    if (String(v) !== String(Number(app.scene.timeline.values[i]))) doAction("set_leaf", { node: i, value: v });
  }
  ed.hidden = true;
  const key = dom.leafKeys.querySelector(`[data-leaf="${i}"]`);
  if (key) key.focus();
  else app.renderer.focusNode(i);
}

// ------------------------------------------------------------------ URL, editor

// The address follows the editor: written at once, then at most every 150 ms while
// typing (browsers throttle very frequent history updates), so a reload or a copied
// link never loses an edit.
// An edit not yet in the address waits in sessionStorage, so a reload in that
// moment still finds it (restorePendingEdit).
const PENDING = "gradstep:pending-edit";
let hashTimer = 0;
let hashWritten = -1e9;
function updateHash(now = false) {
  clearTimeout(hashTimer);
  const write = () => {
    hashWritten = performance.now();
    // Frozen leaves belong to the graph on screen: they go with the program it was built from.
    const frozen = app.scene && dom.program.value === app.scene.program ? frozenLabels() : [];
    const h = hashForProgram(dom.program.value, frozen);
    if (location.hash !== h) history.replaceState(null, "", h);
    try { sessionStorage.removeItem(PENDING); } catch { /* storage off */ }
  };
  if (now || performance.now() - hashWritten > 60) {
    write();
    return;
  }
  try {
    sessionStorage.setItem(PENDING, JSON.stringify({ hash: location.hash, text: dom.program.value }));
  } catch { /* storage off or full: the timer still writes it */ }
  hashTimer = setTimeout(write, 150);
}

function restorePendingEdit() {
  try {
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
    sessionStorage.removeItem(PENDING);
    if (pending && pending.hash === location.hash) history.replaceState(null, "", hashForProgram(pending.text));
  } catch { /* nothing pending */ }
}

// Line numbers: one text node (fast for thousands of lines) and a marker for the
// line of an error.
const gutterText = document.createElement("div");
const gutterMark = document.createElement("div");
gutterMark.className = "gutter-mark";
gutterMark.hidden = true;
dom.gutter.append(gutterMark, gutterText);
let gutterLines = 0;

function updateGutter() {
  let n = 1;
  const text = dom.program.value;
  for (let j = text.indexOf("\n"); j !== -1; j = text.indexOf("\n", j + 1)) n++;
  if (n !== gutterLines) {
    gutterLines = n;
    let s = "";
    for (let j = 1; j <= n; j++) s += j + "\n";
    gutterText.textContent = s;
  }
  dom.gutter.scrollTop = dom.program.scrollTop;
}

function markGutter(line) {
  gutterMark.hidden = !line;
  if (line) gutterMark.style.top = `calc(${line - 1} * var(--editor-line) + 8px)`;
}

function setProgramText(text) {
  dom.program.value = text;
  updateGutter();
}

// ------------------------------------------------------------------ examples

function fillExamples(list) {
  if (!Array.isArray(list) || !list.length) return;
  app.examples = list;
  const keep = dom.examples.options[0];
  dom.examples.replaceChildren(keep);
  for (const ex of list) {
    const o = document.createElement("option");
    o.value = ex.id;
    o.textContent = ex.title;
    dom.examples.appendChild(o);
  }
}

function chooseExample(id) {
  const ex = app.examples.find((e) => e.id === id);
  if (!ex) return;
  setProgramText(ex.program);
  updateHash(true);
  if (app.bridge) loadProgram(ex.program);
  // The example's description stays while its program is the one on screen.
  app.aboutFor = ex.program;
  dom.about.textContent = ex.about || "";
  dom.about.hidden = !ex.about;
}

/**
 * The Examples menu loads a choice once it is committed: a pick with the mouse or a
 * touch, or Enter (or leaving the menu) after choosing with the arrow keys. Arrowing
 * through a closed select fires "change" at every press; loading each would snap the
 * menu back and make it unusable from the keyboard.
 */
function wireExamples() {
  const sel = dom.examples;
  let arrowing = false;
  const commit = () => {
    arrowing = false;
    const id = sel.value;
    if (id && app.examples.find((e) => e.id === id)?.program !== dom.program.value) chooseExample(id);
  };
  sel.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      commit();
    } else if (e.key.startsWith("Arrow") || ["Home", "End", "PageUp", "PageDown"].includes(e.key) || e.key.length === 1) {
      arrowing = true;
    }
  });
  sel.addEventListener("change", () => {
    if (!arrowing) commit();
  });
  sel.addEventListener("blur", () => {
    if (arrowing) commit();
  });
}

// ------------------------------------------------------------------ export

async function exportAs(kind) {
  if (!app.scene) return;
  const { scene, ix } = app;
  const p = scene.state.position;
  const base = "gradstep-graph";
  try {
    if (kind === "dot") {
      download(base + ".dot", toDot(scene.layout, scene.timeline, ix, p), "text/vnd.graphviz");
      showToast(`Saved ${base}.dot (Graphviz: dot -Tsvg ${base}.dot)`);
      return;
    }
    const svg = drawingSvg();
    const out = toSvg(svg.element, app.model.bounds, app.theme.bg);
    svg.dispose();
    if (kind === "svg") download(base + ".svg", out.text, "image/svg+xml");
    else download(base + ".png", await svgToPng(out.text, out.width, out.height), "image/png");
    showToast(`Saved ${base}.${kind}`);
  } catch (e) {
    showToast("Export failed: " + e.message);
  }
}

/** The SVG drawing to export: the live one, or (for a big graph) one drawn off screen. */
function drawingSvg() {
  if (app.renderer instanceof SvgGraph) return { element: app.renderer.svg, dispose() {} };
  const host = document.createElement("div");
  host.className = "offscreen";
  document.body.appendChild(host);
  const g = new SvgGraph(host, { onLeafToggle() {}, onLeafEdit() {}, onInspect() {} });
  g.setScene(app.model, app.scene.timeline, app.ix, app.theme);
  const st = app.scene.state;
  g.update({ position: st.position, current: st.current, frozen: new Set(st.frozen || []) });
  return { element: g.svg, dispose: () => host.remove() };
}

// ------------------------------------------------------------------ small UI bits

let toastTimer = 0;
function showToast(text) {
  dom.toast.textContent = text;
  dom.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (dom.toast.hidden = true), 2500);
}

async function copyLink() {
  updateHash(true);
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    // No clipboard permission (e.g. an embedded page): the old way.
    const t = document.createElement("textarea");
    t.value = url;
    t.className = "offscreen";
    document.body.appendChild(t);
    t.select();
    const ok = document.execCommand("copy");
    t.remove();
    if (!ok) {
      showToast("Copy the link from the address bar: it opens this program.");
      return;
    }
  }
  showToast("Link copied: it opens this program.");
}

function nudge() {
  const rate = Number(dom.rate.value);
  if (!(rate > 0) || !Number.isFinite(rate)) {
    showError({ line: null, col: null, message: "the rate must be a positive number, like 0.01." }, "action", "nudge");
    dom.rate.focus();
    return;
  }
  doAction("nudge", { rate, direction: dom.direction.value });
}

function openHelp() {
  if (!dom.help.open) dom.help.showModal();
}

// ------------------------------------------------------------------ wiring

function wire() {
  app.viewport = new Viewport(dom.host, (t) => {
    app.renderer?.applyTransform(t);
    if (!dom.leafEditor.hidden) closeLeafEditor(false);
    updateMinimap();
    const b = document.activeElement?.closest?.(".leaf-key");
    if (b) ringNode(Number(b.dataset.leaf));
  });
  wireView();

  for (const b of document.querySelectorAll("[data-action]")) {
    b.addEventListener("click", () => {
      stopPlay();
      doAction(b.dataset.action);
    });
  }
  dom.run.addEventListener("click", () => loadProgram(dom.program.value));
  dom.nudge.addEventListener("click", () => {
    stopPlay();
    nudge();
  });
  dom.play.addEventListener("click", togglePlay);
  dom.speed.addEventListener("change", () => app.playTimer && startPlay());
  let seekFrame = 0;
  dom.seek.addEventListener("input", () => {
    stopPlay();
    cancelAnimationFrame(seekFrame);
    seekFrame = requestAnimationFrame(() => doAction("seek", { position: Number(dom.seek.value) }));
  });
  $("zoom-in").addEventListener("click", () => app.viewport.zoomBy(1.25));
  $("zoom-out").addEventListener("click", () => app.viewport.zoomBy(0.8));
  $("fit").addEventListener("click", fitAll);
  $("copy-link").addEventListener("click", copyLink);
  // The editor: wrap long lines (line numbers hide: they would not match), or widen it.
  const toggle = (id, apply) => {
    const b = $(id);
    b.addEventListener("click", () => {
      const on = b.getAttribute("aria-pressed") !== "true";
      b.setAttribute("aria-pressed", String(on));
      apply(on);
    });
  };
  toggle("wrap-lines", (on) => {
    dom.program.setAttribute("wrap", on ? "soft" : "off");
    dom.program.classList.toggle("wrap", on);
    dom.gutter.hidden = on;
  });
  toggle("wide-editor", (on) => {
    dom.body.classList.toggle("wide-editor", on);
    app.viewport.fit(app.model?.bounds, { readable: true });
  });
  dom.fullNumbers.addEventListener("click", () => {
    const on = dom.fullNumbers.getAttribute("aria-pressed") !== "true";
    dom.fullNumbers.setAttribute("aria-pressed", String(on));
    render();
  });
  $("help-open").addEventListener("click", openHelp);
  wireExamples();
  const exportMenu = $("export-menu");
  for (const b of document.querySelectorAll("[data-export]")) {
    b.addEventListener("click", () => {
      exportMenu.open = false;
      exportAs(b.dataset.export);
    });
  }
  // The menu closes like a menu: Esc (focus back on its button) or a click elsewhere.
  exportMenu.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && exportMenu.open) {
      e.preventDefault();
      e.stopPropagation();
      exportMenu.open = false;
      exportMenu.querySelector("summary").focus();
    }
  });
  document.addEventListener("pointerdown", (e) => {
    if (exportMenu.open && !exportMenu.contains(e.target)) exportMenu.open = false;
  });
  exportMenu.addEventListener("focusout", (e) => {
    if (exportMenu.open && e.relatedTarget && !exportMenu.contains(e.relatedTarget)) exportMenu.open = false;
  });

  dom.program.addEventListener("input", () => {
    updateGutter();
    updateHash();
    if (dom.examples.value && app.examples.find((e) => e.id === dom.examples.value)?.program !== dom.program.value) {
      dom.examples.value = "";
    }
  });
  dom.program.addEventListener("scroll", () => (dom.gutter.scrollTop = dom.program.scrollTop));
  dom.program.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      loadProgram(dom.program.value);
    } else if (e.key === "Escape") {
      dom.program.blur();
    }
  });

  dom.leafEditor.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      closeLeafEditor(true);
    } else if (e.key === "Escape") {
      e.preventDefault();
      closeLeafEditor(false);
    }
  });
  dom.leafEditor.addEventListener("blur", () => {
    if (!dom.leafEditor.hidden) closeLeafEditor(true);
  });

  window.addEventListener("hashchange", () => {
    const link = parseHash(location.hash);
    if (link.error) showLinkProblem(link.error);
    if (link.program != null && link.program !== dom.program.value) {
      setProgramText(link.program);
      loadProgram(link.program, { fromUser: false, frozen: link.frozen });
    }
  });

  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    app.theme = readTheme();
    app.renderer?.setTheme(app.theme);
    if (app.model) app.minimap.setModel(app.model, app.theme);
    render();
  });

  bindShortcuts({
    forward_step: () => doAction("forward_step"),
    forward_all: () => doAction("forward_all"),
    backward_step: () => doAction("backward_step"),
    backward_all: () => doAction("backward_all"),
    undo: () => doAction("undo"),
    reset: () => doAction("reset"),
    nudge,
    play: togglePlay,
    fit: fitAll,
    zoom_in: () => app.viewport.zoomBy(1.25),
    zoom_out: () => app.viewport.zoomBy(0.8),
    help: openHelp,
    edit: () => dom.program.focus(),
  }, { ready: () => app.bridge != null, stopPlay });
  fillHelp($("help-keys"));
}

// ------------------------------------------------------------------ boot

function engineReady(bridge) {
  if (app.bridge) return;
  app.bridge = bridge;
  if (!dom.program.value.trim() && app.examples.length) setProgramText(app.examples[0].program);
  const text = dom.program.value;
  // The engine's own session for the program on screen (same layout: no redraw).
  if (!loadProgram(text, { fromUser: false, frozen: app.linkFrozen || [] }) && !app.scene) {
    dom.empty.textContent = "No graph: this program has an error (see under the editor). Fix it and press Run, or open the default example.";
    dom.status.textContent = "No graph yet.";
    dom.status.dataset.phase = "start";
  }
  dom.engineStatus.textContent = "";
  updateControls();
  dom.body.dataset.ready = "true";
}

/** A link that could not be read: say so (until the next program is run). */
function showLinkProblem(message) {
  dom.linkNote.textContent = `This link could not be read: ${message}. The page shows the default example instead.`;
  dom.linkNote.hidden = false;
}

/** Load the default example (the way out of a program with an error and no graph). */
function openDefaultExample() {
  const text = app.defaultProgram ?? app.examples[0]?.program;
  if (text == null) return;
  setProgramText(text);
  updateHash(true);
  loadProgram(text);
}

function waitForEngine() {
  if (window.gradstepPy) engineReady(window.gradstepPy);
  else window.addEventListener("gradstep:py-ready", () => engineReady(window.gradstepPy), { once: true });
}

let pyStarted = false;
function startPython() {
  if (pyStarted) return;
  pyStarted = true;
  import("./vendor/pyscript/core.js").catch((e) => {
    dom.engineStatus.textContent = "The Python engine could not start: " + e.message;
  });
  // PyScript reports a failed boot (e.g. a file it could not fetch) as an unhandled rejection.
  window.addEventListener("unhandledrejection", () => {
    if (!app.bridge) dom.engineStatus.textContent = "The Python engine failed to start; see the browser console.";
  });
}

async function boot() {
  restorePendingEdit();
  wire();
  updateControls();
  waitForEngine();
  const link = parseHash(location.hash);
  if (link.error) showLinkProblem(link.error);
  app.linkFrozen = link.frozen;
  const fromHash = link.program;
  const examplesP = fetch("./web/build/examples.json").then((r) => (r.ok ? r.json() : null)).catch(() => null);
  if (fromHash != null) {
    setProgramText(fromHash);
    dom.empty.textContent = "Loading the engine to build this program's graph…";
    startPython();
  } else {
    try {
      const r = await fetch("./web/build/default-scene.json");
      if (!r.ok) throw new Error(String(r.status));
      const scene = await r.json();
      app.defaultProgram = scene.program;
      if (!dom.program.value) setProgramText(scene.program);
      drawScene(scene);
    } catch {
      dom.empty.textContent = "Loading the engine…";
    }
    // Let the first graph paint before Python's start-up takes the main thread.
    requestAnimationFrame(() => setTimeout(startPython, 0));
  }
  const examples = await examplesP;
  if (!app.examples.length && examples) fillExamples(examples);
  updateGutter();
}

boot();
