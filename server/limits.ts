import { ApiError } from './errors.ts';

/**
 * Counts the open held connections (long polls, SSE streams, WebSockets) per client address
 * and in total, and refuses new ones past MAX_CONNECTIONS_PER_ADDRESS or MAX_CONNECTIONS.
 */
export class ConnectionGate {
  readonly #perAddress = new Map<string, number>();
  readonly #max: number;
  readonly #maxPerAddress: number;
  #total = 0;

  constructor(max: number, maxPerAddress: number) {
    this.#max = max;
    this.#maxPerAddress = maxPerAddress;
  }

  get total(): number {
    return this.#total;
  }

  /** Counts a new connection, or throws a 429 that says which limit was reached. */
  open(address: string): void {
    const count = this.#perAddress.get(address) ?? 0;
    if (this.#total >= this.#max) {
      throw new ApiError(429, 'TOO_MANY_CONNECTIONS', `the server has ${this.#total} open connections, the most allowed (MAX_CONNECTIONS); try again later`, { 'Retry-After': '5' });
    }
    if (count >= this.#maxPerAddress) {
      throw new ApiError(429, 'TOO_MANY_CONNECTIONS', `your address ${address} has ${count} open connections, the most allowed per address (MAX_CONNECTIONS_PER_ADDRESS); close some and try again`, { 'Retry-After': '5' });
    }
    this.#perAddress.set(address, count + 1);
    this.#total += 1;
  }

  /** Uncounts a connection that has closed. */
  release(address: string): void {
    const count = this.#perAddress.get(address);
    if (count === undefined) return;
    if (count <= 1) this.#perAddress.delete(address);
    else this.#perAddress.set(address, count - 1);
    this.#total -= 1;
  }
}

/** What a bucket counts, for its error message: the unit and the settings that bound it. */
interface BucketNames {
  unit: string;
  rate: string;
  burst: string;
}

/**
 * A token bucket per client address for publishing: PUBLISH_BURST messages at once, refilled
 * at PUBLISH_RATE_PER_S. The same class counts bytes (PUBLISH_BYTES_PER_S) with a cost per
 * publish. Buckets that are full again are swept, so idle addresses cost nothing.
 */
export class PublishRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #names: BucketNames;

  constructor(ratePerS: number, burst: number, names: BucketNames = { unit: 'messages', rate: 'PUBLISH_RATE_PER_S', burst: 'PUBLISH_BURST' }) {
    this.#ratePerMs = ratePerS / 1000;
    this.#burst = burst;
    this.#names = names;
  }

  /**
   * Throws a 429 with Retry-After when the address has fewer than `cost` tokens, spending
   * nothing: a publish checks every bucket before it takes from any (see `take`).
   */
  check(address: string, cost = 1, now = Date.now()): void {
    const tokens = this.#tokens(address, now);
    if (tokens < cost) {
      const retryAfterS = Math.max(1, Math.ceil((cost - tokens) / this.#ratePerMs / 1000));
      const { unit, rate, burst } = this.#names;
      throw new ApiError(429, 'RATE_LIMITED', `your address ${address} is publishing faster than ${this.#ratePerMs * 1000} ${unit} per second (${rate}, bursts of ${this.#burst}: ${burst}); retry after ${retryAfterS} s`, { 'Retry-After': String(retryAfterS) });
    }
  }

  /** Takes `cost` tokens, or throws a 429 with Retry-After (spending nothing) when the address has too few left. */
  take(address: string, cost = 1, now = Date.now()): void {
    this.check(address, cost, now);
    this.#buckets.set(address, { tokens: this.#tokens(address, now) - cost, at: now });
  }

  /** The tokens the address has at `now`: its bucket refilled since it was last used, or a full one. */
  #tokens(address: string, now: number): number {
    const bucket = this.#buckets.get(address);
    return bucket ? Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#ratePerMs) : this.#burst;
  }

  /** Forgets buckets that have refilled. */
  sweep(now = Date.now()): void {
    for (const [address, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#ratePerMs >= this.#burst) this.#buckets.delete(address);
    }
  }
}
