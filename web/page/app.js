// The controller: it boots the page, turns actions into changes of the store, and
// talks to the Python worker. It draws nothing itself; the panels and the graph view
// subscribe to the store (web/graph/store.js).
//
// Data flow:
//   input (buttons, keys: web/page/actions.js) -> run(name) here
//     -> every action is decided by the page's Stepper (web/graph/stepper.js), the
//        only owner of the position and the undo history: moves (steps, undo, reset,
//        seek) and freezing a leaf at once, with no worker call;
//     -> what needs Python goes to the worker (web/worker/bridge.js ->
//        web/worker/engine-worker.js -> web/worker/worker.py): a program's scene
//        (load), the timeline of the new leaf values of a nudge or an edit (timeline),
//        the frames' text on demand (frames), the lab, training;
//   new state -> store -> the panels and the graph view redraw.
//
// Start-up: draw the default example's prebuilt scene (web/build/default-scene.json)
// at once and step it while the worker starts Pyodide; when the worker is ready, load
// the program on screen there (the page's position and history stay as they are),
// and, once the code editor is in place too, set body[data-ready=true]. While a worker
// call is pending, body[data-busy=true].

import { hashForProgram, parseHash } from "./link.js";
import { readSession, writeSession } from "./saved.js";
import { Store, snapshot } from "../graph/store.js";
import { indexTimeline } from "../graph/scene.js";
import { afterNextFrame, nextTask } from "../graph/frame.js";
import { WorkerBridge } from "../worker/bridge.js";
import { LOCAL, Stepper } from "../graph/stepper.js";
import { available, bindActions, BY_NAME, CHALLENGE_WAIT, fillHelp, updateButtons } from "./actions.js";
import { GraphView } from "../graph/graph-view.js";
import { buildModel, buildModelAsync } from "../graph/geometry.js";
import { ExplainPanel, NudgePanel } from "./panels.js";
import { Editor } from "./editor.js";
import { createCodeEditor } from "./code-editor.js";
import { PythonMode } from "./python-mode.js";
import { copyLink, ExamplesMenu, showToast, wireCodeExport, wireExportMenu } from "./menus.js";
import { LabPanel } from "../lab/lab.js";
import { Practice } from "../lab/practice.js";
import { TrainView, trainSettings } from "../training/train.js";

const $ = (id) => document.getElementById(id);
const BUSY_SHOWN_MS = 300; // work shorter than this shows no progress
const BIG_MODEL = 4000; // layout nodes from which the geometry is built in slices

const store = new Store();
let python = null; // WorkerBridge: the worker that runs the engine in Pyodide
let stepper = null; // Stepper of the graph on screen
let synced = false; // the worker holds the program on screen (loaded it)
let known = new Set(); // versions of the timelines on screen the worker holds (else frames send their leaves)
let pending = null; // {what, fn}: an action waiting for Python
let playTimer = 0;
let linkFrozen = []; // frozen leaves named by the address at start
let linkViews = {}; // {practice, lab} named by the address at start
let pythonGeneration = 0; // one more at every Stop: work of a stopped worker ends quietly
let stoppedText = null; // the program whose loading was stopped (not loaded again by itself)
let crashNote = ""; // what the status says once Python is back after a crash
let loadingText = null; // the program of the load call in flight
let crashedText = null; // the program whose loading crashed Python (not handed over again by itself)
let restoreFor = null; // the program the page opened with: its saved position and nudges come back once it is on screen
let saveTimer = 0;

// ------------------------------------------------------------------ parts of the page

