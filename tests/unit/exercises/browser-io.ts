/**
 * A Check's SessionIo in a real browser page, as the page will give it: the tap read with the
 * browser's EventSource, and the code run in `<iframe sandbox="allow-scripts" srcdoc>` (an opaque
 * origin, as the sandboxes run it) whose fetch, EventSource and WebSocket add `run=` to the API's
 * URLs, with `CHANNEL` defined and console lines posted to the page. Used by
 * scripts/exercises-in-chromium.ts; the page's own runner is the sandbox's frame.
 */
import { EXERCISES } from '../../../src/exercises/catalog.ts';
import { runCheck, type SessionIo } from '../../../src/exercises/session.ts';

/** The frame's document: the instrumentation, then the code as a module (top-level await). */
function frameDocument(code: string, base: string, run: string, channel: string, frame: string): string {
  const setup = `
const RUN = ${JSON.stringify(run)}, BASE = ${JSON.stringify(base)}, FRAME = ${JSON.stringify(frame)};
const CHANNEL = ${JSON.stringify(channel)};
function addRun(text, ws) {
  const url = new URL(String(text), BASE + '/');
  if (ws) url.protocol = url.protocol.replace(/^http/, 'ws');
  if (url.pathname.startsWith('/api/') && !url.searchParams.has('run')) url.searchParams.append('run', RUN);
  return url.href;
}
const show = (v) => { if (typeof v === 'string') return v; if (v instanceof Error) return v.name + ': ' + v.message; try { return JSON.stringify(v); } catch { return String(v); } };
const post = (level, args) => parent.postMessage({ frame: FRAME, level, text: args.map(show).join(' ') }, '*');
for (const level of ['log', 'info', 'warn', 'error']) console[level] = (...args) => post(level, args);
const NativeEventSource = EventSource;
window.EventSource = class extends NativeEventSource { constructor(url, init) { super(addRun(url), init); } };
const NativeWebSocket = WebSocket;
window.WebSocket = class extends NativeWebSocket { constructor(url, protocols) { super(addRun(url, true), protocols); } };
const nativeFetch = fetch;
window.fetch = (input, init) => nativeFetch(addRun(input), init);
window.addEventListener('unhandledrejection', (event) => post('error', ['Uncaught (in promise)', event.reason]));
window.addEventListener('error', (event) => post('error', ['Uncaught', event.message]));
`;
  return `<!doctype html><script>${setup}</script><script type="module">${code.replace(/<\/script/gi, '<\\/script')}</script>`;
}

let frames = 0;

/** The browser's SessionIo against the page's own origin. */
export function browserIo(base: string): SessionIo {
  return {
    base,
    fetch: window.fetch.bind(window),
    openTap(url, onEvent, onOpen, onError) {
      const source = new EventSource(url);
      let opened = false;
      source.addEventListener('tap', (event) => onEvent(JSON.parse((event as MessageEvent<string>).data)));
      source.onopen = () => {
        opened = true;
        onOpen();
      };
      source.onerror = () => {
        if (opened) return;
        source.close();
        onError();
      };
      return { close: () => source.close() };
    },
    runCode(code, run, channel, log) {
      const id = `frame-${++frames}`;
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-scripts');
      const onMessage = (event: MessageEvent<{ frame?: string; level: 'log' | 'info' | 'warn' | 'error'; text: string }>) => {
        if (event.data?.frame === id) log({ level: event.data.level, text: event.data.text, at: Date.now() });
      };
      window.addEventListener('message', onMessage);
      frame.srcdoc = frameDocument(code, base, run, channel, id);
      document.body.append(frame);
      return {
        stop() {
          window.removeEventListener('message', onMessage);
          frame.remove();
        },
      };
    },
  };
}

/** What scripts/exercises-in-chromium.ts calls in the page: one Check, summed up. */
async function checkInBrowser(id: string, which: 'starter' | 'solution') {
  const exercise = EXERCISES.find((candidate) => candidate.id === id);
  if (exercise?.kind !== 'code') throw new Error(`${id} is not a code exercise`);
  const { report, evidence } = await runCheck(exercise, exercise[which], browserIo(location.origin));
  return {
    state: report.state,
    failed: report.results.filter((result) => result.state === 'failed').map((result) => `${result.id}: ${result.key} ${JSON.stringify(result.values)}`),
    output: evidence.output.map((line) => `${line.level} ${line.text}`),
  };
}

Object.assign(window, { checkInBrowser, exerciseIds: EXERCISES.filter((exercise) => exercise.kind === 'code').map((exercise) => exercise.id) });
