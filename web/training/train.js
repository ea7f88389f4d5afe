// The training view (contract section 5): a small network learns a 2-D dataset in the
// engine's worker; this draws the decision boundary as a heat map under the points,
// the loss and accuracy curves, and takes the settings, Step, Play/Pause and Reset.
// Play asks the worker for a few steps at a time and draws between the answers, so
// the page keeps answering; pausing is not asking for more.

import { BatchView } from "./batch-view.js";
import { niceTicks } from "../graph/plot.js";
import { applyEdits, DEFAULTS, decodeEdits, encodeEdits, fillForm, settingsProblem, trainSettings } from "./settings.js";

export { trainSettings };

const $ = (id) => document.getElementById(id);
const NS = "http://www.w3.org/2000/svg";
const CHUNK_MS = 80; // Play asks for about this much work at a time
const FINE_GRID = 96; // the boundary's cells a side once training is idle (32 while it runs)
const IDLE_MS = 250;

export class TrainView {
  /**
   * @param {{call(method, args, what): Promise, ready(): boolean, onChange(),
   *   openProgram(text, {rate}): Promise}} engine
   */
  constructor(engine) {
    this.engine = engine;
    this.dom = {
      panel: $("train"), dataset: $("train-dataset"), layers: $("train-layers"), seed: $("train-seed"),
      lr: $("train-lr"), batch: $("train-batch"), activation: $("train-activation"), loss: $("train-loss"),
      step: $("train-step"),
      play: $("train-play"), reset: $("train-reset"), status: $("train-status"), canvas: $("train-boundary"),
      curve: $("train-curve"), problem: $("train-problem"), cls: $("train-class"), point: $("train-point"),
      openPoint: $("train-open-point"), openBatch: $("train-open-batch"),
    };
    this.batch = new BatchView(engine, { pause: () => this.pause() });
    this.shown = false;
    this.playing = false;
    this.losses = [];
    this.accuracies = [];
    this.data = null; // {points: [[x, y], ...], labels: [...], classes: n}
    this.grid = null; // {n, xs: [x0, x1], ys: [y0, y1], scores: [...] per cell}
    this.built = ""; // the settings the worker holds
    this.waiting = 0; // steps asked for before Python was up: taken as soon as it is
    this.playWhenUp = false; // Play pressed before Python was up
    this.restore = null; // {step, edits} from the link: where the training is brought back to
    this.edits = []; // the learner's edits of the data (points added, removed), for the link
    fillForm({
      dataset: this.dom.dataset, layers: this.dom.layers, seed: this.dom.seed, lr: this.dom.lr,
      batch: this.dom.batch, activation: this.dom.activation, loss: this.dom.loss,
    });
    this._wire();
  }

  settings() {
    const d = this.dom;
    return {
      dataset: d.dataset.value, layers: d.layers.value.trim(), seed: d.seed.value.trim(), lr: d.lr.value.trim(),
      batch: d.batch.value.trim(), activation: d.activation.value, loss: d.loss.value,
    };
  }

  /** The settings and where the training is, for the address (contract section 5). */
  link() {
    const out = { ...this.settings(), step: this.dom.status.dataset.step || "0" };
    if (this.restore) out.step = String(Math.max(Number(out.step), this.restore.step));
    const edits = this.restore?.edits ?? this.edits;
    if (edits?.length) out.points = encodeEdits(edits);
    return out;
  }

  setSettings(s) {
    const d = this.dom;
    if (s.step != null || s.points != null) {
      const step = Math.max(0, Math.min(1_000_000, Math.floor(Number(s.step)) || 0));
      const edits = s.points != null ? decodeEdits(s.points) : null;
      this.restore = step || edits ? { step, edits } : null;
    }
    d.dataset.value = s.dataset;
    d.layers.value = s.layers;
    d.seed.value = s.seed;
    d.lr.value = s.lr;
    d.batch.value = s.batch;
    d.activation.value = s.activation;
    d.loss.value = s.loss;
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
    this.shown = false;
    this.dom.panel.hidden = true;
    this.engine.onChange();
  }

  /** The worker that held the network was stopped: build it again when next asked. */
  forget() {
    this.pause();
    this.built = "";
    this.batch.forget();
  }

