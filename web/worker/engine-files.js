// The engine's files in Pyodide: where they go, the modules imported before the page's
// first call, and the hash that ties a memory snapshot to them. Shared by the worker
// (web/worker/engine-worker.js) and set-up's snapshot maker (scripts/snapshot.mjs), so
// the snapshot is made from exactly what the worker would have imported.
//
// Plain JavaScript with no DOM and no Node API: it runs in a module worker and in node 20.

export const HOME = "/home/pyodide/";

// Imported when Python starts, and so held in the memory snapshot: the worker's glue
// (web/worker/worker.py, as gradstep_worker) and what its methods import on first use.
// sympy and networkx are not among them (the lab installs them on first need), nor is
// anything that touches JavaScript (a snapshot may hold no JavaScript object).
export const PRELOAD = [
  "gradstep_worker",
  "gradstep.program.scene",
  "gradstep.program.timeline",
  "gradstep.lab.views",
  "gradstep.training.view",
  "gradstep.training.fast_trainer",
  "gradstep.training.trainer",
  "gradstep.training.batch_graph",
];

/**
 * Write the engine's files (paths relative to the repository root, as listed in
 * web/build/engine-files.json; contents as bytes) and the glue into Pyodide's file
 * system, and put engine/ (the package's src layout) and HOME (the glue) on sys.path.
 * Run on every start: a memory snapshot holds Python's memory, not its files.
 */
export function installEngine(pyodide, files, contents, glue) {
  files.forEach((f, k) => {
    const dir = f.slice(0, f.lastIndexOf("/"));
    if (dir) pyodide.FS.mkdirTree(HOME + dir);
    pyodide.FS.writeFile(HOME + f, contents[k]);
  });
  pyodide.FS.writeFile(HOME + "gradstep_worker.py", glue);
  const paths = [HOME, HOME + "engine"];
  pyodide.runPython(`import sys\nfor p in ${JSON.stringify(paths)}:\n    if p not in sys.path: sys.path.insert(0, p)`);
}

/** Import PRELOAD (once Python has the files); returns the glue module's PyProxy. */
export function importEngine(pyodide) {
  pyodide.runPython(`import importlib\nfor m in ${JSON.stringify(PRELOAD)}:\n    importlib.import_module(m)`);
  return pyodide.pyimport("gradstep_worker");
}

/**
 * What a snapshot was made from, as a hex SHA-256: the Pyodide version, PRELOAD, and each
 * file's path and bytes (the glue last). The worker computes it from the files it
 * fetched and starts from the snapshot only when it equals the one recorded beside it.
 */
export async function engineHash(version, files, contents, glue) {
  const enc = new TextEncoder();
  const parts = [enc.encode(`pyodide ${version}\n${PRELOAD.join(" ")}\n`)];
  const add = (name, bytes) => {
    parts.push(enc.encode(`${name}\n${bytes.length}\n`), bytes);
  };
  files.forEach((f, k) => add(f, contents[k]));
  add("web/worker/worker.py", glue);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Start Python from a snapshot made after importEngine, as a normal start would leave it:
 * the random generator reseeded from the system's entropy (the snapshot froze its state). */
export function afterRestore(pyodide) {
  pyodide.runPython("import random\nrandom.seed()");
}

/**
 * loadPyodide's options to start from `snapshot` (the bytes of makeMemorySnapshot(), or a
 * promise of them: loadPyodide awaits it only just before instantiating the wasm, so its own
 * preparations run while the snapshot is still being read).
 * Pyodide 314.0.2 sets INITIAL_MEMORY to the snapshot's size, but its module declares
 * its own memory and ignores that, so a snapshot larger than the initial heap fails to
 * copy in (pyodide issue 6254): grow the heap first, between instantiation and restore.
 */
export async function snapshotOptions(asmURL, snapshot) {
  const created = import(asmURL); // (pyodide.asm.mjs, as loadPyodide would load it)
  created.catch(() => {}); // (reported by createPyodideModule, when it is asked for)
  return {
    _loadSnapshot: snapshot,
    createPyodideModule: async (settings) => {
      const [{ default: createModule }, bytes] = await Promise.all([created, snapshot]);
      const made = await createModule(settings);
      if (made.HEAP8.length < bytes.length) made.growMemory(bytes.length);
      return made;
    },
  };
}

// The kept copy leaves out the snapshot's all-zero pages (half of its 31 MB: a fresh Uint8Array
// is zeros already), so a later visit reads half the bytes. Its layout, 32-bit words then bytes:
// SPARSE_MAGIC, the snapshot's length, the count n of pages kept, their n page numbers, then
// those n pages of PAGE bytes (the last one padded with zeros).
const SPARSE_MAGIC = 0x50535347; // "GSSP"
const PAGE = 4096;

/** `bytes` (a snapshot) without its all-zero pages, in the layout above. */
export function sparse(bytes) {
  const whole = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = new Uint32Array(whole.buffer, whole.byteOffset, Math.floor(whole.length / 4));
  const kept = [];
  for (let p = 0; p * PAGE < whole.length; p++) {
    const end = Math.min(whole.length, (p + 1) * PAGE);
    let nonzero = false;
    for (let w = p * (PAGE / 4); w < Math.floor(end / 4) && !nonzero; w++) nonzero = words[w] !== 0;
    for (let b = Math.floor(end / 4) * 4; b < end && !nonzero; b++) nonzero = whole[b] !== 0;
    if (nonzero) kept.push(p);
  }
  const head = 3 + kept.length;
  const out = new Uint8Array(4 * head + PAGE * kept.length);
  new Uint32Array(out.buffer, 0, head).set([SPARSE_MAGIC, whole.length, kept.length, ...kept]);
  kept.forEach((p, k) => out.set(whole.subarray(p * PAGE, Math.min(whole.length, (p + 1) * PAGE)), 4 * head + k * PAGE));
  return out;
}

/** The snapshot `sparse` made `buffer` from (an ArrayBuffer); throws when it is not one. */
export function unsparse(buffer) {
  const [magic, length, n] = buffer.byteLength >= 12 ? new Uint32Array(buffer, 0, 3) : [];
  if (magic !== SPARSE_MAGIC || buffer.byteLength !== 4 * (3 + n) + PAGE * n) throw new Error("the kept snapshot is damaged");
  const pages = new Uint32Array(buffer, 12, n);
  const out = new Uint8Array(length);
  const at = 4 * (3 + n);
  for (let k = 0; k < n; k++) {
    const start = pages[k] * PAGE;
    if (start >= length) throw new Error("the kept snapshot is damaged");
    out.set(new Uint8Array(buffer, at + k * PAGE, Math.min(PAGE, length - start)), start);
  }
  return out;
}
