// The snapshot's stored layout (web/worker/engine-files.js): all-zero pages left out, and back,
// whole or from a download's chunks.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import test from "node:test";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

import { sparse, sparseWriter, unsparse } from "../../web/worker/engine-files.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PAGE = 4096;

test("a snapshot with zero pages, a partial last page and odd lengths comes back byte for byte", () => {
  for (const length of [0, 1, 5, PAGE, PAGE + 3, 5 * PAGE - 1, 7 * PAGE]) {
    const bytes = new Uint8Array(length);
    // pages 1 and 3 hold data (one byte at each end), the rest stay zero; and the very last byte
    for (const at of [PAGE, 2 * PAGE - 1, 3 * PAGE + 17, length - 1]) if (at >= 0 && at < length) bytes[at] = 1 + (at % 251);
    const packed = sparse(bytes);
    const pages = new Set([PAGE, 2 * PAGE - 1, 3 * PAGE + 17, length - 1].filter((a) => a >= 0 && a < length).map((a) => Math.floor(a / PAGE)));
    assert.equal(packed.length, 4 * (3 + pages.size) + PAGE * pages.size, `length ${length}`);
    assert.deepEqual(unsparse(packed.buffer), bytes, `length ${length}`);
  }
});

test("an unaligned view is read as its own bytes", () => {
  const backing = new Uint8Array(3 * PAGE + 2);
  backing[PAGE + 10] = 7;
  const view = backing.subarray(1, 2 * PAGE + 1); // byteOffset 1
  assert.deepEqual(unsparse(sparse(view).buffer), view.slice());
});

test("damaged copies are refused, not restored", () => {
  const packed = sparse(new Uint8Array(3 * PAGE).fill(9));
  for (const bad of [new ArrayBuffer(0), new ArrayBuffer(1000), packed.buffer.slice(0, packed.length - 1)]) {
    assert.throws(() => unsparse(bad), /damaged/);
  }
  const wrongPage = packed.slice();
  new Uint32Array(wrongPage.buffer, 12, 1)[0] = 99; // a page beyond the length
  assert.throws(() => unsparse(wrongPage.buffer), /damaged/);
});

test("set-up's snapshot (scripts/setup.py runs first) is stored sparse: about half its pages were zeros, and it comes back whole", () => {
  const record = JSON.parse(fs.readFileSync(path.join(ROOT, "web/build/pyodide-snapshot.json"), "utf8"));
  const packed = new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(ROOT, "web/build/pyodide-snapshot.bin.gz"))));
  assert.equal(packed.length, record.sparse_bytes);
  assert.ok(packed.length < 0.7 * record.bytes, `${packed.length} of ${record.bytes}`);
  const bytes = unsparse(packed.buffer);
  assert.equal(bytes.length, record.bytes);
  assert.ok(Buffer.from(sparse(bytes)).equals(Buffer.from(packed)));
});

test("the writer fills the snapshot from chunks of any size, as a download is gunzipped", () => {
  const length = 9 * PAGE + 123;
  const bytes = new Uint8Array(length);
  for (const at of [0, PAGE - 1, 3 * PAGE, 3 * PAGE + 1, 6 * PAGE + 4000, length - 1]) bytes[at] = 1 + (at % 251);
  const packed = sparse(bytes);
  for (const size of [1, 3, 7, 12, 13, PAGE - 1, PAGE, PAGE + 5, packed.length]) {
    const writer = sparseWriter(new Uint8Array(length));
    for (let at = 0; at < packed.length; at += size) writer.write(packed.subarray(at, at + size));
    assert.deepEqual(writer.end(), bytes, `chunks of ${size}`);
  }
});

test("the writer refuses a download that is short, long, of another length or not the layout", () => {
  const bytes = new Uint8Array(4 * PAGE).fill(3);
  const packed = sparse(bytes);
  const short = sparseWriter(new Uint8Array(bytes.length));
  short.write(packed.subarray(0, packed.length - 1));
  assert.throws(() => short.end(), /damaged/);
  const long = sparseWriter(new Uint8Array(bytes.length));
  assert.throws(() => long.write(Uint8Array.of(...packed, 0)), /damaged/);
  assert.throws(() => sparseWriter(new Uint8Array(bytes.length + 1)).write(packed), /damaged.*not/);
  assert.throws(() => sparseWriter(new Uint8Array(bytes.length)).write(bytes), /not a sparse snapshot/);
  const nothing = sparseWriter(new Uint8Array(bytes.length));
  assert.throws(() => nothing.end(), /damaged/);
});

test("the writer refuses a page list out of order or repeated (a damaged kept copy is not restored)", () => {
  const bytes = new Uint8Array(5 * PAGE);
  bytes[PAGE] = 1;
  bytes[3 * PAGE] = 2;
  const packed = sparse(bytes); // pages 1 and 3
  const pages = new Uint32Array(packed.buffer, 12, 2);
  assert.deepEqual([...pages], [1, 3]);
  for (const bad of [[3, 1], [1, 1]]) {
    const copy = packed.slice();
    new Uint32Array(copy.buffer, 12, 2).set(bad);
    assert.throws(() => unsparse(copy.buffer), /out of order/, String(bad));
  }
});
