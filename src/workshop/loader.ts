/**
 * On every page: asks the server once whether workshop mode is on (GET /api/workshop answers
 * 200, or 404 when off), and only then loads the attendee's part. Off, this is all a page runs.
 */
async function loadWorkshop(): Promise<void> {
  // The projector and instructor pages are the instructor's, not an attendee's.
  if (document.querySelector('[data-rl-workshop-page]')) return;
  const res = await fetch('/api/workshop', { cache: 'no-store' }).catch(() => undefined);
  if (!res) return;
  // Read in both cases: a body left unread keeps the request open (and a page never idle).
  const body = (await res.json().catch(() => undefined)) as { nameMaxChars?: number } | undefined;
  const on = res.ok && typeof body?.nameMaxChars === 'number';
  // Remembered for the page's other parts (src/sandbox/page/in-workshop.ts): when this server
  // stops answering later, they say it is the host's server, not "run npm start".
  try {
    if (on) localStorage.setItem('realtime-lab:workshop-seen', '1');
    else localStorage.removeItem('realtime-lab:workshop-seen');
  } catch {
    // Storage disabled: the pages say "npm start", as outside a workshop.
  }
  if (!on || typeof body?.nameMaxChars !== 'number') {
    // The state the attendee's part is in, for styles and tests: off, asking, dismissed, joined.
    document.documentElement.dataset['rlWorkshopState'] = 'off';
    return;
  }
  const { nameMaxChars } = body;
  const { startAttendee } = await import('./attendee.ts');
  await startAttendee(nameMaxChars);
}

void loadWorkshop().catch(() => {});