const graph = new GraphView(store, {
  onToggle: (i) => run("toggle_freeze", { node: i }),
  onSetLeaf: (i, value) => run("set_leaf", { node: i, value }),
  onInspect: (i) => explain.inspect(i),
  toast: showToast,
});
const explain = new ExplainPanel(store, needFrame);
new NudgePanel(store);
const editor = new Editor({
  run: () => run("run"),
  openDefault: openDefaultExample,
  frozenLabels: (text) => (store.state.scene && text === store.state.scene.program ? frozenLabels() : []),
  views: () => ({ practice: practice?.mode, lab: lab?.shown, train: training?.shown ? training.link() : null,
    challenge: lab?.yours.challenge ?? [], mode: pyMode?.on ? "python" : "program" }),
  onInput: () => examples.show(editor.text),
  onResize: () => graph.viewport.fit(store.state.model?.bounds, { readable: true }),
});
const examples = new ExamplesMenu(chooseExample);
// Python mode: the learner's own code, run in the worker; its graph drawn as any program's.
const pyMode = new PythonMode({
  editor,
  call: (method, args, label) => python.call(method, args, label),
  load: (program) => enqueue(() => loadProgram(program)),
  whenPython,
  setEmpty: (text) => {
    graph.setEmpty(text);
    $("status").textContent = "No graph yet.";
  },
  onMode: () => editor.updateHash(true),
});
const lab = new LabPanel(store, {
  // (the lab computes at the leaf values on screen, which an undo may have changed)
  call: (method, args, label) => (method === "lab" ? callAt(method, args, label) : python.call(method, args, label)),
  ready: () => store.state.engine === "ready" && synced,
  setLeaf: (node, value) => step("set_leaf", { node, value }),
  onShow: () => editor.updateHash(true),
  // a challenge link for the program in the editor: it opens the lab asking for these leaves
  linkFor: (challenge) => location.href.replace(/#.*$/, "") +
    hashForProgram(editor.text, [], { lab: true, challenge }),
  toast: showToast,
  challenged: () => updateControls(),
});
const training = new TrainView({
  call: (method, args, label) => python.call(method, args, label),
  ready: () => store.state.engine === "ready",
  onChange: () => editor.updateHash(true),
  openProgram: (text, { rate, focus }) => openTrainingPoint(text, rate, focus),
});
const practice = new Practice(store, {
  step: (name, args) => step(name, args),
  frame: async (k) => {
    if (!store.state.frames.has(k)) await needFrame(k);
    return store.state.frames.get(k) || null;
  },
  onMode: () => editor.updateHash(true),
  big: () => document.body.dataset.big === "true",
});

// The page's own view of itself, for the tests and the console (docs/page.md).
window.gradstep = {
  snapshot: () => snapshot(store, { view: graph.viewport.t, ready: document.body.dataset.ready === "true" }),
  /** Call the worker directly: resolves with its parsed reply. */
  call: (method, args) => python.call(method, args),
  /** How Python started in the worker: {how: "snapshot" | "normal", reason, ms}, or null before it is up. */
  boot: () => python.boot,
  /** How many calls the page posted to the worker, by method ({frames: 3, timeline: 1}). */
  calls: () => ({ ...python.calls }),
  /** The last reply of a worker method ("load", "timeline", "frames"): {ms, bytes} (for benchmarks). */
  lastReply: (method) => python.last[method] ?? null,
  /** Draw a scene (layout, timeline, state) without Python. */
  drawScene: (scene) => showScene(scene, { synced: false }),
  get renderer() {
    return graph.renderer;
  },
};

// ------------------------------------------------------------------ actions

/** Whether an action can run now (the action table's `needs`). */
function can(action) {
  return available(action, { graph: store.state.scene != null, challenge: lab.yours.open() });
}

/** Do an action by name (buttons, keys, the panels' handlers). */
function run(name, args = {}) {
  const a = BY_NAME.get(name);
  if (name !== "play" && name !== "stop") stopPlay();
  switch (name) {
    case "play": return togglePlay();
    case "fit": return graph.fit();
    case "zoom_in": return graph.zoom(1.25);
    case "zoom_out": return graph.zoom(0.8);
    case "follow": return graph.toggleFollow();
    case "edit": return editor.focus();
    case "help": return openHelp();
    case "lab": return lab.show();
    case "train": return training.show();
    case "stop": return stopWork();
    case "run": return pyMode.on ? pyMode.run() : whenPython("Run", () => enqueue(() => loadProgram(editor.text)));
    case "nudge": return nudge();
    default:
      if (a && !can(a)) return;
      return step(name, args);
  }
}

/**
 * An action. The Stepper decides it: moves and freezing a leaf at once, with no
 * worker call; a nudge or an edit asks the worker for the timeline of its new leaf
 * values. Actions queue behind work in flight (a load, a nudge), so each starts from
 * the state before it.
 */
let queue = Promise.resolve();
let queued = 0;
function step(name, args = {}) {
  if (!store.state.scene) return Promise.resolve(false);
  // A teacher's challenge asks for a derivative: nothing past the forward pass shows gradients
  // until it is answered (the buttons say so; Play stops and the slider stops at the forward pass).
  if (lab.yours.open()) {
    if (name === "backward_step" || name === "backward_all" || name === "nudge") {
      showToast(CHALLENGE_WAIT);
      return Promise.resolve(false);
    }
    if (name === "seek" && args.position > store.state.ix.F) args = { ...args, position: store.state.ix.F };
  }
  if (!LOCAL.has(name) && store.state.engine !== "ready") {
    return whenPython(labelOf(name), () => step(name, args));
  }
  if (queued === 0 && LOCAL.has(name)) return Promise.resolve(local(name, args));
  return enqueue(() => (LOCAL.has(name) ? local(name, args) : change(name, args)));
}

/**
 * Run `fn` after every action queued before it (a change of values, a load): what
 * the page does with the worker's answers happens in the order it was asked for.
 */
function enqueue(fn) {
  queued++;
  setBusy();
  const done = queue.then(fn);
  queue = done.then(() => {}, () => {}).finally(() => {
    queued--;
    setBusy();
  });
  return done;
}

/** A move or a freeze: the Stepper's answer, shown now. */
function local(name, args) {
  let reply;
  try {
    reply = stepper.act(name, args);
  } catch (e) {
    editor.showError(errorOf(e), "action", { action: name });
    return false;
  }
  show(reply);
  return true;
}

/** A nudge or an edit: new leaf values, whose timeline the worker computes. */
async function change(name, args) {
  const mine = stepper;
  let reply;
  try {
    reply = stepper.act(name, args);
    if (reply.need) {
      const answer = await python.call("timeline", reply.need, labelOf(name).toLowerCase());
      if (answer.stopped || stepper !== mine) return false;
      if (!answer.ok) {
        editor.showError(answer.error, "action", { action: name });
        return false;
      }
      known.add(reply.need.version);
      reply = reply.finish(answer);
    }
  } catch (e) {
    editor.showError(errorOf(e), "action", { action: name });
    return false;
  }
  editor.clearError("action");
  show(reply);
  return true;
}

/** A Stepper's answer to the store; the editor and the address follow new values and freezes. */
function show(reply) {
  const shown = store.state.scene.program;
  const frozen = JSON.stringify(store.state.scene.state.frozen);
  // An undo of a nudge or an edit brings its values (and program text) back.
  const program = reply.program != null && reply.program !== shown ? reply.program : null;
  store.applyReply({ state: reply.state, timeline: reply.timeline ?? null, program, note: reply.note });
  if (program != null) followValues(program, shown);
  if (program != null || frozen !== JSON.stringify(reply.state.frozen)) editor.updateHash(true);
}

function errorOf(e) {
  return { line: e.line ?? null, col: e.col ?? null, message: String(e.message ?? e) };
}

/** The timeline on screen for a worker call: its version, and its leaf values when the worker may not hold it. */
function timelineRef() {
  const tl = store.state.scene.timeline;
  if (known.has(tl.version)) return { version: tl.version };
  known.add(tl.version); // (calls run in order: the ones after this find it)
  return { version: tl.version, leaves: Stepper.leafValues(tl) };
}

/**
 * A worker call at the timeline on screen (frames, lab). The worker keeps the leaf values of
 * its latest versions only: when it has let this one go, the call is made again with them.
 */
async function callAt(method, args, label) {
  const reply = await python.call(method, { ...args, ...timelineRef() }, label);
  if (!reply.unknown_version) return reply;
  const tl = store.state.scene.timeline;
  return python.call(method, { ...args, version: tl.version, leaves: Stepper.leafValues(tl) }, label);
}

/** body[data-busy] while the worker has work or actions wait: tests wait for it. */
function setBusy() {
  const busy = queued > 0 || store.state.busy != null;
  // (touched only when it changes: training's Play makes a call every few frames)
  if (busy === ("busy" in document.body.dataset)) return;
  if (busy) document.body.dataset.busy = "true";
  else delete document.body.dataset.busy;
}

function labelOf(name) {
  return BY_NAME.get(name)?.label ?? name.replace(/_/g, " ");
}

/**
 * Run `fn` once Python is up: now if it is, else when it comes (the latest wish
 * wins), saying so meanwhile.
 */
function whenPython(what, fn) {
  if (store.state.engine === "ready") return fn();
  pending = { what, fn };
  setEngineStatus(`${what} will happen as soon as Python has started…`);
  return Promise.resolve(false);
}

/**
 * The leaf values changed (an edit, a nudge, an undo of one): the worker sends the
 * program with the leaves' literals set to the values on screen. The editor and the
 * address take it, so a reload, a copied link or Run reproduce what is shown. An
 * editor holding edits not yet run keeps them (they are the user's); the note says so.
 */
function followValues(text, shownBefore) {
  if (pyMode.on) return; // (Python mode: the editor holds the code that made the graph, not the graph)
  if (editor.text === shownBefore) {
    editor.setText(text);
    editor.updateHash(true);
  } else {
    store.set({
      note: "The editor has changes you have not run, so it and the link keep them; " +
        "press Run to build them, or Undo to go back.",
    });
  }
}

/** Labels of the frozen leaves, for the address. */
function frozenLabels() {
  const { scene, labelOf: label } = store.state;
  return scene?.state.frozen?.length ? scene.state.frozen.map(label) : [];
}

function nudge() {
  const rate = Number($("nudge-rate").value);
  if (!(rate > 0) || !Number.isFinite(rate)) {
    editor.showError({ line: null, col: null, message: "the rate must be a positive number, like 0.01." },
      "action", { action: "nudge" });
    $("nudge-rate").focus();
    return;
  }
  return step("nudge", { rate, direction: $("nudge-direction").value });
}

// ------------------------------------------------------------------ programs

/** Show a scene; `synced` when the worker holds the same program (it loaded it). */
function showScene(scene, { synced: inEngine = false, model = null, ix = null } = {}) {
  stepper = new Stepper(scene);
  synced = inEngine;
  store.setScene(scene, model, ix);
  store.set({ mode: synced ? "engine" : "local", note: "" });
  if (restoreFor != null && scene.program === restoreFor) restoreSession();
  updateControls();
}

/**
 * After a reload: the position in the passes and the nudge history the learner had
 * on this program (web/page/saved.js), which the address does not carry.
 */
function restoreSession() {
  restoreFor = null;
  const saved = readSession(sessionStorage, stepper.program, stepper.F + stepper.B);
  if (!saved) return;
  if (saved.nudges.length) stepper.st.nudges = saved.nudges;
  // (where the learner was, as the state to start from: no Undo back to the start)
  const ran = saved.position > 0 || stepper.ran;
  stepper.st = stepper._at(saved.position, ran);
  stepper.ran = ran;
  store.applyReply({ state: { ...stepper.st } });
}

/** Keep the position and the nudges for a reload (a moment after they change, and as the page goes). */
function saveSoon() {
  if (restoreFor != null || !store.state.scene) return;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, 250);
}

