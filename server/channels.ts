/**
 * Channels the course itself relies on: the server's `clock`, and the channels the lessons'
 * snippets use (`grep -rhoE "/api/(poll|long-poll|sse|ws|channels)/[a-z0-9_-]+" content/docs`).
 * They are never counted against MAX_CHANNELS, so a full channel table cannot lock a reader
 * out of a lesson. Add a name here when a lesson starts using a new channel.
 */
export const BUILT_IN_CHANNELS: ReadonlySet<string> = new Set(['clock', 'chat', 'quiet-room']);
