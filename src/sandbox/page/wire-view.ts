/**
 * The wire view of one run, live or replayed: a lane per connection, the browser's side (the
 * frame's reports, folded by wire-model.ts) and under it the server's (the run's tap, folded by
 * wire-server.ts), on one time axis. Filters, Pause, Follow the tail, a table mode (the same
 * events as a real table: the accessible reading of the view) and Save run. Loaded with the
 * runner, never before.
 *
 * The DOM stays bounded: each lane lists its last MAX_EVENT_ROWS marks per side, the table its
 * last MAX_TABLE_ROWS events. The live region says "N new events" at most once every
 * ANNOUNCE_EVERY_MS, and only while the reader follows the tail.
 */
import { addStyle } from './add-style.ts';
import { el, seconds } from './dom.ts';
import wireViewCss from './wire-view.css?inline';
import { formatBytes, formatDuration, type Lane, type LaneKind, type WireMark, type WireModel } from './wire-model.ts';
import { part, t, type SandboxHost } from './host.ts';
import { runFileName, runFileText, type SavedRun } from './saved-run.ts';
import { frameAnatomy } from './wire-anatomy.ts';
import { matchConnections, type ServerConnection, type ServerMark, type ServerModel, type Way } from './wire-server.ts';

addStyle(wireViewCss);

const MAX_EVENT_ROWS = 60;
const MAX_TABLE_ROWS = 300;
/** The live region speaks at most this often, summing up what came since. */
const ANNOUNCE_EVERY_MS = 5000;
const MIN_TIMELINE_MS = 5000;
const LANE_KINDS: readonly LaneKind[] = ['fetch', 'xhr', 'sse', 'ws'];

/** What a view shows: a live run's models, or a saved run's. */
export interface WireSource {
  /** A run under way (its events are news for the live region), not a replay. */
  readonly live: boolean;
  readonly wire: WireModel;
  /** The server's side, once the run's tap is followed (none when the server issued no run). */
  readonly server: ServerModel | undefined;
  /** Whether a request is marked as waiting for a free connection. */
  queued(mark: WireMark): boolean;
  /** Milliseconds since Run: now for a live run, the end of a saved one. */
  elapsed(): number;
  /** The run as a file, for Save run. */
  save(): SavedRun;
  /** While the server's side waits for a free tap (run-tap.ts MAX_OPEN_TAPS): how many the page follows. */
  tapWaiting?(): number | undefined;
  /** How many of the run's first server events were no longer kept when its tap caught up. */
  tapDropped?(): number;
}

/** What the reader chose to see: kept per sandbox across its Runs and replays. */
interface ViewState {
  kinds: Set<LaneKind>;
  ways: Set<Way>;
  control: boolean;
  paused: boolean;
  follow: boolean;
  table: boolean;
}

const states = new WeakMap<SandboxHost, ViewState>();
/** The view each sandbox shows now: a view replaced by a new Run or a replay draws no more. */
const current = new WeakMap<SandboxHost, WireView>();
let views = 0;

/**
 * The width of a bar on a lane's track from `from` to `to` (ms since Run), on a timeline of `span`
 * ms: written as the browser reads it back (no trailing zeros), so an unchanged width is not set again.
 */
function barWidth(from: number, to: number, span: number): string {
  return `${Number(Math.max(0.5, ((to - from) / span) * 100).toFixed(2))}%`;
}

/** Which way a browser mark went: requests and sends up, receipts down; states and errors neither. */
function browserWay(mark: WireMark): Way | undefined {
  if (mark.tone === 'out' || mark.tone === 'request') return 'up';
  if (mark.tone === 'in') return 'down';
  return undefined;
}

/** The lane kind a server connection with no browser lane shows under. */
function kindOfTechnique(connection: ServerConnection): LaneKind {
  if (connection.technique === 'sse') return 'sse';
  if (connection.technique === 'ws' || connection.technique === 'echo') return 'ws';
  return 'fetch';
}

