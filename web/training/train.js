// The training view (contract section 5): a small network learns a 2-D dataset in the
// engine's worker; this draws the decision boundary as a heat map under the points,
// the loss and accuracy curves, and takes the settings, Step, Play/Pause and Reset.
// Play asks the worker for a few steps at a time and draws between the answers, so
// the page keeps answering; pausing is not asking for more.

import { perFrame } from "../graph/frame.js";
import { BatchView } from "./batch-view.js";
import { GradChart, NetworkView } from "./network-view.js";
import { CLASS_COLORS, CLASS_NAMES, cellColor, Curve, drawMapAxes, fillMapKey, fillRegressionKey } from "./train-plots.js";
import { unitColor } from "./network-view.js";
import {
  applyEdits, clip, codePoints, defaultLr, DEFAULTS, decodeEdits, encodeEdits, FeatureChecks, fillForm, PAGE, settingsProblem, STEP_MAX,
  TABLE, trainSettings,
} from "./settings.js";

export { trainSettings };

// The settings that make the data (the learner's added points stay while only the others change).
const DATA_KEYS = ["dataset", "layers", "seed", "activation", "noise", "data"];
const TABLE_CLASSES = TABLE.classes;

const $ = (id) => document.getElementById(id);
const CHUNK_MS = 80; // Play asks for about this much work at a time
// The boundary's cells a side once training is idle (32 while it runs): 64 is smooth under the
// canvas's scaling, and Python computes it in a third of 96's time (the next click waits less).
const FINE_GRID = 64;
const IDLE_MS = 250;
const SAVE_MS = 2000; // while Play runs, the address takes the step this often

export class TrainView {
  /**
   * @param {{call(method, args, what): Promise, ready(): boolean, onChange(),
   *   openProgram(text, {rate, focus}): Promise}} engine
   */
  constructor(engine) {
    this.engine = engine;
    this.dom = {
      panel: $("train"), dataset: $("train-dataset"), layers: $("train-layers"), seed: $("train-seed"),
      lr: $("train-lr"), batch: $("train-batch"), activation: $("train-activation"), loss: $("train-loss"),
      step: $("train-step"),
      play: $("train-play"), reset: $("train-reset"), status: $("train-status"), canvas: $("train-boundary"),
      curve: $("train-curve"), problem: $("train-problem"), cls: $("train-class"), point: $("train-point"),
      openPoint: $("train-open-point"), openBatch: $("train-open-batch"), note: $("train-note"),
      axisX: $("train-axis-x"), axisY: $("train-axis-y"), key: $("train-key"),
      showTest: $("train-show-test"), showTestLabel: $("train-show-test-label"), curveKeyTest: $("train-curve-key-test"),
    };
    // The settings' fields, one per row of the table the page has (id train-<name>).
    this.fields = Object.fromEntries(PAGE.map((s) => [s.name, $(`train-${s.name}`)]).filter(([, e]) => e));
    // (the features: a box of checkboxes, read and set as one field, "x,y,x2")
    if (this.fields.features) this.fields.features = new FeatureChecks(this.fields.features);
    // Your own data: CSV text (the command line's --data file's contents), the link's `data`.
    this.fields.data = $("train-data");
    // (the page's HTML offers three classes to add; your own data may have up to ten)
    for (let c = this.dom.cls.options.length; c < CLASS_NAMES.length; c++) this.dom.cls.add(new Option(CLASS_NAMES[c], String(c)));
    this.batch = new BatchView(engine, { pause: () => this.pause(), onChange: () => engine.onChange() });
    this.curve = new Curve(this.dom.curve);
    // Inside the network: the diagram with a heat map a neuron, and each layer's gradient norms.
    this.netView = new NetworkView($("train-network"), $("train-network-detail"), (label) => this.openPoint(label));
    this.gradChart = new GradChart($("train-grad-norms"), $("train-grad-key"));
    this.network = null; // the worker's last network reply (weights, gradients, neuron maps)
    this.gradNorms = []; // one array a step: each layer's weight-gradient norm
    this.others = []; // the optimizer comparison's copies: {optimizer, lr, losses, accuracy, diverged}
    this.deadRelu = null; // the last step's share of dead ReLUs, a hidden layer each
    this.netWidth = 0;
    this.gradWidth = 0;
    this.size = 0; // the canvas's CSS px a side (a ResizeObserver keeps it: no layout read per frame)
    this.curveWidth = 0;
    this.scheduleDraw = perFrame(() => this.draw()); // (drawn once a frame, the latest state only)
    this.points = null; // the data's points as numbers [x, y, class], once per build
    this.shown = false;
    this.playing = false;
    this.losses = [];
    this.accuracies = [];
    this.testLosses = []; // the test points' loss after each step (none without a test share)
    this.test = new Set(); // the data's points held out for testing (indices into data.points)
    this.data = null; // {points: [[x, y], ...], labels: [...], classes: n}
    this.grid = null; // {n, xs: [x0, x1], ys: [y0, y1], scores: [...] per cell}
    this.built = ""; // the settings the worker holds
    this.waiting = 0; // steps asked for before Python was up: taken as soon as it is
    this.playWhenUp = false; // Play pressed before Python was up
    this.restore = null; // {step, edits} from the link: where the training is brought back to
    this.edits = []; // the learner's edits of the data (points added, removed), for the link
    fillForm(this.fields);
    this.lrDefault = defaultLr(this.fields.optimizer?.value, this.fields.dataset?.value);
    this.showApplies();
    this._wire();
  }

  settings() {
    return Object.fromEntries(Object.entries(this.fields).map(([k, e]) => [k, e.value.trim()]));
  }

