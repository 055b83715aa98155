/**
 * Run ids: issued by any instance of a deployment, accepted by every instance.
 *
 * An id is 12 random bytes (96 bits), the time it was issued (6 bytes, milliseconds) and an
 * HMAC-SHA256 of both under the deployment's secret (cut to 10 bytes), in base64url: 38
 * characters. Any instance that shares the secret can tell an id it issued from a forged one,
 * without asking the others; the issue time lets it refuse an old id it has never seen.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError, describeValue } from '../errors.ts';

/** What a run id looks like, in the error message and the checks. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

const RANDOM_BYTES = 12;
const TIME_BYTES = 6;
const MAC_BYTES = 10;
const ID_BYTES = RANDOM_BYTES + TIME_BYTES + MAC_BYTES;

export interface RunIdParts {
  id: string;
  /** Milliseconds since the epoch when the id was issued. */
  issuedAt: number;
}

/** Issues and verifies run ids under one secret. */
export class RunIds {
  readonly #secret: Buffer;
  readonly #idleMs: number;

  /** `secret`: at least 16 bytes shared by every instance of the deployment; `idleMs`: how long a run lives after its last traffic. */
  constructor(secret: Buffer, idleMs: number) {
    if (secret.length < 16) throw new Error('the run id secret must be at least 16 bytes');
    this.#secret = secret;
    this.#idleMs = idleMs;
  }

  /** A new run id, issued now. */
  issue(now = Date.now()): RunIdParts {
    const bytes = Buffer.alloc(ID_BYTES);
    randomBytes(RANDOM_BYTES).copy(bytes, 0);
    bytes.writeUIntBE(now, RANDOM_BYTES, TIME_BYTES);
    this.#mac(bytes).copy(bytes, RANDOM_BYTES + TIME_BYTES);
    return { id: bytes.toString('base64url'), issuedAt: now };
  }

  /**
   * The parts of a run id received from a client. Throws 400 INVALID_RUN for text that is not
   * a run id, and 404 UNKNOWN_RUN for one this deployment did not issue.
   */
  verify(text: string): RunIdParts {
    if (!RUN_ID_PATTERN.test(text)) {
      throw new ApiError(400, 'INVALID_RUN', `run must be a run id from POST /api/runs, 16 to 64 characters matching ${RUN_ID_PATTERN.source}; received ${describeValue(text)}`);
    }
    const bytes = Buffer.from(text, 'base64url');
    if (bytes.length !== ID_BYTES || bytes.toString('base64url') !== text) throw unknownRun(text, this.#idleMs);
    const mac = bytes.subarray(RANDOM_BYTES + TIME_BYTES);
    // Constant time: a forger learns nothing from how long the comparison took.
    if (!timingSafeEqual(mac, this.#mac(bytes))) throw unknownRun(text, this.#idleMs);
    return { id: text, issuedAt: bytes.readUIntBE(RANDOM_BYTES, TIME_BYTES) };
  }

  #mac(bytes: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(bytes.subarray(0, RANDOM_BYTES + TIME_BYTES)).digest().subarray(0, MAC_BYTES);
  }
}

/** The 404 for a run id that was never issued, or whose run has ended. */
export function unknownRun(id: string, idleMs: number): ApiError {
  return new ApiError(404, 'UNKNOWN_RUN', `run ${describeValue(id)} is unknown or has ended (a run ends ${Math.round(idleMs / 1000)} s after its last traffic, RUN_IDLE_MS); ask POST /api/runs for a new one`);
}
