// The code editor (issue #19): CodeMirror 6 in place of the page's plain textarea, loaded once
// the first graph is drawn (web/build/codemirror.js, bundled at set-up; see scripts/editor-entry.js).
// Python's syntax in colours that follow the page's light and dark themes, the engine's errors
// underlined at their line and column (the message on hover, and in the box under the editor),
// completion of the language's functions and the program's names (Python mode: Python's
// own words), bracket matching, its own undo history, Ctrl/Cmd+Enter runs, Tab indents and Esc
// leaves the editor. Without the bundle (no esbuild for the platform that ran set-up, or a
// failed load) the textarea stays: everything works there but colours, underline and completion.
//
// `[data-testid=program]` moves to the editor's content element (contenteditable), where
// Playwright's `fill` sets the text (contract section 3). That element keeps a textarea's
// `value` (get and set) so that code written for the textarea still reads and writes the text.

/**
 * @param {object} CM the bundle's exports
 * @param {HTMLTextAreaElement} textarea the plain editor it replaces (its text, focus and selection carry over)
 * @param {{text: string, wrap: boolean, onChange(), onRun(), isPython(): boolean, vocabulary: {label, type, detail}[]}} hooks
 *   text: the editor's text (the textarea's, unless a long one waited for this editor);
 *   wrap: long lines wrap from the start (Wrap pressed)
 */
