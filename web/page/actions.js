// The page's actions in one table: name, label, keys, what each needs, the help text.
// The table drives the buttons (every element with data-action=NAME), the keyboard
// shortcuts and the help dialog's list; app.js supplies what each action does.
//
// needs: "graph"  a graph on screen (stepping works on a prebuilt timeline too; a
//                 nudge before Python is up waits for it, and says so)
//        "none"   always (Run before Python is up waits for it, and says so)
// givesAway: shows a gradient, so it waits while a teacher's challenge asks for one (yours.js)

const key = (k) => (e) => e.key === k || e.key === k.toUpperCase();

export const ACTIONS = [
  { name: "forward_step", label: "Forward step", keys: ["→"], needs: "graph",
    match: (e) => e.key === "ArrowRight" && !e.shiftKey, help: "Forward step: compute the next node" },
  { name: "forward_all", label: "Forward all", keys: ["Shift", "→"], needs: "graph",
    match: (e) => e.key === "ArrowRight" && e.shiftKey, help: "Forward all: finish the forward pass" },
  { name: "backward_step", givesAway: true, label: "Backward step", keys: ["←"], needs: "graph",
    match: (e) => e.key === "ArrowLeft" && !e.shiftKey, help: "Backward step: finish the next gradient" },
  { name: "backward_all", givesAway: true, label: "Backward all", keys: ["Shift", "←"], needs: "graph",
    match: (e) => e.key === "ArrowLeft" && e.shiftKey, help: "Backward all: finish the backward pass" },
  { name: "undo", label: "Undo", keys: ["U"], needs: "graph",
    match: (e) => key("u")(e) || ((e.ctrlKey || e.metaKey) && e.key === "z"), help: "Undo the last step (also Ctrl+Z)" },
  { name: "reset", label: "Reset", keys: ["R"], needs: "graph", match: key("r"),
    help: "Reset to the start (the leaf values stay)" },
  { name: "nudge", givesAway: true, label: "Nudge", keys: ["N"], needs: "graph", match: key("n"),
    help: "Nudge the inputs along their gradients" },
  { name: "play", label: "Play", keys: ["P"], needs: "graph", match: key("p"), help: "Play / pause" },
  { name: "fit", label: "Fit", keys: ["F"], needs: "none", match: key("f"), help: "Fit the graph to the screen" },
  { name: "zoom_in", label: "Zoom in", keys: ["+"], needs: "none",
    match: (e) => e.key === "+" || e.key === "=", help: "Zoom in" },
  { name: "zoom_out", label: "Zoom out", keys: ["−"], needs: "none",
    match: (e) => e.key === "-" || e.key === "_", help: "Zoom out" },
  { name: "follow", label: "Follow", keys: ["O"], needs: "none", match: key("o"),
    help: "Follow the current step at a readable size (on or off)" },
  { name: "edit", label: "Edit", keys: ["E"], needs: "none", match: key("e"),
    help: "Edit the program (Esc leaves the editor, Ctrl+Enter runs it)" },
  { name: "run", label: "Run", keys: ["Ctrl", "Enter"], needs: "none", match: null,
    help: "Run the program in the editor" },
  { name: "stop", label: "Stop", keys: ["Esc"], needs: "none", match: (e) => e.key === "Escape",
    help: "Stop long work in the engine (the program on screen stays)" },
  { name: "lab", label: "Gradient lab", keys: ["L"], needs: "graph", match: key("l"),
    help: "The gradient lab: backprop against finite differences, the closed form, paths" },
  { name: "train", label: "Train a network", keys: ["T"], needs: "none", match: key("t"),
    help: "Train a small network on 2-D data, live" },
  { name: "help", label: "Help", keys: ["?"], needs: "none", match: (e) => e.key === "?", help: "This help" },
];

export const BY_NAME = new Map(ACTIONS.map((a) => [a.name, a]));

/** Why a button that would give a challenge's answer away waits. */
export const CHALLENGE_WAIT = "Waits while a challenge asks for a derivative (the gradient lab): answer it, or show the answer, first.";

/** Whether an action can run now. */
export function available(action, { graph, challenge = false }) {
  if (action.givesAway && challenge) return false;
  return action.needs === "graph" ? graph : true;
}

/** The action a key press names, or null (Ctrl/Cmd combinations belong to the browser, except Ctrl+Z). */
export function actionForKey(e) {
  if (e.altKey || ((e.ctrlKey || e.metaKey) && e.key !== "z")) return null;
  return ACTIONS.find((a) => a.match && a.match(e)) || null;
}

function typing(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName;
  return tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT" || target.isContentEditable;
}

/**
 * Wire the table to the page: each [data-action] button runs its action and gets its
 * key in its title; key presses run theirs (not while typing in a field or with a
 * dialog open). `run(name)` does the action; `can(action)` says whether it may now.
 */
export function bindActions(root, run, can) {
  for (const b of root.querySelectorAll("[data-action]")) {
    const a = BY_NAME.get(b.dataset.action);
    if (!a) continue;
    if (!b.title) b.title = `${a.help} (${a.keys.join("+")})`;
    b.addEventListener("click", () => run(a.name));
  }
  root.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || typing(e.target)) return;
    if (root.querySelector("dialog[open]")) return; // the dialog handles its own keys
    const a = actionForKey(e);
    if (!a || !can(a)) return;
    e.preventDefault();
    run(a.name);
  });
}

/** Enable each [data-action] button by what its action needs. */
export function updateButtons(root, ctx) {
  for (const b of root.querySelectorAll("[data-action]")) {
    const a = BY_NAME.get(b.dataset.action);
    if (!a) continue;
    b.disabled = !available(a, ctx);
    if (a.givesAway) {
      b.dataset.title ??= b.title;
      b.title = ctx.challenge ? CHALLENGE_WAIT : b.dataset.title;
    }
  }
}

/** Fill the help dialog's table (text only). */
export function fillHelp(tbody) {
  for (const a of ACTIONS) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    a.keys.forEach((k, j) => {
      if (j) th.append(" + ");
      const kbd = document.createElement("kbd");
      kbd.textContent = k;
      th.append(kbd);
    });
    const td = document.createElement("td");
    td.textContent = a.help;
    tr.append(th, td);
    tbody.appendChild(tr);
  }
}
