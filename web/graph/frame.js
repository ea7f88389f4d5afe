// Drawing at most once an animation frame, whatever asked for it meanwhile; and giving the
// main thread back between the parts of a long piece of work.

/**
 * A function that calls `draw` in the next animation frame, once however often it is
 * called before then (the latest state is what gets drawn); `.cancel()` drops a frame
 * asked for. The canvas graph, the training view and the whole batch's graph draw this way.
 */
export function perFrame(draw) {
  let id = 0;
  const ask = () => {
    if (id) return;
    id = requestAnimationFrame(() => {
      id = 0;
      draw();
    });
  };
  ask.cancel = () => {
    cancelAnimationFrame(id);
    id = 0;
  };
  return ask;
}

/** Resolves in a task of its own, after the tasks already waiting (a frame is drawn if one is due). */
export function nextTask() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

const LATE_MS = 100;

/**
 * Resolves in a task of its own once the next animation frame has been drawn; in a hidden
 * tab (which draws none) or without frames at all, after LATE_MS or at once, so that work
 * waiting for a frame is never held for good.
 */
export function afterNextFrame() {
  return new Promise((resolve) => {
    if (globalThis.document?.hidden || typeof requestAnimationFrame !== "function") return setTimeout(resolve, 0);
    const late = setTimeout(resolve, LATE_MS);
    requestAnimationFrame(() => {
      clearTimeout(late);
      setTimeout(resolve, 0);
    });
  });
}

