/**
 * Runs a snippet: a fresh `<iframe sandbox="allow-scripts">` per run, its console in the output
 * log, and what it did on the wire as a timeline with a lane per connection. Loaded on the
 * reader's first Run.
 *
 * Each Run is a run on the server too: the page asks `POST /api/runs` while the frame loads,
 * and hands the id to the frame with "go"; the frame adds `run=<id>` to the snippet's API URLs
 * (the server serves a sandbox frame, Origin null, only with a live run). The id stays on the
 * sandbox as `data-run-id` after Stop, so the run's tap can still be read; the next Run of the
 * same sandbox ends it (DELETE /api/runs/:run), and so does the page when it goes (pagehide).
 * A sandbox with `data-start-faults` has them set on the run before the snippet starts, and the
 * fault panel acts on the run while it is live.
 *
 * The wire view (wire-view.ts) shows both sides: the frame's reports, and the run's tap (one
 * subscription, run-tap.ts, which the fault panel reads too) put on the page's clock with the
 * offset measured on POST /api/runs. Each Run keeps what Save run writes (saved-run.ts).
 */
import { apiErrorValues, WireModel, type WaitingRequest, type WireMark } from './wire-model.ts';
import { faultPanel, putFaults, type FaultTarget } from './fault-panel.ts';
import { frameDocument } from '../frame/frame-document.ts';
import { part, t, type SandboxHost } from './host.ts';
import { inWorkshop } from './in-workshop.ts';
import type { FrameBatch, FrameItem, HostMessage, WireItem } from '../protocol.ts';
import { addStyle } from './add-style.ts';
import { el, seconds } from './dom.ts';
import runViewCss from './run-view.css?inline';
import { MAX_OPEN_TAPS, TapFeed } from './run-tap.ts';
import { MAX_SAVED_ITEMS, RUN_FORMAT, RUN_VERSION, type SavedFaults, type SavedLine, type SavedRun } from './saved-run.ts';
import { clockOffset, ServerModel } from './wire-server.ts';
import { WireView } from './wire-view.ts';

/** No message from the frame for this long (it sends one every 500 ms): the snippet is stuck. */
const STUCK_AFTER_MS = 3000;
const RENDER_EVERY_MS = 200;
const MAX_OUTPUT_LINES = 500;
/** Browsers open at most this many HTTP/1.1 connections to one host, and queue the rest. */
const CONNECTIONS_PER_HOST = 6;
/**
 * A request with no response head for this long, while six connections the page opened before
 * it are still open, is explained: it cannot have reached the server yet.
 */
const QUEUED_AFTER_MS = 2000;
/**
 * Otherwise other tabs may hold the six: a request (not a long poll, which the server holds by
 * design) waiting this long makes the frame send one probe (GET /api/health) through the same
 * connection pool. A probe with no answer after PROBE_TIMEOUT_MS means the pool is full; one
 * that answers clears the requests it was sent for, which are never probed again.
 */
const PROBE_AFTER_MS = 3000;
const PROBE_TIMEOUT_MS = 1500;
/** Failed requests make the page ask the server whether it still knows the run, at most this often. */
const RUN_CHECK_EVERY_MS = 5000;

// The styles of the nodes built below: they load with the runner, on the first Run.
addStyle(runViewCss);

function now(): number {
  return performance.timeOrigin + performance.now();
}

function randomToken(): string {
  // crypto.randomUUID needs a secure context; a workshop on http://192.168.x.x is not one.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * What `POST /api/runs` gave: a run id and the offset of the server's clock (wire-server.ts
 * clockOffset, from its `now` and the request's round trip), or why not (`code` undefined: no
 * answer from the server).
 */
type Issued = { run: string; offset: number } | { code?: string; message: string };

