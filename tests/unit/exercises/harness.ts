/**
 * Runs the exercises' code in Node as the sandbox frame runs it in the page: with browser-like
 * globals (fetch, the `eventsource` package's EventSource, Node's WebSocket, console, timers)
 * whose API URLs are made absolute and carry `run=<id>`, as the frame's runUrls does
 * (src/lib/run-url.ts), and `CHANNEL` defined. The Check itself is src/exercises/session.ts,
 * the same one the page runs.
 */
import { EventSource } from 'eventsource';
import type { TapEvent } from '../../../server/runs/tap.ts';
import type { CodeExercise } from '../../../src/exercises/catalog.ts';
import type { CheckReport, Evidence, OutputLine } from '../../../src/exercises/checks.ts';
import { runCheck, type SessionIo } from '../../../src/exercises/session.ts';

/** `url` made absolute against `base`, with `run=` added when it is the API's (as the frame does). */
export function addRun(url: string, base: string, run: string, scheme: 'http' | 'ws'): string {
  const absolute = new URL(url, base);
  if (scheme === 'ws') absolute.protocol = absolute.protocol.replace(/^http/, 'ws');
  const api = new URL(base);
  if (absolute.hostname !== api.hostname || absolute.port !== api.port || !absolute.pathname.startsWith('/api/') || absolute.searchParams.has('run')) return absolute.href;
  absolute.search = `${absolute.search ? `${absolute.search}&` : '?'}run=${encodeURIComponent(run)}`;
  return absolute.href;
}

/** How a logged value reads: as the browser's console shows it, near enough for one line. */
function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

type AsyncFunctionConstructor = new (...args: string[]) => (...args: unknown[]) => Promise<void>;
const AsyncFunction = (async () => {}).constructor as AsyncFunctionConstructor;

/** The runtime half of a SessionIo: runs code with browser-like globals, and reads a tap. */
export function nodeRuntime(base: string): Pick<SessionIo, 'openTap' | 'runCode'> {
  return {
    openTap(url, onEvent, onOpen, onError) {
      const source = new EventSource(url);
      let opened = false;
      source.addEventListener('tap', (event) => onEvent(JSON.parse(event.data) as TapEvent));
      source.onopen = () => {
        opened = true;
        onOpen();
      };
      source.onerror = () => {
        if (opened) return; // a reconnecting tap resumes by Last-Event-ID on its own
        source.close();
        onError();
      };
      return { close: () => source.close() };
    },

    runCode(code, run, channel, log) {
      let stopped = false;
      const timers = new Set<ReturnType<typeof setTimeout>>();
      const intervals = new Set<ReturnType<typeof setInterval>>();
      const sources = new Set<EventSource>();
      const sockets = new Set<WebSocket>();
      const write = (level: OutputLine['level']) => (...args: unknown[]) => {
        if (!stopped) log({ level, text: args.map(show).join(' '), at: Date.now() });
      };
      const sandboxConsole = { log: write('log'), info: write('info'), debug: write('log'), warn: write('warn'), error: write('error') };

      // After stop, the code's awaits never settle and its timers never fire: it simply stops.
      const sandboxFetch = (input: string | URL, init: RequestInit = {}): Promise<Response> => {
        if (stopped) return new Promise(() => {});
        return fetch(addRun(String(input), base, run, 'http'), init);
      };
      class SandboxEventSource extends EventSource {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(addRun(String(url), base, run, 'http'), init);
          sources.add(this);
        }
      }
      class SandboxWebSocket extends WebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(addRun(String(url), base, run, 'ws'), protocols);
          sockets.add(this);
        }
      }
      const sandboxSetTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
        if (stopped) return undefined;
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!stopped) callback(...args);
        }, ms);
        timers.add(timer);
        return timer;
      };
      const sandboxSetInterval = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
        if (stopped) return undefined;
        const timer = setInterval(() => {
          if (!stopped) callback(...args);
        }, ms);
        intervals.add(timer);
        return timer;
      };

      const program = new AsyncFunction('fetch', 'EventSource', 'WebSocket', 'console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'CHANNEL', code);
      program(sandboxFetch, SandboxEventSource, SandboxWebSocket, sandboxConsole, sandboxSetTimeout, sandboxSetInterval, clearTimeout, clearInterval, channel).catch((error: unknown) => {
        // What the frame shows for an uncaught error: the code stopped there.
        sandboxConsole.error(`Uncaught ${show(error)}`);
      });

      return {
        stop() {
          stopped = true;
          for (const timer of timers) clearTimeout(timer);
          for (const timer of intervals) clearInterval(timer);
          for (const source of sources) source.close();
          for (const socket of sockets) if (socket.readyState < WebSocket.CLOSING) socket.close();
          // A request still in flight is left to finish (or to the server's close): aborting it
          // would throw into code that no longer runs, as unhandled rejections.
        },
      };
    },
  };
}

/**
 * One Check of an exercise's starter or solution against the server at `base`. The Check's own
 * requests (runs, faults, publishes, the tap) go to the same server by another name, so that
 * Node's fetch keeps them on other sockets than the code's, as a browser keeps a sandbox
 * frame's apart from its page's: a fault that cuts the code's socket never cuts the Check's.
 */
export function checkExercise(exercise: CodeExercise, which: 'starter' | 'solution', base: string): Promise<{ evidence: Evidence; report: CheckReport }> {
  const checkBase = new URL(base);
  checkBase.hostname = 'localhost';
  return runCheck(exercise, exercise[which], { base: checkBase.origin, fetch, ...nodeRuntime(base) });
}

/** The server settings a harness needs: every exercise publishes from 127.0.0.1 at once. */
export const HARNESS_CONFIG = { publishRatePerS: 1000, publishBurst: 1000, publishBytesPerS: 1_000_000 } as const;
