// What the query page uses of CodeMirror 6, exposed as one global (window.CM) so that the
// page's own script (src/medkg/templates/server/static/query.js) stays unbundled and readable.
export { EditorState, StateEffect, StateField } from "@codemirror/state";
export {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder,
} from "@codemirror/view";
export {
  StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap, startCompletion,
  acceptCompletion, currentCompletions, completionStatus,
} from "@codemirror/autocomplete";
export { linter, lintGutter, setDiagnostics, forceLinting, forEachDiagnostic } from "@codemirror/lint";
export { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
export { sparql } from "@codemirror/legacy-modes/mode/sparql";