  /**
   * The optimizer's own settings that apply to it (momentum's, Adam's; weight decay to all),
   * the others hidden; the regularization's rate off when there is none to rate.
   */
  showApplies() {
    const opt = this.fields.optimizer?.value;
    // (a setting refused stays in view and editable, applying or not: it is what the message names)
    const field = this.fields[this.refusedName];
    const refused = field?.box ?? field; // (the features' field is their checkboxes' box)
    for (const e of this.dom.panel.querySelectorAll(".train-opt[data-optimizer]")) {
      e.hidden = e.dataset.optimizer !== opt && !(refused && e.contains(refused));
    }
    const { reg, loss, dataset } = this.fields;
    const rate = this.fields["reg-rate"];
    if (!reg || !rate) return;
    const classes = Number(TABLE_CLASSES[dataset.value] ?? 2);
    const hinge = loss.value === "hinge" || (loss.value === "default" && classes === 2);
    const none = reg.value === "none" || (reg.value === "default" && !hinge);
    rate.dataset.title ??= rate.title; // (the table's help and limits)
    rate.disabled = none && refused !== rate;
    rate.title = none ? "No regularization (with this loss, default means none): no rate to set" : rate.dataset.title ?? rate.title;
  }

  /**
   * A feature checked or unchecked: at least one must stay (the network needs an input), so
   * unchecking the last is undone, and said. False when nothing changed.
   */
  featuresChanged(box) {
    const note = $("train-features-note");
    if (this.fields.features.value === "") {
      box.checked = true;
      note.textContent = "At least one input must stay checked: the network needs something to look at.";
      return false;
    }
    note.textContent = "";
    return true;
  }

  /**
   * A new optimizer or dataset: the rate follows to its default when it was at the last one's
   * (SGD 1.0, or 0.1 on a regression; momentum 0.1; Adam 0.01). A rate the learner chose stays.
   */
  rateFollows(regression = this.fields.data?.value && this.data ? this.regression : undefined) {
    // (`regression`: your own data's kind, once read; else the dataset's. True when the rate moved.)
    const now = defaultLr(this.fields.optimizer?.value, this.fields.dataset?.value, regression);
    const lr = this.fields.lr;
    const moves = Boolean(lr) && this.lrDefault != null && now != null && Number(lr.value) === Number(this.lrDefault) &&
      Number(lr.value) !== Number(now);
    if (moves) lr.value = now;
    this.lrDefault = now;
    return moves;
  }

  /** The settings and where the training is, for the address (contract section 5). */
  link() {
    const out = { ...this.settings(), step: this.dom.status.dataset.step || "0" };
    // (a dataset's link stays short; your data longer than the engine takes, which it refuses,
    // is left out too: a reload would only refuse it again, from an address of megabytes)
    const most = TABLE.max_data_chars; // (counted as the engine counts: code points)
    if (!out.data || (out.data.length > most && codePoints(out.data) > most)) delete out.data;
    if (this.restore) out.step = String(Math.max(Number(out.step), this.restore.step));
    const edits = this.restore?.edits ?? this.edits;
    if (edits?.length) out.points = encodeEdits(edits);
    const graph = this.restoreGraph ?? this.batch.linkState();
    if (graph) out.graph = graph;
    return out;
  }

  setSettings(s) {
    const d = this.dom;
    const said = s.refused ? [s.refused] : []; // (what the link asked that is not taken, in words)
    if (s.step != null || s.points != null) {
      const asked = Math.floor(Number(s.step)) || 0;
      const step = Math.max(0, Math.min(STEP_MAX, asked));
      if (s.step != null && String(s.step) !== String(step)) {
        // ("1e3", " 40": the step it names, in other words; "2.5", "-1", 10^20: not a step)
        const named = Number(s.step) === step;
        said.push(`The link's step=${clip(String(s.step))} is not ${named ? "written in digits" :
          `a whole number from 0 to ${STEP_MAX.toLocaleString("en-US")}`}: training goes to step ${step.toLocaleString("en-US")}.`);
      }
      const edits = s.points != null ? decodeEdits(s.points) : null;
      if (s.points != null && !edits) said.push(`The link's points=${clip(String(s.points))} cannot be read: the dataset's own points are used.`);
      this.restore = step || edits ? { step, edits, points: s.points } : null;
    }
    // The whole batch's graph, when the link had it open: built again once the training is back.
    const graph = s.graph != null && /^batch(,|$)/.test(String(s.graph)) ? String(s.graph) : null;
    this.restoreGraph = graph && graph !== this.batch.linkState() ? graph : null;
    for (const [k, e] of Object.entries(this.fields)) e.value = s[k] ?? DEFAULTS[k] ?? "";
    if (this.fields.data.value) $("train-data-box").open = true; // (a link with your data shows it)
    // (a link's own rate with your data stays whatever the data turns out to be)
    this.lrDefault = s.lrGiven && s.data ? null : defaultLr(this.fields.optimizer?.value, this.fields.dataset?.value);
    this.showApplies();
    if (said.length) this.note(said.join(" ")); // (a link's value the page does not take: said, not dropped silently)
  }

  show(settings = null) {
    if (settings) this.setSettings(settings);
    this.shown = true;
    this.dom.panel.hidden = false;
    this.dom.panel.scrollIntoView({ block: "nearest" });
    this.engine.onChange();
    this.build();
  }

  hide() {
    this.pause();
    this.playWhenUp = false; // (a Play asked for before Python was up goes with the view)
    this.shown = false;
    this.dom.panel.hidden = true;
    this.engine.onChange();
  }

  /** The worker that held the network was stopped: build it again when next asked. */
  forget() {
    this.pause();
    this.playWhenUp = false;
    this.built = "";
    this.batch.forget();
  }

