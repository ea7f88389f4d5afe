// Drawing at most once an animation frame, whatever asked for it meanwhile.

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
