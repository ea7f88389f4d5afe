// Byte-compile pure-Python wheels with the vendored Pyodide's own Python (3.14), for
// a fast first import in the page's worker. Run by scripts/setup.py; node 20, no browser.
//
//   node scripts/bytecompile.mjs PYODIDE_DIR OUT_DIR WHEEL...
//
// For each wheel, OUT_DIR gets NAME-VERSION-pyodide.zip: the wheel's files without its
// test folders (`*/tests/*`), every .py replaced by its .pyc next to it (compileall
// `legacy=True`: the layout Pyodide's own packages use; sys.dont_write_bytecode is on
// in Pyodide, so a __pycache__ could never be filled in the browser anyway), the
// .dist-info kept (importlib.metadata). The worker unpacks it into site-packages
// (web/worker/worker-packages.js). Bytecode is "unchecked-hash" and file dates are fixed, so the
// same wheel and Pyodide give the same archive. Prints one JSON line per wheel:
// {"wheel", "archive", "bytes", "files"}.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

export async function bootPyodide(pyodideDir) {
  const dir = path.resolve(pyodideDir) + "/";
  const { loadPyodide } = await import(pathToFileURL(dir + "pyodide.mjs").href);
  return loadPyodide({ indexURL: dir });
}

const BUILD = `
import compileall, os, py_compile, shutil, sys, warnings, zipfile

def build(whl, out):
    tree = "/tmp/bytecompile"
    shutil.rmtree(tree, ignore_errors=True)
    with zipfile.ZipFile(whl) as z:
        z.extractall(tree, [n for n in z.namelist() if "/tests/" not in n])
    site = "/lib/python%d.%d/site-packages" % sys.version_info[:2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings of old code (sympy's runtests.py)
        ok = compileall.compile_dir(
            tree, ddir=site, quiet=1, legacy=True, workers=1,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    if not ok:
        raise RuntimeError(f"{whl}: compileall failed")
    files = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for folder, dirs, names in os.walk(tree):
            dirs.sort()
            for name in sorted(names):
                if name.endswith(".py"):
                    continue  # its .pyc is next to it
                full = os.path.join(folder, name)
                info = zipfile.ZipInfo(os.path.relpath(full, tree), date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with open(full, "rb") as f:
                    z.writestr(info, f.read(), compresslevel=9)
                files += 1
    shutil.rmtree(tree)
    return files
`;

export async function byteCompile(pyodide, wheelPath, outPath) {
  pyodide.FS.writeFile("/tmp/in.whl", new Uint8Array(fs.readFileSync(wheelPath)));
  const ns = pyodide.globals.get("dict")();
  pyodide.runPython(BUILD, { globals: ns });
  const build = ns.get("build");
  ns.destroy();
  let files;
  try {
    files = build("/tmp/in.whl", "/tmp/out.zip");
  } finally {
    build.destroy();
  }
  const tmp = outPath + ".tmp";
  fs.writeFileSync(tmp, pyodide.FS.readFile("/tmp/out.zip"));
  fs.renameSync(tmp, outPath);
  pyodide.FS.unlink("/tmp/in.whl");
  pyodide.FS.unlink("/tmp/out.zip");
  return { wheel: path.basename(wheelPath), archive: path.basename(outPath), bytes: fs.statSync(outPath).size, files };
}

/** The archive's name for a wheel: NAME-VERSION-pyodide.zip. */
export function archiveName(wheelPath) {
  const [name, version] = path.basename(wheelPath).split("-");
  return `${name}-${version}-pyodide.zip`;
}

async function main(argv) {
  const [pyodideDir, outDir, ...wheels] = argv;
  if (!pyodideDir || !outDir || !wheels.length) {
    console.error("usage: node scripts/bytecompile.mjs PYODIDE_DIR OUT_DIR WHEEL...");
    return 2;
  }
  const pyodide = await bootPyodide(pyodideDir);
  fs.mkdirSync(outDir, { recursive: true });
  for (const whl of wheels) {
    const made = await byteCompile(pyodide, whl, path.join(outDir, archiveName(whl)));
    console.log(JSON.stringify(made));
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(String(e && e.stack ? e.stack : e).split("\n").slice(0, 20).join("\n"));
      process.exit(1);
    },
  );
}