  /** (Re)build the network and the data in the worker when the settings changed. */
  async build(force = false) {
    const s = this.settings();
    // (your own data is trained on, not the dataset the menu names: said beside it)
    $("train-dataset-unused").hidden = !s.data;
    const problem = settingsProblem(s);
    this.refuse(problem);
    this.dom.problem.textContent = clipQuoted(problem);
    this.dom.problem.hidden = !problem;
    this.enable(!problem);
    if (problem) {
      // (the status must not keep saying Python is starting: it says what waits, and for what)
      this.say("Not trained: a setting is out of its limits (the message above names it). Fix it, and training starts again.");
      this.stale = true;
      return false;
    }
    const key = JSON.stringify(s);
    if (!force && key === this.built && !this.restore) {
      // (the settings are back to the network's, after a refused one: its status again)
      if (this.stale) this.showStatus(); // (which marks it current)
      if (this.catching) return true; // (the catch-up under way opens the link's batch graph, at its step)
      const graph = this.restoreGraph; // (a link followed on a built view: its batch graph)
      this.restoreGraph = null;
      if (graph && this.engine.ready()) await this.batch.open(graph);
      return true;
    }
    if (!this.engine.ready()) {
      this.say("Training runs in Python, which is starting: it begins as soon as it is up.");
      return false;
    }
    if (!this.playing) this.pause();
    const reply = await this.engine.call("train", { action: "new", settings: s, points: this.userPoints(key) }, "building the network");
    if (!reply.ok) {
      this.failed(reply, "The network could not be built");
      // (no network for these settings: nothing to step until they change; the last
      // network, if any, comes back with its own settings)
      if (!reply.stopped && !reply.crashed) this.enable(false, "The network could not be built: see the message under the settings");
      return false;
    }
    // Your own data turned out to be a regression (or classes again): a rate at its default follows,
    // as the command line's does for --data (SGD: 0.1 for a regression), and the network is made again.
    // (a rate the link gave with your data has no default to follow: lrDefault null, kept so)
    const regression = Number(reply.data?.classes) === 0;
    if (this.fields.data.value && !this.restoring && this.lrDefault != null && this.rateFollows(regression)) {
      this.engine.onChange();
      return this.build(true);
    }
    this.built = key;
    this.losses = [];
    this.accuracies = [];
    this.testLosses = [];
    this.gradNorms = [];
    this.deadRelu = null;
    this.others = [];
    this.apply(reply);
    this.refineSoon();
    this.engine.onChange();
    if (this.batch.shown) await this.batch.refresh(); // (a new network: its own graph)
    await this.catchUp();
    return true;
  }

  /** The setting a message names ("Adam beta2: must be ..."), kept in view to be fixed (showApplies). */
  refuse(message) {
    const named = message ? PAGE.find((p) => message.startsWith(`${p.label}:`))?.name ?? null : null;
    if (named === this.refusedName) return;
    this.refusedName = named;
    this.showApplies();
  }

  /** Step, Play, Reset and the two graphs act only on a network: off while the settings are refused. */
  enable(on, why = on ? "" : "A setting is out of its limits: see the message under the settings") {
    for (const b of [this.dom.step, this.dom.play, this.dom.reset, this.dom.openPoint, this.dom.openBatch]) {
      b.disabled = !on;
      if (on) b.removeAttribute("data-why");
      else b.dataset.why = why;
    }
  }

  /**
   * A call the worker refused or could not finish: the message where the settings' are, and the
   * status says what happened and what to do (issue #15: it kept saying Python was starting).
   */
  failed(reply, what) {
    this.pause();
    if (reply.stopped || reply.crashed) {
      this.say(`${reply.crashed ? "Python crashed" : "Stopped"}. Python is starting again: the network is built again from its settings when it is up.`);
      return;
    }
    this.stale = true; // (the status says what failed until the numbers are shown again)
    const message = reply.error?.message || "the engine did not answer";
    // (what was read of an earlier paste is not what is refused now)
    if (/^Your data:/.test(message)) $("train-data-note").textContent = "";
    this.dom.problem.textContent = clipQuoted(message);
    this.dom.problem.hidden = false;
    this.refuse(message);
    const internal = /internal error/.test(message);
    this.say(`${what}: ${internal ? "the engine failed (see the message above). Try smaller layers, or press Reset to try again." :
      "see the message above, change what it names, and training starts again."}`);
  }

  /**
   * What waited for the network: the link's steps (training is deterministic: the same steps
   * give the same weights), then steps and Play clicked while Python was starting.
   */
  async catchUp() {
    if (this.restoring) return;
    this.catching = true;
    try {
      await this._catchUp();
    } finally {
      this.catching = false;
    }
  }

  async _catchUp() {
    const restore = this.restore;
    this.restore = null;
    if (restore?.edits) {
      // The link's points: the dataset's (just built), edited as the learner did, built again.
      const d = this.data;
      const points = applyEdits(d.points.map(([x, y], k) => [Number(x), Number(y), Number(d.labels[k])]), restore.edits);
      const classes = Number(d.classes);
      if (!points || points.some((p) => p[2] >= classes)) {
        // (a point removed that the data does not have, or a class it lacks: said, not dropped silently)
        this.note(`The link's points=${clip(String(restore.points))} do not fit this data (${points ?
          `it has ${classes} classes` : `it has ${d.points.length} points`}): the dataset's own points are used.`);
        this.engine.onChange(); // (the address: without them)
      } else {
        this.edits = restore.edits;
        this.edited = { key: this.editKey(), points };
        this.restoring = true;
        let built = false;
        try {
          built = await this.build(true);
        } finally {
          this.restoring = false;
        }
        if (!built) { // (the worker refused them: the dataset's own points, and no edits in the link)
          this.edits = [];
          this.edited = null;
          await this.build(true);
        }
      }
    }
    if (restore?.step) await this.play(restore.step, "Bringing the training back to where the link left it");
    const graph = this.restoreGraph;
    this.restoreGraph = null;
    if (graph) await this.batch.open(graph); // (at the step the link left it: the same numbers)
    // (steps asked for under settings changed since do not run: a change starts again from step 0)
    const waiting = this.waitingKey === JSON.stringify(this.settings()) ? this.waiting : 0;
    this.waiting = 0;
    if (waiting) await this.step(waiting);
    if (this.playWhenUp) {
      this.playWhenUp = false;
      if (!this.playing) this.play();
    }
    const after = this.afterUp;
    this.afterUp = null;
    if (after) await after();
  }