export function createCodeEditor(CM, textarea, hooks) {
  const wrap = new CM.Compartment();
  let wrapped = Boolean(hooks.wrap);
  let silent = false; // a change the page made (setText), not the learner

  const highlight = CM.HighlightStyle.define([
    { tag: [CM.tags.keyword, CM.tags.controlKeyword, CM.tags.definitionKeyword, CM.tags.moduleKeyword, CM.tags.operatorKeyword], color: "var(--syn-keyword)" },
    { tag: [CM.tags.number, CM.tags.bool, CM.tags.null], color: "var(--syn-number)" },
    { tag: [CM.tags.string, CM.tags.special(CM.tags.string)], color: "var(--syn-string)" },
    { tag: CM.tags.comment, color: "var(--syn-comment)", fontStyle: "italic" },
    { tag: [CM.tags.function(CM.tags.variableName), CM.tags.function(CM.tags.propertyName)], color: "var(--syn-function)" },
    { tag: [CM.tags.definition(CM.tags.variableName), CM.tags.definition(CM.tags.function(CM.tags.variableName)), CM.tags.className], color: "var(--syn-def)", fontWeight: "600" },
    { tag: [CM.tags.self, CM.tags.standard(CM.tags.variableName)], color: "var(--syn-builtin)" },
  ]);

  const theme = CM.EditorView.theme({
    "&": { color: "var(--ink)", backgroundColor: "transparent", fontSize: "13px", flex: "1", minWidth: "0" },
    ".cm-content": { fontFamily: "var(--mono)", padding: "8px 0", caretColor: "var(--ink)" },
    ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "var(--editor-line)" },
    ".cm-gutters": { backgroundColor: "var(--op-bg)", color: "var(--muted)", border: "none" },
    ".cm-activeLine": { backgroundColor: "var(--active-line)" },
    ".cm-activeLineGutter": { backgroundColor: "var(--active-line)", color: "var(--ink)" },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--ink)" },
    "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection": { backgroundColor: "var(--selection)" },
    "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--bracket)", outline: "1px solid var(--control-border)" },
    "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "var(--error-bg)", color: "var(--error-ink)" },
    ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--ink)", border: "1px solid var(--line)", borderRadius: "6px" },
    ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--focus)", color: "var(--accent-ink)" },
    ".cm-completionDetail": { color: "var(--muted)", fontStyle: "normal", marginLeft: "1em" },
    ".cm-tooltip-autocomplete > ul > li[aria-selected] .cm-completionDetail": { color: "inherit" },
    ".cm-diagnostic-error": { borderLeftColor: "var(--error-line)" },
    ".cm-lintRange-error": { backgroundColor: "var(--error-bg)" },
  });

  const keys = [
    { key: "Mod-Enter", run: () => { hooks.onRun(); return true; } },
    // Tab takes the completion on offer (as Enter does); with none, it indents (indentWithTab, below)
    { key: "Tab", run: CM.acceptCompletion },
    // Esc leaves the editor, so the keyboard is never trapped in it; an open completion list
    // takes the first Esc (completion's own key). A list about to open (typed a moment ago) is
    // cancelled and the editor left at once: otherwise that Esc would seem to do nothing.
    {
      key: "Escape",
      run: (view) => {
        if (CM.completionStatus(view.state) === "active") return false;
        if (CM.completionStatus(view.state) === "pending") CM.closeCompletion(view);
        view.contentDOM.blur();
        return true;
      },
    },
  ];

  const view = new CM.EditorView({
    parent: textarea.parentElement,
    state: CM.EditorState.create({
      doc: hooks.text,
      selection: hooks.text === textarea.value ? clampedSelection(CM, textarea) : undefined,
      extensions: [
        CM.lineNumbers(),
        CM.highlightActiveLineGutter(),
        CM.history(),
        CM.drawSelection(),
        CM.EditorState.allowMultipleSelections.of(false),
        CM.EditorState.tabSize.of(4),
        CM.indentUnit.of("    "),
        CM.python(),
        CM.syntaxHighlighting(highlight),
        CM.bracketMatching(),
        CM.closeBrackets(),
        CM.Prec.highest(CM.keymap.of(keys)), // (before completion's keys, which are also highest)
        CM.autocompletion({ override: [completions(CM, hooks)], icons: false }),
        CM.highlightActiveLine(),
        CM.lintGutter(),
        CM.keymap.of([...CM.closeBracketsKeymap, ...CM.historyKeymap, CM.indentWithTab, ...CM.defaultKeymap]),
        wrap.of(wrapped ? CM.EditorView.lineWrapping : []),
        theme,
        CM.EditorView.contentAttributes.of({
          "data-testid": "program", "aria-labelledby": "editor-title", "aria-describedby": "program-help error",
          spellcheck: "false", autocorrect: "off", autocapitalize: "off",
        }),
        // Text of many lines typed in one go (an input method's commit, or Playwright's fill, which
        // types it): one change. Left to the browser, a contenteditable inserts it a line at a time,
        // and the editor redraws after each: a 1,000-line fill took 13 s.
        CM.EditorView.domEventHandlers({
          beforeinput(e, view) {
            if (e.inputType !== "insertText" || !e.data?.includes("\n")) return false;
            e.preventDefault();
            // (where the browser would insert: its selection, which the editor may not have read yet)
            let { from, to } = view.state.selection.main;
            const sel = document.getSelection();
            if (sel?.rangeCount && view.contentDOM.contains(sel.getRangeAt(0).commonAncestorContainer)) {
              const r = sel.getRangeAt(0);
              from = view.posAtDOM(r.startContainer, r.startOffset);
              to = view.posAtDOM(r.endContainer, r.endOffset);
            }
            view.dispatch({
              changes: { from, to, insert: e.data }, selection: { anchor: from + e.data.length },
              userEvent: "input.type", scrollIntoView: true,
            });
            return true;
          },
        }),
        CM.EditorView.updateListener.of((update) => {
          if (update.docChanged && !silent) hooks.onChange();
        }),
      ],
    }),
  });
  const hadFocus = document.activeElement === textarea;
  textarea.replaceWith(view.dom); // (the textarea leaves the page: one editor, one data-testid)
  if (hadFocus) view.focus();

  const code = {
    view,
    dom: view.dom,
    get text() {
      return view.state.doc.toString();
    },
    /** The page's own change: the learner's history keeps it (Undo goes back), no input handlers run. */
    setText(text) {
      if (text === code.text) return;
      const head = Math.min(view.state.selection.main.head, text.length);
      silent = true;
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: head } });
      } finally {
        silent = false;
      }
    },
    /** Put the cursor at a line and column (1-based) and show it, as "Show me" does. */
    select(line, col) {
      const at = position(view.state.doc, line, col);
      view.dispatch({ selection: { anchor: at.from, head: at.to }, scrollIntoView: true });
      view.focus();
    },
    /** The error's place underlined (its message on hover); col null: the whole line. */
    mark(line, col, message) {
      const diagnostics = line == null ? [] : [{ ...position(view.state.doc, line, col), severity: "error", message }];
      view.dispatch(CM.setDiagnostics(view.state, diagnostics));
    },
    setWrap(on) {
      if (on === wrapped) return; // (a reconfiguration lays the whole editor out again)
      wrapped = on;
      view.dispatch({ effects: wrap.reconfigure(on ? CM.EditorView.lineWrapping : []) });
    },
    focus() {
      view.focus();
    },
  };
  // The textarea's `value`, kept on the element that carries its data-testid.
  Object.defineProperty(view.contentDOM, "value", {
    get: () => code.text,
    set: (text) => {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: String(text) } });
    },
  });
  return code;
}

