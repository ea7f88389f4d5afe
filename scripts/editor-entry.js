// What web/page/code-editor.js uses of CodeMirror 6: scripts/setup.py bundles this file, with
// the pinned sources it imports, into web/build/codemirror.js (esbuild, one ES module, minified).
export { EditorState, EditorSelection, Compartment, Prec } from "@codemirror/state";
export { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, placeholder } from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab, undo, redo } from "@codemirror/commands";
export { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting, HighlightStyle } from "@codemirror/language";
export { acceptCompletion, autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionStatus, startCompletion } from "@codemirror/autocomplete";
export { lintGutter, setDiagnostics, lintKeymap, forEachDiagnostic } from "@codemirror/lint";
export { python, pythonLanguage, localCompletionSource, globalCompletion } from "@codemirror/lang-python";
export { tags } from "@lezer/highlight";
