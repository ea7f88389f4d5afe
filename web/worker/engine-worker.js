// The engine's Web Worker: Pyodide and the repository's engine/ files, off the page's
// main thread (which only draws and takes input).
//
// Messages in:  {id, method, args}           (method: load | timeline | frames | lab | train | packages)
// Messages out: {type: "ready", ms}           once Python and the engine are up
//               {type: "failed", message}     when they cannot start
//               {type: "progress", id, what}  the phase of a long call
//               {type: "reply", id, json}     a call's reply, a JSON string from web/worker/worker.py
//
// Only strings and plain objects cross (no SharedArrayBuffer, no special headers):
// this works from GitHub Pages and from any static server. Calls run one at a time,
// in order; the page stops a runaway call by terminating this worker.
//
// "packages" ({names: ["sympy", "networkx"]}) is answered here, not by worker.py: it
// installs and imports those Python packages (web/worker/worker-packages.js, on first need)
// and replies {"ok": true, "versions": {name: version}}; Python code can then import them.

const base = new URL("../../", import.meta.url); // the repository root as served

async function start() {
  const t0 = performance.now();
  const [{ loadPyodide }, files, glue] = await Promise.all([
    import(new URL("web/vendor/pyodide/pyodide.mjs", base).href),
    fetch(new URL("web/build/engine-files.json", base)).then(okJson),
    fetch(new URL("web/worker/worker.py", base)).then(okText),
  ]);
  const pyodide = await loadPyodide({ indexURL: new URL("web/vendor/pyodide/", base).href });
  const sources = await Promise.all(files.map((f) => fetch(new URL(f, base)).then(okText)));
  const home = "/home/pyodide/";
  files.forEach((f, k) => {
    const dir = f.slice(0, f.lastIndexOf("/"));
    if (dir) pyodide.FS.mkdirTree(home + dir);
    pyodide.FS.writeFile(home + f, sources[k]);
  });
  pyodide.FS.writeFile(home + "gradstep_worker.py", glue);
  // The package is engine/gradstep/ (a src layout): engine/ goes on sys.path, and the glue beside it.
  const paths = [home, home + "engine"];
  pyodide.runPython(`import sys\nfor p in ${JSON.stringify(paths)}:\n    if p not in sys.path: sys.path.insert(0, p)`);
  const mod = pyodide.pyimport("gradstep_worker");
  return { mod, pyodide, ms: performance.now() - t0 };
}

function okText(r) {
  if (!r.ok) throw new Error(`${r.url}: HTTP ${r.status}`);
  return r.text();
}

function okJson(r) {
  if (!r.ok) throw new Error(`${r.url}: HTTP ${r.status} (has scripts/setup.py run?)`);
  return r.json();
}

let current = 0; // the id of the call running now, for progress messages
let python = null; // the Pyodide instance, for "packages"
const booted = start().then(
  ({ mod, pyodide, ms }) => {
    python = pyodide;
    mod.progress = (what) => postMessage({ type: "progress", id: current, what: String(what) });
    postMessage({ type: "ready", ms });
    return mod;
  },
  (e) => {
    postMessage({ type: "failed", message: String(e && e.message ? e.message : e) });
    throw e;
  },
);

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
      // Python itself failed (not the program: handle() answers those): still answer,
      // or the page would wait for this reply for ever.
      const message = `the engine failed (${String(err && err.message ? err.message : err).split("\n").pop()}); press Stop to restart it`;
      json = JSON.stringify({ ok: false, error: { line: null, col: null, message } });
    }
    postMessage({ type: "reply", id, json });
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
