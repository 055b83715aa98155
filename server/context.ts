import type { Config } from './config.ts';
import type { OriginPolicy } from './http.ts';
import type { ConnectionGate, PublishRateLimiter } from './limits.ts';
import type { ChannelLog } from './log/types.ts';
import type { Stats } from './stats.ts';

/** What every transport is given: the log, the settings, and the shared limits and counters. */
export interface ServerContext {
  readonly config: Config;
  readonly log: ChannelLog;
  readonly origins: OriginPolicy;
  readonly gate: ConnectionGate;
  readonly rateLimiter: PublishRateLimiter;
  /** Bytes published per address (PUBLISH_BYTES_PER_S). */
  readonly byteRateLimiter: PublishRateLimiter;
  readonly stats: Stats;
  /** A short id for a new connection, unique in this process. */
  nextConnectionId(): string;
}