/** The textarea's selection, within the text (a textarea may report more after a reset). */
function clampedSelection(CM, textarea) {
  const n = textarea.value.length;
  return CM.EditorSelection.single(Math.min(textarea.selectionStart ?? 0, n), Math.min(textarea.selectionEnd ?? 0, n));
}

/**
 * {from, to} in the document for a 1-based line and column (the engine counts characters, as
 * Python does: code points, where the document counts UTF-16 units): the name there, one
 * character, or the whole line when there is no column. A column past the line's end (the line
 * stops short: "b = a +") marks its last character, so that the underline shows.
 */
function position(doc, line, col) {
  const l = doc.line(Math.max(1, Math.min(doc.lines, line || 1)));
  if (col == null) return { from: l.from, to: l.to };
  let at = 0;
  for (let k = 1; k < col && at < l.text.length; k++) at += l.text.codePointAt(at) > 0xffff ? 2 : 1;
  if (at >= l.text.length && l.text.length) at = l.text.length - (/[\udc00-\udfff]$/.test(l.text) ? 2 : 1);
  const rest = l.text.slice(at);
  const word = /^[\p{L}\p{N}_]+/u.exec(rest);
  const one = rest ? String.fromCodePoint(rest.codePointAt(0)).length : 0;
  return { from: l.from + at, to: l.from + at + (word ? word[0].length : one) };
}

/**
 * What to offer while typing. A gradstep program: the language's functions (with their local
 * derivatives) and, after a ".", a value's methods, then the names the program assigned.
 * Python mode: Python's own words and the code's names (lang-python's sources).
 */
function completions(CM, hooks) {
  const functions = hooks.vocabulary.filter((w) => w.type === "function");
  const methods = hooks.vocabulary.filter((w) => w.type === "method");
  const program = (ctx) => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    if (/["'#]/.test(before.replace(/"[^"]*"|'[^']*'/g, ""))) return null; // in a comment or an open string
    const member = ctx.matchBefore(/\.\w*$/);
    if (member) return { from: member.from + 1, options: methods, validFor: /^\w*$/ };
    const word = ctx.matchBefore(/\w+$/);
    if (!word && !ctx.explicit) return null;
    return { from: word ? word.from : ctx.pos, options: functions, validFor: /^\w*$/ };
  };
  return async (ctx) => {
    const sources = hooks.isPython() ? [CM.localCompletionSource, CM.globalCompletion] : [program, CM.localCompletionSource];
    const results = (await Promise.all(sources.map((s) => s(ctx)))).filter(Boolean);
    if (!results.length) return null;
    const from = Math.min(...results.map((r) => r.from));
    const seen = new Set();
    const options = [];
    for (const r of results) {
      for (const o of r.options) {
        if (r.from !== from || seen.has(o.label)) continue;
        seen.add(o.label);
        options.push(o);
      }
    }
    return options.length ? { from, options, validFor: /^\w*$/ } : null;
  };
}
