/**
 * The home page's live hero: four rows receive the server's `clock` channel, each its own way,
 * and show the latest tick, how far behind the first arrival it came, and what it spent
 * (requests or connections). It runs only while it is on screen, the tab is visible and the
 * reader has not paused it; when the server does not answer it shows its still picture.
 */
import { fill, type HeroStrings } from './strings.ts';
import { inWorkshop } from '../sandbox/page/in-workshop.ts';

/** Short polling's interval: twice the clock's, so its lag is easy to see. */
const POLL_INTERVAL_MS = 2000;
/** How long the server may hold a long poll, in seconds. */
const LONG_POLL_HOLD_S = 20;
/** The wait before a failed request or a closed connection is tried again. */
const RETRY_MS = 3000;
/** With no tick for this long, the server is taken to be gone: the still picture shows until ticks come back. */
const STALE_MS = 5000;
/** How often a hero that found no server asks again. */
const OFFLINE_RETRY_MS = 10_000;

type Technique = 'poll' | 'longPoll' | 'sse' | 'ws';
const TECHNIQUES: readonly Technique[] = ['poll', 'longPoll', 'sse', 'ws'];

interface Envelope {
  id: string;
  data: { now?: string };
}

interface Listener {
  /** A message arrived. */
  message(envelope: Envelope): void;
  /** A request was sent or a connection opened. */
  spent(): void;
}

/** Waits `ms`, or less if `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** Asks for what came after `cursor` every POLL_INTERVAL_MS, whatever the answer. */
async function poll(origin: string, cursor: string, on: Listener, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      on.spent();
      const response = await fetch(`${origin}/api/poll/clock?since=${encodeURIComponent(cursor)}`, { cache: 'no-store', signal });
      if (response.ok) {
        const page = (await response.json()) as { messages: Envelope[]; cursor: string };
        const latest = page.messages.at(-1);
        if (latest) on.message(latest);
        cursor = page.cursor;
      }
    } catch {
      // Aborted (paused) or a network error: the loop's next turn is the retry.
    }
    await sleep(POLL_INTERVAL_MS, signal);
  }
}

/** Asks again as soon as each held request is answered (200 with news, 204 with none). */
async function longPoll(origin: string, cursor: string, on: Listener, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      on.spent();
      const response = await fetch(`${origin}/api/long-poll/clock?since=${encodeURIComponent(cursor)}&timeout=${LONG_POLL_HOLD_S}`, { cache: 'no-store', signal });
      if (response.status === 200) {
        const page = (await response.json()) as { messages: Envelope[]; cursor: string };
        const latest = page.messages.at(-1);
        if (latest) on.message(latest);
        cursor = page.cursor;
        continue;
      }
      if (response.status === 204) continue;
    } catch {
      // Aborted (paused) or a network error: wait below, so a stopped server sees no flood.
    }
    await sleep(RETRY_MS, signal);
  }
}

/** One EventSource; the browser reconnects it by itself. The clock's events are named `tick`. */
function sse(origin: string, on: Listener, signal: AbortSignal): void {
  const source = new EventSource(`${origin}/api/sse/clock`);
  source.addEventListener('connected', () => on.spent());
  source.addEventListener('tick', (event) => on.message({ id: event.lastEventId, data: JSON.parse(event.data) }));
  signal.addEventListener('abort', () => source.close(), { once: true });
}