function saveNow() {
  clearTimeout(saveTimer);
  const scene = store.state.scene;
  if (scene && restoreFor == null) writeSession(sessionStorage, scene.program, scene.state);
}
addEventListener("pagehide", saveNow);

/**
 * Build a program's graph in the worker. The editor's text stays whatever happens; on
 * an error the previous graph stays on screen, usable. `handOver`: the program on
 * screen, loaded into a worker that has just come up; the page's Stepper (its
 * position, timelines and undo history) stays, the worker holding the timeline on
 * screen under its version.
 */
async function loadProgram(text, { fromUser = true, frozen = null, handOver = false } = {}) {
  stopPlay();
  if (fromUser) {
    restoreFor = null; // (the learner moved on: what they do now is saved)
    crashedText = null; // (Run tries again)
  }
  loadingText = text;
  // Leaves frozen on screen stay frozen in the new graph when their labels are still
  // leaves there (a Run after changing one line keeps the inputs frozen).
  const keep = frozen ?? frozenLabels();
  const old = store.state.scene;
  // The program on screen already has its layout: the worker need not make it again.
  const haveLayout = old != null && old.program === text;
  const version = handOver ? stepper.tl.version : 1;
  let reply = await python.call("load", { text, layout: !haveLayout, version }, "building the graph");
  if (reply.stopped) return false;
  if (reply.ok && !reply.scene.layout) {
    // A drawn layout made by an older engine (a stale web/build/) may not fit: redo it.
    const drawn = old.layout.nodes.filter((n) => n.kind === "value").length;
    if (drawn !== reply.scene.timeline.values.length) {
      reply = await python.call("load", { text, layout: true, version }, "laying out the graph");
      if (reply.stopped) return false;
    }
  }
  if (!reply.ok) {
    editor.showError(reply.error, pyMode.on ? "graph" : "program", { hasGraph: old != null });
    graph.setEmpty("No graph: this program has an error (see under the editor). Fix it and press Run, or open the default example.");
    updateControls();
    return false;
  }
  editor.clearError();
  const scene = { ...reply.scene, leaf_info: reply.leaf_info };
  known = new Set([scene.timeline.version]);
  if (handOver && !scene.layout && store.state.scene === old && sameValues(stepper.tl, scene.timeline)) {
    stepper.leafInfo = reply.leaf_info;
    synced = true;
    store.set({ mode: "engine" });
    updateControls();
  } else {
    // The same values as the prebuilt timeline on screen: keep its frames (no flicker).
    if (haveLayout && old.timeline.frames && sameValues(old.timeline, scene.timeline)) {
      scene.timeline.frames = old.timeline.frames;
    }
    // A big graph's geometry is built a slice at a time, so the page keeps drawing frames.
    // Its last slice, the timeline's lookups and the drawing are then three tasks, not one.
    const generation = pythonGeneration;
    let model = null;
    let ix = null;
    if (scene.layout && scene.layout.nodes.length > BIG_MODEL) {
      model = await buildModelAsync(scene.layout);
      await nextTask();
      ix = indexTimeline(scene.timeline);
      await nextTask();
    }
    // (a Stop or a crash meanwhile: the fresh worker does not hold this program)
    showScene(scene, { synced: generation === pythonGeneration, model, ix });
    refreeze(keep);
  }
  if (fromUser) editor.updateHash(true);
  editor.ran(text, { fromUser });
  examples.show(text);
  return true;
}

