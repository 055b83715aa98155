/**
 * The instructor's token: a secret printed once at start (in the instructor link's fragment,
 * which browsers never send to a server nor put in a Referer), then sent by the instructor page
 * as `Authorization: Bearer <token>` on every instructor API request.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors.ts';

/** Random bytes in a new token: 192 bits, 32 characters of base64url. */
export const WORKSHOP_TOKEN_BYTES = 24;

/** A new random token, for a start without WORKSHOP_TOKEN. */
export function newWorkshopToken(): string {
  return crypto.randomBytes(WORKSHOP_TOKEN_BYTES).toString('base64url');
}

/**
 * Whether `presented` is the token, in time that does not depend on where they differ:
 * timingSafeEqual needs equal lengths, so both are hashed first (SHA-256, 32 bytes each), which
 * also hides the token's length.
 */
export function tokenMatches(token: string, presented: string): boolean {
  const expected = crypto.createHash('sha256').update(token).digest();
  const given = crypto.createHash('sha256').update(presented).digest();
  return crypto.timingSafeEqual(expected, given);
}

/** Throws a 403 unless the request carries `Authorization: Bearer <token>`. The message never repeats what was sent. */
export function checkInstructor(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization ?? '';
  // [spec] RFC 6750, 2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 9110, 11.1).
  const match = /^Bearer +(\S+)$/i.exec(header);
  if (!match || !tokenMatches(token, match[1] as string)) {
    throw new ApiError(
      403,
      'INSTRUCTOR_TOKEN_REQUIRED',
      `the instructor API needs the workshop token as "Authorization: Bearer <token>"; ${header === '' ? 'the request sent none' : 'the request sent a different one'}. Open the instructor link the server printed at start`,
    );
  }
}