  /** Points the learner added or removed stay with the dataset's settings. */
  userPoints(key) {
    if (this.edited && this.edited.key === this.editKey(JSON.parse(key))) return this.edited.points;
    this.edited = null;
    this.edits = [];
    return null;
  }

  /**
   * What the learner's points belong to: the settings that make the data, not how it is learnt
   * (the rate, batch, loss, regularization, optimizer, initial weights; nor the test share: the
   * edits are of all the points, held out or not).
   */
  editKey(s = this.settings()) {
    const out = { ...s };
    for (const k of Object.keys(out)) if (!DATA_KEYS.includes(k)) out[k] = "";
    return JSON.stringify(out);
  }

  apply(reply) {
    if (reply.data) {
      this.data = reply.data;
      const d = reply.data;
      this.points = d.points.map(([x, y], k) => [Number(x), Number(y), classIndex(d.labels[k])]);
      // The classes a click can add: the data's (two, three for the spiral, up to ten of your own).
      for (const o of this.dom.cls.options) o.hidden = Number(o.value) >= Number(reply.data.classes);
      if (Number(this.dom.cls.value) >= Number(reply.data.classes)) this.dom.cls.value = "0";
      this.test = new Set((d.test ?? []).map(Number));
      this.regression = Number(d.classes) === 0;
      // (a regression's targets: its colours are scaled to the largest)
      this.targetScale = this.regression ? Math.max(1e-12, ...d.labels.map((v) => Math.abs(Number(v)))) : 1;
      this.dom.cls.disabled = this.regression; // (a click adds a class's point: a regression has none)
      this.sayData(d);
      this.dom.showTestLabel.hidden = this.test.size === 0;
      this.dom.curveKeyTest.hidden = this.test.size === 0;
    }
    if (reply.test_losses) for (const v of reply.test_losses) this.testLosses.push(Number(v));
    if (reply.losses) for (const v of reply.losses) this.losses.push(Number(v));
    this.lastStepsMs = reply.steps_ms ?? null;
    if (reply.grad_norms) for (const row of reply.grad_norms) this.gradNorms.push(row.map(Number));
    if (reply.compare) this.compared(reply.compare);
    if (reply.dead_relu?.length) this.deadRelu = reply.dead_relu[reply.dead_relu.length - 1];
    if (reply.network) {
      this.network = reply.network;
      this.netLinks = this.netMaps = true; // (the diagram's two parts to draw again)
    }
    // (one accuracy a reply, measured after its last step: kept with that step, so a chunk of
    // many steps does not squeeze the accuracy line to the left of the loss's)
    if (reply.accuracy != null) this.accuracies.push([Number(reply.step ?? 0), Number(reply.accuracy)]);
    if (reply.grid) this.setGrid(reply.grid);
    const st = this.dom.status;
    st.dataset.step = String(reply.step ?? 0);
    st.dataset.loss = reply.loss ?? "";
    st.dataset.accuracy = reply.accuracy ?? "";
    st.dataset.testLoss = reply.test_loss ?? "";
    st.dataset.testAccuracy = reply.test_accuracy ?? "";
    this.showStatus();
    this.scheduleDraw();
  }

  /** The comparison's copies from a reply: their losses added, their key said. */
  compared(copies) {
    if (copies.length !== this.others.length) this.others = copies.map((c) => ({ ...c, losses: [] }));
    copies.forEach((c, k) => {
      const o = this.others[k];
      for (const v of c.losses) o.losses.push(Number(v));
      Object.assign(o, { optimizer: c.optimizer, lr: Number(c.lr), accuracy: c.accuracy, diverged: c.diverged });
    });
    const box = $("train-curve-key-compare");
    const NAMES = { sgd: "SGD", momentum: "SGD with momentum", adam: "Adam" };
    const opt = this.fields.optimizer.value;
    const lossKey = this.others.length ?
      `loss on the training points: ${NAMES[opt] ?? opt} at rate ${this.fields.lr.value} (the settings above)` : "loss on the training points";
    if ($("train-curve-key-loss").textContent !== lossKey) $("train-curve-key-loss").textContent = lossKey;
    box.replaceChildren(...this.others.map((o, k) => {
      const item = document.createElement("span");
      item.className = "train-key-item";
      item.dataset.optimizer = o.optimizer;
      const line = document.createElement("span");
      line.className = `train-key-line other-${k}`;
      const last = o.losses.length ? o.losses[o.losses.length - 1] : null;
      const acc = o.accuracy == null ? "" : `, accuracy ${(Number(o.accuracy) * 100).toFixed(1)}%`;
      const now = o.diverged ? `: diverged at step ${o.losses.length + 1}` : last == null ? "" : `: loss ${last.toFixed(4)}${acc}`;
      item.append(line, `${NAMES[o.optimizer] ?? o.optimizer} at rate ${o.lr} (the same weights and batches)${now}`);
      return item;
    }));
  }

  /** What was read of the learner's CSV (or nothing, for a dataset). */
  sayData(d) {
    const note = $("train-data-note");
    if (!this.fields.data.value.trim()) {
      note.textContent = "";
      return;
    }
    const skipped = d.skipped ?? [];
    const kind = Number(d.classes) === 0 ? "a regression (a number to learn at each point)" : `${d.classes} classes`;
    let text = `Your data: ${d.points.length} point${d.points.length === 1 ? "" : "s"} read, ${kind}.`;
    if (skipped.length) {
      const shown = skipped.slice(0, 8).map(([line, why]) => `line ${line}: ${why}`).join("\n");
      text += ` ${skipped.length} row${skipped.length === 1 ? "" : "s"} skipped:\n${shown}` +
        (skipped.length > 8 ? `\n… and ${skipped.length - 8} more` : "");
    }
    note.textContent = text;
  }

