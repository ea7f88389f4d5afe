// The program editor and the page's address: the text, its line numbers, Wrap and
// Wide, the error box under it (with "Show me"), the link note, and the address
// (#program=... &frozen=...), which always holds what is on screen so that a reload
// or a copied link loses nothing. The editor is a plain textarea until the code editor
// (code-editor.js, CodeMirror) has loaded after the first graph; then that one
// (`this.code`), with its own line numbers and the error underlined in place.

import { hashForProgram } from "./link.js";

const $ = (id) => document.getElementById(id);
const PENDING = "gradstep:pending-edit";
// A text longer than this waits for the code editor instead of going into the textarea first:
// Chromium lays out a textarea's every line (a 15,000-line link stalled the page 150-220 ms on
// that alone), the code editor only the lines in view.
const DEFER_CHARS = 20000;

export class Editor {
  /**
   * @param {{run(), openDefault(), frozenLabels(text): string[], views(): {practice, lab}, onInput()}} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.dom = {
      program: $("program"), gutter: $("gutter"), error: $("error"), linkNote: $("link-note"),
      about: $("about"),
    };
    this.errorKind = null;
    this.aboutFor = null;
    this.hashTimer = 0;
    this.hashWritten = -1e9;
    this.gutterLines = 1;
    this.gutterFor = null; // the text whose lines were counted
    this.lineHeight = 0;
    this.gutterText = document.createElement("div");
    this.gutterMark = document.createElement("div");
    this.gutterMark.className = "gutter-mark";
    this.gutterMark.hidden = true;
    this.dom.gutter.append(this.gutterMark, this.gutterText);
    this.code = null;
    this.codeFailed = false; // the code editor could not load: the textarea is the editor for good
    this.deferred = null; // a long text waiting for the code editor (DEFER_CHARS)
    this.error = null; // the error shown in place: {line, col, message}
    this._wire();
  }

  get text() {
    return this.code ? this.code.text : this.deferred ?? this.dom.program.value;
  }

  /** The code editor takes the textarea's place (its text, selection, wrap and error carry over). */
  attachCode(code) {
    this.code = code;
    this._undefer();
    this.dom.gutter.remove();
    code.setWrap(document.getElementById("wrap-lines").getAttribute("aria-pressed") === "true");
    if (this.error) code.mark(this.error.line, this.error.col, this.error.message);
  }

  /** The code editor did not load: a long text waiting for it goes into the textarea after all. */
  noCode() {
    this.codeFailed = true;
    const text = this.deferred;
    this._undefer();
    if (text != null) this.setText(text);
  }

  _undefer() {
    if (this.deferred == null) return;
    this.deferred = null;
    const ed = this.dom.program;
    ed.readOnly = false;
    ed.placeholder = "";
  }

  setText(text) {
    if (this.code) {
      this.code.setText(text);
      return;
    }
    const ed = this.dom.program;
    if (text.length > DEFER_CHARS && !this.codeFailed) {
      let lines = 1;
      for (let j = text.indexOf("\n"); j !== -1; j = text.indexOf("\n", j + 1)) lines++;
      this.deferred = text;
      ed.value = "";
      ed.readOnly = true; // (until the text is there to edit)
      ed.placeholder = `This program's ${lines.toLocaleString("en")} lines open in the code editor in a moment…`;
      this.updateGutter();
      return;
    }
    this._undefer();
    const { selectionStart, selectionEnd } = ed;
    ed.value = text;
    if (document.activeElement === ed) ed.setSelectionRange(selectionStart, selectionEnd);
    this.updateGutter();
  }

  // ---------------------------------------------------------------- address

