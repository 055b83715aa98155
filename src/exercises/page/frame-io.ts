/**
 * The page's SessionIo for a Check (src/exercises/session.ts): the reader's code runs in the
 * sandbox's own run frame (src/sandbox/frame/frame-document.ts: `<iframe sandbox="allow-scripts">`,
 * an opaque origin, `run=` added to the API's URLs), the tap is read with EventSource, and the
 * Check's own requests use the page's fetch. Loaded with src/exercises/page/exercise.ts, on first use.
 */
import { frameDocument } from '../../sandbox/frame/frame-document.ts';
import type { FrameBatch, FrameItem, HostMessage } from '../../sandbox/protocol.ts';
import type { TapEvent } from '../../../server/runs/tap.ts';
import type { OutputLine } from '../checks.ts';
import type { SessionIo } from '../session.ts';

function randomToken(): string {
  // crypto.randomUUID needs a secure context; a workshop on http://192.168.x.x is not one.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * `CHANNEL`, defined on the code's first line: the line numbers of the reader's code (in errors
 * and stacks) stay theirs.
 */
function withChannel(code: string, channel: string): string {
  return `const CHANNEL = ${JSON.stringify(channel)}; ${code}`;
}

/** A line the frame reported, as the Check's output reads it (errors as the sandbox says them). */
function outputLine(item: FrameItem, uncaught: string): OutputLine | undefined {
  if (item.k === 'log') return { level: item.level === 'debug' ? 'log' : item.level, text: item.text, at: item.t };
  if (item.k === 'error') return { level: 'error', text: `${uncaught} ${item.text}${item.at ? ` (${item.at.line}:${item.at.column})` : ''}`, at: item.t };
  if (item.k === 'rejection') return { level: 'error', text: `${uncaught} (in promise) ${item.text}`, at: item.t };
  return undefined;
}

/** The SessionIo of an exercise on the page: frames are added to `host` (hidden) and removed when the code stops. */
export function pageIo(apiBase: string, host: HTMLElement): SessionIo {
  const base = new URL(apiBase, location.href);
  return {
    base: base.origin,
    fetch: (input, init) => fetch(input, { cache: 'no-store', ...init }),
    openTap(url, onEvent, onOpen, onError) {
      const source = new EventSource(url);
      let opened = false;
      source.addEventListener('tap', (event) => onEvent(JSON.parse((event as MessageEvent<string>).data) as TapEvent));
      source.onopen = () => {
        opened = true;
        onOpen();
      };
      source.onerror = () => {
        // Once open, EventSource reconnects by itself and resumes by Last-Event-ID.
        if (opened) return;
        source.close();
        onError();
      };
      return { close: () => source.close() };
    },
    runCode(code, run, channel, log) {
      const token = randomToken();
      const frame = document.createElement('iframe');
      // allow-scripts only: an opaque origin, with no access to the page, its storage or cookies.
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.className = 'rl-ex-frame';
      frame.tabIndex = -1;
      frame.setAttribute('aria-hidden', 'true');
      frame.title = 'run';
      let port: MessagePort | undefined;
      const onMessage = (event: MessageEvent<Partial<FrameBatch> | null>) => {
        if (event.source !== frame.contentWindow || port || event.data?.token !== token || !event.ports[0]) return;
        port = event.ports[0];
        port.onmessage = (message: MessageEvent<Partial<FrameBatch> | null>) => {
          if (message.data?.token !== token || !Array.isArray(message.data.batch)) return;
          for (const item of message.data.batch) {
            const line = outputLine(item, 'Uncaught');
            if (line) log(line);
          }
        };
        port.postMessage({ go: true, run } satisfies HostMessage);
      };
      window.addEventListener('message', onMessage);
      frame.srcdoc = frameDocument({ token, code: withChannel(code, channel) }, `${base.origin}/`);
      host.append(frame);
      return {
        stop() {
          window.removeEventListener('message', onMessage);
          port?.close();
          // The frame goes, and every connection its code opened with it.
          frame.remove();
        },
      };
    },
  };
}
