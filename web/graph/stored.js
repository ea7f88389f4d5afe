// A JSON object in the browser's own storage (localStorage or sessionStorage), read and
// written so that storage that is off, full or holding something odd never throws: a
// reader then gets null and checks each field itself (web/lab/lab-storage.js, web/page/saved.js).

/** localStorage, or null where even touching it throws (a sandboxed frame). */
export function localStore() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** The object stored under `key`, or null (none, not JSON, not an object). */
export function readStored(store, key) {
  try {
    const v = JSON.parse(store?.getItem(key) ?? "null");
    return v && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** Store `value` under `key` as JSON (null removes it); storage off or full keeps nothing. */
export function writeStored(store, key, value) {
  try {
    if (value == null) store?.removeItem(key);
    else store?.setItem(key, JSON.stringify(value));
  } catch {
    /* storage off or full */
  }
}
