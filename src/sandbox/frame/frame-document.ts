/**
 * The run frame's document: a `<base>` for the API, the instrumentation, then the snippet.
 * Relative URLs in the snippet (fetch, EventSource, WebSocket) resolve against the base.
 */
import { formatValue } from './format-value.ts';
import { runUrls } from './run-url.ts';
import { BROWSER_REQUEST_HEADERS_B, frameRuntime, HIDDEN_RESPONSE_HEADERS_B, SNIPPET_SOURCE_NAME, type FrameConfig } from './frame-runtime.ts';

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A function's source, made safe inside a <script> element. */
function source(fn: (...args: never[]) => unknown): string {
  return String(fn).replace(/<\/(script)/gi, '<\\/$1');
}

function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The srcdoc of a run frame. */
export function frameDocument(config: FrameConfig, apiBase: string): string {
  const sizes = { source: SNIPPET_SOURCE_NAME, browserRequestHeaders: BROWSER_REQUEST_HEADERS_B, hiddenResponseHeaders: HIDDEN_RESPONSE_HEADERS_B };
  return (
    `<!doctype html><html><head><meta charset="utf-8"><base href="${attribute(apiBase)}">` +
    `</head><body><script>(${source(frameRuntime)})(${scriptJson(config)}, ${source(formatValue)}, ${source(runUrls)}, ${scriptJson(sizes)});</script></body></html>`
  );
}