  /**
   * The address follows the editor: written at once, then at most every 150 ms while
   * typing (browsers throttle very frequent history updates). An edit not yet in the
   * address waits in sessionStorage, so a reload in that moment still finds it.
   * Frozen leaves belong to the graph on screen: they go with the program it was
   * built from (`frozen` is [] when the editor holds something else).
   */
  updateHash(now = false) {
    clearTimeout(this.hashTimer);
    const write = () => {
      this.hashWritten = performance.now();
      const h = hashForProgram(this.text, this.handlers.frozenLabels(this.text), this.handlers.views());
      if (location.hash !== h) history.replaceState(null, "", h);
      try { sessionStorage.removeItem(PENDING); } catch { /* storage off */ }
    };
    if (now || performance.now() - this.hashWritten > 60) {
      write();
      return;
    }
    try {
      // (with the editor's language: Python mode's code goes back as #python=, never as a program)
      sessionStorage.setItem(PENDING, JSON.stringify({ hash: location.hash, text: this.text, mode: this.handlers.views().mode }));
    } catch { /* storage off or full: the timer still writes it */ }
    this.hashTimer = setTimeout(write, 150);
  }

  /** An edit that a reload interrupted before it reached the address. */
  static restorePendingEdit() {
    try {
      const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
      sessionStorage.removeItem(PENDING);
      if (pending && pending.hash === location.hash) {
        history.replaceState(null, "", hashForProgram(pending.text, [], { mode: pending.mode === "python" ? "python" : "program" }));
      }
    } catch { /* nothing pending */ }
  }

  /** A link that could not be read: say so (until the next program is run). */
  showLinkProblem(message, instead = "The page shows the default example instead") {
    this.dom.linkNote.textContent = `This link could not be read: ${message}. ${instead}.`;
    this.dom.linkNote.hidden = false;
  }

  /** An example's description, shown while its program is the one on screen. */
  showAbout(program, about) {
    this.aboutFor = about ? program : null;
    this.dom.about.textContent = about || "";
    this.dom.about.hidden = !about;
  }

  /**
   * A program was run: a description of another one goes, and so does the note on a
   * broken link once the learner runs something themselves (not when the page builds
   * the default example it showed instead).
   */
  ran(program, { fromUser = true } = {}) {
    if (this.aboutFor !== program) this.dom.about.hidden = true;
    if (fromUser) this.dom.linkNote.hidden = true;
  }

  // ---------------------------------------------------------------- errors

  /**
   * A program that can't run (kind "program": hasGraph says whether the previous
   * graph is still on screen), Python mode's code that raised (kind "python": its line marked)
   * or whose graph cannot be drawn (kind "graph"), or an action that did not happen (kind "action").
   */
  showError(err, kind, { action = "step", hasGraph = true } = {}) {
    this.errorKind = kind;
    const box = this.dom.error;
    // (a line and column are of the editor's text, except for a graph Python made: of its program)
    const placed = (kind === "program" || kind === "python") && err.line != null;
    const where = err.line != null && kind !== "graph" ? `line ${err.line}${err.col != null ? `, col ${err.col}` : ""}: ` : "";
    let lead;
    if (kind === "python") lead = "Your Python stopped with an error (the traceback is below). ";
    else if (kind === "graph") lead = "The graph your Python made cannot be drawn. ";
    else if (kind !== "program") lead = `The ${String(action).replace(/_/g, " ")} did not happen. `;
    else if (hasGraph) lead = "This program can't run, so the graph below is the previous one. ";
    else lead = "This program can't run, and there is no earlier graph to show. ";
    box.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = lead;
    const msg = document.createElement("span");
    msg.className = "error-msg";
    msg.textContent = where + err.message;
    box.append(strong, msg);
    if (placed) {
      box.append(" ", linkButton("Show me", () => this.select(err.line, err.col)));
    }
    if (kind === "program" && !hasGraph) {
      // A dead end otherwise: offer a program that works (the editor's text stays until then).
      const def = linkButton("Open the default example", () => this.handlers.openDefault());
      def.dataset.testid = "open-default";
      box.append(" ", def);
    }
    box.dataset.line = err.line ?? "";
    box.dataset.col = err.col ?? "";
    box.hidden = false;
    // (a traceback's line: the whole line; a program's error: the word at its column)
    this.error = placed ? { line: err.line, col: kind === "python" ? null : err.col, message: err.message } : null;
    this.code?.mark(this.error?.line, this.error?.col, this.error?.message);
    this.markGutter(placed ? err.line : null);
  }