function sameValues(a, b) {
  return a.values.length === b.values.length && a.values.every((v, i) => v === b.values[i]);
}

/**
 * Freeze the leaves with these labels (from the address, or kept across a Run); a label
 * named twice is frozen once. One freeze after another in the Stepper, and the result
 * shown once: a link that freezes 50 leaves draws the graph and writes the address once,
 * not 50 times.
 */
function refreeze(labels) {
  if (!labels.length || !store.state.scene) return;
  const { ix, labelOf: label, scene } = store.state;
  const byLabel = new Map([...ix.leaves].map((i) => [label(i), i]));
  const frozen = new Set(scene.state.frozen || []);
  let reply = null;
  for (const l of labels) {
    const i = byLabel.get(l);
    if (i == null || frozen.has(i)) continue;
    try {
      reply = stepper.act("toggle_freeze", { node: i });
    } catch (e) {
      editor.showError(errorOf(e), "action", { action: "toggle_freeze" });
      break;
    }
    frozen.add(i);
  }
  if (reply) show(reply);
}

/** An example: drawn and stepped at once from its prebuilt scene, built in the worker when it is up. */
async function chooseExample(ex) {
  restoreFor = null;
  if (ex.mode === "python") {
    // The page's own Python (the lecture's pieces): run as soon as Python is up, no question asked.
    pyMode.setMode("python");
    editor.setText(ex.program);
    editor.updateHash(true);
    editor.showAbout(ex.program, ex.about);
    return pyMode.run();
  }
  if (pyMode.on) pyMode.setMode("program");
  editor.setText(ex.program);
  editor.updateHash(true);
  editor.showAbout(ex.program, ex.about);
  editor.clearError();
  if (store.state.engine === "ready") return enqueue(() => loadProgram(ex.program));
  const scene = await prebuilt(`./web/build/examples/${ex.id}.json`);
  if (scene && editor.text === ex.program) showScene(scene);
  else pending = { what: "Building the example", fn: () => enqueue(() => loadProgram(ex.program)) };
}

