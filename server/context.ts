/**
 * The server's context: what every transport and route is given. createContext builds it from
 * the settings and the channel log: the limits, the counters, the origin policy and the lab
 * engine (runs, their tap and faults).
 */
import os from 'node:os';
import type { Config } from './config.ts';
import { OriginPolicy } from './http.ts';
import { ConnectionGate, PublishRateLimiter } from './limits.ts';
import type { ChannelLog } from './log/types.ts';
import { RunEngine } from './runs/engine.ts';
import { Stats } from './stats.ts';

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
  /** Runs, their tap and their faults (runs/engine.ts). */
  readonly runs: RunEngine;
  /** The name /api/stats gives this instance. */
  readonly instanceName: string;
  /** True from the moment shutdown starts. */
  closing: boolean;
  /** A short id for a new connection, unique in this process. */
  nextConnectionId(): string;
}

export function createContext(config: Config, log: ChannelLog): ServerContext {
  /** Prefix of connection ids: short, and unique across instances and restarts. */
  const instance = Math.random().toString(36).slice(2, 8);
  let connections = 0;
  const nextConnectionId = () => `${instance}-${(++connections).toString(36)}`;
  const origins = new OriginPolicy(config.allowedOrigins);
  const ctx: ServerContext = {
    config,
    log,
    stats: new Stats(),
    origins,
    gate: new ConnectionGate(config.maxConnections, config.maxConnectionsPerAddress),
    rateLimiter: new PublishRateLimiter(config.publishRatePerS, config.publishBurst),
    byteRateLimiter: new PublishRateLimiter(config.publishBytesPerS, 2 * config.publishBytesPerS, { unit: 'bytes', rate: 'PUBLISH_BYTES_PER_S', burst: 'twice the rate' }),
    runs: new RunEngine({
      config,
      log,
      // Asked without a run, the policy refuses a sandbox frame (Origin: null), as the runs API must.
      allowsOrigin: (req) => origins.allows(req),
      nextConnectionId,
      closing: () => ctx.closing,
    }),
    instanceName: config.instanceName || `${os.hostname()}-${process.pid}`,
    closing: false,
    nextConnectionId,
  };
  return ctx;
}
