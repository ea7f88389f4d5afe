// Pure helpers over the scene data (docs/scene.md). No DOM here.
//
// A timeline holds every value and gradient for one set of leaf values; a
// position p says how many of its frames are done. Everything the page shows
// for a position is a function of (timeline, position), computed here.

/** Parse "n12" -> 12; "n12:op" -> 12. */
export function tapeIndex(id) {
  return parseInt(id.slice(1), 10);
}

/** Edge key shared by the layout and the backward frames' terms. */
export function edgeKey(consumer, input) {
  return consumer + "#" + input;
}

/**
 * Precompute lookups for a timeline: which step computes each node's value and
 * gradient, each node's uses (consumer, input position) in the order the backward
 * pass adds their terms, the local derivative per edge and when it shows, and the
 * scale for gradient colours. Needs no frames: `inputs` and `slopes` say it all.
 */
export function indexTimeline(tl) {
  const n = tl.values.length;
  const F = tl.forward.length;
  const B = tl.backward.length;
  // fwdAt[i] = position at which node i's value shows (0 = from the start).
  const fwdAt = new Int32Array(n);
  // bwdAt[i] = position at which node i's gradient shows (-1 = never).
  const bwdAt = new Int32Array(n).fill(-1);
  for (let k = 0; k < F; k++) fwdAt[tl.forward[k]] = k + 1;
  for (let k = 0; k < B; k++) bwdAt[tl.backward[k]] = F + k + 1;
  // uses[j] = [[consumer, k], ...], latest consumer first (gradstep/core/tape.py consumers).
  const uses = Array.from({ length: n }, () => []);
  for (let c = n - 1; c >= 0; c--) {
    const ins = tl.inputs[c];
    for (let k = 0; k < ins.length; k++) uses[ins[k]].push([c, k]);
  }
  // Local derivative labels: edge key -> {at, local, source}; shown once the input's
  // gradient step (the one that uses it) is done.
  const locals = new Map();
  for (let c = 0; c < n; c++) {
    const ins = tl.inputs[c];
    for (let k = 0; k < ins.length; k++) {
      const j = ins[k];
      locals.set(edgeKey(c, k), { at: bwdAt[j], local: tl.slopes[c][k], source: j });
    }
  }
  let maxAbsGrad = 0;
  for (let i = 0; i < n; i++) {
    const g = Math.abs(Number(tl.grads[i]));
    if (Number.isFinite(g) && g > maxAbsGrad) maxAbsGrad = g;
  }
  const leaves = new Set(tl.leaves || []);
  const nameOf = new Map();
  for (const [name, i] of Object.entries(tl.names || {})) {
    if (!nameOf.has(i)) nameOf.set(i, name);
  }
  return { n, F, B, total: F + B, fwdAt, bwdAt, uses, locals, maxAbsGrad, leaves, nameOf };
}

/** What the step that led to position p did: {kind, node, inputs} or {kind, node, uses}. */
export function stepAt(tl, ix, p) {
  if (p <= 0 || p > ix.total) return null;
  if (p <= ix.F) {
    const node = tl.forward[p - 1];
    return { kind: "forward", node, inputs: tl.inputs[node] };
  }
  const node = tl.backward[p - ix.F - 1];
  return { kind: "backward", node, uses: node === tl.output ? [] : ix.uses[node] };
}

/** The value repr shown for node i at position p ("" while not computed). */
export function valueAt(tl, ix, i, p) {
  return ix.fwdAt[i] <= p ? tl.values[i] : "";
}

/** The gradient repr shown for node i at position p ("" while not computed). */
export function gradAt(tl, ix, i, p) {
  const at = ix.bwdAt[i];
  return at >= 0 && at <= p ? tl.grads[i] : "";
}

/** A number as the graph shows it, micrograd style (%.4f; exponents when very large or small), from its repr. (Python has no fmt: it writes repr.) */
export function fmtGraph(repr) {
  if (repr === "" || repr == null) return "";
  const x = Number(repr);
  if (!Number.isFinite(x)) return String(repr);
  if (x === 0) return Object.is(x, -0) ? "-0.0000" : "0.0000";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-4) return x.toExponential(3);
  return x.toFixed(4);
}

/** A shorter form for edge labels. */
export function fmtShort(repr) {
  const x = Number(repr);
  if (!Number.isFinite(x)) return String(repr);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(3)));
}

/** Human sentence on what the step that led to position p did. */
export function describeStep(tl, ix, p, labelOf) {
  if (p <= 0) {
    return "Only the leaves have values. Step forward to compute the graph one node at a time, inputs first.";
  }
  const frame = stepAt(tl, ix, p);
  const name = labelOf(frame.node);
  if (frame.kind === "forward") {
    const k = p;
    const ins = frame.inputs.map(labelOf);
    const from = ins.length ? ` from ${listWords(ins)}` : "";
    let s = `Forward step ${k} of ${ix.F}: computed ${name}${from}.`;
    if (p === ix.F) s += " The forward pass is done: step backward to find every gradient, starting at the output.";
    return s;
  }
  const k = p - ix.F;
  const terms = frame.uses.map(([consumer]) => ({ consumer }));
  let s;
  if (frame.node === tl.output) {
    s = `Backward step ${k} of ${ix.B}: the output's gradient with respect to itself is 1.`;
  } else if (terms.length === 0) {
    s = `Backward step ${k} of ${ix.B}: the output does not depend on ${name}, so its gradient is 0.`;
  } else if (terms.length === 1) {
    s = `Backward step ${k} of ${ix.B}: ${name} has one use, so its gradient is the chain rule through ${labelOf(terms[0].consumer)}: upstream gradient times local derivative.`;
  } else {
    s = `Backward step ${k} of ${ix.B}: ${name} has ${terms.length} uses, so its gradient adds up one chain-rule term per use.`;
  }
  if (p === ix.total) s += " The backward pass is done: nudge the inputs along their gradients to change the output.";
  return s;
}

function listWords(items) {
  if (items.length <= 1) return items.join("");
  return items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
}

/** The label shown for a tape node: its layout label, else its name, else "n{i}". */
export function makeLabelOf(layout, ix) {
  const labels = new Map();
  for (const node of layout.nodes) {
    if (node.kind !== "op") labels.set(node.id, node.label);
  }
  return (i) => {
    const l = labels.get("n" + i);
    if (l != null && l !== "") return l;
    return ix.nameOf.get(i) ?? "n" + i;
  };
}

/**
 * A frame's formula as segments to draw: {text, kind, full?}. kind is "text", "num"
 * (full = the repr; text = the short form, or the repr when `full` is asked),
 * "up" (an upstream gradient) or "local" (a local derivative). Frames without
 * parts (an older engine) come as one text segment.
 */
export function formulaSegments(frame, { full = false } = {}) {
  if (!frame) return [];
  if (!Array.isArray(frame.parts)) return [{ kind: "text", text: frame.text || "" }];
  return frame.parts.map((part) => {
    if (typeof part === "string") return { kind: "text", text: part };
    if (part.n != null) return { kind: "num", text: full ? part.n : fmtGraph(part.n), full: part.n };
    if (part.up != null) return { kind: "up", text: part.up };
    if (part.local != null) return { kind: "local", text: part.local };
    return { kind: "text", text: "" };
  });
}