  /** A new grid of scores: the heat map's image is made once here, drawn in the next frame. */
  setGrid(g) {
    this.grid = g;
    this.dom.canvas.dataset.grid = String(g.n); // (cells a side: coarse while playing, fine when idle)
    this.heatDirty = true;
  }

  /** The status line from what it carries (data-step, data-loss, data-accuracy). */
  showStatus() {
    this.stale = false;
    const st = this.dom.status;
    const { step, loss, accuracy, testLoss, testAccuracy } = st.dataset;
    const pct = (a) => (a === "" || a == null ? "—" : `${(Number(a) * 100).toFixed(1)}%`);
    const num = (v) => (v === "" || v == null ? "—" : Number(v).toFixed(4));
    st.textContent = `Step ${step || 0} · loss ${num(loss)} · accuracy ${pct(accuracy)}`;
    // (with a test share: the training points' numbers, then the held-out points')
    if (this.test.size) st.textContent += ` · test loss ${num(testLoss)} · test accuracy ${pct(testAccuracy)}`;
  }

  say(text) {
    this.dom.status.textContent = text;
  }

  /** A word about what just happened that the numbers do not say (a restart, a loss of 0). */
  note(text) {
    this.dom.note.textContent = text;
    this.dom.note.hidden = !text;
  }

  async step(n = 1) {
    if (!this.engine.ready()) {
      // A click made while Python starts is not lost: it runs as soon as it is up. (Steps asked
      // for under other settings are not: a change of settings starts again from step 0.)
      const key = JSON.stringify(this.settings());
      if (key !== this.waitingKey) this.waiting = 0;
      this.waitingKey = key;
      this.waiting += n;
      this.say(`Python is starting: ${this.waiting} step${this.waiting === 1 ? "" : "s"} will run as soon as it is up.`);
      return false;
    }
    if (!(await this.build())) return false;
    const reply = await this.engine.call("train", { action: "step", steps: Math.min(1000, n) }, "training");
    if (!reply.ok) {
      this.failed(reply, `Training stopped at step ${this.dom.status.dataset.step || 0}`);
      return false;
    }
    this.apply(reply);
    this.refineSoon();
    if (!this.playing) this.engine.onChange(); // (the address carries the steps taken)
    return true;
  }

  /** Idle for a moment (not playing): draw the boundary again on a finer grid. */
  refineSoon() {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(async () => {
      if (this.playing || !this.built) return;
      const built = this.built;
      const reply = await this.engine.call("train", { action: "grid", grid: FINE_GRID }, "drawing the boundary finely");
      if (reply.ok && !this.playing && built === this.built) {
        this.setGrid(reply.grid);
        this.scheduleDraw();
        // The batch's graph follows training when it stops (not while it plays).
        if (this.batch.shown && this.batch.summary?.step !== reply.step) await this.batch.refresh();
      }
    }, IDLE_MS);
  }

  /**
   * Play: a few steps at a time (about CHUNK_MS of work), drawing between chunks, until paused
   * or, with `until`, until that step (`what` then says so, with the count: a link's replay).
   */
  async play(until = Infinity, what = "") {
    if (this.playing) return this.pause();
    if (!this.engine.ready()) {
      // (a second press before Python is up takes the first back, as Pause would)
      this.playWhenUp = !this.playWhenUp;
      this.showPlaying(this.playWhenUp);
      this.say(this.playWhenUp ? "Python is starting: training plays as soon as it is up." :
        "Python is starting: Play is taken back.");
      return;
    }
    this.playing = true;
    this.showPlaying(true);
    let n = 1;
    let saved = performance.now();
    while (this.playing) {
      const at = Number(this.dom.status.dataset.step || 0);
      if (at >= until) break;
      const t0 = performance.now();
      const asked = Math.min(n, until - at);
      if (!(await this.step(asked))) break;
      if (what) {
        this.say(`${what}: step ${this.dom.status.dataset.step} of ${until}… (Pause stops)`);
      } else if (performance.now() - saved >= SAVE_MS) {
        // The address follows the steps every SAVE_MS while playing, so a reload in the middle
        // of Play comes back near where it was (not while a link's steps are replayed: its
        // address keeps the step it replays to).
        saved = performance.now();
        this.engine.onChange();
      }
      // The next chunk: as many steps as fit in CHUNK_MS at the worker's own time a step (the
      // boundary's and the neurons' maps cost the same however many steps a reply holds, so
      // sizing by the whole reply kept a chunk at one step while they were drawn: issue #18).
      const stepMs = Number(this.lastStepsMs) > 0 ? Number(this.lastStepsMs) / asked : (performance.now() - t0) / asked;
      n = Math.max(1, Math.min(what ? 1000 : 50, Math.round(CHUNK_MS / Math.max(0.05, stepMs))));
      await new Promise((r) => requestAnimationFrame(r)); // the boundary shows between chunks
    }
    this.pause();
    if (what) this.showStatus();
  }

  pause() {
    if (this.playing) this.engine.onChange(); // (the address follows the steps when training stops)
    this.playing = false;
    this.showPlaying(false);
  }

  /** Play's button: Pause while training plays (or will, once Python is up), Play otherwise. */
  showPlaying(on) {
    this.dom.play.textContent = on ? "Pause" : "Play";
    this.dom.play.setAttribute("aria-pressed", String(on));
  }

  async reset() {
    this.pause();
    if (!this.engine.ready()) {
      // (before Python is up: the steps and the Play asked for meanwhile are taken back)
      this.waiting = 0;
      this.playWhenUp = false;
      // (and the link's step: not replayed; its points, if any, stay)
      if (this.restore) this.restore = this.restore.edits ? { step: 0, edits: this.restore.edits } : null;
      this.engine.onChange();
      this.say("Python is starting: training starts at step 0 as soon as it is up.");
      return;
    }
    await this.build(true);
  }