/** One row of the table mode. */
interface TableRow {
  at: number;
  side: 'browser' | 'server';
  connection: string;
  way: Way | undefined;
  kind: string;
  summary: string;
  bytes: number | undefined;
}

/** One run's wire view in a sandbox: draws it from its source on `render()`, until a new Run or replay takes the sandbox. */
export class WireView {
  readonly #host: SandboxHost;
  readonly #source: WireSource;
  readonly #state: ViewState;
  readonly #no = ++views;
  readonly #tools: HTMLElement;
  readonly #tableWrap: HTMLElement;
  readonly #laneViews = new Map<string, { root: HTMLElement; signature: string }>();
  /** Server marks whose head, chunk or anatomy the reader opened (by seq). */
  readonly #open = new Set<number>();
  #tableSignature = '';
  #pausedAt = 0;
  #announced = 0;
  #announcedAt = performance.now();

  constructor(host: SandboxHost, source: WireSource) {
    this.#host = host;
    this.#source = source;
    let state = states.get(host);
    if (!state) {
      state = { kinds: new Set(LANE_KINDS), ways: new Set(['up', 'down']), control: true, paused: false, follow: true, table: false };
      states.set(host, state);
    }
    // A new Run or replay starts drawing: a pause was about the run before.
    state.paused = false;
    this.#state = state;
    current.set(host, this);
    const container = part(host.root, 'wire');
    container.replaceChildren(el('p', 'rl-sb-empty', this.#say('empty')));
    container.hidden = state.table;
    host.root.querySelector('[data-wire-tools]')?.remove();
    host.root.querySelector('[data-replay-code]')?.remove();
    host.root.querySelector('[data-wire-table]')?.remove();
    this.#tools = this.#buildTools();
    container.before(this.#tools);
    this.#tableWrap = el('div', 'rl-wv-table-wrap');
    this.#tableWrap.dataset.wireTable = '';
    this.#tableWrap.hidden = !state.table;
    this.#tableWrap.tabIndex = 0;
    this.#tableWrap.setAttribute('role', 'region');
    this.#tableWrap.setAttribute('aria-label', `${this.#say('table.caption')}: ${part(host.root, 'title').textContent ?? ''}`);
    container.after(this.#tableWrap);
    // One handler per container, the current view's: the container outlives the views of each Run.
    container.onclick = (event) => this.#toggle(event);
  }

  #say(key: string, values?: Record<string, string | number>): string {
    return t(this.#host, `sandbox.wire.${key}`, values);
  }

  #buildTools(): HTMLElement {
    const state = this.#state;
    const tools = el('div', 'rl-wv-tools');
    tools.dataset.wireTools = '';
    const buttons = el('div', 'rl-wv-buttons');
    const toggle = (name: string, pressed: boolean) => {
      const button = el('button', 'rl-sb-button', this.#say(`view.${name}`));
      button.type = 'button';
      button.dataset.wv = name;
      button.setAttribute('aria-pressed', String(pressed));
      return button;
    };
    const save = el('button', 'rl-sb-button', this.#say('view.save'));
    save.type = 'button';
    save.dataset.wv = 'save';
    const fresh = el('span', 'rl-wv-new');
    fresh.dataset.wvNew = '';
    buttons.append(toggle('pause', state.paused), toggle('follow', state.follow), toggle('table', state.table), save, fresh);

    const filters = el('fieldset', 'rl-wv-filters');
    filters.append(el('legend', '', this.#say('filter.legend')));
    const check = (data: string, value: string, label: string, checked: boolean) => {
      const wrap = el('label', '');
      const input = el('input', '');
      input.type = 'checkbox';
      input.checked = checked;
      input.setAttribute(`data-wv-${data}`, value);
      wrap.append(input, ` ${label}`);
      return wrap;
    };
    for (const kind of LANE_KINDS) filters.append(check('kind', kind, this.#say(`kind.${kind}`), state.kinds.has(kind)));
    filters.append(check('way', 'up', this.#say('filter.up'), state.ways.has('up')), check('way', 'down', this.#say('filter.down'), state.ways.has('down')));
    filters.append(check('control', 'control', this.#say('filter.control'), state.control));

    const waitingNote = el('p', 'rl-wv-waiting');
    waitingNote.dataset.wvWaiting = '';
    const live = el('p', 'rl-wv-sr');
    live.setAttribute('role', 'status');
    live.dataset.wvLive = '';
    tools.append(buttons, filters, waitingNote, live);

    buttons.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-wv]');
      if (!button) return;
      const name = button.dataset.wv;
      if (name === 'save') {
        this.#save();
        return;
      }
      if (name === 'pause') {
        state.paused = !state.paused;
        this.#pausedAt = this.#eventCount();
      } else if (name === 'follow') state.follow = !state.follow;
      else if (name === 'table') {
        state.table = !state.table;
        part(this.#host.root, 'wire').hidden = state.table;
        this.#tableWrap.hidden = !state.table;
        this.#tableSignature = '';
      }
      button.setAttribute('aria-pressed', String(name === 'pause' ? state.paused : state[name as 'follow' | 'table']));
      this.render(true);
    });
    filters.addEventListener('change', (event) => {
      const input = event.target as HTMLInputElement;
      if (input.dataset.wvKind) toggleIn(state.kinds, input.dataset.wvKind as LaneKind, input.checked);
      else if (input.dataset.wvWay) toggleIn(state.ways, input.dataset.wvWay as Way, input.checked);
      else if (input.dataset.wvControl) state.control = input.checked;
      this.render(true);
    });
    return tools;
  }

  /** How many events both sides have seen: what "N new" and the live region count. */
  #eventCount(): number {
    let count = this.#source.server?.count ?? 0;
    for (const lane of this.#source.wire.lanes) count += lane.marks.length + lane.dropped;
    return count;
  }

  #save(): void {
    const run = this.#source.save();
    const url = URL.createObjectURL(new Blob([runFileText(run)], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = runFileName(this.#host.id, run.startedAt);
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
    this.#host.notice(this.#say('view.saved', { name: link.download }));
  }

  /** Opens or closes a server mark's head, chunk or frame anatomy. */
  #toggle(event: MouseEvent): void {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-wv-open]');
    if (!button) return;
    const seq = Number(button.dataset.wvOpen);
    const open = button.getAttribute('aria-expanded') !== 'true';
    if (open) this.#open.add(seq);
    else this.#open.delete(seq);
    button.setAttribute('aria-expanded', String(open));
    const panel = document.getElementById(button.getAttribute('aria-controls') ?? '');
    if (panel) panel.hidden = !open;
  }

  /** Shows the models as they are now; `force` redraws every lane (a filter changed). */
  render(force = false): void {
    if (current.get(this.#host) !== this) return;
    const { wire, server } = this.#source;
    const totals = wire.totals;
    let text = this.#say('totals', {
      requests: totals.requests,
      bytesIn: formatBytes(totals.bytesIn),
      bytesOut: formatBytes(totals.bytesOut),
      headIn: formatBytes(totals.headIn),
      headOut: formatBytes(totals.headOut),
      open: totals.open,
    });
    if (server && server.count > 0) {
      const { up, down } = server.totals;
      text += ` · ${this.#say('server.totals', { bytesIn: formatBytes(down), bytesOut: formatBytes(up) })}`;
    }
    const totalsPart = part(this.#host.root, 'totals');
    if (totalsPart.textContent !== text) totalsPart.textContent = text;
    part(this.#host.root, 'sizes').hidden = false;

    const max = this.#source.tapWaiting?.();
    const waitingNote = this.#tools.querySelector('[data-wv-waiting]') as HTMLElement;
    const dropped = this.#source.tapDropped?.() ?? 0;
    const waitingText = [max === undefined ? '' : this.#say('view.tapWaiting', { max }), dropped > 0 ? this.#say('view.tapGap', { count: dropped }) : ''].filter(Boolean).join(' ');
    if (waitingNote.textContent !== waitingText) waitingNote.textContent = waitingText;

    const count = this.#eventCount();
    const state = this.#state;
    const fresh = this.#tools.querySelector<HTMLElement>('[data-wv-new]') as HTMLElement;
    const freshText = state.paused && count > this.#pausedAt ? this.#say('view.new', { count: count - this.#pausedAt }) : '';
    if (fresh.textContent !== freshText) fresh.textContent = freshText;
    if (state.paused) return;
    if (force) for (const view of this.#laneViews.values()) view.signature = '';
    this.#announce(count);

    const elapsed = this.#source.elapsed();
    const span = Math.max(MIN_TIMELINE_MS, Math.ceil(elapsed / MIN_TIMELINE_MS) * MIN_TIMELINE_MS);
    const connections = server?.connections ?? [];
    const matched = matchConnections(wire.lanes, connections);
    server?.keepCausal(wire.lanes, matched);
    const byLane = new Map<string, ServerConnection[]>();
    const alone: ServerConnection[] = [];
    for (const connection of connections) {
      const key = matched.get(connection.id);
      if (key === undefined) alone.push(connection);
      else byLane.set(key, [...(byLane.get(key) ?? []), connection]);
    }
    if (state.table) this.#renderTable(byLane, alone);
    else this.#renderLanes(byLane, alone, elapsed, span);
  }

  #announce(count: number): void {
    const now = performance.now();
    if (!this.#state.follow || !this.#source.live) {
      // Only while following the tail: what came before is not announced later.
      this.#announced = count;
      return;
    }
    if (count > this.#announced && now - this.#announcedAt >= ANNOUNCE_EVERY_MS) {
      (this.#tools.querySelector('[data-wv-live]') as HTMLElement).textContent = this.#say('view.live', { count: count - this.#announced });
      this.#announced = count;
      this.#announcedAt = now;
    }
  }

  #wayShown(way: Way | undefined): boolean {
    return way === undefined || this.#state.ways.has(way);
  }

  #serverShown(mark: ServerMark): boolean {
    return this.#state.ways.has(mark.way) && (this.#state.control || !mark.control);
  }

  #renderLanes(byLane: Map<string, ServerConnection[]>, alone: ServerConnection[], elapsed: number, span: number): void {
    const { wire } = this.#source;
    const container = part(this.#host.root, 'wire');
    const entries: { key: string; lane: Lane | undefined; kind: LaneKind; connections: ServerConnection[] }[] = [
      ...wire.lanes.map((lane) => ({ key: lane.key, lane, kind: lane.kind, connections: byLane.get(lane.key) ?? [] })),
      ...alone.map((connection) => ({ key: `server ${connection.id}`, lane: undefined, kind: kindOfTechnique(connection), connections: [connection] })),
    ];
    // A server connection drawn alone until the frame reported its lane now shows under that lane.
    const keys = new Set(entries.map((entry) => entry.key));
    for (const [key, view] of this.#laneViews) {
      if (keys.has(key)) continue;
      view.root.remove();
      this.#laneViews.delete(key);
    }
    if (!entries.length) return;
    container.querySelector('.rl-sb-empty')?.remove();
    const redraw: { root: HTMLElement; entry: (typeof entries)[number] }[] = [];
    for (const entry of entries) {
      let view = this.#laneViews.get(entry.key);
      if (!view) {
        view = { root: el('section', entry.lane ? 'rl-sb-lane' : 'rl-sb-lane rl-wv-alone'), signature: '' };
        this.#laneViews.set(entry.key, view);
        container.append(view.root);
      }
      view.root.hidden = !this.#state.kinds.has(entry.kind);
      if (view.root.hidden) continue;
      const { lane } = entry;
      const last = lane?.marks[lane.marks.length - 1];
      const pending = lane?.marks.some((mark) => mark.pending) ?? false;
      const growing = lane ? pending || lane.end === undefined : false;
      const stream = !pending && (entry.kind === 'sse' || entry.kind === 'ws');
      const queued = lane?.marks.some((mark) => this.#source.queued(mark)) ?? false;
      const serverSignature = entry.connections.map((c) => `${c.id}:${c.marks.length}:${c.dropped}:${c.end}`).join(',');
      const signature = `${lane?.state}|${lane?.marks.length}|${lane?.dropped}|${last?.text}|${last?.note}|${queued}|${growing && !stream ? Math.floor(elapsed / 500) : ''}|${span}|${serverSignature}`;
      if (signature === view.signature) {
        const bar = lane && growing && stream ? view.root.querySelector<HTMLElement>('.rl-sb-span[data-live]') : null;
        if (bar && lane && bar.style.width !== barWidth(lane.start, elapsed, span)) bar.style.width = barWidth(lane.start, elapsed, span);
        continue;
      }
      view.signature = signature;
      redraw.push({ root: view.root, entry });
    }
    if (!redraw.length) return;
    // Layout is read once before the lanes are rebuilt and once after (a read after each rebuild
    // made the browser lay out the page once per lane). Following the tail keeps the view at its
    // end, if the reader left it there; scrolled up to read, it stays put.
    const atEnd = container.scrollTop + container.clientHeight >= container.scrollHeight - 4;
    const lists = redraw.flatMap(({ root, entry }) => this.#renderLane(root, entry.lane, entry.kind, entry.connections, elapsed, span));
    if (this.#state.follow && atEnd) container.scrollTop = container.scrollHeight;
    // A list that scrolls must be reachable by keyboard (axe: scrollable-region-focusable); one that does not, need not be a tab stop.
    for (const list of lists) if (list.scrollHeight > list.clientHeight) list.tabIndex = 0;
  }

  /** Rebuilds one lane: the browser's side, then the server's; returns its lists. */
  #renderLane(root: HTMLElement, lane: Lane | undefined, kind: LaneKind, connections: ServerConnection[], elapsed: number, span: number): HTMLElement[] {
    const focused = root.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.wvOpen : undefined;
    root.dataset.kind = kind;
    const left = (at: number) => `${Math.min(100, (at / span) * 100).toFixed(2)}%`;
    const parts: HTMLElement[] = [];
    const lists: HTMLElement[] = [];
    const head = el('div', 'rl-sb-lane-head');
    if (lane) {
      root.dataset.state = lane.state;
      head.append(
        el('span', 'rl-sb-kind', this.#say(`kind.${lane.kind}`)),
        el('span', 'rl-sb-label', lane.label),
        el('span', 'rl-sb-lane-state', this.#say(`state.${lane.state}`)),
      );
    } else {
      const connection = connections[0] as ServerConnection;
      root.dataset.state = connection.end === undefined ? 'open' : 'closed';
      head.append(el('span', 'rl-sb-kind', this.#say(`kind.${kind}`)), el('span', 'rl-sb-label', connection.label), el('span', 'rl-sb-lane-state', this.#say('server.only')));
    }
    parts.push(head);

    if (lane) {
      if (connections.length) parts.push(el('p', 'rl-wv-side', this.#say('side.browser')));
      const track = el('div', 'rl-sb-track');
      track.setAttribute('aria-hidden', 'true');
      if (lane.kind === 'sse' || lane.kind === 'ws') {
        const bar = el('span', 'rl-sb-span');
        bar.style.left = left(lane.start);
        bar.style.width = barWidth(lane.start, lane.end ?? elapsed, span);
        if (lane.end === undefined) bar.dataset.live = 'true';
        track.append(bar);
      }
      for (const mark of lane.marks) {
        if (mark.tone === 'request') {
          const bar = el('span', 'rl-sb-span');
          bar.dataset.tone = mark.tone;
          bar.style.left = left(mark.at);
          bar.style.width = barWidth(mark.at, mark.until ?? elapsed, span);
          if (mark.pending) bar.dataset.pending = 'true';
          track.append(bar);
        } else {
          const tick = el('span', 'rl-sb-tick');
          tick.dataset.tone = mark.tone;
          tick.style.left = left(mark.at);
          track.append(tick);
        }
      }
      const list = el('ol', 'rl-sb-events');
      list.setAttribute('aria-label', lane.label);
      const shownMarks = lane.marks.filter((mark) => this.#wayShown(browserWay(mark)));
      const shown = shownMarks.slice(-MAX_EVENT_ROWS);
      const hidden = lane.dropped + shownMarks.length - shown.length;
      if (hidden > 0) list.append(el('li', 'rl-sb-more', this.#say('earlier', { count: hidden })));
      for (const mark of shown) list.append(this.#eventRow(mark, elapsed));
      parts.push(track, list);
      lists.push(list);
    }

    if (connections.length) {
      const server = el('div', 'rl-wv-server');
      let up = 0;
      let down = 0;
      for (const connection of connections) {
        up += connection.bytesUp;
        down += connection.bytesDown;
      }
      server.append(el('p', 'rl-wv-side', `${this.#say('side.server')} · ${this.#say('server.bytes', { bytesOut: formatBytes(up), bytesIn: formatBytes(down) })}`));
      const track = el('div', 'rl-wv-track');
      track.setAttribute('aria-hidden', 'true');
      const marks = connections.flatMap((connection) => connection.marks).filter((mark) => this.#serverShown(mark));
      marks.sort((a, b) => a.seq - b.seq);
      for (const mark of marks) {
        const tick = el('span', 'rl-wv-tick');
        tick.dataset.kind = mark.kind;
        tick.dataset.way = mark.way;
        tick.style.left = left(mark.at);
        track.append(tick);
      }
      const list = el('ol', 'rl-wv-events');
      list.setAttribute('aria-label', `${this.#say('side.server')}: ${lane?.label ?? connections[0]?.label ?? ''}`);
      const shown = marks.slice(-MAX_EVENT_ROWS);
      const hidden = connections.reduce((sum, connection) => sum + connection.dropped, 0) + marks.length - shown.length;
      if (hidden > 0) list.append(el('li', 'rl-sb-more', this.#say('earlier', { count: hidden })));
      for (const mark of shown) list.append(this.#serverRow(mark));
      server.append(track, list);
      parts.push(server);
      lists.push(list);
    }
    root.replaceChildren(...parts);
    if (focused !== undefined) root.querySelector<HTMLElement>(`[data-wv-open="${focused}"]`)?.focus();
    return lists;
  }

  #eventRow(mark: WireMark, elapsed: number): HTMLLIElement {
    const row = el('li', 'rl-sb-event');
    row.dataset.tone = mark.tone;
    let text = mark.text;
    if (mark.pending) {
      text += ` · ${this.#say('pending')} ${formatDuration(elapsed - mark.at)}`;
      if (this.#source.queued(mark)) text += ` · ${this.#say('queued.mark')}`;
      row.dataset.pending = 'true';
    }
    const message = el('span', 'rl-sb-msg', text);
    if (mark.note) message.append(el('span', 'rl-sb-note', mark.note));
    row.append(el('span', 'rl-sb-time', seconds(mark.at)), message);
    return row;
  }

  #serverRow(mark: ServerMark): HTMLLIElement {
    const row = el('li', 'rl-wv-event');
    row.dataset.kind = mark.kind;
    row.dataset.way = mark.way;
    if (mark.control) row.dataset.control = 'true';
    const message = el('span', 'rl-sb-msg');
    if (mark.frame || mark.detail) {
      const id = `rl-wv-${this.#no}-${mark.seq}`;
      const open = this.#open.has(mark.seq);
      const button = el('button', 'rl-wv-open', mark.text);
      button.type = 'button';
      button.dataset.wvOpen = String(mark.seq);
      button.setAttribute('aria-expanded', String(open));
      button.setAttribute('aria-controls', id);
      button.title = this.#say(mark.frame ? 'server.anatomy' : 'server.whole');
      let panel: HTMLElement;
      if (mark.frame) panel = frameAnatomy(mark.frame, id, (key, values) => this.#say(`anatomy.${key}`, values));
      else {
        panel = el('pre', 'rl-wv-detail', mark.detail);
        panel.id = id;
      }
      panel.hidden = !open;
      message.append(button, panel);
    } else message.textContent = mark.text;
    row.append(el('span', 'rl-sb-time', seconds(mark.at)), message);
    return row;
  }

  #renderTable(byLane: Map<string, ServerConnection[]>, alone: ServerConnection[]): void {
    const { wire } = this.#source;
    const state = this.#state;
    const rows: TableRow[] = [];
    for (const lane of wire.lanes) {
      if (!state.kinds.has(lane.kind)) continue;
      for (const mark of lane.marks) {
        const way = browserWay(mark);
        if (!this.#wayShown(way)) continue;
        rows.push({ at: mark.at, side: 'browser', connection: lane.label, way, kind: this.#say(`kind.${lane.kind}`), summary: mark.note ? `${mark.text} — ${mark.note}` : mark.text, bytes: undefined });
      }
    }
    // A server connection is named as its browser lane is, so both sides of one connection read alike.
    const server: [ServerConnection, Lane | undefined][] = [
      ...wire.lanes.flatMap((lane) => (byLane.get(lane.key) ?? []).map((connection): [ServerConnection, Lane] => [connection, lane])),
      ...alone.map((connection): [ServerConnection, undefined] => [connection, undefined]),
    ];
    for (const [connection, lane] of server) {
      if (!state.kinds.has(lane?.kind ?? kindOfTechnique(connection))) continue;
      for (const mark of connection.marks) {
        if (!this.#serverShown(mark)) continue;
        rows.push({ at: mark.at, side: 'server', connection: lane?.label ?? connection.label, way: mark.way, kind: this.#say(`tap.${mark.kind}`), summary: mark.text, bytes: mark.bytes });
      }
    }
    rows.sort((a, b) => a.at - b.at);
    const shown = rows.slice(-MAX_TABLE_ROWS);
    const signature = `${rows.length}|${shown.at(-1)?.summary}|${shown.at(-1)?.at}|${[...state.kinds].join()}|${[...state.ways].join()}|${state.control}`;
    if (signature === this.#tableSignature) return;
    this.#tableSignature = signature;
    const table = el('table', 'rl-wv-table');
    const caption = el('caption', '', this.#say('table.caption'));
    if (rows.length > shown.length) caption.append(` ${this.#say('earlier', { count: rows.length - shown.length })}`);
    const head = el('thead', '');
    const headRow = el('tr', '');
    for (const name of ['time', 'side', 'connection', 'way', 'kind', 'summary', 'bytes']) {
      const cell = el('th', '', this.#say(`table.${name}`));
      cell.scope = 'col';
      headRow.append(cell);
    }
    head.append(headRow);
    const body = el('tbody', '');
    for (const row of shown) {
      const tr = el('tr', '');
      tr.dataset.side = row.side;
      const way = row.way === undefined ? '' : this.#say(`table.${row.way}`);
      for (const value of [seconds(row.at), this.#say(`side.${row.side}`), row.connection, way, row.kind, row.summary, row.bytes === undefined ? '' : formatBytes(row.bytes)]) {
        tr.append(el('td', '', value));
      }
      body.append(tr);
    }
    table.append(caption, head, body);
    const wrap = this.#tableWrap;
    const atEnd = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 4;
    wrap.replaceChildren(table);
    if (state.follow && atEnd) wrap.scrollTop = wrap.scrollHeight;
  }
}

function toggleIn<T>(set: Set<T>, value: T, on: boolean): void {
  if (on) set.add(value);
  else set.delete(value);
}
