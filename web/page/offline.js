// The site offline: registers the service worker (sw.js, at the site's root) once Python
// is ready and the worker has been idle for two seconds, so caching the site never
// competes with the first start or a first long call, and asks the browser to keep the
// site's storage (navigator.storage.persist()). A page the service worker already
// controls registers at once (the browser then checks for a new version).
//
// body[data-offline] says where it stands: "waiting" (until Python is ready), "installing"
// (the site's files are being cached), "ready" (the site works offline), "unsupported"
// (no service worker: not a secure context, or a browser without them) or "failed".
// The first time the site becomes usable offline, and when a new version has been cached,
// a toast says so.

import { showToast } from "./menus.js";

const SW = new URL("../../sw.js", import.meta.url);
const READY_WAIT_MS = 30_000; // register anyway if Python never gets ready
const QUIET_MS = 2_000; // ... and the worker has had no call for this long (caching competes for the CPU)
const QUIET_WAIT_MS = 60_000; // (but not later than this)

function mark(state) {
  document.body.dataset.offline = state;
}

function whenPythonReady() {
  return new Promise((resolve) => {
    const ready = () => document.body.dataset.ready === "true";
    if (ready()) return resolve();
    const obs = new MutationObserver(() => ready() && done());
    const timer = setTimeout(() => done(), READY_WAIT_MS);
    const done = () => {
      obs.disconnect();
      clearTimeout(timer);
      resolve();
    };
    obs.observe(document.body, { attributes: true, attributeFilter: ["data-ready"] });
  });
}

/** Resolves once no worker call has been pending (body[data-busy]) for QUIET_MS. */
function whenQuiet() {
  return new Promise((resolve) => {
    const start = performance.now();
    let since = performance.now();
    const tick = () => {
      const now = performance.now();
      if (document.body.dataset.busy) since = now;
      if (now - since >= QUIET_MS || now - start >= QUIET_WAIT_MS) resolve();
      else setTimeout(tick, 250);
    };
    tick();
  });
}

async function register() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return mark("unsupported");
  const sw = navigator.serviceWorker;
  const hadController = Boolean(sw.controller);
  mark(hadController ? "ready" : "waiting");
  await whenPythonReady();
  if (!hadController) await whenQuiet();
  if (!hadController) mark("installing");
  const registration = await sw.register(SW, { updateViaCache: "none" });
  navigator.storage?.persist?.().catch(() => {});
  registration.addEventListener("updatefound", () => {
    const next = registration.installing;
    next?.addEventListener("statechange", () => {
      if (next.state === "activated" && hadController) {
        showToast("A new version of gradstep has been saved: reload to use it.");
      }
    });
  });
  await sw.ready;
  mark("ready");
  if (!hadController) showToast("gradstep now works offline.");
}

function start() {
  register().catch((e) => {
    console.warn("offline: the service worker could not be registered:", e);
    mark("failed");
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
else start();
