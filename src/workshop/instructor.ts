/**
 * The instructor page's script. The token comes from the link's fragment (`#token=...`), which
 * is never sent to the server nor put in a Referer; it is kept in sessionStorage and taken out
 * of the address bar, so that a shared screen does not show it. Every request sends it as
 * `Authorization: Bearer <token>`.
 */
import type { PresenceSummary, SelfTest } from '../../server/workshop/presence.ts';
import { installSections } from './dashboard/sections.ts';
import { TECHNIQUES, workshopStrings } from './strings.ts';

const TOKEN_KEY = 'realtime-lab:workshop-token';

interface AttendeeRow {
  name: string;
  present: boolean;
  selfTest: SelfTest | null;
}

function readToken(): string | undefined {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem(TOKEN_KEY, fromFragment);
    history.replaceState(null, '', location.pathname + location.search);
    return fromFragment;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

let token: string | undefined;

/** Calls the instructor API, `/api/workshop/instructor/<path>`, with the token. */
export function instructorFetch(path: string, init: RequestInit = {}): Promise<Response> {
  token ??= readToken();
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token ?? ''}`);
  return fetch(`/api/workshop/instructor/${path}`, { ...init, headers, cache: 'no-store' });
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

  // Without a token the server still answers (403), and the page says which link to open.
  void refresh().then((ok) => {
    if (!ok) return;
    const sections = installSections(root);
    // Each change of the workshop's state is a reason to ask again (only the token opens the answers).
    const presence = new EventSource('/api/workshop/presence');
    presence.addEventListener('presence', () => {
      void refresh();
      for (const section of sections) section.refresh?.();
    });
  });
}