  // ---------------------------------------------------------------- drawing

  /**
   * The heat map of the network's score (an image scaled by CSS: its cells made into an
   * ImageData once per grid) and the points on top, one path per class; then the curve.
   * Called once per animation frame at most (scheduleDraw).
   */
  draw() {
    const c = this.dom.canvas;
    const size = this.size || c.clientWidth || 360;
    const dpr = window.devicePixelRatio || 1;
    const px = Math.round(size * dpr);
    const resized = c.width !== px;
    if (resized) {
      c.width = px;
      c.height = px;
    }
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    const g = this.grid;
    const discrete = $("train-discretize").checked;
    // The boundary's canvas keeps its pixels: it is redrawn only when something it shows changed.
    const showTest = this.dom.showTest.checked;
    const drawn = [px, dark, discrete, g, this.points, showTest, this.test, this.test.size, this.regression, this.targetScale];
    const boundary = resized || !this.boundaryDrawn || drawn.some((v, k) => v !== this.boundaryDrawn[k]);
    if (boundary) {
      this.boundaryDrawn = drawn;
      this.drawBoundary(c, size, dpr, dark, g, discrete, showTest);
    }
    this.curve.draw(this.losses, this.accuracies, this.curveWidth || this.dom.curve.clientWidth || 640, this.testLosses, this.others);
    // The network's diagram, in two parts: its weights' lines and its neurons' maps. While
    // training plays, a frame draws one of them, by turns, so that neither falls behind: the
    // boundary, the maps' 32 canvases and the lines in one frame held it over 50 ms (issue
    // #18), and the maps with the lines alone still took 35 ms of the main thread.
    const netWidth = this.netWidth || 600;
    if (this.network) {
      if (dark !== this.netDark || netWidth !== this.netDrawnWidth) this.netLinks = this.netMaps = true;
      let links = this.netLinks;
      let maps = this.netMaps;
      if (this.playing && links && maps) {
        this.netMapsNext = !this.netMapsNext;
        if (this.netMapsNext) links = false;
        else maps = false;
      }
      if (links || maps) {
        const drew = this.netView.draw(this.network, netWidth, dark, { links, maps });
        if (drew.links) this.netLinks = false;
        if (drew.maps) this.netMaps = false;
        this.netDark = dark;
        this.netDrawnWidth = netWidth;
      }
      if (this.netLinks || this.netMaps) this.scheduleDraw(); // (the other part, next frame)
    }
    this.gradChart.draw(this.gradNorms, this.deadRelu, this.gradWidth || 420);
  }

