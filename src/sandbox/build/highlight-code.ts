/**
 * Build-time highlighting of a sandbox's code with the editor's own tokenizer (CodeMirror's
 * JavaScript mode) and class names (`tok-*`), so the colours do not jump when the editor
 * replaces the static block: one tokenizer, one palette. Runs in Astro's build, ships no JS.
 */
import { StreamLanguage } from '@codemirror/language';
import { javascript } from '@codemirror/legacy-modes/mode/javascript';
import { classHighlighter, highlightTree } from '@lezer/highlight';

const language = StreamLanguage.define(javascript);

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The code as HTML: text with `<span class="tok-…">` around each token. */
export function highlightCode(code: string): string {
  let html = '';
  let position = 0;
  highlightTree(language.parser.parse(code), classHighlighter, (from, to, classes) => {
    html += escapeHtml(code.slice(position, from));
    html += `<span class="${classes}">${escapeHtml(code.slice(from, to))}</span>`;
    position = to;
  });
  return html + escapeHtml(code.slice(position));
}
