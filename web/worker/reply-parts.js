// A big reply in parts (both sides). The worker cuts every long array of a reply into
// slices, each posted as its own message; the page parses each slice as it comes (a
// task of its own, so frames are drawn between them) and puts them back in order.
// Small replies go whole. (A 60,000-node graph's scene is about 15 MB of JSON: parsed
// in one go it held the page's main thread for 150-300 ms.)

export const PART_MIN_CHARS = 256 * 1024; // replies shorter than this go whole
export const PART_ITEMS = 4000; // items of an array per part

/**
 * The worker's side: `json` (a reply) as {parts: [{path, json}], json}, where each part
 * is a slice of the array at `path` (keys from the reply's root) and `json` is the reply
 * with those arrays emptied. Only arrays in objects are cut (not arrays in arrays), down
 * to `depth` keys.
 */
export function splitReply(json, { minChars = PART_MIN_CHARS, items = PART_ITEMS, depth = 4 } = {}) {
  if (json.length < minChars) return { parts: [], json };
  const reply = JSON.parse(json);
  const parts = [];
  const walk = (x, path) => {
    if (x == null || typeof x !== "object" || path.length > depth) return;
    for (const key of Object.keys(x)) {
      const v = x[key];
      if (Array.isArray(v)) {
        if (v.length <= items) continue;
        for (let k = 0; k < v.length; k += items) parts.push({ path: [...path, key], json: JSON.stringify(v.slice(k, k + items)) });
        x[key] = [];
      } else {
        walk(v, [...path, key]);
      }
    }
  };
  walk(reply, []);
  return parts.length ? { parts, json: JSON.stringify(reply) } : { parts, json };
}

/** The page's side: put the parts ([[path, items], ...], in the order sent) back into `reply`. */
export function joinParts(reply, parts) {
  for (const [path, items] of parts) {
    let at = reply;
    for (const k of path.slice(0, -1)) at = at[k];
    const last = path[path.length - 1];
    if (!Array.isArray(at[last])) at[last] = [];
    const into = at[last];
    for (const x of items) into.push(x);
  }
  return reply;
}
