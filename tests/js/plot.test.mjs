// web/graph/plot.js: the nudge plot's axis ticks (niceTicks; the drawing itself needs a DOM).
import { test } from "node:test";
import assert from "node:assert/strict";

import { niceTicks } from "../../web/graph/plot.js";

test("niceTicks: round steps of 1, 2 or 5 times a power of ten, the nearest to span/count", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]); // span/4 = 0.25 -> 0.2 (nearer than 0.5)
  assert.deepEqual(niceTicks(0, 10), [0, 2, 4, 6, 8, 10]); // 2.5 -> 2
  assert.deepEqual(niceTicks(0, 4), [0, 1, 2, 3, 4]); // 1 -> 1
  assert.deepEqual(niceTicks(0, 7), [0, 2, 4, 6]); // 1.75 -> 2
  assert.deepEqual(niceTicks(-7.3, 12.1), [-5, 0, 5, 10]); // 4.85 -> 5
  assert.deepEqual(niceTicks(0, 100, 10), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.deepEqual(niceTicks(1200, 5000), [2000, 3000, 4000, 5000]); // 950 -> 1000
});

test("niceTicks: no floating-point noise, and zero is 0 (not -0)", () => {
  assert.deepEqual(niceTicks(0.1, 0.35), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]); // 0.0625 -> 0.05; not 0.30000000000000004
  assert.deepEqual(niceTicks(-8.0, -7.1), [-8, -7.8, -7.6, -7.4, -7.2]); // an output going up by nudges: 0.225 -> 0.2
  const t = niceTicks(-1, 1);
  assert.deepEqual(t, [-1, -0.5, 0, 0.5, 1]);
  assert.ok(Object.is(t[2], 0));
  assert.deepEqual(niceTicks(-0.3, 0.3), [-0.2, 0, 0.2]); // 0.15 -> 0.2
  assert.ok(Object.is(niceTicks(-0.3, 0.3)[1], 0));
  assert.deepEqual(niceTicks(1e-7, 4e-7), [1e-7, 2e-7, 3e-7, 4e-7]);
});

test("niceTicks: an empty or unusable range gives one tick", () => {
  assert.deepEqual(niceTicks(5, 5), [5]);
  assert.deepEqual(niceTicks(2, 1), [2]);
  assert.deepEqual(niceTicks(1, NaN), [1]);
  assert.deepEqual(niceTicks(0, Infinity), [0]);
});

test("niceTicks: cover the range with about `count` round ticks, whatever the range", () => {
  // A fixed pseudo-random sequence (no flakiness): ranges over 20 orders of magnitude.
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let n = 0; n < 2000; n++) {
    const scale = 10 ** Math.floor(rand() * 20 - 10);
    const lo = (rand() * 2 - 1) * scale * 10;
    const hi = lo + rand() * scale * 10 + scale * 1e-3;
    const count = 2 + Math.floor(rand() * 8);
    const ticks = niceTicks(lo, hi, count);
    const step = (hi - lo) / count;
    const tol = (hi - lo) * 1e-9;
    const where = `niceTicks(${lo}, ${hi}, ${count}) = [${ticks}]`;
    assert.ok(ticks.length >= 2, where); // never a lone tick: an axis needs two to show a scale
    for (const v of ticks) assert.ok(v >= lo - tol && v <= hi + tol, where); // inside the range
    const gap = ticks[1] - ticks[0];
    // The round value nearest span/count (1, 2, 5 apart: within a factor 2.5), or smaller
    // when that left fewer than two ticks inside.
    assert.ok(gap <= step * 2.5 * (1 + 1e-9), where);
    if (ticks.length > 2) assert.ok(gap >= step / 2.5 * (1 - 1e-9), where);
    assert.ok(ticks.length <= 2.5 * count + 2, where);
    const mantissa = gap / 10 ** Math.floor(Math.log10(gap) + 1e-9);
    assert.ok([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6), where); // a round step
    for (let k = 1; k < ticks.length; k++) assert.ok(Math.abs(ticks[k] - ticks[k - 1] - gap) <= gap * 1e-6, where);
    assert.ok(ticks[0] - lo < gap + tol && hi - ticks.at(-1) < gap + tol, where); // no gap left at either end
  }
});

test("niceTicks: the nudge plot's y axis gets a scale just past a round step", () => {
  assert.deepEqual(niceTicks(0.1, 8.1, 4), [2, 4, 6, 8]); // span/4 = 2: step 2
  assert.deepEqual(niceTicks(0.1, 8.1004, 4), [2, 4, 6, 8]); // span/4 = 2.0001: still step 2, not one tick at 5
  assert.deepEqual(niceTicks(-0.00095, -0.00055, 2), [-0.0008, -0.0006]); // once no tick at all
});

// ------------------------------------------------------------------ the shared plot helpers

import { KEY_W, layoutLegend, leftPad, PLOT_FONT, textWidth } from "../../web/graph/plot.js";

const ERROR_LEGEND = ["one-sided +h", "one-sided −h", "central ±h", "theory: truncation", "theory: round-off",
  "h now (1e-6)", "best h (dotted, each colour)"].map((label) => ({ label }));

test("layoutLegend: items in a row never overlap, and every row fits the width", () => {
  for (const width of [300, 340, 420, 700, 1200]) {
    const { placed, height } = layoutLegend(ERROR_LEGEND, width);
    assert.equal(placed.length, ERROR_LEGEND.length);
    const rows = new Map();
    for (const p of placed) rows.set(p.y, [...(rows.get(p.y) || []), p]);
    assert.equal(height, rows.size * 18, `width ${width}`);
    for (const row of rows.values()) {
      row.sort((a, b) => a.x - b.x);
      for (let k = 0; k < row.length; k++) {
        const end = row[k].x + KEY_W + 5 + textWidth(row[k].label);
        assert.ok(end <= width + 1e-9, `width ${width}: "${row[k].label}" ends at ${end}`);
        if (k + 1 < row.length) assert.ok(end < row[k + 1].x, `width ${width}: "${row[k].label}" runs into "${row[k + 1].label}"`);
      }
    }
  }
  // A phone's plot (about 330 px) needs more rows than a desktop's.
  assert.ok(layoutLegend(ERROR_LEGEND, 330).height > layoutLegend(ERROR_LEGEND, 1200).height);
  assert.deepEqual(layoutLegend([], 300), { height: 0, placed: [] });
});

test("layoutLegend: the old legend's overlap (5.6 px a character at 11 px text) cannot recur", () => {
  // The page's old legend put the next item 26 + 5.6·chars px on: "backward" (8 chars,
  // about 52 px wide in an 11 px sans) left 1 px, and ran into the "central" key.
  assert.ok(textWidth("backward", 11) >= 8 * 11 * 0.6);
  const { placed } = layoutLegend([{ label: "backward" }, { label: "central" }], 1000);
  assert.ok(placed[1].x - placed[0].x >= KEY_W + 5 + 8 * PLOT_FONT * 0.6 + 10);
});

test("leftPad: room for the widest y tick and the turned axis label", () => {
  assert.ok(leftPad(["1e-12", "1e-2"]) >= textWidth("1e-12") + PLOT_FONT + 8);
  assert.ok(leftPad(["-12.35", "0"]) > leftPad(["0", "1"]));
  assert.ok(leftPad(["0"], { yLabel: false }) < leftPad(["0"]));
});
