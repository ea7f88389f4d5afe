// Keyboard shortcuts: one table drives both the key handler and the help overlay.

export const SHORTCUTS = [
  { keys: ["→"], match: (e) => e.key === "ArrowRight" && !e.shiftKey, action: "forward_step", text: "Forward step: compute the next node" },
  { keys: ["Shift", "→"], match: (e) => e.key === "ArrowRight" && e.shiftKey, action: "forward_all", text: "Forward all: finish the forward pass" },
  { keys: ["←"], match: (e) => e.key === "ArrowLeft" && !e.shiftKey, action: "backward_step", text: "Backward step: finish the next gradient" },
  { keys: ["Shift", "←"], match: (e) => e.key === "ArrowLeft" && e.shiftKey, action: "backward_all", text: "Backward all: finish the backward pass" },
  { keys: ["U"], match: (e) => e.key === "u" || e.key === "U" || ((e.ctrlKey || e.metaKey) && e.key === "z"), action: "undo", text: "Undo the last step (also Ctrl+Z)" },
  { keys: ["R"], match: (e) => e.key === "r" || e.key === "R", action: "reset", text: "Reset to the start" },
  { keys: ["N"], match: (e) => e.key === "n" || e.key === "N", action: "nudge", text: "Nudge the inputs along their gradients" },
  { keys: ["P"], match: (e) => e.key === "p" || e.key === "P", action: "play", text: "Play / pause" },
  { keys: ["F"], match: (e) => e.key === "f" || e.key === "F", action: "fit", text: "Fit the graph to the screen" },
  { keys: ["+"], match: (e) => e.key === "+" || e.key === "=", action: "zoom_in", text: "Zoom in" },
  { keys: ["−"], match: (e) => e.key === "-" || e.key === "_", action: "zoom_out", text: "Zoom out" },
  { keys: ["E"], match: (e) => e.key === "e" || e.key === "E", action: "edit", text: "Edit the program (Esc leaves the editor, Ctrl+Enter runs it)" },
  { keys: ["?"], match: (e) => e.key === "?", action: "help", text: "This help" },
];

const ENGINE_FREE = new Set(["fit", "zoom_in", "zoom_out", "help", "edit"]);

function typing(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName;
  return tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT" || target.isContentEditable;
}

/** Listen for shortcut keys, except while the user types in a field. */
export function bindShortcuts(handlers, { ready, stopPlay }) {
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || typing(e.target) || e.altKey) return;
    if (document.querySelector("dialog[open]")) return; // the dialog handles its own keys
    // Ctrl/Cmd combinations belong to the browser, except Ctrl+Z.
    if ((e.ctrlKey || e.metaKey) && e.key !== "z") return;
    const sc = SHORTCUTS.find((s) => s.match(e));
    if (!sc) return;
    // Enter/Space on a button or a leaf keep their own meaning (handled before this).
    if (!ENGINE_FREE.has(sc.action) && !ready()) return;
    e.preventDefault();
    if (sc.action !== "play") stopPlay();
    handlers[sc.action]?.();
  });
}

/** Fill the help overlay's table (text only). */
export function fillHelp(tbody) {
  for (const sc of SHORTCUTS) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    sc.keys.forEach((k, j) => {
      if (j) th.append(" + ");
      const kbd = document.createElement("kbd");
      kbd.textContent = k;
      th.append(kbd);
    });
    const td = document.createElement("td");
    td.textContent = sc.text;
    tr.append(th, td);
    tbody.appendChild(tr);
  }
}
