/**
 * Server-Sent Events: one response the server keeps open and writes events to, one way,
 * server to client. The browser's EventSource parses it and reconnects by itself.
 *
 *   GET /api/sse/:channel            (Last-Event-ID header, or ?lastEventId= on a first connection)
 *
 * The stream starts with `retry:` and a `connected` event that tells the reader what the
 * server saw; then each message as `id:`, `event:` and `data:` lines; a comment line every
 * SSE_HEARTBEAT_MS keeps proxies from closing an idle stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { clientAddress } from '../http.ts';
import { gapNotice, type ReadResult, type StoredMessage } from '../log/types.ts';
import { REPLAY_PAGE_MESSAGES, Subscribers } from './subscribers.ts';

// #region heartbeat-comment
// [spec] Lines that start with a colon are comments; the blank line after it dispatches
// nothing, because the data buffer is empty. (WHATWG HTML, 9.2.6 Interpreting an event stream)
const HEARTBEAT = Buffer.from(': heartbeat\n\n');
// #endregion heartbeat-comment

// #region format-event
/** One message as an event. The envelope JSON has no line breaks, so one `data:` line carries it. */
export function formatEvent(message: StoredMessage): string {
  // [spec] "id": set the last event ID buffer; "event": set the event type buffer;
  // "data": append the value and a newline to the data buffer. A blank line dispatches.
  return `id: ${message.id}\nevent: ${message.type}\ndata: ${message.json}\n\n`;
}
// #endregion format-event

function formatGap(since: string, page: ReadResult): string {
  return `event: gap\ndata: ${JSON.stringify(gapNotice(since, page))}\n\n`;
}

export function createSseTransport(ctx: ServerContext) {
  const { config, log, stats, gate } = ctx;
  /** Open streams by channel, and the replays in progress (subscribers.ts). */
  const streams = new Subscribers<ServerResponse>(ctx, broadcast, (res) => res.destroy());

  // #region write
  /** Writes, or disconnects a subscriber whose unsent output has passed MAX_BUFFERED_BYTES. */
  function write(res: ServerResponse, chunk: Buffer | string, flushed?: (error?: Error | null) => void): boolean {
    // Already cut (and counted once, when it was cut), or ended on shutdown.
    if (res.destroyed || res.writableEnded) return false;
    if (res.writableLength > config.maxBufferedBytes) {
      stats.disconnected.slowConsumers += 1;
      ctx.runs.noteServerCut(res, 'slow-consumer');
      // It will reconnect with Last-Event-ID and recover what it missed from the history.
      res.destroy();
      return false;
    }
    res.write(chunk, flushed);
    return true;
  }
  // #endregion write

  // #region broadcast
  /** A new message: formatted once, the same bytes written to every stream on the channel. */
  function broadcast(channel: string, message: StoredMessage): void {
    const set = streams.get(channel);
    if (!set) return;
    const frame = Buffer.from(formatEvent(message));
    for (const res of set) {
      // A stream still replaying history gets it after the replay (held).
      if (!streams.held(res, message)) write(res, frame);
    }
  }
  // #endregion broadcast

  function detach(channel: string, res: ServerResponse): void {
    if (streams.remove(channel, res)) stats.open.sse -= 1;
  }

  async function handleSse(req: IncomingMessage, res: ServerResponse, channel: string, params: URLSearchParams): Promise<void> {
    stats.requests.sse += 1;
    // #region last-event-id
    // [spec] A reconnecting EventSource sends the last event ID it saw as `Last-Event-ID`.
    // A first connection cannot set headers, so it may pass `?lastEventId=` instead.
    const header = req.headers['last-event-id'];
    const lastEventId = (typeof header === 'string' && header !== '' ? header : params.get('lastEventId')) || null;
    if (lastEventId !== null) log.checkId(lastEventId, 'Last-Event-ID');
    // #endregion last-event-id

    const address = clientAddress(req);
    gate.open(address);
    try {
      streams.add(channel, res);
    } catch (error) {
      gate.release(address);
      throw error;
    }
    stats.open.sse += 1;
    // Live messages wait until the history before them is written.
    streams.hold(res);
    // #region on-close
    res.on('close', () => {
      detach(channel, res);
      gate.release(address);
    });
    // #endregion on-close

    let page: ReadResult | undefined;
    try {
      page = lastEventId === null ? undefined : await ctx.runs.readAfter(res, channel, lastEventId, REPLAY_PAGE_MESSAGES);
    } catch (error) {
      detach(channel, res);
      if (error instanceof ApiError && error.status === 503) {
        // The log is down for a moment (Redis restarting). A 503 would make the browser give
        // up for good, so open the stream and end it: it reconnects after `retry` with the
        // same Last-Event-ID, and the replay is read once the log is back.
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Content-Type-Options': 'nosniff' });
        res.end(`retry: ${config.sseRetryMs}\n: ${error.message}; reconnect to resume\n\n`);
        return;
      }
      throw error;
    }
    if (res.destroyed) return;

    // #region headers
    res.writeHead(200, {
      // [spec] The server must answer `Content-Type: text/event-stream`. no-cache: a cache must revalidate, never answer from a stored copy.
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      // Tells nginx not to buffer this response: events must leave as they are written.
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    // #endregion headers
    // #region replay
    // `replayed` counts the first page read: every message after Last-Event-ID, unless more than REPLAY_PAGE_MESSAGES follow it.
    const connected = { connectionId: ctx.runs.connectionId(res), lastEventId, replayed: page?.messages.length ?? 0 };
    write(res, `retry: ${config.sseRetryMs}\n\nevent: connected\ndata: ${JSON.stringify(connected)}\n\n`);
    // The history after Last-Event-ID, page by page, each event written as it goes; then the
    // live messages that arrived meanwhile, without any the replay already sent.
    await streams.replay(res, channel, lastEventId, page, {
      gap: (since, gapPage) => write(res, formatGap(since, gapPage)),
      message: (message, flushed) => write(res, formatEvent(message), flushed),
      // A later page could not be read (the log is down): the replay cuts the stream after
      // what it sent, and the browser reconnects with the last id it received. There is no
      // event to write: EventSource has no error frame of its own.
      error: () => {},
    });
    // #endregion replay
  }

  // #region heartbeat
  /** One timer for every stream: a comment keeps idle connections open through proxies. */
  function heartbeat(): void {
    for (const res of streams.all()) if (!streams.isReplaying(res)) write(res, HEARTBEAT);
  }
  // #endregion heartbeat

  /** Ends one stream: its client reconnects after `retry` with Last-Event-ID. */
  function end(res: ServerResponse): void {
    res.end();
  }

  /** On shutdown: end every stream. EventSource clients will reconnect on their own. */
  function close(): void {
    for (const res of [...streams.all()]) end(res);
  }

  return { handleSse, heartbeat, end, close };
}
