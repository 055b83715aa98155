/**
 * A line diff of the reader's code against the reference solution, for "Show solution": the
 * longest common subsequence of lines, so every line is kept, removed (only in the reader's
 * code) or added (only in the solution). Trailing spaces do not count as a difference. Pure
 * TypeScript; the page renders it (src/exercises/page/exercise.ts).
 */

/** One line of a diff: in both, only in the reader's code (`removed`), or only in the solution (`added`). */
export interface DiffLine {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

/** Past this many lines on either side the diff is not worth a table of this size: the lines are shown as removed, then added. */
export const MAX_DIFF_LINES = 2000;

/** The lines of `before` (the reader's code) against `after` (the solution), in order. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  const same = (i: number, j: number) => (a[i] as string).trimEnd() === (b[j] as string).trimEnd();
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) {
    return [...a.map((text) => ({ kind: 'removed' as const, text })), ...b.map((text) => ({ kind: 'added' as const, text }))];
  }
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    const row = lengths[i] as Uint32Array;
    const below = lengths[i + 1] as Uint32Array;
    for (let j = b.length - 1; j >= 0; j--) row[j] = same(i, j) ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (same(i, j)) {
      lines.push({ kind: 'same', text: b[j] as string });
      i++;
      j++;
    } else if ((lengths[i + 1] as Uint32Array)[j] as number >= ((lengths[i] as Uint32Array)[j + 1] as number)) {
      lines.push({ kind: 'removed', text: a[i++] as string });
    } else {
      lines.push({ kind: 'added', text: b[j++] as string });
    }
  }
  while (i < a.length) lines.push({ kind: 'removed', text: a[i++] as string });
  while (j < b.length) lines.push({ kind: 'added', text: b[j++] as string });
  return lines;
}
