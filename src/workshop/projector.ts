/** The projector page's script: the join URL and QR code, then the live count (GET /api/workshop/presence). */
import type { PresenceSummary } from '../../server/workshop/presence.ts';
import { TECHNIQUES, workshopStrings } from './strings.ts';

/** Fills the projector page in `root` (WorkshopProjector.astro). */
export async function startProjector(root: HTMLElement): Promise<void> {
  const t = workshopStrings();
  const part = <T extends HTMLElement>(name: string) => root.querySelector(`[data-${name}]`) as T;
  const res = await fetch('/api/workshop', { cache: 'no-store' }).catch(() => undefined);
  const body = (await res?.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (!res?.ok) {
    const message = body?.error?.message;
    part('off').textContent = message ? `${t.off} ${message}` : t.off;
    part('off').hidden = false;
    return;
  }
  // The URL this page was reached on is the one attendees can reach too.
  const joinUrl = `${location.origin}/`;
  part('url').textContent = joinUrl;
  part('url').hidden = false;
  const qr = part<HTMLImageElement>('qr');
  qr.alt = `QR: ${joinUrl}`;
  qr.src = '/api/workshop/join-qr.svg';
  part('join').hidden = false;
  part('live').hidden = false;

  const presence = new EventSource('/api/workshop/presence');
  presence.addEventListener('presence', (event) => {
    const summary = JSON.parse((event as MessageEvent<string>).data) as PresenceSummary;
    part('count').textContent = String(summary.connected);
    part('reported').textContent = t.selfTestReported(summary.selfTest.reported);
    for (const technique of TECHNIQUES) {
      const ok = root.querySelector(`[data-technique="${technique}"] [data-ok]`) as HTMLElement;
      ok.textContent = `${summary.selfTest.ok[technique]} / ${summary.selfTest.reported}`;
    }
  });
}