/**
 * One training point's graph in the graph view: its inputs and target frozen, so a
 * nudge at the training's rate moves only the weights (that point's SGD update).
 * `focus`: a leaf's label (a weight "w2_3[0]" or a bias "b1[4]") to open the graph on.
 */
async function openTrainingPoint(text, rate, focus = null) {
  editor.setText(text);
  editor.showAbout(text, "One training point's loss at the current weights. Step backward for its gradients; " +
    "Nudge (at the training's rate) is this point's SGD update. The training below stays where it was.");
  $("nudge-rate").value = String(Number(rate));
  const frozen = frozenInputs(text);
  const loaded = await enqueue(() => loadProgram(text, { frozen }));
  // A point's graph has well over a thousand nodes: it opens on its loss, readable; or on the
  // weight or bias the network's diagram was clicked at (its leaf, ringed).
  const { ix, labelOf } = store.state;
  const at = focus && loaded ? [...ix.leaves].find((i) => labelOf(i) === focus) : null;
  if (loaded) graph.centerOnNode(at ?? null);
  if (at != null) graph.ring(at);
  $("graph-host").scrollIntoView({ block: "nearest" });
}

/** The leaves of a training point's program that are data, not weights: x[k], y, t[k]. */
function frozenInputs(text) {
  const out = [];
  for (const m of text.matchAll(/^(x|t) = \[([^\]]*)\]/gm)) m[2].split(",").forEach((_, k) => out.push(`${m[1]}[${k}]`));
  if (/^y = /m.test(text)) out.push("y");
  return out;
}

async function openDefaultExample() {
  const ex = examples.list[0];
  if (ex) return chooseExample(ex);
}

