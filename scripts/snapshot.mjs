// Make the page's Pyodide memory snapshot (run by scripts/setup.py; node 20, no browser).
//
//   node scripts/snapshot.mjs ROOT
//
// Starts the vendored Pyodide (ROOT/web/vendor/pyodide/) with _makeSnapshot, writes the
// engine's files (ROOT/web/build/engine-files.json) and the worker's glue into it and
// imports them exactly as the worker does (web/worker/engine-files.js), takes
// pyodide.makeMemorySnapshot(), then checks it: a second Pyodide starts from it and
// loads a program. Writes
//   ROOT/web/build/pyodide-snapshot.bin.gz   the snapshot without its all-zero pages (engine-files.js's
//                                            sparse layout: half the bytes to gunzip), gzip level 9
//   ROOT/web/build/pyodide-snapshot.json     {pyodide, build_id, engine_hash, bytes (the snapshot's),
//                                            sparse_bytes, gzip_bytes, sha256 (the gzip file's)}
// and prints that record as one JSON line (plus "ms": the time taken).
// The worker starts from the snapshot only when `pyodide` and `engine_hash` match what
// it loads (Pyodide itself refuses a snapshot of another build id).

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import crypto from "node:crypto";
import { pathToFileURL } from "node:url";

const t0 = performance.now();
const root = path.resolve(process.argv[2] ?? ".");
const indexURL = path.join(root, "web/vendor/pyodide") + "/"; // (a path: Pyodide under node reads files)
const asmURL = pathToFileURL(indexURL + "pyodide.asm.mjs").href;
const build = path.join(root, "web/build");
const { loadPyodide, version } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
const engine = await import(pathToFileURL(path.join(root, "web/worker/engine-files.js")).href);

const files = JSON.parse(fs.readFileSync(path.join(build, "engine-files.json"), "utf8"));
const contents = files.map((f) => new Uint8Array(fs.readFileSync(path.join(root, f))));
const glue = new Uint8Array(fs.readFileSync(path.join(root, "web/worker/worker.py")));

const quiet = { stdout: () => {}, stderr: (s) => process.stderr.write(s + "\n") };
const maker = await loadPyodide({ indexURL, _makeSnapshot: true, ...quiet });
engine.installEngine(maker, files, contents, glue);
engine.importEngine(maker).destroy();
const heavy = maker.runPython(
  "import sys\n[m for m in ('sympy', 'networkx', 'mpmath') if m in sys.modules]",
).toJs();
if (heavy.length) throw new Error(`the snapshot would hold ${heavy.join(", ")}: keep them out of PRELOAD's imports`);
const buildId = maker._api.config.BUILD_ID;
const snapshot = maker.makeMemorySnapshot();
const packed = engine.sparse(snapshot);

// The check: start from what is stored, as the worker does, and load a program.
const restored = await loadPyodide({ indexURL, ...quiet, ...engine.snapshotOptions(asmURL, engine.unsparse(packed.buffer)) });
engine.installEngine(restored, files, contents, glue);
engine.afterRestore(restored);
const mod = engine.importEngine(restored);
const reply = JSON.parse(mod.handle("load", JSON.stringify({ text: "a = 2.0\nb = a * a\n" })));
if (!reply.ok) throw new Error(`a Pyodide started from the snapshot failed to load a program: ${JSON.stringify(reply.error)}`);

const gz = zlib.gzipSync(packed, { level: 9 });
const record = {
  comment: "Made by scripts/snapshot.mjs (run by scripts/setup.py); read by web/worker/engine-worker.js.",
  pyodide: version,
  build_id: buildId,
  engine_hash: await engine.engineHash(version, files, contents, glue),
  bytes: snapshot.length,
  sparse_bytes: packed.length,
  gzip_bytes: gz.length,
  sha256: crypto.createHash("sha256").update(gz).digest("hex"),
};
fs.writeFileSync(path.join(build, "pyodide-snapshot.bin.gz"), gz);
fs.writeFileSync(path.join(build, "pyodide-snapshot.json"), JSON.stringify(record, null, 1) + "\n");
console.log(JSON.stringify({ ...record, ms: Math.round(performance.now() - t0) }));
