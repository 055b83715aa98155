/**
 * The instructor's token: a secret printed once at start, in the instructor link
 * (`/workshop/instructor/?token=...`). The server answers that link with a cookie that holds a
 * value derived from the token (never the token itself) and a redirect that takes the token out
 * of the address bar (instructor-page.ts). The instructor API accepts that cookie, or the token
 * as `Authorization: Bearer <token>` (for scripts and curl).
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors.ts';

/** Random bytes in a new token: 192 bits, 32 characters of base64url. */
export const WORKSHOP_TOKEN_BYTES = 24;
/** The instructor's cookie: HttpOnly, SameSite=Strict, Path=/; its value is `instructorSession(token)`. */
export const INSTRUCTOR_COOKIE = 'rl-instructor';

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

/**
 * The cookie's value: an HMAC of a fixed label keyed with the token. It proves the holder once
 * had the token, without being the token: a cookie read off a disk or a proxy log cannot be
 * pasted into `?token=` or `Authorization`, and it dies with the token (a new one each start).
 */
export function instructorSession(token: string): string {
  return crypto.createHmac('sha256', token).update('realtime-lab instructor session v1').digest('base64url');
}

/** The value of the cookie `name` in a Cookie header, or undefined. [spec] RFC 6265, 4.2.1: cookie-pair *( ";" SP cookie-pair ). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether the request carries the instructor's cookie with the right value (one constant-time comparison). */
export function hasInstructorCookie(req: IncomingMessage, token: string): boolean {
  const value = readCookie(req.headers.cookie, INSTRUCTOR_COOKIE);
  return value !== undefined && tokenMatches(instructorSession(token), value);
}

/**
 * Throws a 403 unless the request carries `Authorization: Bearer <token>` or the instructor's
 * cookie. One comparison per request, whichever it carries. The message never repeats what was sent.
 */
export function checkInstructor(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization ?? '';
  // [spec] RFC 6750, 2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 9110, 11.1).
  const match = /^Bearer +(\S+)$/i.exec(header);
  const allowed = header !== '' ? match !== null && tokenMatches(token, match[1] as string) : hasInstructorCookie(req, token);
  if (!allowed) {
    const sent = header !== '' ? 'the request sent a different one' : req.headers.cookie?.includes(`${INSTRUCTOR_COOKIE}=`) ? 'the request sent a cookie from another start of the server' : 'the request sent neither';
    throw new ApiError(
      403,
      'INSTRUCTOR_TOKEN_REQUIRED',
      `the instructor API needs the instructor's cookie (set by opening the instructor link the server printed at start) or "Authorization: Bearer <token>"; ${sent}`,
    );
  }
}
