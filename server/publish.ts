import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { ApiError, describeValue } from './errors.ts';
import type { ServerContext } from './context.ts';
import { checkChannel, checkJsonContentType, clientAddress, decodeUtf8, READ_ONLY_CHANNELS, sendJson } from './http.ts';
import type { StoredMessage } from './log/types.ts';

/** Message types: what an SSE `event:` field can carry, without line breaks. */
export const TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/**
 * Types the transports use for themselves. On an EventSource, an event named `error` or `open`
 * would fire the stream's own error and open handlers, so publishers may not use them.
 */
export const RESERVED_TYPES: ReadonlySet<string> = new Set(['connected', 'gap', 'error', 'open']);

/**
 * Whether JSON text nests objects and arrays deeper than `max`, read before parsing: deep
 * nesting makes JSON.parse and JSON.stringify throw RangeError, so it must never reach them.
 * One pass over the characters, skipping strings; it stops as soon as the depth passes `max`.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, over escaped characters.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * The 413 for a publish over MAX_MESSAGE_BYTES, in one sentence for every transport. The code
 * says where it came: BODY_TOO_LARGE for an HTTP body, MESSAGE_TOO_LARGE for a WebSocket frame
 * (both documented). `bytes` is undefined when the body was cut off before its end.
 */
export function messageTooLarge(code: 'BODY_TOO_LARGE' | 'MESSAGE_TOO_LARGE', what: string, bytes: number | undefined, max: number): ApiError {
  return new ApiError(413, code, `the ${what} is ${bytes ?? `more than ${max}`} bytes; the most allowed is ${max} (MAX_MESSAGE_BYTES)`);
}

/** Parses a publish body or WebSocket frame, refusing deep nesting (MAX_JSON_DEPTH) before JSON.parse sees it. */
export function parseMessageText(ctx: ServerContext, text: string, what: 'request body' | 'frame'): unknown {
  if (nestsDeeperThan(text, ctx.config.maxJsonDepth)) {
    throw new ApiError(400, 'JSON_TOO_DEEP', `the ${what} nests objects and arrays more than ${ctx.config.maxJsonDepth} levels deep (MAX_JSON_DEPTH, counting the outer object); send flatter data`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const example = what === 'frame' ? '{"type":"publish","data":{"text":"hi"}}' : '{"type": "message", "data": {"text": "hello"}}';
    throw new ApiError(400, 'INVALID_JSON', `the ${what} is not valid JSON (${(error as Error).message}); send an object such as ${example}; received ${describeValue(text)}`);
  }
}

/**
 * Checks a publish from any transport and appends it to the log. `bytes` is the size of the
 * body or frame it came in, charged to the address's PUBLISH_BYTES_PER_S; each transport has
 * refused one over MAX_MESSAGE_BYTES before reading or parsing it. Everything is checked
 * before the log takes an id, so a refused publish leaves the channel as it was.
 */
export async function publishMessage(ctx: ServerContext, channel: string, type: unknown, data: unknown, address: string, bytes: number): Promise<StoredMessage> {
  if (READ_ONLY_CHANNELS.has(channel)) {
    throw new ApiError(403, 'CHANNEL_READ_ONLY', `channel "${channel}" is read-only: only the server publishes to it; publish to another channel, such as "chat"`);
  }
  const messageType = type ?? 'message';
  if (typeof messageType !== 'string' || !TYPE_PATTERN.test(messageType)) {
    throw new ApiError(400, 'INVALID_TYPE', `type must be 1 to 64 characters of letters, digits, "_", ".", ":" and "-", starting with a letter; received ${describeValue(messageType)}`);
  }
  if (RESERVED_TYPES.has(messageType)) {
    throw new ApiError(400, 'INVALID_TYPE', `type "${messageType}" is reserved for the server's own events (${[...RESERVED_TYPES].join(', ')}); choose another`);
  }
  if (data === undefined) {
    throw new ApiError(400, 'MISSING_DATA', 'the message needs a "data" field: any JSON value, such as {"text": "hello"}');
  }
  // Both buckets are checked before either is spent: a publish one refuses costs nothing in the other.
  const now = Date.now();
  ctx.rateLimiter.check(address, 1, now);
  ctx.byteRateLimiter.check(address, bytes, now);
  ctx.rateLimiter.take(address, 1, now);
  ctx.byteRateLimiter.take(address, bytes, now);
  const message = await ctx.log.append(channel, messageType, data);
  ctx.stats.messages.published += 1;
  return message;
}

/** Maps the body reader's errors to the API's error shape. */
function bodyError(error: unknown, maxMessageBytes: number): ApiError {
  const { type, length, message } = error as { type?: string; length?: number; message?: string };
  switch (type) {
    case 'entity.too.large':
      return messageTooLarge('BODY_TOO_LARGE', 'request body', length, maxMessageBytes);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new ApiError(415, 'UNSUPPORTED_ENCODING', `${message ?? 'unsupported encoding'}; send UTF-8 JSON`);
    default:
      return error instanceof ApiError ? error : new ApiError(400, 'INVALID_BODY', message ?? 'the request body could not be read');
  }
}

/** `POST /api/channels/:channel/messages`: publishes `{ type?, data }` and answers 201 `{ message }`. */
export function createPublishHandler(ctx: ServerContext) {
  // The body is read as bytes and decoded as UTF-8 here, never in another charset; its depth
  // is checked before it is parsed (parseMessageText).
  const readBody = express.raw({ limit: ctx.config.maxMessageBytes, type: () => true });
  return async function handlePublish(req: IncomingMessage, res: ServerResponse, channelParam: string): Promise<void> {
    ctx.stats.requests.publish += 1;
    const channel = checkChannel(channelParam);
    if (!ctx.origins.allows(req, ctx.runs.hasRun(req))) {
      throw ctx.origins.refusal(req, 'publishing');
    }
    checkJsonContentType(req.headers['content-type']);
    const declared = Number(req.headers['content-length']);
    if (declared > ctx.config.maxMessageBytes) {
      // Refuse before reading: no need to take in a body we will not use.
      res.setHeader('Connection', 'close');
      throw messageTooLarge('BODY_TOO_LARGE', 'request body', declared, ctx.config.maxMessageBytes);
    }
    const bytes = await new Promise<Uint8Array>((resolve, reject) => {
      readBody(req as express.Request, res as express.Response, (error?: unknown) => {
        if (error) reject(bodyError(error, ctx.config.maxMessageBytes));
        else resolve((req as express.Request).body instanceof Uint8Array ? (req as express.Request).body : new Uint8Array(0));
      });
    });
    ctx.runs.recordBody(req, bytes);
    const text = decodeUtf8(bytes, 'request body');
    const body = parseMessageText(ctx, text, 'request body');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError(400, 'INVALID_BODY', `the body must be a JSON object such as {"type": "message", "data": {"text": "hello"}}; received ${describeValue(body)}`);
    }
    const { type, data } = body as { type?: unknown; data?: unknown };
    const message = await publishMessage(ctx, channel, type, data, clientAddress(req), bytes.byteLength);
    sendJson(res, 201, `{"message":${message.json}}`, { 'Cache-Control': 'no-store' });
  };
}
