/**
 * An attendee's part of "ping the room": answers each `ping { id }` at once with `pong { ping }`,
 * over the control channel's way up (a frame on the WebSocket, or a POST). The server measures
 * the round trip on its own clock.
 */
import type { AttendeeSession } from './attendee.ts';

export function installPingAnswer(session: AttendeeSession): void {
  session.on('ping', (data) => {
    const id = (data as { id?: unknown }).id;
    if (typeof id === 'number') void session.post('pong', { ping: id }).catch(() => {});
  });
}
