/**
 * The catalog's texts (tasks, hints) as HTML: `backticks` become `<code>`, blank lines new
 * paragraphs, everything else escaped. Shared by Exercise.astro at build time and the page's
 * hints, so both read the same.
 */

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One paragraph's HTML: its `code` spans marked, the rest escaped. */
export function inlineCode(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part)))
    .join('');
}

/** A text's paragraphs (split at blank lines), each as inline HTML. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map(inlineCode);
}
