// gradstep's service worker: the site from a cache, so a second visit needs no network
// and the page works offline. Registered by web/page/offline.js; at the site's root so
// its scope is the whole site (a GitHub Pages project page under a sub-path included).
//
// Its list is web/build/precache.js (scripts/setup.py's precache_manifest(); served live
// by scripts/serve.py): {version, files, lazy}, each file a path from the site's root
// with its sha256 (SRI form). One cache per version, "gradstep-VERSION":
// - install: every file of `files` is copied from an older version's cache when it holds
//   the same bytes, else taken from the browser's HTTP cache when its bytes there are the
//   listed ones (the first visit has just downloaded most of them: no request at all),
//   else fetched (revalidated, hash-checked by the browser through `integrity`); then this
//   version takes over at once (skipWaiting, clients.claim).
// - fetch: a listed file (`files` or `lazy`, and the site's root for index.html) comes from
//   the cache; one not there yet (a `lazy` one: the lab's Python packages) is fetched,
//   hash-checked and kept. Anything else goes to the network untouched.
// - activate: every other "gradstep-" cache is deleted.
// A new version of the site changes web/build/precache.js, which the browser checks on
// every visit (updateViaCache "none"): the new list is cached in the background and
// serves from the next page load on. A page is always one version: the cache is only
// ever read whole, never mixed with the network.

importScripts("./web/build/precache.js");

const { version, files, lazy } = self.GRADSTEP_PRECACHE;
const PREFIX = "gradstep-";
const CACHE = PREFIX + version;
const SCOPE = new URL("./", self.location.href);
const HASH = "x-gradstep-sha256"; // kept on each cached response: its file's hash

const listed = new Map(); // absolute URL -> SRI hash
for (const [path, sri] of [...Object.entries(files), ...Object.entries(lazy)]) listed.set(new URL(path, SCOPE).href, sri);
const INDEX = new URL("index.html", SCOPE).href;
// One URL pattern per file cached at install but index.html: exactly its address, with no
// query (a request with one goes to the fetch event, which drops the query).
const literal = (text) => text.replace(/[\\:*?+(){}]/g, "\\$&");
const ROUTED = Object.keys(files).filter((path) => path !== "index.html").map((path) => {
  const url = new URL(path, SCOPE);
  return { urlPattern: { protocol: url.protocol.slice(0, -1), hostname: url.hostname, port: url.port,
                         pathname: literal(url.pathname), search: "" } };
});

self.addEventListener("install", (event) => {
  // The files cached at install are read from this version's cache by the browser itself,
  // with no fetch event: the service worker need not start, nor run for each of the page's 40
  // modules (Chromium's static routing, where the browser has it). A file missing from the
  // cache goes to the network. The site's root (index.html) and the lazy files (checked and
  // kept on first use) still go through the fetch event below.
  if (typeof event.addRoutes === "function") {
    event.waitUntil(event.addRoutes({ condition: { or: ROUTED }, source: { cacheName: CACHE } })
      .catch((e) => console.warn("gradstep: no static routes, every file goes through the fetch event:", e)));
  }
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  url.hash = "";
  url.search = "";
  let key = url.href;
  if (request.mode === "navigate" && key === SCOPE.href) key = INDEX;
  if (!listed.has(key)) return;
  event.respondWith(fromCache(key));
});

async function fromCache(key) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetchChecked(key);
  await cache.put(key, response.clone());
  return response;
}

/** The file from the network, revalidated and checked against its listed hash. */
async function fetchChecked(key) {
  const sri = listed.get(key);
  const response = await fetch(key, { cache: "no-cache", integrity: sri });
  if (!response.ok) throw new Error(`${key}: HTTP ${response.status}`);
  return kept(response, await response.blob(), sri);
}

/** The response to keep in the cache: `body` (decoded) and the server's headers, marked with its hash. */
function kept(response, body, sri) {
  const headers = new Headers(response.headers);
  // (the body kept is the decoded one: the server's encoding and length no longer describe it)
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  headers.set(HASH, sri);
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** The file as the browser's HTTP cache holds it (whatever its age: `force-cache` asks the
 * network only for what it does not hold), if its bytes are the listed ones; else null. */
async function fromHttpCache(key) {
  const sri = listed.get(key);
  try {
    const response = await fetch(key, { cache: "force-cache" });
    if (!response.ok) return null;
    const body = await response.arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
    if (`sha256-${btoa(String.fromCharCode(...digest))}` !== sri) return null; // (an older version's bytes)
    return kept(response, new Blob([body]), sri);
  } catch {
    return null;
  }
}

/** Fill this version's cache: unchanged files from older caches, the rest from the HTTP cache or the network. */
async function precache() {
  const cache = await caches.open(CACHE);
  const older = (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE);
  const todo = [];
  for (const [path, sri] of Object.entries(files)) todo.push([new URL(path, SCOPE).href, sri, true]);
  for (const [path, sri] of Object.entries(lazy)) todo.push([new URL(path, SCOPE).href, sri, false]);
  const one = async ([key, sri, needed]) => {
    if ((await cache.match(key))?.headers.get(HASH) === sri) return;
    for (const name of older) {
      const old = await (await caches.open(name)).match(key);
      if (old && old.headers.get(HASH) === sri) return cache.put(key, old);
    }
    if (needed) await cache.put(key, (await fromHttpCache(key)) ?? (await fetchChecked(key)));
  };
  // A few at a time: the browser would queue them anyway, and a failure stops early.
  const queue = todo.slice();
  const runners = Array.from({ length: 6 }, async () => {
    while (queue.length) await one(queue.shift());
  });
  await Promise.all(runners);
}