/** Asks the API server for a run. */
async function issueRun(apiBase: string): Promise<Issued> {
  let response: Response;
  const url = new URL('api/runs', apiBase);
  let sentAt = now();
  try {
    response = await fetch(url, { method: 'POST', cache: 'no-store' });
  } catch (error) {
    return { message: String(error) };
  }
  let receivedAt = now();
  try {
    const body = (await response.json()) as { run?: unknown; now?: unknown; error?: { code?: unknown; message?: unknown } };
    // The browser's own timing of the request is closer than the page's: the page may be busy
    // (loading the frame) when the request could go, or when its answer came. Cross-origin
    // without Timing-Allow-Origin, or with the timing buffer full, the page's times stand.
    const timing = performance.getEntriesByName(url.href, 'resource').at(-1) as PerformanceResourceTiming | undefined;
    if (timing && timing.requestStart > 0 && timing.responseStart >= timing.requestStart && performance.timeOrigin + timing.requestStart >= sentAt) {
      sentAt = performance.timeOrigin + timing.requestStart;
      receivedAt = performance.timeOrigin + timing.responseStart;
    }
    // A server without `now` (an older one): its clock is taken to be the browser's.
    if (response.ok && typeof body.run === 'string') return { run: body.run, offset: typeof body.now === 'number' ? clockOffset(sentAt, receivedAt, body.now) : 0 };
    if (typeof body.error?.code === 'string') return { code: body.error.code, message: String(body.error.message) };
  } catch {
    // not JSON: not the companion server answering
  }
  return { message: `HTTP ${response.status}` };
}

/** A server-issued run the page still holds, to end when it is replaced or the page goes. */
interface ServerRun {
  apiBase: string;
  id: string;
}

/** The latest run each sandbox holds on the server, Stopped or not. */
const serverRuns = new Map<SandboxHost, ServerRun>();

/** Ends a run on the server; fire and forget (a run the server no longer knows is fine). */
function endServerRun(run: ServerRun, keepalive = false): void {
  fetch(new URL(`api/runs/${run.id}`, run.apiBase), { method: 'DELETE', keepalive }).catch(() => {});
}

/** An API error in the reader's language, as the wire view says it. */
function translateApiError(host: SandboxHost, code: string, message: string): string {
  const text = t(host, `sandbox.wire.api.${code}`, { code, message, ...apiErrorValues(message) });
  return text === `sandbox.wire.api.${code}` || text.trim() === '' ? message : text;
}

/** What a run is doing, derived each time from what the frame and the wire model say. */
type RunState = 'running' | 'finished' | 'stopped';
/** Why a request waits for a connection: the page's own streams, or (found by a probe) elsewhere. */
type QueueReason = false | 'page' | 'elsewhere';

class Run {
  readonly host: SandboxHost;
  readonly token = randomToken();
  readonly frame: HTMLIFrameElement;
  readonly t0 = now();
  readonly wire: WireModel;
  #lastSeen = now();
  #pendingLines: { level: string; text: string; at: number; uncaught: boolean }[] = [];
  #lineCount = 0;
  #droppedLines = 0;
  /** The snippet's top level ended; `#timers` is its count of timers yet to fire, from the heartbeat. */
  #evaluated = false;
  #timers = 0;
  /** A heartbeat came after the last thing the frame reported: it had nothing more to say. */
  #quiet = false;
  #state: RunState = 'running';
  #stateText = '';
  #queued: QueueReason = false;
  /** The notice that explains the queue, shown again when a "not responding" notice ends. */
  #queueNotice = '';
  /** The notice this run last showed ('' for none): #showNotice writes only a change. */
  #notice = '';
  /** The waiting requests the notice is about: only they are marked as waiting for a connection. */
  #queuedMarks = new Set<WireMark>();
  #probe: { id: number; sent: number; marks: WireMark[] } | undefined;
  /** Requests a probe went past and came back from: the pool was not what held them. */
  #probed = new WeakSet<WireMark>();
  #wireDirty = true;
  #port: MessagePort | undefined;
  /** Runs only while the run is running: a finished run renders when the frame reports something. */
  #renderTimer: ReturnType<typeof setInterval> | undefined;
  #rechecked = false;
  readonly #view: WireView;
  /** The run's one tap subscription (the wire view's server side and the fault panel read it), once issued. */
  #tap: TapFeed | undefined;
  #server: ServerModel | undefined;
  /** For Save run: the frame's wire items, the output, and the faults set, newest MAX_SAVED_ITEMS. */
  readonly #savedItems: WireItem[] = [];
  readonly #savedLines: SavedLine[] = [];
  readonly #savedFaults: SavedFaults[] = [];
  #clockOffset = 0;
  /** The id the server issued for this run, once it has answered. */
  #serverRun: string | undefined;
  /** The reader was told the server no longer knows this run: told once. */
  #toldExpired = false;
  /** When the page last asked whether the server still knows the run (epoch ms). */
  #runCheckedAt = 0;

