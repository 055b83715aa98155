/**
 * Short polling: the client asks again at an interval whether there is anything new.
 *
 *   GET /api/poll/:channel?since=ID&limit=N
 *
 * Without `since`, the newest messages; with `since`, the ones after it, oldest first. The
 * answer's `cursor` is what to pass as `since` next time. Most polls find nothing new, so that
 * answer is made cheap: an ETag, and 304 Not Modified when the client already has it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context.ts';
import { integerParam, sendJson } from '../http.ts';
import type { ReadResult } from '../log/types.ts';

// #region format-page
/** The body shared by poll and long-poll answers: `{ messages, cursor, more?, gap? }`. */
export function formatPage(page: ReadResult): string {
  let body = '{"messages":[';
  for (let i = 0; i < page.messages.length; i++) {
    if (i > 0) body += ',';
    body += page.messages[i]?.json;
  }
  body += `],"cursor":${JSON.stringify(page.cursor)}`;
  if (page.more) body += ',"more":true';
  if (page.gap) body += ',"gap":true';
  return `${body}}`;
}
// #endregion format-page

/** Whether an If-None-Match header names this ETag: exactly (the common case), in a list, or weakly. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === etag || header === '*') return true;
  // [spec] RFC 9110, 13.1.2: If-None-Match uses the weak comparison, over a comma-separated list.
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export function createPollingTransport(ctx: ServerContext) {
  const { config, log, stats } = ctx;

  // #region handle-poll
  return function handlePoll(req: IncomingMessage, res: ServerResponse, channel: string, params: URLSearchParams): Promise<void> | undefined {
    stats.requests.poll += 1;
    const limit = integerParam(params, 'limit', config.pollDefaultLimit, 1, config.pollMaxLimit, 'POLL_MAX_LIMIT');
    const since = params.get('since');
    if (since !== null) log.checkId(since, 'since');

    // The answer depends only on the channel's newest id and the query, so the ETag is
    // known before reading anything: a client that is up to date costs one comparison,
    // answered synchronously, with no promise and no read.
    const etag = `"${log.headId(channel)}.${limit}.${since ?? ''}"`;
    // A 304 needs a head the log vouches for: with Redis, a channel this instance does not
    // watch is read instead. no-cache: the browser may keep the answer, but must revalidate
    // it on every poll.
    if (matchesEtag(req.headers['if-none-match'], etag) && log.headIsCurrent?.(channel) !== false) {
      res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' }).end();
      return undefined;
    }
    return sendPage(res, channel, since, limit, etag);
  };
  // #endregion handle-poll

  async function sendPage(res: ServerResponse, channel: string, since: string | null, limit: number, etag: string): Promise<void> {
    const page = since === null ? await log.readLatest(channel, limit) : await ctx.runs.readAfter(res, channel, since, limit);
    sendJson(res, 200, formatPage(page), { ETag: etag, 'Cache-Control': 'no-cache' });
  }
}
