// Downloads: Graphviz DOT (micrograd's draw_dot records), SVG (the drawing with
// its styles inlined, so it looks the same anywhere) and PNG (that SVG on a canvas).

import { fmtGraph, gradAt, tapeIndex, valueAt } from "./scene.js";

/** Escape text for a DOT record label. */
function recordText(s) {
  return String(s).replace(/[\\{}|<>"]/g, (c) => "\\" + c).replace(/\n/g, "\\n");
}

function quoted(s) {
  return '"' + String(s).replace(/[\\"]/g, (c) => "\\" + c).replace(/\n/g, "\\n") + '"';
}

function dotId(id) {
  return quoted(id.replace(":", "_"));
}

/** Graphviz source of the graph as shown at position p. */
export function toDot(layout, tl, ix, p) {
  const lines = ["digraph gradstep {", "  graph [rankdir=LR];", '  node [shape=record, fontname="monospace"];'];
  for (const n of layout.nodes) {
    if (n.kind === "op") {
      lines.push(`  ${dotId(n.id)} [label=${quoted(n.label)}, shape=circle];`);
    } else {
      const i = tapeIndex(n.id);
      const v = valueAt(tl, ix, i, p);
      const g = gradAt(tl, ix, i, p);
      const label = `{ ${recordText(n.label)} | data ${v === "" ? "?" : fmtGraph(v)} | grad ${g === "" ? "?" : fmtGraph(g)} }`;
      lines.push(`  ${dotId(n.id)} [label="${label.replace(/"/g, '\\"')}"];`);
    }
  }
  for (const e of layout.edges) lines.push(`  ${dotId(e.source)} -> ${dotId(e.target)};`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

// Inherited SVG properties are written where they differ from the parent's;
// the others where they differ from their initial value.
const INHERITED = [
  "fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity",
  "font-family", "font-size", "font-weight", "text-anchor", "dominant-baseline",
];
const NOT_INHERITED = { opacity: "1", display: "inline" };

/** A standalone SVG string of a drawn <svg> (styles inlined, whole graph in view). */
export function toSvg(svg, bounds, background) {
  const clone = svg.cloneNode(true);
  clone.querySelector(".viewport")?.removeAttribute("transform");
  const src = [svg, ...svg.querySelectorAll("*")];
  const dst = [clone, ...clone.querySelectorAll("*")];
  const computed = new Map();
  for (let j = 0; j < src.length; j++) {
    const cs = getComputedStyle(src[j]);
    const own = {};
    for (const prop of INHERITED) own[prop] = cs.getPropertyValue(prop);
    computed.set(src[j], own);
    const parent = j === 0 ? null : computed.get(src[j].parentNode);
    let style = "";
    for (const prop of INHERITED) {
      if (!parent || parent[prop] !== own[prop]) style += `${prop}:${own[prop]};`;
    }
    for (const [prop, initial] of Object.entries(NOT_INHERITED)) {
      const v = cs.getPropertyValue(prop);
      if (v && v !== initial) style += `${prop}:${v};`;
    }
    if (style) dst[j].setAttribute("style", style);
    else dst[j].removeAttribute("style");
    dst[j].removeAttribute("class");
    dst[j].removeAttribute("tabindex");
  }
  const pad = 20;
  const w = Math.ceil(bounds.width + 2 * pad);
  const h = Math.ceil(bounds.height + 2 * pad);
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  clone.setAttribute("viewBox", `${bounds.x - pad} ${bounds.y - pad} ${w} ${h}`);
  clone.setAttribute("width", String(w));
  clone.setAttribute("height", String(h));
  const bg = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  bg.setAttribute("x", String(bounds.x - pad));
  bg.setAttribute("y", String(bounds.y - pad));
  bg.setAttribute("width", String(w));
  bg.setAttribute("height", String(h));
  bg.setAttribute("fill", background);
  clone.insertBefore(bg, clone.firstChild.nextSibling);
  return { text: '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone), width: w, height: h };
}

/** Render an SVG string to a PNG blob (scaled down if the graph is huge). */
export function svgToPng(svgText, width, height) {
  const maxSide = 8000;
  const scale = Math.min(2, maxSide / width, maxSide / height);
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
    const img = new Image();
    img.onload = () => {
      const c = document.createElement("canvas");
      c.width = Math.max(1, Math.round(width * scale));
      c.height = Math.max(1, Math.round(height * scale));
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      URL.revokeObjectURL(url);
      c.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png");
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("could not draw the SVG"));
    };
    img.src = url;
  });
}

export function download(name, data, type) {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