  clearError(kind = null) {
    if (kind && this.errorKind !== kind) return;
    this.errorKind = null;
    this.dom.error.hidden = true;
    this.dom.error.replaceChildren();
    this.error = null;
    this.code?.mark(null);
    this.markGutter(null);
  }

  select(line, col) {
    if (this.code) {
      this.code.select(line, col);
      return;
    }
    const ed = this.dom.program;
    const lines = ed.value.split("\n");
    let offset = 0;
    for (let j = 0; j < line - 1 && j < lines.length; j++) offset += lines[j].length + 1;
    offset += Math.max(0, (col || 1) - 1);
    ed.focus();
    ed.setSelectionRange(offset, offset + 1);
  }

  // ---------------------------------------------------------------- line numbers

  /**
   * Line numbers: only those of the lines in view, one text node moved with the
   * textarea's scroll. (Numbering all of a 15,000-line program, and laying that
   * out, stalled the page for most of a second.) Lines are counted only when the
   * text changed.
   */
  updateGutter() {
    if (this.code) return; // (it numbers its own lines)
    const text = this.dom.program.value;
    if (text !== this.gutterFor) {
      this.gutterFor = text;
      let n = 1;
      for (let j = text.indexOf("\n"); j !== -1; j = text.indexOf("\n", j + 1)) n++;
      this.gutterLines = n;
    }
    this._drawGutter();
  }

  /** The line height in px (the editor's --editor-line), read once. */
  _lineHeight() {
    if (!this.lineHeight) this.lineHeight = parseFloat(getComputedStyle(this.dom.program).lineHeight) || 19.5;
    return this.lineHeight;
  }

  _drawGutter() {
    const ed = this.dom.program;
    const line = this._lineHeight();
    const top = ed.scrollTop;
    const first = Math.floor(top / line);
    const last = Math.min(this.gutterLines, first + Math.ceil((ed.clientHeight || 400) / line) + 2);
    let s = "";
    for (let j = first + 1; j <= last; j++) s += j + "\n";
    if (this.gutterText.textContent !== s) this.gutterText.textContent = s;
    this.gutterText.style.transform = `translateY(${first * line - top}px)`;
    this.gutterMark.style.transform = `translateY(${-top}px)`;
  }

  markGutter(line) {
    if (this.code) return;
    this.gutterMark.hidden = !line;
    if (line) this.gutterMark.style.top = `calc(${line - 1} * var(--editor-line) + 8px)`;
    this._drawGutter();
  }

  focus() {
    (this.code ?? this.dom.program).focus();
  }

  // ---------------------------------------------------------------- wiring

  /** The learner changed the text (in either editor): the numbers, the address, the examples menu. */
  edited() {
    this.updateGutter();
    this.updateHash();
    this.handlers.onInput();
  }

  _wire() {
    const ed = this.dom.program;
    ed.addEventListener("input", () => this.edited());
    ed.addEventListener("scroll", () => this._drawGutter());
    new ResizeObserver(() => this._drawGutter()).observe(ed); // (taller: more numbers in view)
    ed.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.handlers.run();
      } else if (e.key === "Escape") {
        ed.blur();
      }
    });
    // Wrap long lines (line numbers hide: they would not match), or widen the editor.
    toggle("wrap-lines", (on) => {
      this.code?.setWrap(on);
      ed.setAttribute("wrap", on ? "soft" : "off");
      ed.classList.toggle("wrap", on);
      this.dom.gutter.hidden = on;
    });
    toggle("wide-editor", (on) => {
      document.body.classList.toggle("wide-editor", on);
      this.handlers.onResize?.();
    });
  }
}

function toggle(id, apply) {
  const b = $(id);
  b.addEventListener("click", () => {
    const on = b.getAttribute("aria-pressed") !== "true";
    b.setAttribute("aria-pressed", String(on));
    apply(on);
  });
}

function linkButton(text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "link";
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}
