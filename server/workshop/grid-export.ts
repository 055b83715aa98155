/**
 * The class grid as a file for the instructor: CSV (RFC 4180) or JSON, one row per attendee and
 * exercise. Attendee ids stay out: they are what an attendee's browser signs in with.
 */
import type { GridView } from './grid.ts';

/** The CSV's columns, in order. */
export const CSV_COLUMNS = ['name', 'present', 'page', 'page_title', 'exercise', 'state', 'attempts', 'last_check', 'failing', 'first_at', 'last_at', 'hand_raised'] as const;

/** Characters that make a spreadsheet read a cell as a formula (OWASP's list: = + - @, tab and carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field of a CSV line. Text that a spreadsheet would run as a formula gets a leading `'`;
 * then, [spec] RFC 4180, 2.6-2.7: "Fields containing line breaks (CRLF), double quotes, and
 * commas should be enclosed in double-quotes", and "a double-quote appearing inside a field
 * must be escaped by preceding it with another double quote". Every text field is quoted.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The rows of the export: every attendee × every exercise, in the grid's order. */
export function exportRows(view: GridView): Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null>[] {
  return view.attendees.flatMap((attendee) =>
    view.exercises.map((exercise) => {
      const cell = attendee.cells[exercise];
      const handRaised = attendee.hand !== null && view.hands.some((hand) => hand.id === attendee.hand && hand.exercise === exercise);
      return {
        name: attendee.name,
        present: attendee.present,
        page: attendee.page?.path ?? null,
        page_title: attendee.page?.title ?? null,
        exercise,
        state: cell?.state ?? 'not-started',
        attempts: cell?.attempts ?? 0,
        last_check: cell?.last ?? null,
        failing: cell ? cell.failing.join(' ') : '',
        first_at: iso(cell?.firstAt ?? null),
        last_at: iso(cell?.lastAt ?? null),
        hand_raised: handRaised,
      };
    }),
  );
}

/** The grid as CSV: a header line, then one line per row, CRLF-terminated ([spec] RFC 4180, 2.1-2.3). */
export function gridCsv(view: GridView): string {
  const lines = [CSV_COLUMNS.join(','), ...exportRows(view).map((row) => CSV_COLUMNS.map((column) => csvField(row[column])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** The grid as JSON: when, the rows, the most common failing checks and the help queue. */
export function gridJson(view: GridView, exportedAt: number): unknown {
  return {
    exportedAt: new Date(exportedAt).toISOString(),
    stuckAfter: view.stuckAfter,
    rows: exportRows(view),
    common: view.common,
    hands: view.hands.map((hand) => ({ ...hand, raisedAt: new Date(hand.raisedAt).toISOString() })),
  };
}
