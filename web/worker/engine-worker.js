// The engine's Web Worker: Pyodide and the repository's engine/ files, off the page's
// main thread (which only draws and takes input).
//
// Messages in:  {id, method, args}           (method: load | timeline | frames | lab | train | packages)
// Messages out: {type: "ready", ms, boot}     once Python and the engine are up; boot says
//                                             how: {how: "snapshot" | "normal", reason, ms}
//               {type: "boot", what, loaded?, total?}  a phase of the start (bytes of a download),
//                                             said after "Starting Python: " on the page
//               {type: "failed", message}     when they cannot start
//               {type: "progress", id, what}  the phase of a long call
//               {type: "part", id, path, json} a slice of a long array of the coming reply
//                                             (big replies only: web/worker/reply-parts.js)
//               {type: "reply", id, json}     a call's reply, a JSON string from web/worker/worker.py
//               {type: "crashed", id, message} Python itself died in call id (a fatal error of
//                                             Pyodide): this worker is done; the page starts another
//
// Start-up: from the memory snapshot set-up made (web/build/pyodide-snapshot.bin.gz,
// scripts/snapshot.mjs) when its record (pyodide-snapshot.json) names this Pyodide and the
// hash of the engine files fetched here; otherwise, or when starting from it fails for
// any reason, a normal loadPyodide(). Either way the engine's files are written into
// Pyodide's file system (a snapshot holds memory, not files) and the random generator
// is fresh (reseeded after a restore). Stop starts a fresh worker, which does the same.
//
// Only strings and plain objects cross (no SharedArrayBuffer, no special headers):
// this works from GitHub Pages and from any static server. Calls run one at a time,
// in order; the page stops a runaway call by terminating this worker.
//
// "packages" ({names: ["sympy", "networkx"]}) is answered here, not by worker.py: it
// installs and imports those Python packages (web/worker/worker-packages.js, on first need)
// and replies {"ok": true, "versions": {name: version}}; Python code can then import them.

// (its own modules are imported as it starts, not before: the downloads below begin a round trip
// sooner than after a static import's)
const engineFiles = import("./engine-files.js");
const replyParts = import("./reply-parts.js");

const base = new URL("../../", import.meta.url); // the repository root as served
const indexURL = new URL("web/vendor/pyodide/", base).href;
const SNAPSHOT = new URL("web/build/pyodide-snapshot.bin.gz", base);
const RECORD = new URL("web/build/pyodide-snapshot.json", base);
// The snapshot gunzipped, kept in the origin's private file system (OPFS) after a start from it
// worked, in its stored layout (without its all-zero pages: engine-files.js's sparse()): a later
// visit reads 15.9 MB through a synchronous access handle (40-90 ms here) instead of downloading
// and gunzipping 6.5 MB (some 300 ms). Cache Storage held it before, and reading it there competed with the
// service worker's answers to the start's other requests (450-650 ms: issue #16). One file,
// named after the snapshot's record (the Pyodide and engine files it was made from); other
// versions' files are deleted when this one is written.
const KEPT_PREFIX = "gradstep-snapshot-";
const keptName = (record) => `${KEPT_PREFIX}${record.pyodide}-${record.engine_hash}`;
// The copy being written, under a name no start reads: moved to its kept name once whole, so a
// start in the meantime (a reload seconds after the first visit) never finds it half written, or
// held open by the worker writing it (which made that start a normal one, and dropped the copy).
const WRITING = "gradstep-writing-snapshot";

// How this worker started, for the page and the tests: {how: "snapshot" | "normal",
// reason (why not from the snapshot, "" when it was), ms: {...phases}, raw: true when a kept
// copy was tried, read: true when the gzip file's body was read}. Also on `self`
// (tests read it with Playwright's worker.evaluate).
let boot = { how: "normal", reason: "", ms: {} };
self.gradstepBoot = boot;

/** A phase of the start, for the page ("restoring its snapshot", {loaded, total} bytes of a download). */
function say(what, extra = {}) {
  postMessage({ type: "boot", what, ...extra });
}

