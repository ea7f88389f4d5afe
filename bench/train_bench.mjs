#!/usr/bin/env node
// bench/train_bench.py's measurements inside the vendored Pyodide, under node (no browser).
//
//   node bench/train_bench.mjs --micrograd DIR [--steps 5]
//   node bench/train_bench.mjs --module train_options_bench [--steps 5]   (another bench module's measure)
//
// Writes engine/ (as web/worker/engine-worker.js does), bench/engine_bench.py,
// bench/train_bench.py and micrograd's two files (from DIR, the installed package:
// micrograd's code is not in this repository) into Pyodide's file system, runs
// train_bench.measure(steps) and prints its result as one line of JSON.
// Usually run by `python3 bench/train_bench.py`, which prints the table.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PYODIDE = path.join(ROOT, "web/vendor/pyodide") + "/";
const HOME = "/home/pyodide/";

function option(argv, name, fallback) {
  const k = argv.indexOf(name);
  return k >= 0 && k + 1 < argv.length ? argv[k + 1] : fallback;
}

/** Python files under dir, as paths relative to ROOT. */
function pythonFiles(dir) {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === "__pycache__" ? [] : pythonFiles(rel);
    return e.name.endsWith(".py") ? [rel] : [];
  });
}

async function main(argv) {
  const steps = Math.max(1, parseInt(option(argv, "--steps", "5"), 10) || 5);
  const micrograd = option(argv, "--micrograd", null);
  const module = option(argv, "--module", "train_bench");
  if (!/^\w+$/.test(module) || !fs.existsSync(path.join(ROOT, "bench", `${module}.py`))) throw new Error(`no bench/${module}.py`);
  if (!micrograd && module === "train_bench") throw new Error("--micrograd DIR (the installed package's folder) is needed");
  if (!fs.existsSync(PYODIDE + "pyodide.mjs")) throw new Error("web/vendor missing: run `python3 scripts/setup.py` first");
  const { loadPyodide } = await import(pathToFileURL(PYODIDE + "pyodide.mjs").href);
  const pyodide = await loadPyodide({ indexURL: PYODIDE });
  const write = (to, from) => {
    pyodide.FS.mkdirTree(path.posix.dirname(HOME + to));
    pyodide.FS.writeFile(HOME + to, fs.readFileSync(from, "utf8"));
  };
  for (const f of pythonFiles("engine")) write(f, path.join(ROOT, f));
  for (const f of ["bench/engine_bench.py", "bench/train_bench.py", `bench/${module}.py`]) write(f, path.join(ROOT, f));
  if (micrograd) for (const f of ["__init__.py", "engine.py", "nn.py"]) write(`micrograd/${f}`, path.join(micrograd, f));
  const json = pyodide.runPython(`
import json, sys
sys.path[:0] = [${JSON.stringify(HOME)}, ${JSON.stringify(HOME + "engine")}, ${JSON.stringify(HOME + "bench")}]
import ${module}
json.dumps(${module}.measure(${steps}))
`);
  console.log(json);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(String(e && e.stack ? e.stack : e).slice(0, 3000));
  process.exit(1);
});
