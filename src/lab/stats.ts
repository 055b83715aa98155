/**
 * The lab's arithmetic, with no DOM: what each receiver got against what the publisher had
 * acknowledged, latency percentiles, the tap's byte and request counts, and the table as CSV
 * and JSON. Unit-tested in tests/site/lab-stats.test.ts.
 */

export const TECHNIQUES = ['poll', 'long-poll', 'sse', 'ws'] as const;
export type Technique = (typeof TECHNIQUES)[number];

/** One row of the table. */
export interface Row {
  technique: Technique;
  delivered: number;
  lost: number;
  duplicated: number;
  gaps: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
  requests: number;
  bytesUp: number;
  bytesDown: number;
  connections: number;
}

/** The value at fraction `q` (0 to 1) of sorted numbers, nearest rank; null when there are none. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? null;
}

/** What one receiver got: each seq's count, and the latency of each first delivery. */
export class Reception {
  #seen = new Map<number, number>();
  #latencies: number[] = [];
  #sorted: number[] | null = [];
  gaps = 0;

  /** Records a delivery of `seq`, published at `sentAt` and received at `now` (ms, one clock). */
  receive(seq: number, sentAt: number, now: number): number {
    const count = (this.#seen.get(seq) ?? 0) + 1;
    this.#seen.set(seq, count);
    const latency = Math.max(0, now - sentAt);
    if (count === 1) {
      this.#latencies.push(latency);
      this.#sorted = null;
    }
    return latency;
  }

  has(seq: number): boolean {
    return this.#seen.has(seq);
  }

  get delivered(): number {
    return this.#seen.size;
  }

  /** Deliveries beyond the first, over all seqs. */
  get duplicated(): number {
    let extra = 0;
    for (const count of this.#seen.values()) extra += count - 1;
    return extra;
  }

  /** Acknowledged seqs this receiver has not got, among those acknowledged before `settledBefore`. */
  lost(acked: ReadonlyMap<number, number>, settledBefore: number): number {
    let lost = 0;
    for (const [seq, ackedAt] of acked) if (ackedAt < settledBefore && !this.#seen.has(seq)) lost += 1;
    return lost;
  }

  latency(): { p50: number | null; p95: number | null; max: number | null } {
    this.#sorted ??= [...this.#latencies].sort((a, b) => a - b);
    return { p50: percentile(this.#sorted, 0.5), p95: percentile(this.#sorted, 0.95), max: this.#sorted.at(-1) ?? null };
  }
}

/** One event of a run's tap, the fields the lab reads. */
export interface TapEvent {
  connection: string;
  technique: string;
  direction: 'in' | 'out';
  kind: string;
  bytes: number;
}

/** Per technique: bytes each way, requests made (request heads) and connections open now, from the tap. */
export class WireCounts {
  #counts = new Map<string, { bytesUp: number; bytesDown: number; requests: number; open: Set<string> }>();

  add(event: TapEvent): void {
    let counts = this.#counts.get(event.technique);
    if (!counts) this.#counts.set(event.technique, (counts = { bytesUp: 0, bytesDown: 0, requests: 0, open: new Set() }));
    if (event.direction === 'in') counts.bytesUp += event.bytes;
    else counts.bytesDown += event.bytes;
    if (event.kind === 'request-head') counts.requests += 1;
    if (event.kind === 'close') counts.open.delete(event.connection);
    else if (event.kind === 'request-head') counts.open.add(event.connection);
  }

  of(technique: string): { bytesUp: number; bytesDown: number; requests: number; connections: number } {
    const counts = this.#counts.get(technique);
    return counts
      ? { bytesUp: counts.bytesUp, bytesDown: counts.bytesDown, requests: counts.requests, connections: counts.open.size }
      : { bytesUp: 0, bytesDown: 0, requests: 0, connections: 0 };
  }
}

/** The table's rows, as the lab shows them. */
export function buildRows(receptions: ReadonlyMap<Technique, Reception>, wire: WireCounts, acked: ReadonlyMap<number, number>, settledBefore: number): Row[] {
  return TECHNIQUES.map((technique) => {
    const reception = receptions.get(technique) ?? new Reception();
    return {
      technique,
      delivered: reception.delivered,
      lost: reception.lost(acked, settledBefore),
      duplicated: reception.duplicated,
      gaps: reception.gaps,
      ...reception.latency(),
      ...wire.of(technique),
    };
  });
}

const COLUMNS: (keyof Row)[] = ['technique', 'delivered', 'lost', 'duplicated', 'gaps', 'p50', 'p95', 'max', 'requests', 'bytesUp', 'bytesDown', 'connections'];

/** The rows as CSV (RFC 4180), latencies in ms, bytes in bytes; an empty cell for no value. */
export function rowsToCsv(rows: readonly Row[]): string {
  const header = COLUMNS.map((column) => (column === 'p50' || column === 'p95' || column === 'max' ? `${column}Ms` : column));
  const lines = rows.map((row) => COLUMNS.map((column) => String(row[column] ?? '')).join(','));
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

/** The rows as JSON, with the settings they were measured with. */
export function rowsToJson(rows: readonly Row[], settings: Record<string, unknown>): string {
  return `${JSON.stringify({ settings, rows }, null, 2)}\n`;
}

/** The technique with the most bytes up and down together, for the prediction. */
export function mostBytes(rows: readonly Row[]): Technique | null {
  let best: Row | null = null;
  for (const row of rows) if (!best || row.bytesUp + row.bytesDown > best.bytesUp + best.bytesDown) best = row;
  return best && best.bytesUp + best.bytesDown > 0 ? best.technique : null;
}
