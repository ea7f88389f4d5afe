// Where the batch graph's groups go (no DOM here; tests/js/batch-layout.test.mjs).
//
// The whole batch's loss graph (about 65,000 nodes for MLP(2, [16, 16, 1]) on 100
// points) is drawn collapsed: a group per neuron, or per layer when the layer is
// folded, plus the inputs and the loss. The network's structure places them, so no
// general graph layout runs: one column per layer (inputs, hidden layers, output,
// loss), the column's groups stacked in neuron order. An expanded neuron (or layer)
// is a box holding its real nodes as a grid: a row per batch point, its operations
// in creation order across, its parameters in a row of their own on top.
//
// Input: the engine's summary (gradstep/training/batch_graph.py `BatchGraph.summary()`), the
// set of folded layer numbers and the expansions fetched so far (id -> expand()).

export const BOX = { width: 150, height: 46, gap: 8, column: 150, header: 34 };
export const DOT = 6; // a node's cell in an expanded group, graph pixels
const PAD = 10;

/** The id a group is drawn under: its layer's when that layer is folded. */
export function shownId(group, folded) {
  return group.kind === "neuron" && folded.has(group.layer) ? `L${group.layer}` : group.id;
}

/** The groups on screen, in column order, each with its statistics. */
export function shownGroups(summary, folded) {
  const out = [];
  const layers = new Map(summary.layers.map((g) => [g.id, g]));
  for (const g of summary.neurons) {
    const id = shownId(g, folded);
    if (id === g.id) out.push(g);
    else if (!out.some((o) => o.id === id)) out.push(layers.get(id));
  }
  return out;
}

/** Links between shown groups: the full graph's edges between them, added up. */
export function shownLinks(summary, folded) {
  const kindOf = new Map(summary.neurons.map((g) => [g.id, g]));
  const total = new Map();
  for (const l of summary.neuron_links) {
    const a = shownId(kindOf.get(l.from), folded);
    const b = shownId(kindOf.get(l.to), folded);
    if (a === b) continue; // (inside a folded layer: counted in its box)
    const key = a + ">" + b;
    total.set(key, (total.get(key) || 0) + Number(l.edges));
  }
  return [...total].map(([key, edges]) => {
    const [from, to] = key.split(">");
    return { from, to, edges };
  });
}

/**
 * What the groups on screen add up to. Each group counts the edges into its own nodes,
 * so the sums are the full graph's nodes, edges and parameters whatever is folded.
 */
export function shownTotals(summary, folded) {
  const groups = shownGroups(summary, folded);
  let nodes = 0;
  let edges = 0;
  let parameters = 0;
  for (const g of groups) {
    nodes += Number(g.nodes);
    edges += Number(g.edges);
    parameters += Number(g.parameters);
  }
  return { nodes, edges, parameters, groups: groups.length, links: shownLinks(summary, folded).length };
}

/** The size of an expanded group's box. */
function expandedSize(ex) {
  const width = Math.max(BOX.width, (ex.cols + 1) * DOT + 2 * PAD);
  const height = BOX.header + (ex.rows + 1) * DOT + PAD * 2 + DOT; // (+1 row: the parameters)
  return { width, height };
}

/**
 * Boxes and links placed: {boxes: [{id, group, x, y, width, height, expanded}],
 * links: [{from, to, edges, a: [x, y], b: [x, y]}], columns: [{layer, x, label, width}],
 * bounds}.
 */
export function layoutBatch(summary, folded = new Set(), expansions = new Map()) {
  const groups = shownGroups(summary, folded);
  const byColumn = new Map();
  for (const g of groups) {
    if (!byColumn.has(g.layer)) byColumn.set(g.layer, []);
    byColumn.get(g.layer).push(g);
  }
  const layerNumbers = [...byColumn.keys()].sort((a, b) => a - b);
  const boxes = [];
  const columns = [];
  let x = 0;
  let top = Infinity;
  let bottom = -Infinity;
  for (const layer of layerNumbers) {
    const col = byColumn.get(layer).map((g) => {
      const ex = expansions.get(g.id);
      const size = ex ? expandedSize(ex) : { width: BOX.width, height: g.kind === "layer" ? BOX.height * 1.6 : BOX.height };
      return { id: g.id, group: g, expanded: Boolean(ex), ...size };
    });
    const width = Math.max(...col.map((b) => b.width));
    const height = col.reduce((s, b) => s + b.height, 0) + BOX.gap * (col.length - 1);
    let y = -height / 2;
    for (const b of col) {
      b.x = x + (width - b.width) / 2;
      b.y = y;
      y += b.height + BOX.gap;
      boxes.push(b);
    }
    top = Math.min(top, -height / 2);
    bottom = Math.max(bottom, height / 2);
    columns.push({ layer, x, width, label: columnLabel(summary, layer, folded), short: shortLabel(summary, layer, folded) });
    x += width + BOX.column;
  }
  const at = new Map(boxes.map((b) => [b.id, b]));
  const links = shownLinks(summary, folded).map((l) => {
    const p = at.get(l.from);
    const q = at.get(l.to);
    return { ...l, a: [p.x + p.width, p.y + p.height / 2], b: [q.x, q.y + q.height / 2] };
  });
  const headerY = top - BOX.header;
  for (const c of columns) c.y = headerY;
  return {
    boxes, links, columns,
    bounds: { x: -PAD, y: headerY - PAD, width: x - BOX.column + 2 * PAD, height: bottom - headerY + 2 * PAD },
  };
}

function columnLabel(summary, layer, folded) {
  const sizes = summary.sizes;
  if (layer === 0) return `inputs (${sizes[0]} a point)`;
  if (layer === sizes.length) return "loss";
  const units = sizes[layer];
  const last = layer === sizes.length - 1;
  const kind = last ? "linear" : summary.activation;
  return `${last ? "output" : "layer " + layer}: ${units} ${kind} ${folded.has(layer) ? "▸" : "▾"}`;
}

function shortLabel(summary, layer, folded) {
  if (layer === 0) return "in";
  if (layer === summary.sizes.length) return "loss";
  return `L${layer} ${folded.has(layer) ? "▸" : "▾"}`;
}

/** The box (or column header) at a graph point, or null. */
export function hitTest(layout, gx, gy) {
  for (const b of layout.boxes) {
    if (gx >= b.x && gx <= b.x + b.width && gy >= b.y && gy <= b.y + b.height) return { box: b };
  }
  for (const c of layout.columns) {
    if (gx >= c.x && gx <= c.x + c.width && gy >= c.y && gy <= c.y + BOX.header - 6) return { column: c };
  }
  return null;
}

/** Where an expanded group's node k is drawn: its cell's centre. */
export function nodeCell(box, node) {
  const row = node.row < 0 ? 0 : node.row + 1; // the parameters' row first
  return [box.x + PAD + (node.col + 0.5) * DOT, box.y + BOX.header + PAD + (row + 0.5) * DOT];
}