async function start() {
  const t0 = performance.now();
  const mark = (name) => { boot.ms[name] = Math.round(performance.now() - t0); };
  say("loading Pyodide");
  opfs().catch(() => {}); // (the kept snapshot's folder: asked for now, used once the record is in)
  // Everything at once: Pyodide's module, the engine's files, the snapshot and its record.
  const pyodideModule = import(indexURL + "pyodide.mjs");
  import(indexURL + "pyodide.asm.mjs").catch(() => {}); // (its 1.2 MB, loaded now: loadPyodide imports it later)
  // The engine's files and the glue in one response (web/build/engine-bundle.json); when it is
  // missing or unreadable, one by one from their list, as before the bundle.
  const bundleP = fetch(new URL("web/build/engine-bundle.json", base)).then(okJson).then(unbundle).catch(() => null);
  const filesP = bundleP.then((b) => b?.files ?? fetch(new URL("web/build/engine-files.json", base)).then(okJson));
  const contentsP = bundleP.then((b) => b?.contents ??
    filesP.then((files) => Promise.all(files.map((f) => fetch(new URL(f, base)).then(okBytes)))));
  const glueP = bundleP.then((b) => b?.glue ?? fetch(new URL("web/worker/worker.py", base)).then(okBytes));
  const recordP = fetch(RECORD).then(okJson);
  // (its download stops as soon as it is known not to be used: no record, another Pyodide,
  // other engine files)
  // The gzip file's request starts at once too (a first visit waits for no round trip), but
  // its body is read only once no kept gunzipped copy is found; when one is, it stops. (From
  // the cache the whole body is there at once: gunzipping it anyway held this thread for
  // 250 ms of a repeat visit.)
  const snapshotStop = new AbortController();
  const gzipP = fetch(SNAPSHOT, { signal: snapshotStop.signal });
  // {bytes, whole}: the snapshot's array, made (zeros) as soon as the record gives its length,
  // and a promise that it is whole: filled from the kept copy, or from the gzip file as it
  // downloads. Pyodide loads and instantiates its WebAssembly meanwhile, and copies the
  // snapshot in only once it is whole.
  const snapshotP = recordP.catch(() => null).then((record) => {
    if (!record) throw new Error("no snapshot record");
    if (!Number.isSafeInteger(record.bytes) || record.bytes <= 0) throw new Error("the snapshot's record gives no length");
    const bytes = new Uint8Array(record.bytes);
    const whole = (async () => {
      const { sparseWriter } = await engineFiles;
      const writer = sparseWriter(bytes);
      const kept = await keptSnapshot(record);
      if (kept) {
        snapshotStop.abort(); // (a kept copy is found: the gzip file is not needed)
        boot.raw = true; // (a copy that cannot be read or restored: a normal start, and it is dropped)
        writer.write(new Uint8Array(await readKept(kept)));
      } else {
        // (a download that stops coming is given up: the start goes on without it)
        const stalled = new Error(`the snapshot's download stalled (no byte for ${STALL_MS / 1000} s)`);
        const dog = watchdog(() => snapshotStop.abort(stalled));
        try {
          await readSnapshot(await gzipP, writer, dog.poke);
        } finally {
          dog.stop();
        }
      }
      return writer.end();
    })();
    whole.catch(() => {}); // (reported where it is awaited: by loadPyodide)
    return { bytes, whole };
  });
  // (an unused rejection must not be reported as unhandled)
  for (const p of [contentsP, glueP, recordP, gzipP, snapshotP, engineFiles, replyParts]) p.catch(() => {});

  const [{ loadPyodide, version }, { afterRestore, engineHash, importEngine, installEngine, snapshotOptions }] =
    await Promise.all([pyodideModule, engineFiles]);
  mark("module");
  const engineP = Promise.all([filesP, contentsP, glueP]);
  engineP.then(() => mark("files"), () => {});
  let pyodide = null;
  let mod = null;
  try {
    const record = await recordP.catch(() => { throw new Error("no snapshot (has scripts/setup.py run?)"); });
    if (record.pyodide !== version) throw new Error(`the snapshot is of Pyodide ${record.pyodide}, this is ${version}`);
    // (its engine files are checked while Python starts: restored only when they are the ones here)
    const checked = engineP.then(async ([files, contents, glue]) => {
      if (record.engine_hash !== (await engineHash(version, files, contents, glue))) {
        throw new Error("the snapshot was made from other engine files (run scripts/setup.py again)");
      }
    });
    // (reported where it is awaited: by loadPyodide, at once; the download is not wanted then)
    checked.catch(() => snapshotStop.abort());
    // (loadPyodide prepares and instantiates while the snapshot is read, and waits for it
    // only to copy it in)
    const sourceP = snapshotP.then(({ bytes, whole }) => {
      const ready = Promise.all([whole, checked]).then(() => {
        mark("snapshot");
        say("restoring its snapshot");
      });
      ready.catch(() => {});
      return { bytes, whole: ready };
    });
    pyodide = await loadPyodide({ indexURL, ...snapshotOptions(indexURL + "pyodide.asm.mjs", sourceP) });
    // (Pyodide keeps its options: these two would keep the 31 MB array alive, now copied in)
    delete pyodide._api?.config?._loadSnapshot;
    delete pyodide._api?.config?.createPyodideModule;
    mark("restored");
    const { bytes } = await sourceP;
    const [files, contents, glue] = await engineP;
    installEngine(pyodide, files, contents, glue);
    mark("installed");
    afterRestore(pyodide);
    mod = importEngine(pyodide);
    if (typeof mod.handle !== "function") throw new Error("the snapshot's engine has no handle()");
    boot.how = "snapshot";
    if (!boot.raw) keepRaw = () => keepRawSnapshot(record, bytes); // (once the worker is ready)
  } catch (e) {
    if (boot.raw) forgetRawSnapshot(); // (a kept copy that failed is not used again)
    // Anything wrong with the snapshot (missing, damaged, another build, refused): a
    // normal start, as if there were none.
    boot.reason = String(e && e.message ? e.message : e).split("\n")[0];
    snapshotStop.abort();
    mod = null;
    say("starting it without a snapshot");
    pyodide = await loadPyodide({ indexURL });
    mark("python");
    say("importing the engine");
    const [files, contents, glue] = await engineP;
    installEngine(pyodide, files, contents, glue);
    mod = importEngine(pyodide);
  }
  mark("ready");
  return { mod, pyodide, ms: performance.now() - t0 };
}