/** A scene built at set-up, or null. */
async function prebuilt(url) {
  try {
    const r = await fetch(url);
    return r.ok ? await r.json() : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ frames on demand

const asked = new Map(); // "version:start" -> the promise of frames asked and not yet come
const FRAME_WINDOW = 24;

/**
 * Frame k's text is not here: ask the worker for the frames around it, of the timeline
 * on screen (resolves when they came). The worker makes a timeline it does not hold
 * (an undo back to older values after Stop) from the leaf values sent with it.
 */
function needFrame(k) {
  if (!synced || store.state.engine !== "ready") return Promise.resolve();
  const version = store.state.scene.timeline.version;
  const start = Math.max(0, k - 4);
  const key = `${version}:${start}`;
  if (!asked.has(key)) {
    const scene = store.state.scene; // (versions restart with each program: the scene tells them apart)
    asked.set(key, callAt("frames", { start, count: FRAME_WINDOW }, "the step's formula").then((reply) => {
      asked.delete(key);
      if (reply.ok && store.state.scene === scene) store.addFrames(reply.version, reply.start, reply.frames);
    }));
  }
  return asked.get(key);
}

// ------------------------------------------------------------------ play

function togglePlay() {
  if (playStarting) return;
  if (playTimer) stopPlay();
  else startPlay();
}

let playStarting = false;
async function startPlay() {
  if (!store.state.scene || playStarting) return;
  stopPlay();
  // From the end, play again from the start, keeping nudged and edited values.
  if (store.state.scene.state.phase === "backward-done") {
    playStarting = true;
    try {
      await step("seek", { position: 0 });
    } finally {
      playStarting = false;
    }
    if (playTimer) return;
  }
  let inFlight = false;
  const tick = async () => {
    if (inFlight) return; // the last step is still waiting (behind a load): skip a beat
    inFlight = true;
    const st = store.state.scene.state;
    const ok = await step(st.position < store.state.ix.F ? "forward_step" : "backward_step");
    inFlight = false;
    if (!ok || store.state.scene.state.phase === "backward-done") stopPlay();
  };
  playTimer = setInterval(tick, 1000 / Number($("speed").value || 2));
  // A screen reader would read every frame: quiet while playing, the pause says where it is.
  $("announce").setAttribute("aria-live", "off");
  const play = $("play");
  play.textContent = "Pause";
  play.setAttribute("aria-pressed", "true");
}

function stopPlay() {
  if (!playTimer) return;
  clearInterval(playTimer);
  playTimer = 0;
  $("announce").setAttribute("aria-live", "polite");
  const play = $("play");
  play.textContent = "Play";
  play.setAttribute("aria-pressed", "false");
}

// ------------------------------------------------------------------ the Python worker

let bootPhase = ""; // the start's phase as last said ("Starting Python: restoring its snapshot…")

function setEngineStatus(text) {
  $("engine-status").textContent = text;
}

/**
 * Enable the controls that work now (the action table's `needs`). A disabled control
 * says why (controls-reason).
 */
function updateControls() {
  const s = store.state;
  const graph = s.scene != null;
  updateButtons(document, { graph, challenge: lab.yours.open() });
  $("seek").disabled = !graph;
  // (Only the dead end takes a line over the graph: while Python starts, the status
  // beside Run says what waits for it, and nothing moves when it is up.)
  let reason = "";
  if (!graph && s.engine === "ready") {
    reason = editor.text.trim() ?
      "No graph yet: the program has an error. Fix it and press Run, or open the default example." :
      "No graph yet: the program is empty. Type one and press Run, or open the default example.";
  }
  const box = $("controls-reason");
  box.textContent = reason;
  box.hidden = !reason;
}

/** Long work in the worker shows what it is doing, for how long, and Stop. */
let busyTimer = 0;
function showBusy(busy) {
  const box = $("work");
  clearInterval(busyTimer);
  store.set({ busy });
  if (!busy) {
    if (!box.hidden) box.hidden = true;
    return;
  }
  const tick = () => {
    const ms = performance.now() - busy.since;
    if (ms < BUSY_SHOWN_MS) return;
    box.hidden = false;
    const what = busy.what || "working";
    $("work-text").textContent = `${what[0].toUpperCase()}${what.slice(1)}… ${(ms / 1000).toFixed(1)} s`;
  };
  tick();
  busyTimer = setInterval(tick, 100);
}

/**
 * Stop: end the worker (whatever it was doing) and start a fresh one. The graph on
 * screen, its position and its undo history stay and step on; the fresh worker is
 * handed the program on screen when it is up.
 */
function stopWork() {
  if (!store.state.busy) return; // nothing running (Esc also closes menus: it must not restart Python)
  stoppedText = python.busy?.method === "load" ? editor.text : null;
  crashNote = "";
  python.stop();
  restarting();
  setEngineStatus("Stopped. Python is starting again; the graph on screen stays and steps meanwhile.");
  showToast("Stopped: the graph on screen is the one from before.");
}

/**
 * Python died in a call (a fatal error of Pyodide, not an error of the program): the
 * bridge has already started a fresh worker, as Stop does, and the graph on screen
 * stays. A program whose loading crashed Python is not loaded again by itself.
 */
function crashed({ message, method }) {
  if (method === "load") stoppedText = crashedText = loadingText ?? editor.text;
  restarting();
  crashNote = `Python crashed (${message}) and was started again; the graph on screen was kept.` +
    (method === "load" ? " The program that crashed it was not run again." : "");
  setEngineStatus(`Python crashed (${message}) and is starting again by itself; the graph on screen stays and steps meanwhile.`);
  showToast("Python crashed and is starting again: the graph on screen is kept.");
}

/** A fresh worker is starting: what the old one held is forgotten, the page steps on its own. */
function restarting() {
  pythonGeneration++;
  known = new Set();
  pending = null;
  synced = false; // the fresh worker knows nothing yet: the page steps on its own
  document.body.dataset.ready = "false";
  store.set({ engine: "starting", mode: "local" });
  training.forget(); // (the network lived in the stopped worker: it is built again from its settings)
  updateControls();
}

/**
 * Python is up: hand the graph on screen over to it (a load of its program, the
 * timeline on screen kept under its version; the page's position and undo history
 * simply stay, also after a Stop), then do what waited. Actions asked for meanwhile
 * queue behind the hand-over. A program whose loading was stopped is not loaded again
 * by itself.
 */
async function pythonReady() {
  await booted; // the first graph is on screen (or known to be missing)
  const generation = pythonGeneration;
  store.set({ engine: "ready" });
  setEngineStatus(crashNote); // (after a crash, what happened stays said)
  crashNote = "";
  const waiting = pending;
  pending = null;
  await enqueue(async () => {
    const scene = store.state.scene;
    // (a Python link's code is not a program: nothing to hand over until the learner runs it)
    const text = scene ? scene.program : pyMode.on ? "" : editor.text;
    // (a program whose loading was stopped is not loaded again by itself; nor one whose
    // loading crashed Python, even the one on screen: the graph stays, stepping here, and
    // Run tries again; no loop of crashes)
    if (text.trim() && !(scene == null && text === stoppedText) && text !== crashedText) {
      await loadProgram(text, { fromUser: false, frozen: scene ? null : linkFrozen, handOver: scene != null });
    } else if (scene) {
      synced = false; // (the page steps on its own; Run hands it over)
    } else if (!scene) {
      graph.setEmpty("Stopped. Edit the program and press Run, or open an example.");
      $("status").textContent = "No graph yet.";
    }
  });
  if (generation !== pythonGeneration) return; // stopped meanwhile: the next start takes over
  updateControls();
  if (waiting && waiting.fn) await waiting.fn();
  applyLinkViews();
  if (training.shown) training.build();
  performance.mark("gradstep:python-ready"); // (for bench/boot.py: what decided ready, Python or the editor)
  await editorSettled; // (every control works: the editor too)
  if (generation === pythonGeneration) document.body.dataset.ready = "true";
}

/** The views the address asked for (&practice=, &lab), once there is a graph to show them on. */
function applyLinkViews() {
  if (!store.state.scene) return;
  const { practice: mode, lab: open, train, challenge } = linkViews;
  linkViews = {};
  if (challenge?.length) lab.setChallenge(challenge);
  if (open) lab.show();
  if (train) training.show(trainSettings(train));
  if (mode) practice.setMode(mode);
}

function startPython() {
  python = new WorkerBridge();
  python.addEventListener("ready", () => pythonReady());
  python.addEventListener("crashed", (e) => crashed(e.detail));
  python.addEventListener("boot", (e) => {
    // How far Python's start has got, while it starts (a first visit downloads ~6-20 MB).
    // (after a Stop or a crash the status says that instead)
    if (store.state.engine !== "starting" || pending || pythonGeneration > 0) return;
    const { what, loaded, total } = e.detail;
    const mb = (n) => (n / 1e6).toFixed(1);
    bootPhase = `Starting Python: ${what}${total ? `, ${mb(loaded)} of ${mb(total)} MB` : ""}… (stepping works now)`;
    setEngineStatus(bootPhase);
  });
  python.addEventListener("failed", (e) => {
    store.set({ engine: "failed" });
    setEngineStatus(`The Python engine could not start (${e.detail.message}); stepping still works.`);
    updateControls();
  });
  python.addEventListener("busy", (e) => {
    showBusy(e.detail);
    setBusy();
  });
  python.addEventListener("idle", () => {
    showBusy(null);
    setBusy();
  });
}

// ------------------------------------------------------------------ wiring and boot

function openHelp() {
  const help = $("help");
  if (help.open) return;
  help.showModal();
  // Open at the top, its title read first (the Close button at the bottom would take the
  // focus and scroll the dialog to its end); Tab reaches Close, Esc closes.
  help.scrollTop = 0;
  $("help-title").focus({ preventScroll: true });
}

function wire() {
  bindActions(document, run, can);
  fillHelp($("help-keys"));
  wireExportMenu(() => ({ ...store.state, renderer: graph.renderer, theme: graph.theme }));
  // (the notebook's differences use the lab's h)
  wireCodeExport((to, done) => whenPython(`Exporting the ${to} version`,
    async () => {
      if (to === "notebook") await lab.need("sympy"); // the notebook's closed form; without it, none
      done(await callAt("export", { to, h: lab.h ?? 1e-6 }, `writing the ${to} version`));
    }));
  $("copy-link").addEventListener("click", () => {
    editor.updateHash(true);
    copyLink();
  });
  $("speed").addEventListener("change", () => playTimer && startPlay());
  let seekFrame = 0;
  $("seek").addEventListener("input", () => {
    stopPlay();
    cancelAnimationFrame(seekFrame);
    seekFrame = requestAnimationFrame(() => step("seek", { position: Number($("seek").value) }));
  });
  store.subscribe((s, changed) => {
    if (changed.has("engine") || changed.has("scene")) updateControls();
    if (changed.has("state")) saveSoon();
  });
  // The skip link moves the focus to the graph without touching the address: followed as an
  // anchor it would replace the program's link with "#graph-host" (and the address is the page's
  // state: a reload would lose the program).
  document.querySelector("a.skip")?.addEventListener("click", (e) => {
    e.preventDefault();
    $("graph-host").focus();
  });
  window.addEventListener("hashchange", () => {
    const link = parseHash(location.hash);
    if (link.error) {
      // (a link that cannot be read changes nothing: it says so, and the address is the page's again)
      editor.showLinkProblem(link.error, "The graph on screen stays");
      editor.updateHash(true);
      return;
    }
    // A link to a program (or Python) is followed whole: what it does not name goes. A link that
    // names only views ("#lab", "#train&dataset=spiral") opens them over what is on screen.
    const followed = link.program != null || link.python != null;
    if (!followed && !link.lab && !link.train && !link.practice && !link.challenge.length) {
      editor.updateHash(true); // ("#" or an anchor: no link; the address holds the page again)
      return;
    }
    const mode = link.practice || (followed ? "off" : practice.mode);
    if (link.python != null && link.python !== editor.text) pyMode.ask(link.python);
    if (link.program != null && pyMode.on) pyMode.setMode("program");
    const newProgram = link.program != null && link.program !== editor.text;
    if (newProgram) {
      editor.ran("", { fromUser: true }); // (a good link followed: the note on a broken one goes)
      editor.setText(link.program);
      whenPython("Opening the link", () => enqueue(async () => {
        // (a new graph ends practice: the link's starts again on it)
        const shown = await loadProgram(link.program, { fromUser: false, frozen: link.frozen });
        if (shown && mode !== practice.mode) practice.setMode(mode);
      }));
    }
    if ((followed || link.challenge.length) && link.challenge.join(",") !== lab.yours.challenge.join(",")) {
      lab.setChallenge(link.challenge);
    }
    if (link.lab && !lab.shown) lab.show();
    if (link.train) training.show(trainSettings(link.train));
    if (followed && !link.train && training.shown) training.hide();
    if (followed && !link.lab && !link.challenge.length && lab.shown) lab.hide();
    if (!newProgram && mode !== practice.mode) practice.setMode(mode); // (a new program's: once it is shown)
    if (!followed) editor.updateHash(true); // (the views opened over the program on screen: the address holds both)
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => graph.setTheme());
}

async function boot() {
  Editor.restorePendingEdit();
  wire();
  updateControls();
  startPython(); // Pyodide starts in the worker while the first graph is drawn here
  const link = parseHash(location.hash);
  if (link.error) editor.showLinkProblem(link.error);
  linkFrozen = link.frozen;
  linkViews = { practice: link.practice, lab: link.lab, train: link.train, challenge: link.challenge };
  // (a challenge holds the backward pass back from the first graph on, before Python is up)
  if (link.challenge.length) lab.yours.setChallenge(link.challenge);
  // (the default graph's file at once, beside the examples' lists: it needs nothing from them)
  const defaultScene = link.program == null && link.python == null ? prebuilt("./web/build/default-scene.json") : null;
  const [list, pyList] = await Promise.all([prebuilt("./web/build/examples.json"), prebuilt("./web/build/python-examples.json")]);
  if (list) examples.fill(list, pyList ?? []);
  store.set({ examples: examples.list });
  // A link's Python: in the editor, asking before it runs; no graph until then.
  if (link.python != null) pyMode.ask(link.python);
  const ex = link.python != null ? null : link.program != null ? examples.byProgram(link.program) : examples.list[0];
  restoreFor = link.python != null ? null : link.program ?? ex?.program ?? null;
  if (link.program != null && link.python == null) editor.setText(link.program);
  // The default example, or a link to an example: drawn and stepped at once.
  const scene = ex ? await (defaultScene ?? prebuilt(`./web/build/examples/${ex.id}.json`)) : null;
  const model = scene && (link.program == null || scene.program === link.program) && store.state.engine !== "ready" ?
    drawable(scene) : null;
  if (model) {
    if (link.program == null) editor.setText(scene.program);
    showScene(scene, { model });
    refreeze(linkFrozen); // (freezing is the page's: no need to wait for Python)
    examples.show(scene.program);
  } else if (!store.state.scene && link.python == null) {
    if (link.program == null && ex) editor.setText(ex.program); // (its file could not be drawn: Python builds it)
    graph.setEmpty("Starting Python to build this program's graph…");
    $("status").textContent = "Waiting for Python…";
  }
  editor.updateGutter();
  // A link that could not be read: the address holds what is on screen instead (the
  // note says so), so a reload or a copied link does not repeat the broken one.
  if (link.error) editor.updateHash(true);
  applyLinkViews();
  if (store.state.engine !== "ready") {
    setEngineStatus(bootPhase || "Starting Python… (stepping works now)"); // (not back to before the phase said)
  }
}

const booted = boot();

/**
 * The geometry of a prebuilt scene this page can draw, or null: a damaged or stale file (a
 * deploy half done, a cache of an older version) is as good as none, and Python builds the
 * graph instead of the page never becoming ready.
 */
function drawable(scene) {
  try {
    if (typeof scene.program !== "string" || !scene.state || !scene.timeline) throw new Error("not a scene");
    new Stepper(scene); // (what stepping reads)
    return buildModel(scene.layout);
  } catch (err) {
    console.warn("gradstep: the prebuilt graph cannot be drawn, so Python builds it:", err.message);
    return null;
  }
}

/**
 * The code editor (CodeMirror, web/build/codemirror.js) takes the textarea's place once the
 * first graph is drawn, so it never delays it. body[data-editor] says which editor the page
 * has: "code", or "plain" when the bundle is missing (set-up made none) or failed to load.
 */
async function loadCodeEditor() {
  try {
    const [CM, vocabulary] = await Promise.all([
      import("../build/codemirror.js"),
      prebuilt("./web/build/vocabulary.json"),
    ]);
    // (the bundle's evaluation and the editor's making: two tasks, not one long one)
    await afterNextFrame();
    performance.mark("gradstep:editor");
    editor.attachCode(createCodeEditor(CM, $("program"), {
      text: editor.text, // (the textarea's, or a long one that waited for this editor)
      wrap: $("wrap-lines").getAttribute("aria-pressed") === "true",
      onChange: () => editor.edited(),
      onRun: () => run("run"),
      isPython: () => pyMode.on,
      vocabulary: vocabulary ?? [], // (none: the program's names are still offered)
    }));
    document.body.dataset.editor = "code";
    performance.measure("gradstep:editor", "gradstep:editor"); // (its main-thread time, for bench/stall_bench.py)
  } catch (e) {
    console.warn("gradstep: the code editor did not load, so the plain one stays:", e);
    editor.noCode();
    document.body.dataset.editor = "plain";
  }
}
// (Python's ready waits for it: a text typed or filled while the textarea was being replaced
// could land in neither editor)
// (also when the first graph could not be drawn: the editor is what is left to fix it with)
const editorSettled = booted.catch(() => {}).then(afterNextFrame).then(loadCodeEditor);
