// The kept snapshot's layout (web/worker/engine-files.js): all-zero pages left out, and back.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import test from "node:test";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

import { sparse, unsparse } from "../../web/worker/engine-files.js";

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

test("set-up's snapshot (scripts/setup.py runs first): about half its pages are zeros, and it comes back whole", () => {
  const bytes = new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(ROOT, "web/build/pyodide-snapshot.bin.gz"))));
  const packed = sparse(bytes);
  assert.ok(packed.length < 0.7 * bytes.length, `${packed.length} of ${bytes.length}`);
  assert.ok(Buffer.from(unsparse(packed.buffer)).equals(Buffer.from(bytes)));
});