// The origin's private file system, asked for once, first thing (opening it took some 300 ms
// while the start's other requests were being answered).
let opfsP = null;
const opfs = () => (opfsP ??= (async () => navigator.storage.getDirectory())()); // (no OPFS: a rejection)

/** The kept snapshot's file of this record, or null (none, another version's, no OPFS). */
async function keptSnapshot(record) {
  try {
    return await (await opfs()).getFileHandle(keptName(record));
  } catch {
    return null;
  }
}

/** A kept file's bytes (an ArrayBuffer), read at once through a synchronous access handle. */
async function readKept(file) {
  const handle = await file.createSyncAccessHandle();
  try {
    const bytes = new Uint8Array(handle.getSize());
    if (handle.read(bytes, { at: 0 }) !== bytes.length) throw new Error("the kept snapshot is short");
    return bytes.buffer;
  } finally {
    handle.close();
  }
}

let keepRaw = null; // set when the start from the gzip file worked: keep it gunzipped

async function keepRawSnapshot(record, bytes) {
  let handle = null;
  let kept = false;
  try {
    if (self.caches) caches.delete("gradstep.snapshot").catch(() => {}); // (where earlier versions kept it: 31 MB)
    const root = await opfs();
    await forgetRawSnapshot(keptName(record));
    const file = await root.getFileHandle(WRITING, { create: true });
    handle = await file.createSyncAccessHandle();
    const { sparse } = await engineFiles;
    const data = sparse(bytes);
    handle.truncate(0);
    const wrote = handle.write(data, { at: 0 });
    handle.flush();
    handle.close();
    handle = null;
    if (wrote === data.length) {
      await file.move(keptName(record));
      kept = true;
    }
  } catch {
    // no OPFS, another tab writing it, or a full disk: the gzip file serves, as on a first visit
  } finally {
    handle?.close();
  }
  if (!kept) await forgetWriting(); // (a part-written copy is not left behind)
}

async function forgetWriting() {
  try {
    await (await opfs()).removeEntry(WRITING);
  } catch { /* none, or another tab's, still being written */ }
}

/** Deletes the kept snapshots (but the one named `keep`). */
async function forgetRawSnapshot(keep = "") {
  try {
    const root = await opfs();
    for await (const name of root.keys()) {
      if (name.startsWith(KEPT_PREFIX) && name !== keep) await root.removeEntry(name).catch(() => {});
    }
  } catch { /* no OPFS: nothing kept */ }
}

// A snapshot download that brings no byte for this long is given up (a server or a network that
// hangs): the start goes on the normal way rather than wait for ever.
const STALL_MS = 10_000;

