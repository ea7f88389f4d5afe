// web/lab/lab-storage.js: what the lab and practice keep across a reload, read back
// checked (stored by an older page, edited by hand, or cut short).
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  LAB_KEY, PRACTICE_KEY, YOURS_KEY, programKey, readLab, readPractice, readYours, writeLab, writePractice, writeYours,
} from "../../web/lab/lab-storage.js";

function memory(init = {}) {
  const m = new Map(Object.entries(init));
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
    raw: m,
  };
}

test("programKey: the same text the same key; another text another key", () => {
  assert.equal(programKey("x = 1.0\ny = x*x\n"), programKey("x = 1.0\ny = x*x\n"));
  assert.notEqual(programKey("x = 1.0\ny = x*x\n"), programKey("x = 2.0\ny = x*x\n"));
  assert.notEqual(programKey(""), programKey(" "));
});

test("lab: h and the leaf of each program written and read back", () => {
  const st = memory();
  writeLab({ h: "0.01" }, st);
  writeLab({ program: "p1", leaf: "b" }, st);
  writeLab({ program: "p2", leaf: "x[1]" }, st);
  assert.deepEqual(readLab(st), { h: "0.01", leaves: { p1: "b", p2: "x[1]" } });
  for (let k = 0; k < 30; k++) writeLab({ program: `q${k}`, leaf: "a" }, st);
  const kept = Object.keys(readLab(st).leaves);
  assert.equal(kept.length, 20); // the newest 20
  assert.ok(kept.includes("q29") && !kept.includes("p1"));
});

test("lab: bad or old stored data gives the defaults, never a throw", () => {
  for (const raw of ["{", "null", "[]", "42", '"1e-6"', '{"h": 5}', '{"h": "' + "9".repeat(100) + '"}',
    '{"leaves": [1, 2]}', '{"leaves": {"p": 7}}']) {
    const got = readLab(memory({ [LAB_KEY]: raw }));
    assert.equal(typeof got, "object", raw);
    assert.ok(got.h === null, raw);
    assert.deepEqual(Object.values(got.leaves).filter((v) => typeof v !== "string"), [], raw);
  }
  assert.deepEqual(readLab(null), { h: null, leaves: {} }); // storage off
  const full = { getItem: () => null, setItem: () => { throw new Error("QuotaExceededError"); } };
  writeLab({ h: "1e-3" }, full); // storage full: nothing kept, no throw
});

test("practice: progress written and read back; bad progress is null", () => {
  const st = memory();
  const p = { program: "k", mode: "backward", position: 9, asked: 2, correct: 1, wrong: false };
  writePractice(p, st);
  assert.deepEqual(readPractice(st), p);
  writePractice(null, st);
  assert.equal(readPractice(st), null);
  for (const bad of [
    { ...p, mode: "sideways" }, { ...p, position: -1 }, { ...p, asked: 1.5 }, { ...p, correct: 3 },
    { ...p, program: 7 }, { ...p, position: "9" },
  ]) assert.equal(readPractice(memory({ [PRACTICE_KEY]: JSON.stringify(bad) })), null, JSON.stringify(bad));
  assert.equal(readPractice(memory({ [PRACTICE_KEY]: "{not json" })), null);
});

test("yours: each leaf's attempts, hints and answer written and read back, per program", () => {
  const st = memory();
  writeYours("p1", "b", { attempts: [{ text: "cos(3*b)*b", ok: false }], hints: 1, answer: false }, st);
  writeYours("p1", "a", { attempts: [{ text: "-3*a**2", ok: false }, { text: "-3*a**2 - 0.5/sqrt(a)", ok: true }] }, st);
  assert.deepEqual(readYours("p1", st), {
    b: { attempts: [{ text: "cos(3*b)*b", ok: false }], hints: 1, answer: false },
    a: { attempts: [{ text: "-3*a**2", ok: false }, { text: "-3*a**2 - 0.5/sqrt(a)", ok: true }], hints: 0, answer: false },
  });
  assert.deepEqual(readYours("p2", st), {});
  // the newest 20 programs, the last 20 attempts of a leaf
  const many = Array.from({ length: 25 }, (_, k) => ({ text: `a*${k}`, ok: false }));
  writeYours("p1", "c", { attempts: many, hints: 2, answer: true }, st);
  const c = readYours("p1", st).c;
  assert.equal(c.attempts.length, 20);
  assert.equal(c.attempts[19].text, "a*24");
  assert.equal(c.answer, true);
  for (let k = 0; k < 25; k++) writeYours(`q${k}`, "a", { attempts: [] }, st);
  assert.deepEqual(readYours("p1", st), {});
  assert.ok("a" in readYours("q24", st));
});

test("yours: bad or old stored data gives nothing or is cleaned, never a throw", () => {
  for (const raw of ["{", "null", "[]", "42", '{"p": 5}', '{"p": []}', '{"p": {"b": 7}}',
    '{"p": {"b": {"attempts": [1, {"text": 3, "ok": true}, {"text": "x", "ok": "yes"}], "hints": 9}}}']) {
    const got = readYours("p", memory({ [YOURS_KEY]: raw }));
    assert.equal(typeof got, "object", raw);
    for (const rec of Object.values(got)) {
      assert.deepEqual(rec.attempts, [], raw);
      assert.equal(rec.hints, 0, raw);
      assert.equal(rec.answer, false, raw);
    }
  }
});