  /** The boundary's canvas: the heat map of the network's score and the data's points on top. */
  drawBoundary(c, size, dpr, dark, g, discrete, showTest) {
    if (g && (this.heatDirty || dark !== this.heatDark || discrete !== this.heatDiscrete)) this.makeHeat(g, dark, discrete);
    const ctx = c.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    if (g && this.heat) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.heat, 0, 0, c.width, c.height);
    }
    const P = this.points;
    if (P && g) {
      const [x0, x1] = g.xs.map(Number);
      const [y0, y1] = g.ys.map(Number);
      const r = 4 * dpr;
      ctx.lineWidth = 1.5 * dpr;
      ctx.strokeStyle = dark ? "#0d1117" : "#ffffff";
      const T = this.test;
      if (this.regression) this.drawTargets(ctx, c, P, x0, x1, y0, y1, r, dark, showTest);
      for (let cls = 0; cls < (this.regression ? 0 : CLASS_COLORS.length); cls++) {
        // The training points filled; the test points (held out) hollow rings of their class's colour.
        for (const held of [false, true]) {
          if (held && (!T.size || !showTest)) continue;
          ctx.beginPath();
          let any = false;
          P.forEach(([x, y, k], i) => {
            if (k !== cls || T.has(i) !== held) return;
            const cx = ((x - x0) / (x1 - x0)) * c.width;
            const cy = (1 - (y - y0) / (y1 - y0)) * c.height;
            ctx.moveTo(cx + r, cy);
            ctx.arc(cx, cy, r, 0, 2 * Math.PI);
            any = true;
          });
          if (!any) continue;
          if (held) {
            ctx.lineWidth = 4 * dpr; // (a halo of the background under the ring, so it reads on any colour)
            ctx.strokeStyle = dark ? "#0d1117" : "#ffffff";
            ctx.stroke();
            ctx.lineWidth = 2 * dpr;
            ctx.strokeStyle = CLASS_COLORS[cls];
            ctx.stroke();
            ctx.lineWidth = 1.5 * dpr;
            ctx.strokeStyle = dark ? "#0d1117" : "#ffffff";
          } else {
            ctx.fillStyle = CLASS_COLORS[cls];
            ctx.fill();
            ctx.stroke();
          }
        }
      }
      // The axes and the colour key change only with the data's range, the size or the theme.
      const axesKey = JSON.stringify([size, g.xs, g.ys]);
      if (axesKey !== this.axesKey) {
        this.axesKey = axesKey;
        drawMapAxes(this.dom.axisY, this.dom.axisX, size, [x0, x1], [y0, y1]);
      }
      const keyKey = JSON.stringify([g.classes, dark, Number(g.scale) > 1, this.targetScale]);
      if (keyKey !== this.keyKey) {
        this.keyKey = keyKey;
        if (this.regression) fillRegressionKey(this.dom.key, this.targetScale, dark, unitColor);
        else fillMapKey(this.dom.key, Number(g.classes) || 2, dark, Number(g.scale) > 1);
      }
    }
  }

  /** A regression's points, each filled with its target's colour (the output's scale), test points hollow. */
  drawTargets(ctx, c, P, x0, x1, y0, y1, r, dark, showTest) {
    const labels = this.data.labels;
    const rgb = [0, 0, 0];
    const dpr = window.devicePixelRatio || 1;
    P.forEach(([x, y], i) => {
      const held = this.test.has(i);
      if (held && !showTest) return;
      const cx = ((x - x0) / (x1 - x0)) * c.width;
      const cy = (1 - (y - y0) / (y1 - y0)) * c.height;
      unitColor(Number(labels[i]) / this.targetScale, dark, rgb);
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, 2 * Math.PI);
      ctx.lineWidth = (held ? 2.5 : 1.5) * dpr;
      ctx.strokeStyle = held ? `rgb(${rgb.join(" ")})` : dark ? "#e6edf3" : "#24292f";
      if (!held) {
        ctx.fillStyle = `rgb(${rgb.join(" ")})`;
        ctx.fill();
      }
      ctx.stroke();
    });
  }

  /** The grid's scores as an image, a pixel a cell (CSS scales it). */
  makeHeat(g, dark, discrete = false) {
    const n = g.n;
    if (!this.heat || this.heat.width !== n) {
      this.heat = document.createElement("canvas");
      this.heat.width = n;
      this.heat.height = n;
      this.heatImage = new ImageData(n, n);
    }
    const data = this.heatImage.data;
    const scale = Number(g.scale) || 1;
    const single = scale > 1;
    const rgb = [0, 0, 0];
    for (let k = 0; k < n * n; k++) {
      const v = Number(g.scores[k]) / scale;
      // Discretized (Playground's option): a single score's sign at full strength, no shades (a regression:
      // its sign too). Several classes are the class already.
      if (this.regression) unitColor(discrete ? Math.sign(v) : v / this.targetScale, dark, rgb);
      else cellColor(discrete && single ? Math.sign(v) : v, single, dark, rgb);
      const o = k * 4;
      data[o] = rgb[0];
      data[o + 1] = rgb[1];
      data[o + 2] = rgb[2];
      data[o + 3] = 255;
    }
    this.heat.getContext("2d").putImageData(this.heatImage, 0, 0);
    this.heatDirty = false;
    this.heatDark = dark;
    this.heatDiscrete = discrete;
  }

  /**
   * Step into one update: the graph of one point's loss at the current weights goes
   * to the graph view above (inputs and target frozen, the nudge rate the training's),
   * where it steps and nudges like any program; training stays where it was.
   */
  async openPoint(focus = null) {
    this.pause();
    clearTimeout(this.idleTimer); // (the finer boundary would make this wait: it is asked for again after)
    if (!this.engine.ready()) {
      // A click that must wait runs when it can.
      this.afterUp = () => this.openPoint(focus);
      this.say("Python is starting: the point's graph opens as soon as it is up.");
      return;
    }
    if (!(await this.build())) return;
    const text = this.dom.point.value.trim();
    const count = (this.points?.length ?? 0) - this.test.size; // (the training points: the test points are not trained on)
    if (text !== "" && !(/^\d+$/.test(text) && Number(text) < count)) {
      // (the worker's words too: gradstep.training.view.TrainingView.point)
      this.dom.problem.textContent = `Point: must be a whole number from 0 to ${count - 1} (the data's points), not '${text}'`;
      this.dom.problem.hidden = false;
      return;
    }
    const reply = await this.engine.call("train", { action: "point", index: text === "" ? null : text }, "writing the point's graph");
    if (!reply.ok) {
      this.failed(reply, "The point's graph could not be made");
      return;
    }
    this.dom.problem.hidden = true;
    this.note(pointNote(reply, text === ""));
    await this.engine.openProgram(reply.program, { rate: reply.rate, step: reply.step, index: Number(reply.index), focus });
    this.refineSoon();
  }

  /** The whole batch's graph at the current weights, collapsed into neurons. */
  async openBatch() {
    this.pause();
    if (!this.engine.ready()) {
      this.afterUp = () => this.openBatch();
      this.say("Python is starting: the batch's graph opens as soon as it is up.");
      return;
    }
    if (!(await this.build())) return;
    await this.batch.open();
  }

  /** A click adds a point of the chosen class; a click on a point removes it. Training starts again: it says so. */
  async click(e) {
    const r = this.dom.canvas.getBoundingClientRect();
    return this.editAt((e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
  }

  /**
   * The map from the keyboard: arrows move a cursor (a 50th of the map a press, a 10th with
   * Shift), Enter or Space adds a point there of the chosen class, or removes the point under it.
   */
  keyboard(e) {
    const step = e.shiftKey ? 0.1 : 0.02;
    const move = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
    const c = (this.cursor ??= { u: 0.5, v: 0.5 });
    if (move) {
      c.u = Math.min(1, Math.max(0, c.u + move[0]));
      c.v = Math.min(1, Math.max(0, c.v + move[1]));
    } else if (e.key === "Enter" || e.key === " ") {
      this.editAt(c.u, c.v);
    } else {
      return;
    }
    e.preventDefault();
    this.showCursor(true);
  }

  showCursor(on) {
    const ring = $("train-cursor");
    ring.hidden = !on;
    if (!on || !this.cursor) return;
    ring.style.left = `${this.cursor.u * 100}%`;
    ring.style.top = `${this.cursor.v * 100}%`;
  }

  /** A click or Enter at (u, v), the fractions of the map across and down: a point added or removed. */
  async editAt(u, v) {
    const g = this.grid;
    const d = this.data;
    if (!g || !d) {
      // (no data drawn yet, so nowhere to point at: said, not dropped silently)
      this.say(this.engine.ready() ? "The data is not drawn yet: a click adds a point once it is." :
        "Python is starting: the data is drawn as soon as it is up, and then a click adds a point there.");
      return;
    }
    if (this.regression) {
      this.note("This is a regression: its points carry numbers, not classes. Add points as rows x,y,target under Your own data.");
      return;
    }
    const [x0, x1] = g.xs.map(Number);
    const [y0, y1] = g.ys.map(Number);
    const x = x0 + u * (x1 - x0);
    const y = y1 - v * (y1 - y0);
    const hidden = !this.dom.showTest.checked; // (a hidden test point is not removed by a click on where it is)
    const near = d.points.findIndex(([px, py], k) => !(hidden && this.test.has(k)) && Math.hypot((Number(px) - x) / (x1 - x0), (Number(py) - y) / (y1 - y0)) < 0.015);
    const points = d.points.map(([px, py], k) => [Number(px), Number(py), Number(d.labels[k])]);
    // (a click's place to 3 decimals: finer than a pixel, and short in the link)
    const edit = near >= 0 ? near : [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000, Number(this.dom.cls.value)];
    const was = Number(this.dom.status.dataset.step || 0);
    this.pause();
    this.edits = [...this.edits, edit];
    this.edited = { key: this.editKey(), points: applyEdits(points, [edit]) };
    const what = typeof edit === "number" ? `Point ${edit} removed` :
      `A ${CLASS_NAMES[edit[2]]} point added at (${edit[0]}, ${edit[1]})`;
    this.note(`${what}: the data changed, so training starts again from step 0 with new weights` +
      (was ? ` (it was at step ${was})` : "") + ". Press Play to train on the new data; the link keeps your points.");
    await this.build(true);
  }

  _wire() {
    const d = this.dom;
    d.step.addEventListener("click", () => this.step(1));
    d.play.addEventListener("click", () => this.play());
    d.reset.addEventListener("click", () => this.reset());
    d.canvas.addEventListener("click", (e) => this.click(e));
    d.canvas.addEventListener("keydown", (e) => this.keyboard(e));
    d.canvas.addEventListener("focus", () => this.showCursor(d.canvas.matches(":focus-visible"))); // (not for a click)
    d.canvas.addEventListener("blur", () => this.showCursor(false));
    d.openPoint.addEventListener("click", () => this.openPoint());
    d.openBatch.addEventListener("click", () => this.openBatch());
    for (const [k, e] of Object.entries(this.fields)) {
      e.addEventListener("change", (event) => {
        if (k === "features" && !this.featuresChanged(event.target)) return;
        if (k === "optimizer" || k === "dataset") this.rateFollows();
        this.showApplies();
        this.engine.onChange();
        this.build();
      });
    }
    d.showTest.addEventListener("change", () => this.scheduleDraw());
    $("train-discretize").addEventListener("change", () => this.scheduleDraw());
    // Your own data: trained on when asked (or when the box is left after an edit: its change).
    $("train-data-use").addEventListener("click", () => {
      this.engine.onChange();
      this.build();
    });
    $("train-data-clear").addEventListener("click", () => {
      this.fields.data.value = "";
      this.rateFollows(); // (the dataset's rate again, if the data's was at its default)
      this.engine.onChange();
      this.build();
    });
    $("train-data-file").addEventListener("change", async (e) => {
      const file = e.target.files?.[0];
      if (!file) return;
      // (a file that cannot hold few enough characters is not read at all: UTF-8 takes 4 bytes at most a character)
      const most = TABLE.max_data_chars;
      if (file.size > 4 * most) {
        $("train-data-note").textContent = `Your data: ${file.name} is ${file.size.toLocaleString("en-US")} bytes; ` +
          `the most is ${most.toLocaleString("en-US")} characters (about 10,000 rows).`;
        return;
      }
      this.fields.data.value = await file.text();
      e.target.value = "";
      this.engine.onChange();
      this.build();
    });
    $("train-close").addEventListener("click", () => this.hide());
    // Sizes read when they change, not in every frame (a layout read per frame stalls the page).
    new ResizeObserver((entries) => {
      for (const e of entries) {
        const w = e.contentBoxSize?.[0]?.inlineSize ?? e.contentRect.width;
        if (e.target === d.canvas) this.size = w;
        else this.curveWidth = w;
      }
      if (this.shown) this.scheduleDraw();
    }).observe(d.canvas);
    new ResizeObserver(() => {
      this.curveWidth = d.curve.parentElement.clientWidth;
      if (this.shown) this.scheduleDraw();
    }).observe(d.curve.parentElement);
    const net = $("train-network");
    const grads = $("train-grad-norms").parentElement;
    new ResizeObserver(() => {
      this.netWidth = net.clientWidth;
      this.gradWidth = grads.clientWidth;
      if (this.shown) this.scheduleDraw();
    }).observe(net.parentElement);
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.scheduleDraw());
  }
}

