/**
 * The instructor page's script. The page is served only to a browser that holds the instructor's
 * cookie: the link printed at start (`?token=...`) set it, HttpOnly, and the server redirected to
 * this page without the token (server/workshop/instructor-page.ts). Every instructor API request
 * carries that cookie; the script never sees the token. Live updates come from the instructor
 * events stream (`presence`, and what the sections listen to with `onInstructorEvent`).
 */
import type { PresenceSummary, SelfTest } from '../../server/workshop/presence.ts';
import { installSections } from './dashboard/sections.ts';
import { TECHNIQUES, workshopStrings } from './strings.ts';

interface AttendeeRow {
  name: string;
  present: boolean;
  selfTest: SelfTest | null;
}

/** Calls the instructor API, `/api/workshop/instructor/<path>`, with the instructor's cookie (same origin). */
export function instructorFetch(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`/api/workshop/instructor/${path}`, { ...init, credentials: 'same-origin', cache: 'no-store' });
}

let events: EventSource | undefined;

/** The instructor events stream (GET /api/workshop/instructor/events), one per page. */
function instructorEvents(): EventSource {
  events ??= new EventSource('/api/workshop/instructor/events');
  return events;
}

/** Calls `handler` with the parsed data of every instructor event named `event` (`presence`, `wire`, `ping`, ...). */
export function onInstructorEvent(event: string, handler: (data: unknown) => void): void {
  instructorEvents().addEventListener(event, (message) => {
    let data: unknown;
    try {
      data = JSON.parse((message as MessageEvent<string>).data);
    } catch {
      return;
    }
    handler(data);
  });
}

/** Fills the instructor page in `root` (WorkshopInstructor.astro). */
export function startInstructor(root: HTMLElement): void {
  const t = workshopStrings();
  const words = JSON.parse(root.dataset['strings'] ?? '{}') as { yes: string; no: string; notYet: string };
  const part = <T extends HTMLElement>(name: string) => root.querySelector(`[data-${name}]`) as T;

  function refuse(message: string): void {
    part('refused').textContent = message;
    part('refused').hidden = false;
    part('live').hidden = true;
  }

  async function refresh(): Promise<boolean> {
    const res = await instructorFetch('attendees');
    const body = (await res.json()) as { summary?: PresenceSummary; attendees?: AttendeeRow[]; error?: { code: string; message: string } };
    if (!res.ok || !body.summary || !body.attendees) {
      refuse(body.error?.code === 'WORKSHOP_OFF' ? `${t.off} ${body.error.message}` : `${t.instructorNeedsToken} (${res.status}: ${body.error?.message ?? ''})`);
      return false;
    }
    part('refused').hidden = true;
    part('live').hidden = false;
    part('count').textContent = String(body.summary.connected);
    part('empty').hidden = body.attendees.length > 0;
    const table = part<HTMLTableElement>('attendees');
    table.hidden = body.attendees.length === 0;
    const rows = body.attendees.map((attendee) => {
      const row = document.createElement('tr');
      const cells = [attendee.name, attendee.present ? words.yes : words.no, ...TECHNIQUES.map((technique) => {
        const result = attendee.selfTest?.[technique];
        return result ? `${result.ok ? '✓' : '✗'} ${result.ms} ms` : words.notYet;
      })];
      for (const text of cells) {
        const cell = document.createElement('td');
        // textContent: a name is plain text, whatever it contains.
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    });
    table.tBodies[0]?.replaceChildren(...rows);
    return true;
  }

  // Without the cookie (the server restarted with a new token) the API answers 403, and the page says which link to open.
  void refresh().then((ok) => {
    if (!ok) return;
    const sections = installSections(root);
    // Each change of the workshop's state is a reason to ask again.
    onInstructorEvent('presence', () => {
      void refresh();
      for (const section of sections) section.refresh?.();
    });
  });
}