  constructor(host: SandboxHost) {
    const run = this;
    this.host = host;
    this.wire = new WireModel(this.t0, host.apiBase, (key, values) => t(host, `sandbox.wire.${key}`, values));
    const { root } = host;
    part(root, 'panels').hidden = false;
    part(root, 'output').replaceChildren();
    part(root, 'totals').textContent = '';
    this.#view = new WireView(host, {
      live: true,
      wire: this.wire,
      get server() {
        return run.#server;
      },
      queued: (mark) => this.#queuedMarks.has(mark),
      elapsed: () => now() - this.t0,
      save: () => this.#save(),
      tapWaiting: () => (this.#tap?.waiting ? MAX_OPEN_TAPS : undefined),
      tapDropped: () => this.#tap?.dropped ?? 0,
    });
    this.#showState();
    (root.querySelector('[data-action="stop"]') as HTMLButtonElement).disabled = false;
    host.notice('');

    this.frame = document.createElement('iframe');
    // allow-scripts only: an opaque origin, so no access to the page's DOM, cookies or storage;
    // no allow-top-navigation, no allow-popups, no allow-forms.
    this.frame.setAttribute('sandbox', 'allow-scripts');
    this.frame.className = 'rl-sb-frame';
    this.frame.title = t(host, 'sandbox.frame.title');
    this.frame.tabIndex = -1;
    this.frame.setAttribute('aria-hidden', 'true');
    this.frame.srcdoc = frameDocument({ token: this.token, code: host.code }, host.apiBase);
    root.append(this.frame);
    delete root.dataset.runId;
    this.#renderTimer = setInterval(() => this.#render(), RENDER_EVERY_MS);
    // Asked while the frame loads: the code runs once both the port and the id are here.
    void issueRun(host.apiBase).then((issued) => this.#issued(issued));
  }

  #issued(issued: Issued): void {
    const { host } = this;
    if ('run' in issued) {
      if (this.#state === 'stopped') {
        // Stopped (or run again) before the server answered: nothing will use this run.
        endServerRun({ apiBase: host.apiBase, id: issued.run });
        return;
      }
      this.#serverRun = issued.run;
      this.#lastSeen = now();
      serverRuns.set(host, { apiBase: host.apiBase, id: issued.run });
      host.root.dataset.runId = issued.run;
      this.#followTap(issued.run, issued.offset);
      void this.#startFaults(issued.run).then((inForce) => {
        if (this.#state === 'stopped') return;
        this.#lastSeen = now();
        faultPanel(host).attach(this.#faultTarget(issued.run), inForce);
        this.#go();
      });
      return;
    }
    if (this.#state === 'stopped') return;
    const text =
      issued.code === undefined
        ? t(host, inWorkshop() ? 'sandbox.run.unreachable.workshop' : 'sandbox.run.unreachable', { base: host.apiBase })
        : t(host, 'sandbox.run.refused', { code: issued.code, message: translateApiError(host, issued.code, issued.message) });
    this.#line('error', text, now() - this.t0);
    host.recheckServer();
    // The frame never got "go": the code did not run, and the run is over.
    const ended = runs.get(host) === this;
    if (ended) runs.delete(host);
    this.stop();
    if (ended) updateActiveRuns();
  }

  /** The lesson's faults (`data-start-faults`), set on the run before the snippet starts; answers those in force. */
  async #startFaults(id: string): Promise<Record<string, unknown>> {
    const json = this.host.root.dataset.startFaults;
    if (!json) return {};
    const answer = await putFaults(this.#faultTarget(id), JSON.parse(json) as Record<string, unknown>);
    if (answer.ok) return answer.body;
    this.#line('error', t(this.host, 'sandbox.faults.failed', { message: answer.message }), now() - this.t0);
    return {};
  }