/** Calls `onStall` once `poke()` has not been called for STALL_MS; stop() ends it. */
function watchdog(onStall) {
  let timer = setTimeout(onStall, STALL_MS);
  return {
    poke() {
      clearTimeout(timer);
      timer = setTimeout(onStall, STALL_MS);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/** The snapshot's gzip file, gunzipped as it downloads into `writer` (engine-files.js's
 * sparseWriter, which refuses bytes that are not the sparse layout of the record's length),
 * as it is when the server already removed the gzip encoding. Download progress is reported;
 * `poke()` is called for each chunk that comes. */
async function readSnapshot(r, writer, poke) {
  if (!r.ok) throw new Error(`${r.url}: HTTP ${r.status}`);
  boot.read = true;
  const total = Number(r.headers.get("Content-Length")) || 0;
  const reader = r.body.getReader();
  const first = await reader.read(); // (read to see what it is, then put back)
  let loaded = 0;
  let said = 0;
  const count = (chunk) => {
    poke();
    loaded += chunk.length;
    if (total && loaded - said > total / 20) {
      said = loaded;
      say("downloading its snapshot", { loaded, total });
    }
    return chunk;
  };
  const body = new ReadableStream({
    start(c) {
      if (first.done) c.close();
      else c.enqueue(count(first.value));
    },
    async pull(c) {
      const { done, value } = await reader.read();
      if (done) c.close();
      else c.enqueue(count(value));
    },
    cancel: (why) => reader.cancel(why),
  });
  // (a gzip file's first byte is 0x1f; the sparse layout's is 0x47, its magic's lowest byte)
  const gzipped = !first.done && first.value[0] === 0x1f;
  const plain = (gzipped ? body.pipeThrough(new DecompressionStream("gzip")) : body).getReader();
  try {
    for (;;) {
      const { done, value } = await plain.read();
      if (done) break;
      writer.write(value);
    }
  } catch (e) {
    plain.cancel().catch(() => {}); // (the rest of the download is not wanted)
    throw e;
  }
}

/** The bundle's texts as the bytes the files hold (UTF-8), for the file system and the snapshot's hash. */
function unbundle(b) {
  if (!Array.isArray(b.files) || !Array.isArray(b.contents) || b.files.length !== b.contents.length || typeof b.glue !== "string") {
    throw new Error("engine-bundle.json is not a bundle");
  }
  const enc = new TextEncoder();
  return { files: b.files, contents: b.contents.map((t) => enc.encode(t)), glue: enc.encode(b.glue) };
}

function okJson(r) {
  if (!r.ok) throw new Error(`${r.url}: HTTP ${r.status} (has scripts/setup.py run?)`);
  return r.json();
}

function okBytes(r) {
  if (!r.ok) throw new Error(`${r.url}: HTTP ${r.status}`);
  return r.arrayBuffer().then((b) => new Uint8Array(b));
}

let current = 0; // the id of the call running now, for progress messages
let python = null; // the Pyodide instance, for "packages"
const booted = start().then(
  ({ mod, pyodide, ms }) => {
    python = pyodide;
    self.gradstepPyodide = pyodide; // (for the tests and the console: this worker's Python)
    mod.progress = (what) => postMessage({ type: "progress", id: current, what: String(what) });
    postMessage({ type: "ready", ms, boot });
    // (kept a little later, off the start's path: writing 31 MB takes some 250-400 ms)
    if (keepRaw) {
      const keep = keepRaw;
      keepRaw = null; // (its array is let go once it is written)
      setTimeout(keep, 3000);
    }
    return mod;
  },
  (e) => {
    postMessage({ type: "failed", message: String(e && e.message ? e.message : e) });
    throw e;
  },
);
booted.catch(() => {}); // (said above; each call's wait for it ends quietly)

// One call at a time, in the order they came.
let queue = Promise.resolve();
self.onmessage = (e) => {
  const { id, method, args } = e.data;
  queue = queue.then(async () => {
    const mod = await booted;
    current = id;
    let json;
    try {
      json = method === "packages" ? await packages(args) : mod.handle(method, JSON.stringify(args ?? {}));
    } catch (err) {
      const what = String(err && err.message ? err.message : err).split("\n").filter(Boolean).pop() || "unknown error";
      if (err && err.type) {
        // A Python exception that got past handle() (a PythonError has its type): Python is
        // fine, the call failed.
        json = JSON.stringify({ ok: false, error: { line: null, col: null, message: `internal error in the engine: ${what}` } });
      } else {
        // Python itself failed: a fatal error of Pyodide ("Maximum call stack size exceeded",
        // out of memory), after which it cannot be used. The page starts a fresh worker at
        // once and keeps what is on screen.
        postMessage({ type: "crashed", id, message: `Python stopped working: ${what}` });
        self.close();
        return;
      }
    }
    let parts = [];
    let rest = json;
    try {
      const { splitReply } = await replyParts;
      ({ parts, json: rest } = splitReply(json));
    } catch {
      // (not JSON the page can read either, e.g. NaN: sent whole, the page says so)
    }
    // (each part as UTF-8 bytes, handed over rather than copied: the page's side of a
    // message is then no work at all, and the page reads the parts a few at a time)
    const utf8 = new TextEncoder();
    for (const part of parts) {
      const bytes = utf8.encode(part.json);
      postMessage({ type: "part", id, path: part.path, bytes }, [bytes.buffer]);
    }
    postMessage({ type: "reply", id, json: rest });
  }).catch(() => { /* failed to boot: reported above */ });
};

async function packages(args) {
  try {
    const { loadPackages } = await import("./worker-packages.js");
    const progress = (what) => postMessage({ type: "progress", id: current, what: String(what) });
    const versions = await loadPackages(python, args?.names ?? [], progress);
    return JSON.stringify({ ok: true, versions });
  } catch (e) {
    console.warn(e);
    const message = String(e && e.message ? e.message : e).split("\n").slice(-3).join("\n");
    return JSON.stringify({ ok: false, error: { line: null, col: null, message: `packages: ${message}` } });
  }
}
