/**
 * The CodeMirror 6 editor, loaded when the reader starts editing. It takes the place of the
 * build-time highlighted block and keeps its look: same font, padding, tokenizer and token
 * colours (src/sandbox/build/highlight-code.ts gives the static block the same `tok-*` classes).
 * Escape then Tab leaves the editor (CodeMirror's tab focus mode). JavaScript is highlighted by
 * the stream-based mode: @lezer/javascript would cost about 30 KB gzip more (it carries the
 * TypeScript and JSX grammars), past the editor's 110 KB budget.
 */
import { history, defaultKeymap, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/legacy-modes/mode/javascript';
import { bracketMatching, indentOnInput, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorSelection, EditorState, Prec } from '@codemirror/state';
import { drawSelection, EditorView, keymap } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';

export interface EditorHandle {
  getCode(): string;
  setCode(code: string): void;
  /** Focuses the editor, with the cursor at the given screen point when there is one. */
  focus(at?: { x: number; y: number }): void;
  /** Selects all the code and focuses the editor. */
  selectAll(): void;
  setWrap(wrap: boolean): void;
}

export interface EditorOptions {
  label: string;
  wrap: boolean;
  onRun(): void;
  onChange(code: string): void;
}

/** Replaces `target` (the highlighted <pre>) with an editor holding `code`. */
export function mountEditor(target: HTMLElement, code: string, options: EditorOptions): EditorHandle {
  const wrapping = new Compartment();
  const view = new EditorView({
    state: EditorState.create({
      doc: code,
      extensions: [
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        StreamLanguage.define(javascript),
        syntaxHighlighting(classHighlighter),
        EditorState.tabSize.of(2),
        wrapping.of(options.wrap ? EditorView.lineWrapping : []),
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              run: () => {
                options.onRun();
                return true;
              },
            },
          ]),
        ),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.editorAttributes.of({ class: 'rl-sb-editor rl-sb-tokens' }),
        EditorView.contentAttributes.of({ 'aria-label': options.label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  target.replaceWith(view.dom);
  return {
    getCode: () => view.state.doc.toString(),
    setCode: (next) => {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
    focus: (at) => {
      const pos = at ? view.posAtCoords(at) : null;
      if (pos !== null) view.dispatch({ selection: { anchor: pos } });
      view.focus();
    },
    selectAll: () => {
      view.dispatch({ selection: EditorSelection.single(0, view.state.doc.length) });
      view.focus();
    },
    setWrap: (wrap) => {
      view.dispatch({ effects: wrapping.reconfigure(wrap ? EditorView.lineWrapping : []) });
    },
  };
}
