/**
 * The dashboard's "ping the room" (src/components/workshop/PingRoom.astro): sends the ping
 * (POST /api/workshop/instructor/ping) and shows the spread the server tells after each answer
 * (`event: ping` on the instructor events stream): answered of present, min / median / p90 / max
 * as text, and a strip chart with one mark per round trip.
 */
import type { PingSpread } from '../../../server/workshop/ping.ts';
import { instructorFetch, onInstructorEvent } from '../instructor.ts';
import { controlStrings } from './control-strings.ts';
import type { DashboardSection } from './sections.ts';

const SVG = 'http://www.w3.org/2000/svg';
/** The chart's axis, in viewBox units (PingRoom.astro). */
const AXIS = { from: 10, to: 310, top: 8, bottom: 30 };

/** A round trip in ms, as the dashboard writes it. */
function ms(value: number | null): string {
  return value === null ? '–' : value.toFixed(1);
}

export function installPingRoom(root: HTMLElement): DashboardSection {
  const section = root.querySelector<HTMLElement>('[data-ping-room]');
  if (!section) return {};
  const t = controlStrings();
  const part = <T extends Element>(name: string) => section.querySelector(`[data-${name}]`) as T;
  const summary = part<HTMLElement>('ping-summary');
  const chart = part<HTMLElement>('ping-chart');
  const svg = chart.querySelector('svg') as SVGSVGElement;
  const marks = part<SVGGElement>('ping-marks');
  let latest = 0;

  function show(spread: PingSpread): void {
    if (spread.id < latest) return;
    latest = spread.id;
    const text = spread.answered === 0 ? t.pingWaiting(spread.present) : t.pingSummary(spread.answered, spread.present, ms(spread.min), ms(spread.median), ms(spread.p90), ms(spread.max));
    summary.textContent = text;
    chart.hidden = spread.answered === 0;
    svg.setAttribute('aria-label', `${t.pingChart}. ${text}`);
    part<SVGTextElement>('ping-max').textContent = `${ms(spread.max)} ms`;
    const scale = (AXIS.to - AXIS.from) / Math.max(spread.max ?? 1, 0.1);
    marks.replaceChildren(
      ...spread.ms.map((value) => {
        const x = (AXIS.from + value * scale).toFixed(1);
        const line = document.createElementNS(SVG, 'line');
        line.setAttribute('class', 'rl-ping-mark');
        for (const [name, v] of [['x1', x], ['x2', x], ['y1', String(AXIS.top)], ['y2', String(AXIS.bottom)]]) line.setAttribute(name as string, v as string);
        return line;
      }),
    );
  }

  part<HTMLButtonElement>('ping-button').addEventListener('click', () => {
    void instructorFetch('ping', { method: 'POST' });
  });
  onInstructorEvent('ping', (data) => show(data as PingSpread));
  void instructorFetch('ping')
    .then((res) => res.json() as Promise<{ ping?: PingSpread | null }>)
    .then((body) => body.ping && show(body.ping))
    .catch(() => {});
  return {};
}
