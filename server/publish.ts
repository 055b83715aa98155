import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { ApiError, describeValue } from './errors.ts';
import type { ServerContext } from './context.ts';
import { checkChannel, checkJsonContentType, clientAddress, READ_ONLY_CHANNELS, sendJson } from './http.ts';
import type { StoredMessage } from './log/types.ts';

/** Message types: what an SSE `event:` field can carry, without line breaks. */
export const TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/**
 * Types the transports use for themselves. On an EventSource, an event named `error` or `open`
 * would fire the stream's own error and open handlers, so publishers may not use them.
 */
export const RESERVED_TYPES: ReadonlySet<string> = new Set(['connected', 'gap', 'error', 'open']);

/** Checks a publish from any transport and appends it to the log. */
export async function publishMessage(ctx: ServerContext, channel: string, type: unknown, data: unknown, address: string): Promise<StoredMessage> {
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
  ctx.rateLimiter.take(address);
  const message = await ctx.log.append(channel, messageType, data);
  ctx.stats.messages.published += 1;
  return message;
}

/** Maps the JSON body parser's errors to the API's error shape. */
function bodyError(error: unknown, maxBodyBytes: number): ApiError {
  const { type, length, message } = error as { type?: string; length?: number; message?: string };
  switch (type) {
    case 'entity.too.large':
      return new ApiError(413, 'BODY_TOO_LARGE', `the request body is ${length ?? 'more than'} bytes; the most allowed is ${maxBodyBytes} (MAX_BODY_BYTES)`);
    case 'entity.parse.failed':
      return new ApiError(400, 'INVALID_JSON', `the request body is not valid JSON (${message ?? 'parse error'}); send an object such as {"type": "message", "data": {"text": "hello"}}`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new ApiError(415, 'UNSUPPORTED_ENCODING', `${message ?? 'unsupported encoding'}; send UTF-8 JSON`);
    default:
      return error instanceof ApiError ? error : new ApiError(400, 'INVALID_BODY', message ?? 'the request body could not be read');
  }
}

/** `POST /api/channels/:channel/messages`: publishes `{ type?, data }` and answers 201 `{ message }`. */
export function createPublishHandler(ctx: ServerContext) {
  const parseJson = express.json({ limit: ctx.config.maxBodyBytes, strict: false, type: () => true });
  return async function handlePublish(req: IncomingMessage, res: ServerResponse, channelParam: string): Promise<void> {
    ctx.stats.requests.publish += 1;
    const channel = checkChannel(channelParam);
    if (!ctx.origins.allows(req)) {
      throw new ApiError(403, 'ORIGIN_NOT_ALLOWED', `origin ${describeValue(req.headers.origin)} may not publish; allowed are the server's own origin and ALLOWED_ORIGINS`);
    }
    checkJsonContentType(req.headers['content-type']);
    const declared = Number(req.headers['content-length']);
    if (declared > ctx.config.maxBodyBytes) {
      // Refuse before reading: no need to take in a body we will not use.
      res.setHeader('Connection', 'close');
      throw new ApiError(413, 'BODY_TOO_LARGE', `the request body is ${declared} bytes; the most allowed is ${ctx.config.maxBodyBytes} (MAX_BODY_BYTES)`);
    }
    const body = await new Promise<unknown>((resolve, reject) => {
      parseJson(req as express.Request, res as express.Response, (error?: unknown) => {
        if (error) reject(bodyError(error, ctx.config.maxBodyBytes));
        else resolve((req as express.Request).body);
      });
    });
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError(400, 'INVALID_BODY', `the body must be a JSON object such as {"type": "message", "data": {"text": "hello"}}; received ${describeValue(body)}`);
    }
    const { type, data } = body as { type?: unknown; data?: unknown };
    const message = await publishMessage(ctx, channel, type, data, clientAddress(req));
    sendJson(res, 201, `{"message":${message.json}}`, { 'Cache-Control': 'no-store' });
  };
}
