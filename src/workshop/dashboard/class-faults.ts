/**
 * The dashboard's class faults (src/components/workshop/ClassFaults.astro): each button sends
 * its fault to every attendee's runs, and the status line says how many runs it reached.
 */
import { instructorFetch } from '../instructor.ts';
import { workshopStrings } from '../strings.ts';
import type { DashboardSection } from './sections.ts';

type FaultName = 'drop' | 'restart' | 'latency' | 'refuseReconnects' | 'clear';

/** Installs the class faults section found in `root`; does nothing where the page has none. */
export function installClassFaults(root: HTMLElement): DashboardSection {
  const section = root.querySelector<HTMLElement>('[data-rl-class-faults]');
  if (!section) return {};
  const t = workshopStrings();
  const result = section.querySelector('[data-class-fault-result]') as HTMLElement;
  const latency = section.querySelector('[data-latency-ms]') as HTMLInputElement;
  for (const button of section.querySelectorAll<HTMLButtonElement>('button[data-fault]')) {
    button.addEventListener('click', async () => {
      const fault = button.dataset['fault'] as FaultName;
      const body = fault === 'latency' ? { fault, ms: latency.valueAsNumber } : { fault };
      const what = t.classFaultButtons[fault];
      button.disabled = true;
      try {
        const res = await instructorFetch('faults', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        const answer = (await res.json()) as { runs?: number; connections?: number; error?: { message: string } };
        result.textContent = res.ok ? t.classFaultReached(what, answer.runs ?? 0, answer.connections ?? 0) : t.classFaultFailed(what, answer.error?.message ?? String(res.status));
        result.dataset['runs'] = String(answer.runs ?? '');
      } catch (error) {
        result.textContent = t.classFaultFailed(what, (error as Error).message);
      } finally {
        button.disabled = false;
      }
    });
  }
  return {};
}
