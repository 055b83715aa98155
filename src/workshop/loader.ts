/**
 * On every page: asks the server once whether workshop mode is on (GET /api/workshop answers
 * 200, or 404 when off), and only then loads the attendee's part. Off, this is all a page runs.
 */
/**
 * Set in this tab's sessionStorage while the server says workshop mode is on: a sandbox whose
 * server stops answering then says the host's server is down, not "run npm start"
 * (src/sandbox/page/init.ts reads it).
 */
export const WORKSHOP_SEEN_KEY = 'realtime-lab:workshop-on';

async function loadWorkshop(): Promise<void> {
  // The projector and instructor pages are the instructor's, not an attendee's.
  if (document.querySelector('[data-rl-workshop-page]')) return;
  const res = await fetch('/api/workshop', { cache: 'no-store' }).catch(() => undefined);
  if (!res) return;
  // Read in both cases: a body left unread keeps the request open (and a page never idle).
  const body = (await res.json().catch(() => undefined)) as { nameMaxChars?: number } | undefined;
  if (!res.ok || typeof body?.nameMaxChars !== 'number') {
    // The state the attendee's part is in, for styles and tests: off, asking, dismissed, joined.
    document.documentElement.dataset['rlWorkshopState'] = 'off';
    // Off only when the server said so: a page that could not ask keeps what the tab knew.
    sessionStorage.removeItem(WORKSHOP_SEEN_KEY);
    return;
  }
  sessionStorage.setItem(WORKSHOP_SEEN_KEY, '1');
  const { nameMaxChars } = body;
  const { startAttendee } = await import('./attendee.ts');
  await startAttendee(nameMaxChars);
}

void loadWorkshop().catch(() => {});