/** One WebSocket, opened again RETRY_MS after it closes. */
function webSocket(origin: string, on: Listener, signal: AbortSignal): void {
  if (signal.aborted) return;
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/ws/clock`);
  const close = (): void => socket.close(1000, 'hero paused');
  signal.addEventListener('abort', close, { once: true });
  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(String(event.data)) as { type: string; message?: Envelope };
    if (frame.type === 'welcome') on.spent();
    else if (frame.type === 'message' && frame.message) on.message(frame.message);
  });
  socket.addEventListener('close', () => {
    signal.removeEventListener('abort', close);
    if (!signal.aborted) void sleep(RETRY_MS, signal).then(() => webSocket(origin, on, signal));
  });
}

/** Wires one hero: `root` is HeroLive.astro's `[data-rl-hero]`. */
export function startHero(root: HTMLElement): void {
  const s = JSON.parse(root.dataset.strings ?? '{}') as HeroStrings;
  const origin = root.dataset.apiBase || location.origin;
  const lang = document.documentElement.lang || 'en';
  const pauseButton = root.querySelector<HTMLButtonElement>('[data-pause]');
  const status = root.querySelector<HTMLElement>('[data-status]');
  // In a workshop the server is the host's: the still picture says to tell the instructor, not npm start.
  const hint = root.querySelector<HTMLElement>('[data-offline-hint]');
  if (hint && inWorkshop()) hint.textContent = s['offline.hint.workshop'];
  /** When each of the last few ticks first arrived, by id, to show every row's lag behind it. */
  const firstArrival = new Map<string, number>();
  let inView = false;
  let pausedByReader = false;
  let running: AbortController | null = null;

  const tile = (technique: Technique) => root.querySelector<HTMLElement>(`[data-technique="${technique}"]`) as HTMLElement;
  const field = (technique: Technique, name: string) => tile(technique).querySelector<HTMLElement>(`[data-${name}]`) as HTMLElement;

  function listener(technique: Technique, onTick: () => void): Listener {
    let spent = 0;
    const isConnection = technique === 'sse' || technique === 'ws';
    return {
      spent() {
        spent += 1;
        const key = isConnection ? 'tile.connections' : 'tile.requests';
        field(technique, 'spent').textContent = spent === 1 ? s[`${key}.one`] : fill(s[key], { count: spent });
        tile(technique).dataset.spent = String(spent);
      },
      message(envelope) {
        onTick();
        const now = performance.now();
        const first = firstArrival.get(envelope.id) ?? now;
        firstArrival.set(envelope.id, first);
        for (const id of firstArrival.keys()) if (firstArrival.size > 8) firstArrival.delete(id);
        const at = envelope.data.now ? new Date(envelope.data.now) : new Date();
        field(technique, 'tick').textContent = at.toLocaleTimeString(lang, { hour12: false });
        const lag = (now - first) / 1000;
        field(technique, 'lag').textContent = lag < 0.05 ? s['tile.first'] : fill(s['tile.lag'], { seconds: lag.toFixed(1) });
        const row = tile(technique);
        row.dataset.lastId = envelope.id;
        // A calm sign of arrival: the dot brightens, then fades (no motion under reduced motion).
        row.removeAttribute('data-fresh');
        void row.offsetWidth;
        row.setAttribute('data-fresh', '');
      },
    };
  }

  async function start(signal: AbortSignal): Promise<void> {
    let cursor: string;
    try {
      const response = await fetch(`${origin}/api/poll/clock?limit=1`, { cache: 'no-store', signal });
      if (!response.ok || !response.headers.get('content-type')?.includes('json')) throw new Error(`answered ${response.status}`);
      cursor = ((await response.json()) as { cursor: string }).cursor;
    } catch {
      if (signal.aborted) return;
      root.dataset.state = 'offline';
      await sleep(OFFLINE_RETRY_MS, signal);
      if (!signal.aborted) void start(signal);
      return;
    }
    if (signal.aborted) return;
    root.dataset.state = 'live';
    for (const technique of TECHNIQUES) field(technique, 'lag').textContent = s['tile.waiting'];
    // A server that stops mid-way leaves every row silent: show the still picture until a tick comes back.
    let lastTickAt = performance.now();
    const onTick = (): void => {
      lastTickAt = performance.now();
      root.dataset.state = 'live';
    };
    const watchdog = setInterval(() => {
      if (performance.now() - lastTickAt > STALE_MS) root.dataset.state = 'offline';
    }, 1000);
    signal.addEventListener('abort', () => clearInterval(watchdog), { once: true });
    void poll(origin, cursor, listener('poll', onTick), signal);
    void longPoll(origin, cursor, listener('longPoll', onTick), signal);
    sse(origin, listener('sse', onTick), signal);
    webSocket(origin, listener('ws', onTick), signal);
  }

  /** Runs exactly when the hero is seen, the tab is visible and the reader has not paused it. */
  function sync(): void {
    const wanted = inView && !document.hidden && !pausedByReader;
    if (wanted && !running) {
      running = new AbortController();
      void start(running.signal);
    } else if (!wanted && running) {
      running.abort();
      running = null;
      root.dataset.state = 'paused';
      for (const technique of TECHNIQUES) field(technique, 'lag').textContent = s['tile.paused'];
    }
    if (status) status.textContent = pausedByReader ? s['status.paused'] : '';
  }

  pauseButton?.addEventListener('click', () => {
    pausedByReader = !pausedByReader;
    pauseButton.textContent = pausedByReader ? s.resume : s.pause;
    sync();
  });
  document.addEventListener('visibilitychange', sync);
  new IntersectionObserver((entries) => {
    inView = entries.some((entry) => entry.isIntersecting);
    sync();
  }).observe(root);
}

for (const root of document.querySelectorAll<HTMLElement>('[data-rl-hero]')) startHero(root);
