/**
 * The attendee's part of workshop mode, loaded on every page only when the server says the
 * workshop is on (loader.ts): it asks once for a name, holds the control stream that counts as
 * presence, and runs the self-test once, reporting it to the server.
 */
import type { SelfTest } from '../../server/workshop/presence.ts';
import { ControlChannel, readTransport, type ControlTransport } from './control-channel.ts';
import { installFeatures } from './features.ts';
import { panelStrings, TECHNIQUES } from './panel-strings.ts';

/** Where the browser keeps the attendee's id and name (localStorage): no account, nothing else. */
export const ATTENDEE_STORAGE_KEY = 'realtime-lab:workshop-attendee';
const DISMISSED_KEY = 'realtime-lab:workshop-not-now';
/** Wait before joining again after the server forgot this attendee (a restart). */
const REJOIN_DELAY_MS = 2000;

interface Stored {
  id: string;
  name: string;
}

const t = panelStrings();

/** Says on <html data-rl-workshop-state> where the attendee's part is (loader.ts sets `off`). */
function setState(state: 'asking' | 'dismissed' | 'joined'): void {
  document.documentElement.dataset['rlWorkshopState'] = state;
}

function readStored(): Stored | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(ATTENDEE_STORAGE_KEY) ?? 'null') as Partial<Stored> | null;
    return typeof value?.id === 'string' && typeof value.name === 'string' ? { id: value.id, name: value.name } : undefined;
  } catch {
    return undefined;
  }
}

/** 128 random bits, URL-safe. crypto.getRandomValues works on plain http, where randomUUID does not. */
function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const STYLE = `
.rl-workshop{position:fixed;inset-block-end:.75rem;inset-inline-end:.75rem;z-index:100;max-inline-size:min(22rem,calc(100vw - 1.5rem));
background:var(--sl-color-bg-nav,#fff);color:var(--sl-color-white,#000);border:1px solid var(--sl-color-gray-5,#888);border-radius:.5rem;
padding:.6rem .75rem;font-size:var(--sl-text-sm,.875rem);box-shadow:0 2px 8px rgb(0 0 0/.25)}
.rl-workshop form{display:flex;flex-wrap:wrap;gap:.4rem;align-items:end}
.rl-workshop label{display:flex;flex-direction:column;gap:.2rem;flex:1 1 12rem}
.rl-workshop input,.rl-workshop select{font:inherit;padding:.3rem .4rem;border:1px solid var(--sl-color-gray-4,#666);border-radius:.25rem;background:var(--sl-color-black,#fff);color:inherit}
.rl-workshop button{font:inherit;padding:.3rem .6rem;border-radius:.25rem;border:1px solid var(--sl-color-accent,#36c);background:transparent;color:inherit;cursor:pointer}
.rl-workshop button[type=submit]{background:var(--sl-color-accent,#36c);color:var(--sl-color-black,#fff)}
.rl-workshop p{margin:0}`;

/** The small panel in the page's corner: the name form, then who you are and the self-test. */
class Panel {
  readonly root = document.createElement('section');
  readonly #status = document.createElement('p');
  readonly #detail = document.createElement('p');
  /** The control channel's transport picker, once joined (control-channel.ts). */
  #transport: HTMLElement | undefined;
  /** What features added to the panel (AttendeeSession.addToPanel), kept below the name. */
  readonly extras: HTMLElement[] = [];

  constructor() {
    const style = document.createElement('style');
    style.textContent = STYLE;
    document.head.append(style);
    this.root.className = 'rl-workshop not-content';
    this.root.setAttribute('aria-label', t.joinTitle);
    this.root.dataset['rlWorkshop'] = '';
    this.#status.setAttribute('role', 'status');
    this.#detail.dataset['selfTest'] = '';
    document.body.append(this.root);
  }

  /** Shows the name form; resolves with the name given, or undefined for "not now". */
  askName(maxChars: number, current = ''): Promise<string | undefined> {
    const form = document.createElement('form');
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.name = 'name';
    input.required = true;
    input.maxLength = maxChars;
    input.autocomplete = 'name';
    input.value = current;
    label.append(t.joinLabel, input);
    const join = document.createElement('button');
    join.type = 'submit';
    join.textContent = t.joinButton;
    const later = document.createElement('button');
    later.type = 'button';
    later.textContent = t.joinLater;
    form.append(label, join, later);
    this.root.replaceChildren(form);
    return new Promise((resolve) => {
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const name = input.value.trim();
        if (name) resolve(name);
      });
      later.addEventListener('click', () => {
        this.root.remove();
        resolve(undefined);
      });
    });
  }

  showJoined(name: string, rename: () => void): void {
    // textContent only: a name is plain text wherever it is shown.
    this.#status.textContent = t.joined(name);
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = t.rename;
    button.addEventListener('click', rename);
    this.root.replaceChildren(this.#status, this.#detail, ...(this.#transport ? [this.#transport] : []), button, ...this.extras);
  }

  /** Shows which transport the control channel uses, and lets the attendee pick the other. */
  showTransport(current: ControlTransport, change: (transport: ControlTransport) => void): void {
    const label = document.createElement('label');
    const select = document.createElement('select');
    select.name = 'transport';
    for (const value of ['sse', 'ws'] as const) select.add(new Option(t.transports[value], value, false, value === current));
    select.addEventListener('change', () => change(select.value === 'ws' ? 'ws' : 'sse'));
    label.append(t.transportLabel, select);
    this.#transport = label;
    this.#status.after(this.#detail, label);
  }

  showSelfTest(selfTest: SelfTest | 'running'): void {
    if (selfTest === 'running') {
      this.#detail.textContent = t.selfTestRunning;
      return;
    }
    const ok = TECHNIQUES.filter((technique) => selfTest[technique].ok);
    const failed = TECHNIQUES.filter((technique) => !selfTest[technique].ok).map((technique) => t.techniques[technique]);
    this.#detail.textContent = t.selfTestDone(ok.length, TECHNIQUES.length) + (failed.length ? ` (✗ ${failed.join(', ')})` : '');
  }

  showOffline(offline: boolean, name: string): void {
    this.#status.textContent = offline ? t.offline : t.joined(name);
  }
}

