// web/page/actions.js: one table drives the buttons, the keys and the help.
import { test } from "node:test";
import assert from "node:assert/strict";

import { ACTIONS, BY_NAME, actionForKey, available } from "../../web/page/actions.js";

const key = (k, mods = {}) => ({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });

test("every action has a name, a label, keys, what it needs and a help text; names are unique", () => {
  assert.equal(BY_NAME.size, ACTIONS.length);
  for (const a of ACTIONS) {
    assert.ok(a.name && a.label && a.help, a.name);
    assert.ok(Array.isArray(a.keys) && a.keys.length, a.name);
    assert.ok(["graph", "none"].includes(a.needs), a.name);
  }
  // The contract's controls are all in the table.
  for (const name of ["forward_step", "forward_all", "backward_step", "backward_all", "undo", "reset", "nudge", "run"]) {
    assert.ok(BY_NAME.has(name), name);
  }
});

test("keys find their action; Ctrl and Alt combinations belong to the browser (except Ctrl+Z)", () => {
  assert.equal(actionForKey(key("ArrowRight")).name, "forward_step");
  assert.equal(actionForKey(key("ArrowRight", { shiftKey: true })).name, "forward_all");
  assert.equal(actionForKey(key("ArrowLeft")).name, "backward_step");
  assert.equal(actionForKey(key("ArrowLeft", { shiftKey: true })).name, "backward_all");
  assert.equal(actionForKey(key("U")).name, "undo");
  assert.equal(actionForKey(key("z", { ctrlKey: true })).name, "undo");
  assert.equal(actionForKey(key("n")).name, "nudge");
  assert.equal(actionForKey(key("?")).name, "help");
  assert.equal(actionForKey(key("Escape")).name, "stop");
  assert.equal(actionForKey(key("r", { ctrlKey: true })), null); // reload stays the browser's
  assert.equal(actionForKey(key("n", { altKey: true })), null);
  assert.equal(actionForKey(key("q")), null);
  // No two actions answer the same key.
  for (const k of ["ArrowRight", "ArrowLeft", "u", "r", "n", "p", "f", "+", "-", "o", "e", "?"]) {
    assert.equal(ACTIONS.filter((a) => a.match && a.match(key(k))).length, 1, k);
  }
});

test("what an action needs decides whether it runs now", () => {
  assert.equal(available(BY_NAME.get("forward_step"), { graph: false }), false);
  assert.equal(available(BY_NAME.get("forward_step"), { graph: true }), true);
  assert.equal(available(BY_NAME.get("run"), { graph: false }), true); // Run makes the graph
  assert.equal(available(BY_NAME.get("help"), { graph: false }), true);
});

test("a challenge holds back what shows a gradient, and only that", () => {
  for (const name of ["backward_step", "backward_all", "nudge"]) {
    assert.equal(available(BY_NAME.get(name), { graph: true, challenge: true }), false, name);
    assert.equal(available(BY_NAME.get(name), { graph: true, challenge: false }), true, name);
  }
  for (const name of ["forward_step", "forward_all", "undo", "reset", "run", "lab"]) {
    assert.equal(available(BY_NAME.get(name), { graph: true, challenge: true }), true, name);
  }
});