  /** Follows the run's tap: the wire view's server side, on the browser's clock. */
  #followTap(id: string, offset: number): void {
    this.#clockOffset = offset;
    const server = new ServerModel(this.t0, offset, (key, values) => t(this.host, `sandbox.wire.${key}`, values));
    const tap = new TapFeed(this.host.apiBase, id);
    tap.subscribe((event) => {
      server.add(event);
      this.#wireDirty = true;
      // A finished run has no render timer: the server's last events are drawn as they come.
      if (!this.#renderTimer) this.#render();
    });
    tap.open();
    this.#server = server;
    this.#tap = tap;
  }

  /** The run as a file (saved-run.ts). */
  #save(): SavedRun {
    return {
      format: RUN_FORMAT,
      version: RUN_VERSION,
      title: part(this.host.root, 'title').textContent ?? '',
      code: this.host.code,
      faults: [...this.#savedFaults],
      startedAt: new Date(this.t0).toISOString(),
      t0: this.t0,
      clockOffsetMs: this.#clockOffset,
      browser: [...this.#savedItems],
      server: [...(this.#tap?.events ?? [])],
      output: [...this.#savedLines],
    };
  }

  #faultTarget(id: string): FaultTarget {
    const tap = this.#tap as TapFeed;
    return {
      apiBase: this.host.apiBase,
      run: id,
      tap,
      inForce: (faults) => {
        this.#savedFaults.push({ at: now() - this.t0, faults });
        if (this.#savedFaults.length > MAX_SAVED_ITEMS) this.#savedFaults.shift();
      },
      line: (level, text, at) => {
        if (this.#state === 'stopped') return;
        const since = Math.max(0, at - this.t0);
        this.#line(level, level === 'fault' ? t(this.host, 'sandbox.faults.took', { fault: text, seconds: seconds(since) }) : text, since);
        this.#flushOutput();
      },
    };
  }

  /** Takes the frame's port (once), listens on it, and tells the frame to run the code once the server has issued the run. */
  connect(port: MessagePort): void {
    if (this.#port) return;
    this.#port = port;
    port.onmessage = (event: MessageEvent<Partial<FrameBatch> | null>) => {
      const data = event.data;
      if (this.#port === port && data && data.token === this.token && Array.isArray(data.batch)) this.receive(data.batch);
    };
    this.#go();
  }

  #go(): void {
    if (this.#port && this.#serverRun !== undefined && this.#state !== 'stopped') this.#port.postMessage({ go: true, run: this.#serverRun } satisfies HostMessage);
  }

  /**
   * Asks the server whether it still knows this run, after a request failed in a way the frame
   * cannot read (an EventSource error, a WebSocket 1006, a network error): a run that ended on
   * the server (RUN_IDLE_MS, or ended from elsewhere) is said in the output, once.
   */
  #checkRun(): void {
    const id = this.#serverRun;
    if (id === undefined || this.#toldExpired || now() - this.#runCheckedAt < RUN_CHECK_EVERY_MS) return;
    this.#runCheckedAt = now();
    fetch(new URL(`api/runs/${id}/faults`, this.host.apiBase), { cache: 'no-store' })
      .then(async (response) => (response.status === 404 ? ((await response.json()) as { error?: { code?: string } }).error?.code : undefined))
      .then(
        (code) => {
          if (code === 'UNKNOWN_RUN') this.#tellExpired();
        },
        () => {},
      );
  }

  #tellExpired(): void {
    if (this.#toldExpired || this.#state === 'stopped') return;
    this.#toldExpired = true;
    this.#line('error', t(this.host, 'sandbox.run.expired'), now() - this.t0);
    this.#flushOutput();
  }

  receive(batch: FrameItem[]): void {
    this.#lastSeen = now();
    this.#showNotice();
    for (const item of batch) {
      const at = Math.max(0, item.t - this.t0);
      this.#quiet = item.k === 'alive';
      switch (item.k) {
        case 'alive':
          this.#timers = item.timers;
          break;
        case 'evaluated':
          this.#evaluated = true;
          break;
        case 'probe':
          if (this.#probe?.id === item.id) {
            for (const mark of this.#probe.marks) this.#probed.add(mark);
            this.#probe = undefined;
          }
          break;
        case 'log':
          this.#line(item.level, item.text, at);
          break;
        case 'error': {
          const where = item.at ? ` ${t(this.host, 'sandbox.output.at', item.at)}` : '';
          this.#line('error', `${t(this.host, 'sandbox.output.uncaught')} ${item.text}${where}`, at, true);
          break;
        }
        case 'rejection':
          this.#line('error', `${t(this.host, 'sandbox.output.unhandled')} ${item.text}`, at, true);
          break;
        case 'wire': {
          this.wire.add(item);
          this.#savedItems.push(item);
          if (this.#savedItems.length > MAX_SAVED_ITEMS) this.#savedItems.shift();
          this.#wireDirty = true;
          const unreadable = item.ev === 'fail' || (item.ev === 'close' && item.code === 1006) || (item.ev === 'error' && item.kind === 'sse');
          if (!this.#rechecked && unreadable) {
            this.#rechecked = true;
            this.host.recheckServer();
          }
          if (item.ev === 'api-error' && item.code === 'UNKNOWN_RUN') this.#tellExpired();
          else if (unreadable) this.#checkRun();
          break;
        }
      }
    }
    // A finished run has no timer of its own: what the frame reports is rendered as it comes.
    if (!this.#renderTimer && this.#state !== 'stopped') this.#render();
  }

  /** Whether the run still does something: not finished, not stopped. */
  get active(): boolean {
    return this.#state === 'running';
  }

  stop(): void {
    faultPanel(this.host).detach();
    clearInterval(this.#renderTimer);
    this.#renderTimer = undefined;
    this.#port?.close();
    this.#port = undefined;
    this.frame.remove();
    this.wire.stop(now());
    this.#tap?.closeSoon();
    this.#wireDirty = true;
    this.#state = 'stopped';
    this.#render();
    const { root } = this.host;
    // The "not responding" and "waiting for a connection" notices are about this run: they end with it.
    this.#queued = false;
    this.#showNotice();
    this.#showState();
    (root.querySelector('[data-action="stop"]') as HTMLButtonElement).disabled = true;
  }

  /**
   * Explains a request stuck behind the browser's connection limit: `starts` holds when each
   * HTTP connection that every run on the page holds to this run's server started (epoch ms).
   */
  explainQueue(starts: number[]): void {
    const streams = starts.length;
    const elapsed = now() - this.t0;
    const waitedFor = (ms: number) => this.wire.waiting.filter((request) => elapsed - request.at >= ms);
    // The pool serves requests in order: one is behind the limit only while six that started before it are open.
    const behindSix = (request: WaitingRequest) => starts.filter((start) => start < this.t0 + request.at).length >= CONNECTIONS_PER_HOST;
    const { host } = this;
    let queued: QueueReason = false;
    let stuck = waitedFor(QUEUED_AFTER_MS).filter(behindSix);
    if (stuck.length) queued = 'page';
    else {
      stuck = waitedFor(PROBE_AFTER_MS).filter((request) => !request.held && !this.#probed.has(request.mark));
      const probeUnanswered = stuck.length > 0 && this.#probe !== undefined && now() - this.#probe.sent > PROBE_TIMEOUT_MS;
      if (stuck.length && !this.#probe && this.#port) {
        this.#probe = { id: ++probes, sent: now(), marks: stuck.map((request) => request.mark) };
        this.#port.postMessage({ probe: this.#probe.id });
      }
      if (probeUnanswered && host.root.dataset.server !== 'offline') {
        queued = 'elsewhere';
        // Only those the stuck probe went with: a later request waits for its own probe.
        stuck = stuck.filter((request) => this.#probe?.marks.includes(request.mark));
      }
    }
    const marks = new Set(queued ? stuck.map((request) => request.mark) : []);
    if (marks.size !== this.#queuedMarks.size || [...marks].some((mark) => !this.#queuedMarks.has(mark))) this.#wireDirty = true;
    this.#queuedMarks = marks;
    if (queued) {
      const seconds = Math.floor((elapsed - Math.min(...stuck.map((request) => request.at))) / 1000);
      const key = queued === 'page' ? 'sandbox.wire.queued' : 'sandbox.wire.queued.elsewhere';
      this.#queueNotice = t(host, key, { seconds, count: streams, host: new URL(host.apiBase).host });
    }
    if (queued !== this.#queued) this.#wireDirty = true;
    this.#queued = queued;
    this.#showNotice();
  }

  /**
   * The snippet is not responding: no message from the frame for STUCK_AFTER_MS (it sends one
   * every 500 ms), counted from when the server issued the run (until then the frame has nothing
   * to run). Judged only while the run is running (a finished run renders only when the frame
   * reports) and the page is visible (a hidden page's timers are throttled).
   */
  get #stuck(): boolean {
    return this.#state === 'running' && this.#serverRun !== undefined && document.visibilityState === 'visible' && now() - this.#lastSeen > STUCK_AFTER_MS;
  }

  /**
   * The one place the run's notice and its `data-stuck` and `data-queued` marks are written, from
   * #stuck and #queued: "not responding" first, else why a request waits, else nothing. A notice
   * is written only when it changes, so one the reader caused (Copy, Share) stays until then.
   */
  #showNotice(): void {
    const { host } = this;
    const stuck = this.#stuck;
    const queued = this.#queued !== false;
    const notice = stuck ? t(host, 'sandbox.state.stuck') : queued ? this.#queueNotice : '';
    if (notice !== this.#notice) {
      this.#notice = notice;
      host.notice(notice);
    }
    for (const [name, on] of [['stuck', stuck], ['queued', queued]] as const) {
      if (on && host.root.dataset[name] !== 'true') host.root.dataset[name] = 'true';
      else if (!on && name in host.root.dataset) delete host.root.dataset[name];
    }
  }

  /** Finished: the top level ended, no timer is left, and nothing is open on the wire. */
  #deriveState(): RunState {
    if (this.#state === 'stopped') return 'stopped';
    return this.#evaluated && this.#quiet && this.#timers === 0 && !this.wire.live ? 'finished' : 'running';
  }

  #showState(): void {
    const { root } = this.host;
    const state = this.#state;
    const held = this.wire.held;
    const text = state === 'running' && held > 0 ? t(this.host, 'sandbox.state.holding', { count: held }) : t(this.host, `sandbox.state.${state}`);
    root.dataset.run = state;
    if (text !== this.#stateText) {
      this.#stateText = text;
      part(root, 'run-state').textContent = text;
    }
  }

  #line(level: string, text: string, at: number, uncaught = false): void {
    this.#pendingLines.push({ level, text, at, uncaught });
    this.#savedLines.push({ at, level, text });
    if (this.#savedLines.length > MAX_OUTPUT_LINES) this.#savedLines.shift();
  }

  #render(): void {
    // Output first: the last line the snippet printed shows before the "not responding" notice.
    this.#flushOutput();
    this.#showNotice();
    if (this.#wireDirty || this.wire.live) this.#renderWire();
    if (this.#state !== 'stopped') {
      const state = this.#deriveState();
      if (state !== this.#state) {
        this.#state = state;
        updateActiveRuns();
        // The tap follows a running run; a finished one's last server events come a moment later.
        if (state === 'running') this.#tap?.open();
        else this.#tap?.closeSoon();
      }
      this.#showState();
      if (state === 'running' && !this.#renderTimer) this.#renderTimer = setInterval(() => this.#render(), RENDER_EVERY_MS);
      else if (state !== 'running' && this.#renderTimer) {
        clearInterval(this.#renderTimer);
        this.#renderTimer = undefined;
      }
    }
  }

  /** Output is appended in batches: the log region announces politely, not per line. */
  #flushOutput(): void {
    if (!this.#pendingLines.length) return;
    const output = part(this.host.root, 'output');
    const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
    const fragment = document.createDocumentFragment();
    for (const line of this.#pendingLines.splice(0)) {
      const row = el('div', 'rl-sb-line');
      row.dataset.level = line.level;
      if (line.uncaught) row.dataset.uncaught = 'true';
      row.append(el('span', 'rl-sb-time', seconds(line.at)), el('span', 'rl-sb-msg', line.text));
      fragment.append(row);
      this.#lineCount += 1;
    }
    output.append(fragment);
    let dropped = output.querySelector<HTMLElement>('.rl-sb-dropped');
    while (this.#lineCount > MAX_OUTPUT_LINES) {
      const oldest = dropped ? dropped.nextElementSibling : output.firstElementChild;
      if (!oldest) break;
      oldest.remove();
      this.#lineCount -= 1;
      this.#droppedLines += 1;
    }
    if (this.#droppedLines > 0) {
      if (!dropped) {
        dropped = el('div', 'rl-sb-line rl-sb-dropped');
        output.prepend(dropped);
      }
      dropped.textContent = t(this.host, 'sandbox.output.dropped', { count: this.#droppedLines, max: MAX_OUTPUT_LINES });
    }
    if (atBottom) output.scrollTop = output.scrollHeight;
  }

  #renderWire(): void {
    this.#wireDirty = false;
    this.#view.render();
  }
}

const runs = new Map<SandboxHost, Run>();
let probes = 0;

let queueTimer: ReturnType<typeof setInterval> | undefined;

/** Once a second, every run learns when each HTTP connection the whole page holds to its server started. */
function explainQueues(): void {
  const starts = new Map<string, number[]>();
  for (const run of runs.values()) {
    const list = starts.get(run.host.apiBase) ?? [];
    for (const at of run.wire.streamStarts) list.push(run.t0 + at);
    starts.set(run.host.apiBase, list);
  }
  for (const run of runs.values()) run.explainQueue(starts.get(run.host.apiBase) ?? []);
}

/** How many runs on the page are active (running, not finished or stopped). */
function activeRuns(): number {
  let active = 0;
  for (const run of runs.values()) if (run.active) active += 1;
  return active;
}

/**
 * Follows the number of active runs: "Stop all" shows on every sandbox while two or more are
 * active, and the queue check ticks only while one is.
 */
function updateActiveRuns(): void {
  const active = activeRuns();
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-rl-sandbox] [data-action="stop-all"]')) button.hidden = active < 2;
  if (active > 0 && !queueTimer) queueTimer = setInterval(explainQueues, 1000);
  else if (active === 0 && queueTimer) {
    // One last pass clears the notice of a run that ended while it was explained.
    explainQueues();
    clearInterval(queueTimer);
    queueTimer = undefined;
  }
}

// One listener for every sandbox: the frame of a current run (event.source), with that run's
// token, hands over the MessagePort it reports on. Anything else is dropped.
window.addEventListener('message', (event: MessageEvent<Partial<FrameBatch> | null>) => {
  if (event.source === null) return;
  for (const run of runs.values()) {
    if (event.source !== run.frame.contentWindow) continue;
    const data = event.data;
    const port = event.ports[0];
    if (data && data.token === run.token && port) run.connect(port);
    return;
  }
});

/** Starts a fresh run of the host's current code, ending the previous one (on the server too). */
export function startRun(host: SandboxHost): void {
  const previous = serverRuns.get(host);
  if (previous) {
    serverRuns.delete(host);
    endServerRun(previous);
  }
  stopRun(host);
  runs.set(host, new Run(host));
  updateActiveRuns();
}

/** Ends the host's run: the frame goes, and every connection it opened with it. */
export function stopRun(host: SandboxHost): void {
  const run = runs.get(host);
  if (!run) return;
  runs.delete(host);
  run.stop();
  updateActiveRuns();
}

/** Stops every run on the page; returns how many were active. */
export function stopAll(): number {
  const active = activeRuns();
  for (const host of [...runs.keys()]) stopRun(host);
  return active;
}

// The page goes: its runs end on the server now rather than RUN_IDLE_MS later. keepalive lets
// the DELETE outlive the page. A page kept in the back/forward cache comes back with its runs
// stopped, as they are on the server.
window.addEventListener('pagehide', () => {
  for (const run of serverRuns.values()) endServerRun(run, true);
  serverRuns.clear();
  stopAll();
});
