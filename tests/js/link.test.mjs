// web/page/link.js: the address's hash, read and written (the share link, contract section 3).
// tests/program/test_link.py checks the same cases against the Python side.

import { test } from "node:test";
import assert from "node:assert/strict";

import { hashForProgram, parseHash, programFromHash } from "../../web/page/link.js";

test("parseHash: an empty or foreign hash has no program", () => {
  for (const h of ["", "#", null, undefined, "#zoom=2", "#frozen=a"]) {
    const r = parseHash(h);
    assert.equal(r.program, null, String(h));
    assert.equal(r.error, null);
  }
  assert.deepEqual(parseHash("#frozen=a"), { program: null, python: null, frozen: ["a"], practice: null, lab: false, challenge: [], train: null, error: null });
  assert.equal(programFromHash(""), null);
});

test("parseHash: reads the program and frozen labels in any order, ignores unknown parts", () => {
  assert.deepEqual(parseHash("#program=a%20%3D%201"), { program: "a = 1", python: null, frozen: [], practice: null, lab: false, challenge: [], train: null, error: null });
  assert.deepEqual(parseHash("program=x"), { program: "x", python: null, frozen: [], practice: null, lab: false, challenge: [], train: null, error: null }); // no leading #
  assert.deepEqual(parseHash("#frozen=b,a&zoom=3&program=y"), { program: "y", python: null, frozen: ["b", "a"], practice: null, lab: false, challenge: [], train: null, error: null });
  assert.deepEqual(parseHash("#program=z&frozen=a,,b&frozen="), { program: "z", python: null, frozen: ["a", "b"], practice: null, lab: false, challenge: [], train: null, error: null });
  assert.equal(parseHash("#program=1+2").program, "1+2"); // "+" is not a space in a hash
  assert.equal(parseHash("#program=").program, "");
});

test("parseHash: broken %-encoding is an error for the program, ignored for frozen", () => {
  const full = hashForProgram("é = 1.0\nL = é * 2", ["é"]);
  for (const cut of ["#program=%E9", "#program=a%2", "#program=%", "#program=%C3%A9%C3", full.slice(0, full.indexOf("%A9"))]) {
    const r = parseHash(cut);
    assert.equal(r.program, null, cut);
    assert.match(r.error, /%-encoding is broken/, cut);
    assert.equal(programFromHash(cut), null);
  }
  assert.deepEqual(parseHash("#program=a&frozen=b,%E9"), { program: "a", python: null, frozen: [], practice: null, lab: false, challenge: [], train: null, error: null });
});

test("hashForProgram and parseHash round trip, frozen labels with special characters", () => {
  const programs = [
    "a = 2.0\nb = -3.0\nL = a * b\n",
    "# 100% & more: x=1, y=2 #tag\nx = 1.0 + 2e-3  # ünïcödé, 😀, tab\there\r\n",
    "",
    "&program=evil&frozen=x",
  ];
  const frozenSets = [[], ["a"], ["x[0]", "x@1", "x@2[1]"], ["a,b", "c&d", "e=f", "%41", "#", " sp ", "é😀", "+"]];
  for (const text of programs) {
    for (const frozen of frozenSets) {
      const h = hashForProgram(text, frozen);
      assert.ok(h.startsWith("#program="));
      assert.equal(h.includes("&frozen="), frozen.length > 0);
      assert.deepEqual(parseHash(h), { program: text, python: null, frozen, practice: null, lab: false, challenge: [], train: null, error: null }, h);
      assert.deepEqual(parseHash(h.slice(1)), { program: text, python: null, frozen, practice: null, lab: false, challenge: [], train: null, error: null }); // location.hash without #
    }
  }
  assert.equal(hashForProgram("a = 1", []), "#program=a%20%3D%201");
  // The views open travel too: practice mode and the lab.
  const h = hashForProgram("a = 1", ["a"], { practice: "backward", lab: true });
  assert.equal(h, "#program=a%20%3D%201&frozen=a&practice=backward&lab");
  assert.deepEqual(parseHash(h), { program: "a = 1", python: null, frozen: ["a"], practice: "backward", lab: true, challenge: [], train: null, error: null });
  // The training view and every setting (contract section 5), with or without a program.
  const t = parseHash("#train&dataset=moons&layers=16,16&seed=0&lr=0.1&batch=100");
  assert.equal(t.program, null);
  assert.deepEqual(t.train, { dataset: "moons", layers: "16,16", seed: "0", lr: "0.1", batch: "100" });
  const settings = { dataset: "spiral", layers: "8,8,8", seed: "3", lr: "0.05", batch: "20", activation: "tanh" };
  const th = hashForProgram("a = 1", [], { train: settings });
  assert.ok(th.endsWith("&train&dataset=spiral&layers=8,8,8&seed=3&lr=0.05&batch=20&activation=tanh"), th);
  assert.deepEqual(parseHash(th).train, settings);
  assert.equal(parseHash("#program=a&practice=sideways").practice, null);
  assert.equal(hashForProgram("a = 1", ["a", "x[0]", "p,q"]), "#program=a%20%3D%201&frozen=a,x%5B0%5D,p%2Cq");
});


test("a teacher's challenge: the leaves asked for, written like the frozen ones", () => {
  const h = hashForProgram("a = 2.0\nb = 3.0\na * b", [], { lab: true, challenge: ["b", "x[0]", "p,q"] });
  assert.ok(h.endsWith("&lab&challenge=b,x%5B0%5D,p%2Cq"), h);
  assert.deepEqual(parseHash(h).challenge, ["b", "x[0]", "p,q"]);
  assert.deepEqual(parseHash("#program=a&challenge=").challenge, []);
  assert.deepEqual(parseHash("#program=a&challenge=%E9").challenge, []); // unreadable: none asked
  assert.equal(hashForProgram("a = 1", [], { challenge: [] }), "#program=a%20%3D%201");
});

test("Python mode's code travels as #python= (never as a program), without frozen leaves", () => {
  const code = "from gradstep import Value\nx = Value(2.0)\nx * x  # 100% & more\n";
  const h = hashForProgram(code, ["x"], { mode: "python", lab: true });
  assert.ok(h.startsWith("#python=") && !h.includes("frozen=") && h.endsWith("&lab"), h);
  const back = parseHash(h);
  assert.equal(back.python, code);
  assert.equal(back.program, null);
  assert.equal(back.lab, true);
  const cut = parseHash("#python=%E9");
  assert.equal(cut.python, null);
  assert.match(cut.error, /Python code is not readable/);
});
