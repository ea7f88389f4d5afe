// Third-party Python packages for the engine's worker, installed on first need
// (sympy, networkx, ...: the lab panels), never at start-up.
//
//   const versions = await loadPackages(pyodide, ["sympy", "networkx"], (what) => ...);
//   // {sympy: "1.14.0", mpmath: "1.3.0", networkx: "3.6.1"}
//
// Files come from web/vendor/wheels/ (made by scripts/setup.py from the "wheels" of
// web/vendor.lock.json), never from Pyodide's CDN and without micropip: its index.json
// names, per package, the file to unpack into site-packages (the pinned wheel, or the
// archive byte-compiled by Pyodide's own Python, much faster to import; see
// bench/pyodide_imports.mjs) and its dependencies. Each package is installed and
// imported once per Pyodide, its dependencies first; the result maps every package
// installed for `names` (dependencies too) to its imported `__version__`.

const wheels = new URL("../vendor/wheels/", import.meta.url);
let index = null; // Promise of web/vendor/wheels/index.json
const installed = new WeakMap(); // pyodide -> Map(name -> Promise of its version)

function readIndex() {
  index ??= fetch(new URL("index.json", wheels)).then((r) => {
    if (!r.ok) {
      index = null;
      throw new Error(`${r.url}: HTTP ${r.status} (has scripts/setup.py run?)`);
    }
    return r.json();
  });
  return index;
}

function canonical(name) {
  return String(name).toLowerCase().replace(/[-_.]+/g, "-");
}

/** The names and their dependencies, each once, dependencies before what needs them. */
function order(packages, names) {
  const out = [];
  const seen = new Set();
  const visit = (name, from) => {
    const key = canonical(name);
    const pkg = packages[key];
    if (!pkg) {
      const known = Object.keys(packages).join(", ") || "none";
      throw new Error(`no package ${JSON.stringify(String(name))}${from ? ` (needed by ${from})` : ""}; pinned: ${known}`);
    }
    if (seen.has(key)) return;
    seen.add(key);
    for (const dep of pkg.depends) visit(dep, key);
    out.push(key);
  };
  for (const name of names) visit(name, null);
  return out;
}

async function install(pyodide, key, pkg, progress) {
  progress(`loading ${key}`);
  const url = new URL(pkg.file, wheels);
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} (has scripts/setup.py run?)`);
  const data = new Uint8Array(await r.arrayBuffer());
  const site = pyodide.runPython("import site; site.getsitepackages()[0]");
  pyodide.unpackArchive(data, pkg.file.endsWith(".whl") ? "wheel" : "zip", { extractDir: site });
  progress(`importing ${key}`);
  const mod = JSON.stringify(pkg.import);
  return pyodide.runPython(
    `import importlib\nimportlib.invalidate_caches()\nstr(getattr(importlib.import_module(${mod}), "__version__", ${JSON.stringify(pkg.version)}))`,
  );
}

/**
 * Install `names` (and their dependencies) into `pyodide` from web/vendor/wheels/ and
 * import them; `progress(what)` hears each phase ("loading sympy"). Resolves with
 * {name: version} for every package involved; rejects with an Error naming what failed.
 */
export async function loadPackages(pyodide, names, progress = () => {}) {
  if (!Array.isArray(names)) throw new Error("names must be a list of package names");
  const { packages } = await readIndex();
  let done = installed.get(pyodide);
  if (!done) installed.set(pyodide, (done = new Map()));
  const versions = {};
  for (const key of order(packages, names)) {
    if (!done.has(key)) {
      const p = install(pyodide, key, packages[key], progress);
      done.set(key, p);
      p.catch(() => done.delete(key)); // a failed install may be tried again
    }
    versions[key] = await done.get(key);
  }
  return versions;
}
