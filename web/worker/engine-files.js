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
 * loadPyodide's options to start from a snapshot. `snapshot` is its bytes (makeMemorySnapshot()'s),
 * or a promise of {bytes, whole}: their array, which may still be being filled, and a promise
 * that it is whole. loadPyodide takes the array as soon as it exists and instantiates Pyodide's
 * WebAssembly meanwhile; its module is handed back (and the snapshot copied in) once it is whole.
 * Pyodide 314.0.2 sets INITIAL_MEMORY to the snapshot's size, but its module declares
 * its own memory and ignores that, so a snapshot larger than the initial heap fails to
 * copy in (pyodide issue 6254): grow the heap first, between instantiation and restore.
 */
export function snapshotOptions(asmURL, snapshot) {
  const source = ArrayBuffer.isView(snapshot) ? Promise.resolve({ bytes: snapshot, whole: null }) : snapshot;
  const created = import(asmURL); // (pyodide.asm.mjs, as loadPyodide would load it)
  created.catch(() => {}); // (reported by createPyodideModule, when it is asked for)
  return {
    _loadSnapshot: source.then((s) => s.bytes),
    createPyodideModule: async (settings) => {
      const { default: createModule } = await created;
      const { bytes, whole } = await source;
      // (a snapshot known to be unusable, say other engine files, fails the start at once)
      const [made] = await Promise.all([createModule(settings), whole]);
      if (made.HEAP8.length < bytes.length) made.growMemory(bytes.length);
      return made;
    },
  };
}

// A snapshot is stored without its all-zero pages (half of its 31 MB: a fresh Uint8Array is zeros
// already), both in the gzip file set-up writes and in the copy a later visit keeps: half the
// bytes to gunzip, and to read. Its layout, 32-bit words then bytes: SPARSE_MAGIC, the
// snapshot's length, the count n of pages kept, their n page numbers, then those n pages of
// PAGE bytes (the last one padded with zeros).
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
  const [magic, length] = buffer.byteLength >= 12 ? new Uint32Array(buffer, 0, 2) : [];
  if (magic !== SPARSE_MAGIC) throw damaged();
  const writer = sparseWriter(new Uint8Array(length));
  writer.write(new Uint8Array(buffer));
  return writer.end();
}

const damaged = (why) => new Error(`the snapshot is damaged${why ? ` (${why})` : ""}`);

/**
 * Fills `out` (zeros, the snapshot's length) from the layout above as its bytes come, in
 * chunks of any size: write(chunk) for each, then end(), which returns `out`. Either throws
 * when the bytes are not a sparse snapshot of out.length bytes (so a download can be
 * gunzipped straight into the array Pyodide restores from, with no copy of it whole).
 */
export function sparseWriter(out) {
  let head = new Uint8Array(12); // the words before the pages: the first three, then all
  let headAt = 0;
  let pages = null; // the kept pages' numbers, once the head is in
  let at = 0; // bytes of the pages written
  const lastPage = Math.ceil(out.length / PAGE) - 1;
  const readHead = () => {
    const words = new Uint32Array(head.buffer, 0, head.length / 4);
    if (head.length === 12) {
      if (words[0] !== SPARSE_MAGIC) throw damaged("not a sparse snapshot");
      if (words[1] !== out.length) throw damaged(`${words[1]} bytes, not ${out.length}`);
      if (words[2] > lastPage + 1) throw damaged("more pages than it has room for");
      const all = new Uint8Array(4 * (3 + words[2]));
      all.set(head);
      head = all;
      if (head.length > 12) return;
    }
    pages = words.subarray(3);
    for (let k = 0; k < pages.length; k++) {
      if (pages[k] > lastPage) throw damaged("a page past its end");
      if (k > 0 && pages[k] <= pages[k - 1]) throw damaged("its pages out of order");
    }
  };
  return {
    write(chunk) {
      let i = 0;
      while (i < chunk.length) {
        if (!pages) {
          const take = Math.min(head.length - headAt, chunk.length - i);
          head.set(chunk.subarray(i, i + take), headAt);
          headAt += take;
          i += take;
          if (headAt === head.length) readHead();
          continue;
        }
        const k = Math.floor(at / PAGE);
        if (k >= pages.length) throw damaged("longer than its pages");
        const within = at % PAGE;
        const take = Math.min(PAGE - within, chunk.length - i);
        const to = pages[k] * PAGE + within;
        const room = Math.min(take, Math.max(0, out.length - to)); // (the last page's padding is dropped)
        if (room > 0) out.set(chunk.subarray(i, i + room), to);
        at += take;
        i += take;
      }
    },
    end() {
      if (!pages || at !== pages.length * PAGE) throw damaged("shorter than its pages");
      return out;
    },
  };
}