/**
 * What a feature of the attendee's part (features.ts) gets: who this attendee is, the control
 * stream's events, and a way to send up. Handlers stay across reconnects and rejoins.
 */
export interface AttendeeSession {
  readonly id: string;
  /** The name the attendee gave (it can change: Change name). */
  name(): string;
  /** Calls `handler` with the parsed `data` of every control event named `event`, on this page. */
  on(event: string, handler: (data: unknown) => void): void;
  /** Sends `body` as JSON to `/api/workshop/attendees/<id>/<path>`. */
  post(path: string, body: unknown): Promise<Response>;
  /** Adds a feature's control to the attendee's panel, below the name (it stays there after Change name). */
  addToPanel(node: HTMLElement): void;
}

async function putAttendee(stored: Stored): Promise<{ selfTest: SelfTest | null }> {
  const res = await fetch(`/api/workshop/attendees/${stored.id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: stored.name }) });
  const body = (await res.json()) as { attendee?: { selfTest: SelfTest | null }; error?: { message: string } };
  if (!res.ok || !body.attendee) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.attendee;
}

/** Starts the attendee's part on this page. */
export async function startAttendee(nameMaxChars: number): Promise<void> {
  const panel = new Panel();
  let stored = readStored();
  if (!stored) {
    // "Not now" holds for this tab's visit (sessionStorage): the next page does not ask again.
    if (sessionStorage.getItem(DISMISSED_KEY)) {
      panel.root.remove();
      setState('dismissed');
      return;
    }
    setState('asking');
    const name = await panel.askName(nameMaxChars);
    if (name === undefined) {
      sessionStorage.setItem(DISMISSED_KEY, '1');
      setState('dismissed');
      return;
    }
    stored = { id: newId(), name };
    localStorage.setItem(ATTENDEE_STORAGE_KEY, JSON.stringify(stored));
  }
  const me = stored;
  const rename = async () => {
    const name = await panel.askName(nameMaxChars, me.name);
    if (name === undefined) return;
    me.name = name;
    localStorage.setItem(ATTENDEE_STORAGE_KEY, JSON.stringify(me));
    await putAttendee(me);
    panel.showJoined(me.name, rename);
  };
  panel.showJoined(me.name, rename);
  setState('joined');

  // The control channel: SSE down and POST up, or a WebSocket, as the attendee chose (control-channel.ts).
  const channel: ControlChannel = new ControlChannel(me.id, readTransport(), {
    online: () => panel.showOffline(false, me.name),
    offline: () => panel.showOffline(true, me.name),
    lost: rejoin,
  });
  const session: AttendeeSession = {
    id: me.id,
    name: () => me.name,
    on: (event, handler) => channel.on(event, handler),
    post: (path, body) => channel.post(path, body),
    addToPanel(node) {
      panel.extras.push(node);
      panel.root.append(node);
    },
  };
  installFeatures(session);
  panel.showTransport(channel.transport, (transport) => channel.switchTo(transport));

  /** Joins again and reopens the channel after a pause, until the server answers. */
  function rejoin(): void {
    setTimeout(() => void connect().catch(rejoin), REJOIN_DELAY_MS);
  }

  let selfTested = false;
  async function connect(): Promise<void> {
    const attendee = await putAttendee(me);
    channel.open();
    if (attendee.selfTest) {
      panel.showSelfTest(attendee.selfTest);
      return;
    }
    if (selfTested) return;
    selfTested = true;
    panel.showSelfTest('running');
    // Loaded only when it runs: once per attendee, after joining (the page's JS budget counts what loads before).
    const { runSelfTest } = await import('./self-test.ts');
    const result = await runSelfTest();
    panel.showSelfTest(result);
    await fetch(`/api/workshop/attendees/${me.id}/self-test`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(result) });
  }
  await connect();
}