  /** (Re)build the network and the data in the worker when the settings changed. */
  async build(force = false) {
    const s = this.settings();
    const problem = settingsProblem(s);
    this.dom.problem.textContent = problem;
    this.dom.problem.hidden = !problem;
    if (problem) return false;
    const key = JSON.stringify(s);
    if (!force && key === this.built && !this.restore) return true;
    if (!this.engine.ready()) {
      this.say("Training runs in Python, which is starting: it begins as soon as it is up.");
      return false;
    }
    if (!this.playing) this.pause();
    const reply = await this.engine.call("train", { action: "new", settings: s, points: this.userPoints(key) }, "building the network");
    if (!reply.ok) {
      this.dom.problem.textContent = reply.error.message;
      this.dom.problem.hidden = false;
      return false;
    }
    this.built = key;
    this.losses = [];
    this.accuracies = [];
    this.apply(reply);
    this.refineSoon();
    this.engine.onChange();
    if (this.batch.shown) await this.batch.refresh(); // (a new network: its own graph)
    await this.catchUp();
    return true;
  }

  /**
   * What waited for the network: the link's steps (training is deterministic: the same steps
   * give the same weights), then steps and Play clicked while Python was starting.
   */
  async catchUp() {
    if (this.restoring) return;
    const restore = this.restore;
    this.restore = null;
    if (restore?.edits) {
      // The link's points: the dataset's (just built), edited as the learner did, built again.
      const d = this.data;
      const points = applyEdits(d.points.map(([x, y], k) => [Number(x), Number(y), Number(d.labels[k])]), restore.edits);
      const classes = Number(d.classes);
      if (points && points.every((p) => p[2] < classes)) {
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
    const waiting = this.waiting;
    this.waiting = 0;
    if (waiting) await this.step(waiting);
    if (this.playWhenUp) {
      this.playWhenUp = false;
      if (!this.playing) this.play();
    }
  }

  /** Points the learner added or removed stay with the dataset's settings. */
  userPoints(key) {
    if (this.edited && this.edited.key === this.editKey(JSON.parse(key))) return this.edited.points;
    this.edited = null;
    this.edits = [];
    return null;
  }

  /** What the learner's points belong to: the settings that make the data (not the rate, batch or loss). */
  editKey(s = this.settings()) {
    return JSON.stringify({ ...s, lr: "", batch: "", loss: "" });
  }

  apply(reply) {
    if (reply.data) {
      this.data = reply.data;
      // The classes a click can add: two, or three for the spiral.
      for (const o of this.dom.cls.options) o.hidden = Number(o.value) >= Number(reply.data.classes);
      if (Number(this.dom.cls.value) >= Number(reply.data.classes)) this.dom.cls.value = "0";
    }
    if (reply.losses) this.losses.push(...reply.losses.map(Number));
    if (reply.accuracy != null) this.accuracies.push(...(reply.accuracies || [reply.accuracy]).map(Number));
    if (reply.grid) this.grid = reply.grid;
    const st = this.dom.status;
    st.dataset.step = String(reply.step ?? 0);
    st.dataset.loss = reply.loss ?? "";
    st.dataset.accuracy = reply.accuracy ?? "";
    this.showStatus();
    this.draw();
  }

  /** The status line from what it carries (data-step, data-loss, data-accuracy). */
  showStatus() {
    const st = this.dom.status;
    const { step, loss, accuracy } = st.dataset;
    const acc = accuracy === "" || accuracy == null ? "—" : `${(Number(accuracy) * 100).toFixed(1)}%`;
    const shown = loss === "" || loss == null ? "—" : Number(loss).toFixed(4);
    st.textContent = `Step ${step || 0} · loss ${shown} · accuracy ${acc}`;
  }

  say(text) {
    this.dom.status.textContent = text;
  }

  async step(n = 1) {
    if (!this.engine.ready()) {
      // A click made while Python starts is not lost: it runs as soon as it is up.
      this.waiting += n;
      this.say(`Python is starting: ${this.waiting} step${this.waiting === 1 ? "" : "s"} will run as soon as it is up.`);
      return false;
    }
    if (!(await this.build())) return false;
    const reply = await this.engine.call("train", { action: "step", steps: Math.min(1000, n) }, "training");
    if (!reply.ok) {
      this.pause();
      if (!reply.stopped) this.say(reply.error.message);
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
        this.grid = reply.grid;
        this.draw();
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
      this.playWhenUp = true;
      this.say("Python is starting: training plays as soon as it is up.");
      return;
    }
    this.playing = true;
    this.dom.play.textContent = "Pause";
    this.dom.play.setAttribute("aria-pressed", "true");
    let n = 1;
    while (this.playing) {
      const at = Number(this.dom.status.dataset.step || 0);
      if (at >= until) break;
      const t0 = performance.now();
      if (!(await this.step(Math.min(n, until - at)))) break;
      if (what) this.say(`${what}: step ${this.dom.status.dataset.step} of ${until}… (Pause stops)`);
      const ms = performance.now() - t0;
      n = Math.max(1, Math.min(what ? 1000 : 50, Math.round((n * CHUNK_MS) / Math.max(1, ms))));
      await new Promise((r) => requestAnimationFrame(r)); // the boundary shows between chunks
    }
    this.pause();
    if (what) this.showStatus();
  }

  pause() {
    if (this.playing) this.engine.onChange(); // (the address follows the steps when training stops)
    this.playing = false;
    this.dom.play.textContent = "Play";
    this.dom.play.setAttribute("aria-pressed", "false");
  }

  async reset() {
    this.pause();
    await this.build(true);
  }

  // ---------------------------------------------------------------- drawing

  /** The heat map of the network's score (an image scaled by CSS) and the points on top. */
  draw() {
    const c = this.dom.canvas;
    const size = c.clientWidth || 360;
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== Math.round(size * dpr)) {
      c.width = Math.round(size * dpr);
      c.height = Math.round(size * dpr);
    }
    const ctx = c.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    const g = this.grid;
    c.dataset.grid = g ? String(g.n) : ""; // (cells a side: coarse while playing, fine when idle)
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    if (g) {
      const img = new ImageData(g.n, g.n);
      for (let k = 0; k < g.n * g.n; k++) {
        const [r, gg, b] = cellColor(Number(g.scores[k]), g.classes || 2, dark);
        img.data.set([r, gg, b, 255], k * 4);
      }
      const off = document.createElement("canvas");
      off.width = g.n;
      off.height = g.n;
      off.getContext("2d").putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(off, 0, 0, c.width, c.height);
    }
    const d = this.data;
    if (!d || !g) return;
    const [x0, x1] = g.xs.map(Number);
    const [y0, y1] = g.ys.map(Number);
    ctx.lineWidth = 1.5 * dpr;
    d.points.forEach(([x, y], k) => {
      const px = ((Number(x) - x0) / (x1 - x0)) * c.width;
      const py = (1 - (Number(y) - y0) / (y1 - y0)) * c.height;
      ctx.beginPath();
      ctx.arc(px, py, 4 * dpr, 0, 2 * Math.PI);
      ctx.fillStyle = CLASS_COLORS[classIndex(d.labels[k])];
      ctx.fill();
      ctx.strokeStyle = dark ? "#0d1117" : "#ffffff";
      ctx.stroke();
    });
    this.drawCurve();
  }

  /** Loss (and accuracy) against steps. */
  drawCurve() {
    const svg = this.dom.curve;
    const W = 640;
    const H = 260;
    const P = { l: 48, r: 44, t: 12, b: 26 };
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const L = this.losses.filter(Number.isFinite);
    if (!L.length) return;
    const hi = Math.max(...L);
    const lo = Math.min(0, ...L);
    const X = (k) => P.l + (L.length < 2 ? 0 : (k / (L.length - 1)) * (W - P.l - P.r));
    const Y = (v) => P.t + (1 - (v - lo) / (hi - lo || 1)) * (H - P.t - P.b);
    const el = (name, attrs) => {
      const e = document.createElementNS(NS, name);
      for (const k in attrs) e.setAttribute(k, attrs[k]);
      svg.append(e);
      return e;
    };
    for (const v of niceTicks(lo, hi, 3)) {
      el("line", { x1: P.l, x2: W - P.r, y1: Y(v), y2: Y(v), class: "grid" });
      el("text", { x: P.l - 4, y: Y(v), class: "tick y" }).textContent = String(v);
    }
    for (const k of niceTicks(0, Math.max(1, L.length - 1), 4).filter(Number.isInteger)) {
      el("text", { x: X(k), y: H - P.b + 14, class: "tick x" }).textContent = String(k + 1);
    }
    // (at most about 1,000 points drawn: a long run is sampled evenly)
    const stride = Math.max(1, Math.ceil(L.length / 1000));
    const pick = (arr, f) => arr.map((v, k) => (k % stride === 0 || k === arr.length - 1 ? f(v, k) : null)).filter(Boolean).join(" ");
    el("polyline", { points: pick(L, (v, k) => `${X(k).toFixed(1)},${Y(v).toFixed(1)}`), class: "loss-line" });
    const A = this.accuracies;
    if (A.length > 1) {
      // Accuracy on its own axis, right: 0 to 100%.
      const YA = (a) => P.t + (1 - a) * (H - P.t - P.b);
      for (const a of [0, 0.5, 1]) el("text", { x: W - P.r + 4, y: YA(a), class: "tick y acc" }).textContent = `${a * 100}%`;
      const XA = (k) => P.l + (k / (A.length - 1)) * (W - P.l - P.r);
      el("polyline", { points: pick(A, (a, k) => `${XA(k).toFixed(1)},${YA(a).toFixed(1)}`), class: "acc-line" });
    }
    el("text", { x: (P.l + W - P.r) / 2, y: H - 2, class: "axis-label" }).textContent = "step";
  }

  /**
   * Step into one update: the graph of one point's loss at the current weights goes
   * to the graph view above (inputs and target frozen, the nudge rate the training's),
   * where it steps and nudges like any program; training stays where it was.
   */
  async openPoint() {
    this.pause();
    if (!(await this.build())) return;
    const index = Number(this.dom.point.value);
    const reply = await this.engine.call("train", { action: "point", index }, "writing the point's graph");
    if (!reply.ok) {
      this.dom.problem.textContent = reply.error.message;
      this.dom.problem.hidden = false;
      return;
    }
    this.dom.problem.hidden = true;
    await this.engine.openProgram(reply.program, { rate: reply.rate, step: reply.step, index });
  }

  /** The whole batch's graph at the current weights, collapsed into neurons. */
  async openBatch() {
    this.pause();
    if (!(await this.build())) return;
    await this.batch.open();
  }

  /** A click adds a point of the chosen class; a click on a point removes it. */
  async click(e) {
    const g = this.grid;
    const d = this.data;
    if (!g || !d) return;
    const r = this.dom.canvas.getBoundingClientRect();
    const [x0, x1] = g.xs.map(Number);
    const [y0, y1] = g.ys.map(Number);
    const x = x0 + ((e.clientX - r.left) / r.width) * (x1 - x0);
    const y = y1 - ((e.clientY - r.top) / r.height) * (y1 - y0);
    const near = d.points.findIndex(([px, py]) => Math.hypot((Number(px) - x) / (x1 - x0), (Number(py) - y) / (y1 - y0)) < 0.015);
    const points = d.points.map(([px, py], k) => [Number(px), Number(py), Number(d.labels[k])]);
    // (a click's place to 3 decimals: finer than a pixel, and short in the link)
    const edit = near >= 0 ? near : [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000, Number(this.dom.cls.value)];
    this.edits = [...this.edits, edit];
    this.edited = { key: this.editKey(), points: applyEdits(points, [edit]) };
    await this.build(true);
  }

  _wire() {
    const d = this.dom;
    d.step.addEventListener("click", () => this.step(1));
    d.play.addEventListener("click", () => this.play());
    d.reset.addEventListener("click", () => this.reset());
    d.canvas.addEventListener("click", (e) => this.click(e));
    d.openPoint.addEventListener("click", () => this.openPoint());
    d.openBatch.addEventListener("click", () => this.openBatch());
    for (const k of Object.keys(DEFAULTS)) {
      d[k].addEventListener("change", () => {
        this.engine.onChange();
        this.build();
      });
    }
    $("train-close").addEventListener("click", () => this.hide());
  }
}

const CLASS_COLORS = ["#2f78b7", "#d6604d", "#2e9e5b"];

function classIndex(label) {
  return Math.max(0, Math.min(2, Number(label)));
}

/** A cell's colour: blue for class 0 / negative scores, red for class 1 / positive (paler near 0). */
function cellColor(score, classes, dark) {
  const base = dark ? [22, 27, 34] : [255, 255, 255];
  let target;
  let t;
  if (classes === 2) {
    target = score > 0 ? [214, 96, 77] : [47, 120, 183];
    t = Math.min(1, Math.abs(score)) * 0.55;
  } else {
    const k = Math.max(0, Math.min(2, Math.round(score)));
    target = [[47, 120, 183], [214, 96, 77], [46, 158, 91]][k];
    t = 0.4;
  }
  return base.map((b, i) => Math.round(b + (target[i] - b) * t));
}
