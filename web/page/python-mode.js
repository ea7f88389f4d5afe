// Python mode (contract section 3, issue #19): the editor holds the learner's own Python; Run
// runs it in the engine's worker (gradstep/program/python_mode.py) and draws the graph of its
// last expression, or the one chosen of those it passed to show(...). What it printed, and a
// traceback, go to the output panel; the traceback's line is marked in the editor.
//
// A link may carry Python (#python=...), but it never runs by itself: the page shows the code
// and asks first (python-consent). A gradstep program from a link runs as before.

const $ = (id) => document.getElementById(id);
// The packages a code may import that the page ships (web/vendor/wheels): installed before it runs.
const SHIPPED = ["micrograd"];

export class PythonMode {
  /**
   * @param {{editor, call(method, args, label): Promise,
   *   load(program): Promise<boolean>, whenPython(what, fn), setEmpty(text), onMode()}} page
   */
  constructor(page) {
    this.page = page;
    this.dom = {
      mode: $("mode"), output: $("python-output"), graphs: $("python-graphs"), graph: $("python-graph"),
      consent: $("python-consent"), consentRun: $("python-consent-run"), consentShow: $("python-consent-show"),
      help: $("program-help"), pyHelp: $("python-help"), title: $("editor-title"),
    };
    this.graphs = []; // the last run's [{label, program} | {label, error}]
    this.dom.mode.addEventListener("change", () => this.setMode(this.dom.mode.value));
    this.dom.graph.addEventListener("change", () => this.draw(Number(this.dom.graph.value)));
    this.dom.consentRun.addEventListener("click", () => {
      this.closeConsent();
      this.run();
    });
    this.dom.consentShow.addEventListener("click", () => {
      this.closeConsent();
      this.page.editor.focus();
    });
  }

  get on() {
    return this.dom.mode.value === "python";
  }

  /** Switch the editor's language; the address follows (#python= or #program=). */
  setMode(mode) {
    const python = mode === "python";
    this.dom.mode.value = python ? "python" : "program";
    this.dom.help.hidden = python;
    this.dom.pyHelp.hidden = !python;
    this.dom.title.textContent = python ? "Python" : "Program";
    if (!python) {
      this.dom.output.hidden = true;
      this.dom.graphs.hidden = true;
      this.closeConsent();
    }
    this.page.editor.clearError();
    this.page.onMode();
  }

  /** A link's Python: shown in the editor, run only when the learner presses Run. */
  ask(code) {
    this.page.editor.setText(code);
    this.setMode("python"); // (after the text: the address is written from it)
    this.dom.consent.hidden = false;
    this.page.setEmpty("This link's Python has not run. Read it in the editor, then press Run in the box above it (or Show the code only).");
    this.dom.consentRun.focus();
  }

  closeConsent() {
    this.dom.consent.hidden = true;
  }

  /** Run the editor's code (Run, Ctrl+Enter, or the consent's Run). */
  run() {
    this.closeConsent();
    const code = this.page.editor.text;
    return this.page.whenPython("Running your Python", () => this._run(code));
  }

  async _run(code) {
    for (const name of SHIPPED) {
      if (!new RegExp(`^\\s*(from|import)\\s+${name}\\b`, "m").test(code)) continue;
      const got = await this.page.call("packages", { names: [name] }, `loading ${name}`);
      if (!got.ok && !got.stopped) {
        const why = got.error?.message || "the engine did not answer";
        this.showOutput("", { message: `${name} could not be loaded in the page: ${why}`, line: null }, code);
        return false;
      }
    }
    const reply = await this.page.call("python", { code }, "running your Python");
    // (the learner left Python mode while it ran, and may have run a program since: not drawn)
    if (!this.on) return false;
    if (reply.stopped) {
      this.showOutput("", { message: "Stopped: your code was still running, so Python was restarted. The graph on screen stays.", line: null }, code);
      return false;
    }
    if (!reply.ok) {
      this.showOutput("", reply.error ?? { message: "the engine did not answer" }, code);
      return false;
    }
    this.showOutput(reply.output, reply.error, code);
    this.graphs = reply.graphs ?? [];
    const sel = this.dom.graph;
    sel.replaceChildren(...this.graphs.map((g, k) => {
      const o = document.createElement("option");
      o.value = String(k);
      o.textContent = g.error ? `${g.label} (cannot be drawn)` : g.label;
      return o;
    }));
    this.dom.graphs.hidden = this.graphs.length < 2;
    if (!this.graphs.length) {
      // (a code with no graph keeps the graph on screen; the output says why none is drawn)
      if (!reply.error) this.note("No graph to draw: the last line is not a Value and show() was not called. The graph on screen stays.");
      return false;
    }
    const first = this.graphs.findIndex((g) => !g.error);
    sel.value = String(Math.max(0, first));
    return this.draw(Math.max(0, first));
  }

  /** Draw the k-th graph of the last run. */
  async draw(k) {
    const g = this.graphs[k];
    if (!g) return false;
    if (g.error) {
      this.note(`${g.label} cannot be drawn: ${g.error}`);
      return false;
    }
    return this.page.load(g.program);
  }

  /** What the code printed, then its error (its traceback; its line marked in the editor). */
  showOutput(output, error, code) {
    const box = this.dom.output;
    let text = output || "";
    if (error) {
      text += (text && !text.endsWith("\n") ? "\n" : "") + (error.traceback || error.message);
      this.page.editor.showError({ message: error.message, line: error.line ?? null, col: error.col ?? null }, "python");
    } else {
      this.page.editor.clearError();
    }
    box.textContent = text || "(nothing printed)";
    box.dataset.error = error ? "true" : "false";
    box.hidden = false;
    this.codeRun = code;
  }

  /** A line after the output (why nothing was drawn). */
  note(text) {
    const box = this.dom.output;
    box.hidden = false;
    box.textContent = (box.textContent === "(nothing printed)" ? "" : box.textContent + "\n") + text;
  }
}
