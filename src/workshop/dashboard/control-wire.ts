/**
 * The control channel's wire view on the dashboard (src/components/workshop/ControlWire.astro):
 * one row per `wire` event of the instructor events stream, newest last, the last `data-rows`.
 * Everything is written as text (textContent): the bytes of a notice are the instructor's words,
 * and a POST's body is whatever an attendee sent.
 */
import type { WireEntry } from '../../../server/workshop/control-wire.ts';
import { onInstructorEvent } from '../instructor.ts';
import { controlStrings } from './control-strings.ts';
import type { DashboardSection } from './sections.ts';

/** A cell holding text, or labelled blocks of bytes. */
function cell(...content: (string | HTMLElement)[]): HTMLTableCellElement {
  const td = document.createElement('td');
  td.append(...content);
  return td;
}

function bytes(label: string, text: string): HTMLElement {
  const block = document.createElement('div');
  const name = document.createElement('span');
  name.className = 'rl-wire-label';
  name.textContent = label;
  const pre = document.createElement('pre');
  pre.textContent = text;
  block.append(name, pre);
  return block;
}

export function installControlWire(root: HTMLElement): DashboardSection {
  const section = root.querySelector<HTMLElement>('[data-control-wire]');
  if (!section) return {};
  const t = controlStrings();
  const words = JSON.parse(section.dataset['strings'] ?? '{}') as { down: string; up: string };
  const max = Number(section.dataset['rows']) || 50;
  const table = section.querySelector('[data-wire-table]') as HTMLTableElement;
  const body = table.tBodies[0] as HTMLTableSectionElement;
  const scroll = section.querySelector('[data-wire-scroll]') as HTMLElement;
  const empty = section.querySelector('[data-wire-empty]') as HTMLElement;
  /** Entries shown, by the server's sequence and time: a reconnecting stream sends the kept ones again. */
  const shown = new Set<string>();

  function add(entry: WireEntry): void {
    const key = `${entry.seq}@${entry.at}`;
    if (shown.has(key)) return;
    shown.add(key);
    // Follow the newest row only when the reader is at the bottom already.
    const atBottom = scroll.scrollTop + scroll.clientHeight >= scroll.scrollHeight - 8;
    const row = document.createElement('tr');
    row.dataset['wireRow'] = entry.direction;
    row.dataset['key'] = key;
    const time = new Date(entry.at).toLocaleTimeString(document.documentElement.lang, { hour12: false });
    if (entry.direction === 'down') {
      row.dataset['event'] = entry.event;
      row.append(cell(String(entry.seq)), cell(time), cell(words.down), cell(t.wireDelivered(entry.event, entry.streams, entry.sockets)), cell(bytes('SSE', entry.sse), bytes('WebSocket', entry.ws)));
    } else {
      row.append(cell(String(entry.seq)), cell(time), cell(words.up), cell(t.wireFrom(entry.attendee ?? t.wireSomeone, entry.transport)), cell(bytes(entry.head, entry.body)));
    }
    body.append(row);
    while (body.rows.length > max) {
      const first = body.rows[0] as HTMLTableRowElement;
      shown.delete(first.dataset['key'] ?? '');
      first.remove();
    }
    table.hidden = false;
    empty.hidden = true;
    if (atBottom) scroll.scrollTop = scroll.scrollHeight;
  }

  onInstructorEvent('wire', (data) => add(data as WireEntry));
  return {};
}
