#!/usr/bin/env node
// How long the lab's Python packages take to load and import in Pyodide (not a test):
// the plain pinned wheels against the archives byte-compiled at set-up.
//
//   node bench/pyodide_imports.mjs [--runs 3] [--json]
//
// For sympy (with mpmath) and networkx, each run in a fresh Pyodide (a new node
// process, like a fresh worker): read the files, unpack them into site-packages, then
// `import NAME`; the time of load + import. Variants:
//   wheel        the pinned wheels, pyodide.unpackArchive (as web/worker/worker-packages.js would)
//   loadPackage  the pinned wheels, pyodide.loadPackage(paths)
//   bytecompiled NAME-VERSION-pyodide.zip of scripts/bytecompile.mjs (what the worker uses)
// Medians over --runs runs, and the files' sizes. Node reads from disk, so a browser
// adds the download on top; the Python work is the same Pyodide. Run
// `python3 scripts/setup.py` first (it fills web/vendor/wheels/).

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WHEELS = path.join(ROOT, "web/vendor/wheels");
const PYODIDE = path.join(ROOT, "web/vendor/pyodide") + "/";
const TARGETS = ["sympy", "networkx"];
const VARIANTS = ["wheel", "loadPackage", "bytecompiled"];

// A check that the import works, after the timing: Python computes something.
const CHECKS = {
  sympy: `import sympy as s; x = s.Symbol("x"); assert s.simplify(s.diff(s.sin(x)**2) - s.sin(2*x)) == 0; s.__version__`,
  networkx: `import networkx as nx; g = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")]); assert nx.shortest_path(g, "a", "c") == ["a", "c"]; nx.__version__`,
};

function readIndex() {
  const file = path.join(WHEELS, "index.json");
  if (!fs.existsSync(file)) throw new Error(`${file} missing: run \`python3 scripts/setup.py\` first`);
  return JSON.parse(fs.readFileSync(file, "utf8")).packages;
}

/** The package and its dependencies, dependencies first. */
function closure(packages, name, out = []) {
  for (const dep of packages[name].depends) closure(packages, dep, out);
  if (!out.includes(name)) out.push(name);
  return out;
}

function files(packages, name, variant) {
  return closure(packages, name).map((k) => {
    const pkg = packages[k];
    const file = variant === "bytecompiled" ? pkg.file : pkg.wheel;
    if (variant === "bytecompiled" && !file.endsWith(".zip")) throw new Error(`${k} is not byte-compiled in the lock`);
    return path.join(WHEELS, file);
  });
}

// One measurement, in this (fresh) process.
async function child(variant, name) {
  const packages = readIndex();
  const paths = files(packages, name, variant);
  const { loadPyodide } = await import(pathToFileURL(PYODIDE + "pyodide.mjs").href);
  const pyodide = await loadPyodide({ indexURL: PYODIDE });
  const site = pyodide.runPython("import site; site.getsitepackages()[0]");
  const t0 = performance.now();
  if (variant === "loadPackage") {
    await pyodide.loadPackage(paths, { messageCallback: () => {} });
  } else {
    for (const p of paths) {
      const data = new Uint8Array(fs.readFileSync(p));
      pyodide.unpackArchive(data, p.endsWith(".whl") ? "wheel" : "zip", { extractDir: site });
    }
  }
  const t1 = performance.now();
  pyodide.runPython(`import importlib; importlib.invalidate_caches(); import ${packages[name].import}`);
  const t2 = performance.now();
  const version = pyodide.runPython(CHECKS[name]);
  return { load_ms: t1 - t0, import_ms: t2 - t1, total_ms: t2 - t0, version };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function measure(variant, name) {
  const proc = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", variant, name], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const line = proc.stdout.trim().split("\n").pop();
  if (proc.status !== 0 || !line) {
    const err = (proc.stderr || "").trim().split("\n").slice(-8).join("\n").slice(-2000);
    throw new Error(`${variant} ${name}: exit ${proc.status}\n${err}`);
  }
  return JSON.parse(line);
}

async function main(argv) {
  if (argv[0] === "--child") {
    console.log(JSON.stringify(await child(argv[1], argv[2])));
    return;
  }
  let runs = 3;
  const k = argv.indexOf("--runs");
  if (k >= 0) runs = Math.max(1, parseInt(argv[k + 1], 10) || 3);
  const asJson = argv.includes("--json");
  const packages = readIndex();
  const results = [];
  for (const name of TARGETS) {
    // Variants take turns, run by run, so a busy moment of the machine hits them alike.
    const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    for (let r = 0; r < runs; r++) for (const variant of VARIANTS) samples[variant].push(measure(variant, name));
    for (const variant of VARIANTS) {
      const got = samples[variant];
      const bytes = files(packages, name, variant).reduce((n, p) => n + fs.statSync(p).size, 0);
      const row = {
        package: name,
        with: closure(packages, name).join("+"),
        variant,
        runs,
        load_ms: Math.round(median(got.map((s) => s.load_ms))),
        import_ms: Math.round(median(got.map((s) => s.import_ms))),
        total_ms: Math.round(median(got.map((s) => s.total_ms))),
        totals_ms: got.map((s) => Math.round(s.total_ms)),
        bytes,
        version: got[0].version,
      };
      results.push(row);
      if (!asJson) {
        console.log(
          `${row.with.padEnd(13)} ${variant.padEnd(12)} load ${String(row.load_ms).padStart(5)} ms` +
            `  import ${String(row.import_ms).padStart(5)} ms  total ${String(row.total_ms).padStart(5)} ms` +
            `  (runs ${row.totals_ms.join(", ")})  ${(bytes / 1e6).toFixed(2)} MB`,
        );
      }
    }
  }
  if (asJson) console.log(JSON.stringify({ pyodide: JSON.parse(fs.readFileSync(PYODIDE + "package.json", "utf8")).version, results }, null, 1));
}

main(process.argv.slice(2)).catch((e) => {
  console.error(String(e && e.stack ? e.stack : e).slice(0, 3000));
  process.exit(1);
});