/** What the opened point's graph will show, and why every gradient is 0 when its loss is. */
function pointNote(reply, auto) {
  const i = reply.index;
  const loss = Number(reply.loss);
  const top = reply.largest;
  const chosen = auto ? `Point ${i}, the one with the largest loss (${loss.toFixed(4)}), opened above` :
    `Point ${i} opened above: its loss is ${loss.toFixed(4)}`;
  if (loss !== 0) return `${chosen}. Step backward for its gradients; Nudge is this point's own SGD update.`;
  const why = reply.loss_name === "hinge" ?
    "the network already puts it on its side of the boundary by a margin of at least 1, and relu(1 − y·score) is 0 there" :
    "the network already scores it exactly right";
  const other = Number(top.loss) > 0 ? ` Point ${top.index} has the largest loss (${Number(top.loss).toFixed(4)}): empty the Point field to open it.` : "";
  return `${chosen}: ${why}, so every gradient in its graph is 0 and a nudge changes nothing.${other}`;
}

/** A message with each long 'quoted value' in it clipped. */
function clipQuoted(message) {
  return message.replace(/'([^']{61,})'/g, (_, v) => `'${clip(v)}'`);
}

function classIndex(label) {
  return Math.max(0, Math.min(CLASS_COLORS.length - 1, Number(label)));
}
