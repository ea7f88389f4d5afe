// The top bar's menus and small messages: the Examples menu, the Export menu, Copy
// link, and the toast that confirms them.

import { SvgGraph } from "../graph/render-svg.js";
import { download, svgToPng, toDot, toSvg } from "../graph/export.js";

const $ = (id) => document.getElementById(id);

let toastTimer = 0;
/** A short confirmation at the bottom of the page. */
export function showToast(text) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), 2500);
}

/**
 * The Examples menu loads a choice once it is committed: a pick with the mouse or a
 * touch, or Enter (or leaving the menu) after choosing with the arrow keys. Arrowing
 * through a closed select fires "change" at every press; loading each would snap the
 * menu back and make it unusable from the keyboard.
 */
export class ExamplesMenu {
  constructor(choose) {
    this.sel = $("examples");
    this.list = [];
    let arrowing = false;
    const commit = () => {
      arrowing = false;
      const ex = this.find(this.sel.value);
      if (ex) choose(ex);
    };
    this.sel.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        commit();
      } else if (e.key.startsWith("Arrow") || ["Home", "End", "PageUp", "PageDown"].includes(e.key) || e.key.length === 1) {
        arrowing = true;
      }
    });
    this.sel.addEventListener("change", () => {
      if (!arrowing) commit();
    });
    this.sel.addEventListener("blur", () => {
      if (arrowing) commit();
    });
  }

  /** The menu's examples: programs, then (in a group of their own) Python mode's, `mode: "python"`. */
  fill(list, python = []) {
    if (!Array.isArray(list) || !list.length) return;
    python = Array.isArray(python) ? python : [];
    this.list = [...list, ...python];
    const keep = this.sel.options[0];
    this.sel.replaceChildren(keep);
    const option = (ex) => {
      const o = document.createElement("option");
      o.value = ex.id;
      o.textContent = ex.title;
      return o;
    };
    for (const ex of list) this.sel.appendChild(option(ex));
    if (python.length) {
      const group = document.createElement("optgroup");
      group.label = "Python (the lecture's code, run in the page)";
      for (const ex of python) group.appendChild(option(ex));
      this.sel.appendChild(group);
    }
  }

  find(id) {
    return this.list.find((e) => e.id === id) || null;
  }

  /** The example (a program's, not Python mode's) whose program this is, or null. */
  byProgram(text) {
    return this.list.find((e) => e.mode !== "python" && e.program === text) || null;
  }

  /** Show the example on screen as chosen (or none, once the program is edited). */
  show(program) {
    this.sel.value = this.byProgram(program)?.id ?? "";
  }
}

/** The Export menu: DOT, SVG, PNG; closes like a menu (Esc, a click elsewhere). */
export function wireExportMenu(getView) {
  const menu = $("export-menu");
  for (const b of document.querySelectorAll("[data-export]")) {
    b.addEventListener("click", () => {
      menu.open = false;
      exportAs(b.dataset.export, getView());
    });
  }
  menu.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && menu.open) {
      e.preventDefault();
      e.stopPropagation();
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("pointerdown", (e) => {
    if (menu.open && !menu.contains(e.target)) menu.open = false;
  });
  menu.addEventListener("focusout", (e) => {
    if (menu.open && e.relatedTarget && !menu.contains(e.relatedTarget)) menu.open = false;
  });
}

/**
 * The Export menu's code: the program as a PyTorch or micrograd script, or a Jupyter notebook of
 * the seeds' lesson (gradstep/export.py, written in the engine). exportCode(to, done) asks the
 * worker (now, or once Python is up) and calls done with its reply ({ok, text, filename} or an error).
 */
export function wireCodeExport(exportCode) {
  const menu = $("export-menu");
  const done = (to) => (reply) => {
    if (!reply || reply.stopped || reply.crashed) return;
    if (!reply.ok) {
      showToast(`Export failed: ${reply.error?.message || "the engine could not write it"}`);
      return;
    }
    download(reply.filename, reply.text, to === "notebook" ? "application/x-ipynb+json" : "text/x-python");
    showToast(`Saved ${reply.filename}: ${to === "notebook" ? "open it in Jupyter or Colab" : `run it with python ${reply.filename}`}`);
  };
  for (const b of document.querySelectorAll("[data-export-code]")) {
    b.addEventListener("click", () => {
      menu.open = false;
      exportCode(b.dataset.exportCode, done(b.dataset.exportCode));
    });
  }
}

/** Save the graph at the current step. view: {scene, model, ix, renderer, theme}. */
async function exportAs(kind, view) {
  if (!view.scene) return;
  const { scene, ix } = view;
  const p = scene.state.position;
  const base = "gradstep-graph";
  try {
    if (kind === "dot") {
      download(base + ".dot", toDot(scene.layout, scene.timeline, ix, p), "text/vnd.graphviz");
      showToast(`Saved ${base}.dot (Graphviz: dot -Tsvg ${base}.dot)`);
      return;
    }
    const svg = drawingSvg(view);
    const out = toSvg(svg.element, view.model.bounds, view.theme.bg);
    svg.dispose();
    if (kind === "svg") download(base + ".svg", out.text, "image/svg+xml");
    else download(base + ".png", await svgToPng(out.text, out.width, out.height), "image/png");
    showToast(`Saved ${base}.${kind}`);
  } catch (e) {
    showToast("Export failed: " + e.message);
  }
}

/** The SVG drawing to export: the live one, or (for a big graph) one drawn off screen. */
function drawingSvg({ renderer, model, scene, ix, theme }) {
  if (renderer instanceof SvgGraph) return { element: renderer.svg, dispose() {} };
  const host = document.createElement("div");
  host.className = "offscreen";
  document.body.appendChild(host);
  const g = new SvgGraph(host, { onLeafToggle() {}, onLeafEdit() {}, onInspect() {} });
  g.setScene(model, scene.timeline, ix, theme);
  const st = scene.state;
  g.update({ position: st.position, current: st.current, frozen: new Set(st.frozen || []) });
  return { element: g.svg, dispose: () => host.remove() };
}

/** Copy the address (which always holds the program on screen). */
export async function copyLink() {
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
