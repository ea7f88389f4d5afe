// Pyodide under node: a normal start plus the engine's imports vs a start from set-up's
// snapshot (web/build/pyodide-snapshot.bin.gz), medians of N runs. Run by bench/boot.py;
// alone: node bench/pyodide_snapshot.mjs [--runs 5]. Prints one JSON line.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const indexURL = path.join(root, "web/vendor/pyodide") + "/";
const asmURL = pathToFileURL(indexURL + "pyodide.asm.mjs").href;
const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
const engine = await import(pathToFileURL(path.join(root, "web/worker/engine-files.js")).href);
const files = JSON.parse(fs.readFileSync(path.join(root, "web/build/engine-files.json"), "utf8"));
const contents = files.map((f) => new Uint8Array(fs.readFileSync(path.join(root, f))));
const glue = new Uint8Array(fs.readFileSync(path.join(root, "web/worker/worker.py")));
const gz = fs.readFileSync(path.join(root, "web/build/pyodide-snapshot.bin.gz"));
const quiet = { stdout: () => {}, stderr: () => {} };

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = [], normal = [], snapshot = [], gunzip = [];
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  await loadPyodide({ indexURL, ...quiet });
  bare.push(performance.now() - t);

  t = performance.now();
  const p = await loadPyodide({ indexURL, ...quiet });
  engine.installEngine(p, files, contents, glue);
  engine.importEngine(p);
  normal.push(performance.now() - t);

  t = performance.now();
  const bytes = engine.unsparse(new Uint8Array(zlib.gunzipSync(gz)).buffer);
  gunzip.push(performance.now() - t);
  const q = await loadPyodide({ indexURL, ...quiet, ...engine.snapshotOptions(asmURL, bytes) });
  engine.installEngine(q, files, contents, glue);
  engine.afterRestore(q);
  engine.importEngine(q);
  snapshot.push(performance.now() - t);
}
console.log(JSON.stringify({
  runs, bare_ms: median(bare), normal_ms: median(normal), snapshot_ms: median(snapshot), gunzip_ms: median(gunzip),
}));
