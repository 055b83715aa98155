import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ApiError } from '../../server/errors.ts';
import { applyFaults, NO_FAULTS } from '../../server/runs/faults.ts';
import { RunRegistry } from '../../server/runs/registry.ts';
import { RUN_ID_PATTERN, RunIds } from '../../server/runs/run-ids.ts';
import { bodyText, formatRequestHead, RunTap, TAP_TEXT_BYTES } from '../../server/runs/tap.ts';

function rejectsWith(fn: () => unknown, status: number, code: string, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('run ids', () => {
  const ids = new RunIds(Buffer.from('a deployment secret of 32 bytes!'), 600_000);

  it('issues ids of at least 96 random bits that match the documented pattern', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { id } = ids.issue();
      assert.match(id, RUN_ID_PATTERN);
      seen.add(id);
    }
    assert.equal(seen.size, 1000);
  });

  it('accepts an id issued by another instance that shares the secret, with its issue time', () => {
    const other = new RunIds(Buffer.from('a deployment secret of 32 bytes!'), 600_000);
    const issued = other.issue(1_800_000_000_000);
    assert.deepEqual(ids.verify(issued.id), { id: issued.id, issuedAt: 1_800_000_000_000 });
  });

  it('refuses an id under another secret, or with one character changed, as UNKNOWN_RUN', () => {
    const foreign = new RunIds(Buffer.from('another deployment, other secret'), 600_000).issue().id;
    rejectsWith(() => ids.verify(foreign), 404, 'UNKNOWN_RUN', /POST \/api\/runs/);
    const { id } = ids.issue();
    const changed = id.slice(0, 5) + (id[5] === 'A' ? 'B' : 'A') + id.slice(6);
    rejectsWith(() => ids.verify(changed), 404, 'UNKNOWN_RUN');
    rejectsWith(() => ids.verify('abcdefghijklmnop'), 404, 'UNKNOWN_RUN');
  });

  it('refuses text that is not a run id with INVALID_RUN, naming the pattern', () => {
    for (const bad of ['short', 'has spaces in it, long enough', 'x'.repeat(65), '../../etc/passwd/aaaa']) {
      rejectsWith(() => ids.verify(bad), 400, 'INVALID_RUN', /\[A-Za-z0-9_-\]\{16,64\}/);
    }
  });
});

describe('faults', () => {
  it('applies the fields given and keeps the others', () => {
    const first = applyFaults(NO_FAULTS, { latencyMs: 200, jitterMs: 50 });
    const second = applyFaults(first, { dropAfter: 3, refuseReconnects: { status: 204, count: 2 } });
    assert.deepEqual(second, { ...NO_FAULTS, latencyMs: 200, jitterMs: 50, dropAfter: 3, refuseReconnects: { status: 204, count: 2 } });
    assert.deepEqual(applyFaults(second, { dropAfter: null, refuseReconnects: null }), { ...NO_FAULTS, latencyMs: 200, jitterMs: 50 });
  });

  it('refuses a value out of range, naming the field, the value and the range', () => {
    rejectsWith(() => applyFaults(NO_FAULTS, { latencyMs: 10_001 }), 400, 'INVALID_FAULT', /latencyMs must be an integer from 0 to 10000; received 10001/);
    rejectsWith(() => applyFaults(NO_FAULTS, { proxyBuffering: -1 }), 400, 'INVALID_FAULT', /proxyBuffering .* 0 to 65536/);
    rejectsWith(() => applyFaults(NO_FAULTS, { latencyMs: '200' }), 400, 'INVALID_FAULT', /received "200"/);
    rejectsWith(() => applyFaults(NO_FAULTS, { refuseReconnects: { status: 302, count: 1 } }), 400, 'INVALID_FAULT', /204\|404\|500\|503/);
    rejectsWith(() => applyFaults(NO_FAULTS, { restart: 'yes' }), 400, 'INVALID_FAULT', /restart must be true or false/);
    rejectsWith(() => applyFaults(NO_FAULTS, { latency: 5 }), 400, 'INVALID_FAULT', /unknown fault "latency"; the faults are latencyMs/);
    rejectsWith(() => applyFaults(NO_FAULTS, [1]), 400, 'INVALID_FAULT', /JSON object/);
  });
});

describe('the tap', () => {
  it('shows a request head as received, in its original case and order, with credentials redacted', async () => {
    let head = '';
    const server = http.createServer((req, res) => {
      head = formatRequestHead(req);
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    socket.end('GET /api/poll/chat?since=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-First: one\r\ncookie: session=secret\r\n' +
      'Authorization: Bearer secret\r\nlast-EVENT-id: abc-1\r\nConnection: close\r\n\r\n');
    await once(socket.resume(), 'close');
    server.close();
    assert.match(head, /^GET \/api\/poll\/chat\?since=x HTTP\/1\.1\r\n/);
    assert.match(head, /\r\nHost: 127\.0\.0\.1\r\nX-First: one\r\ncookie: \[redacted\]\r\nAuthorization: \[redacted\]\r\nlast-EVENT-id: abc-1\r\n/);
    assert.ok(!head.includes('secret'));
    assert.ok(head.endsWith('\r\n\r\n'));
  });

  it('keeps the newest events up to its byte bound, numbered, and tells subscribers each once', () => {
    const event = { connection: 'c1', technique: 'sse', direction: 'out', kind: 'sse', bytes: 10, text: 'data: 0\n\n' } as const;
    const probe = new RunTap(1_000_000);
    probe.record(event);
    // Room for three events like these, not four.
    const tap = new RunTap(3 * (probe.kept()[0] as string).length + 5);
    const seen: number[] = [];
    const stop = tap.subscribe((event) => seen.push(event.seq));
    for (let i = 0; i < 5; i++) tap.record(event);
    stop();
    tap.record(event);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.equal(tap.dropped, 3);
    assert.deepEqual(tap.kept().map((chunk) => JSON.parse(/^data: (.*)$/m.exec(chunk)?.[1] ?? '').seq), [4, 5, 6]);
    assert.match(tap.kept()[0] as string, /^id: [a-z0-9]+\.4\nevent: tap\ndata: \{.*\}\n\n$/);
  });

  it('cuts a body\'s text at TAP_TEXT_BYTES and keeps its whole size', () => {
    assert.deepEqual(bodyText('{"a":1}'), { bytes: 7, text: '{"a":1}' });
    const long = bodyText('x'.repeat(TAP_TEXT_BYTES + 10));
    assert.equal(long.bytes, TAP_TEXT_BYTES + 10);
    assert.equal(long.text.length, TAP_TEXT_BYTES);
    assert.equal(long.truncated, true);
  });
});

describe('the run registry', () => {
  const secret = Buffer.from('a deployment secret of 32 bytes!');
  const options = { idleMs: 600_000, maxRunsPerAddress: 3, maxRuns: 1000, maxTapBytes: 100 * 1024 };

  it('issues runs that expire RUN_IDLE_MS after their last traffic, and refuses past MAX_RUNS_PER_ADDRESS', () => {
    const registry = new RunRegistry(new RunIds(secret, options.idleMs), options);
    const now = 1_800_000_000_000;
    const first = registry.issue('127.0.0.2', now);
    assert.equal(first.expires, new Date(now + 600_000).toISOString());
    registry.issue('127.0.0.2', now);
    registry.issue('127.0.0.2', now);
    assert.throws(() => registry.issue('127.0.0.2', now), (e: ApiError) => e.status === 429 && e.code === 'TOO_MANY_RUNS' && /MAX_RUNS_PER_ADDRESS/.test(e.message));
    registry.issue('127.0.0.3', now);
    // Traffic at +5 min keeps the first run alive past the others.
    registry.get(first.run, now + 300_000);
    registry.sweep(now + 600_001);
    assert.equal(registry.size, 1);
    assert.ok(registry.peek(first.run));
    registry.issue('127.0.0.2', now + 600_001);
    registry.sweep(now + 900_001);
    assert.equal(registry.peek(first.run), undefined);
    assert.throws(() => registry.get(first.run, now + 900_002), (e: ApiError) => e.status === 404 && e.code === 'UNKNOWN_RUN');
  });

  it('takes up a fresh run issued by another instance, and refuses an old one it never held', () => {
    const now = 1_800_000_000_000;
    const issuer = new RunRegistry(new RunIds(secret, options.idleMs), options);
    const holder = new RunRegistry(new RunIds(secret, options.idleMs), options);
    const fresh = issuer.issue('127.0.0.2', now).run;
    assert.equal(holder.get(fresh, now + 1000).id, fresh);
    const old = issuer.issue('127.0.0.2', now).run;
    assert.throws(() => holder.get(old, now + 600_001), (e: ApiError) => e.code === 'UNKNOWN_RUN');
  });

  it('refuses an ended run as UNKNOWN_RUN while its id is still fresh, instead of starting it again', () => {
    const now = 1_800_000_000_000;
    const registry = new RunRegistry(new RunIds(secret, options.idleMs), { ...options, maxRuns: 2 });
    const ended = registry.issue('127.0.0.2', now).run;
    registry.end(registry.get(ended, now));
    assert.throws(() => registry.get(ended, now + 1000), (e: ApiError) => e.status === 404 && e.code === 'UNKNOWN_RUN');
    assert.equal(registry.size, 0);
    // Ended ids are kept up to MAX_RUNS, oldest dropped first: past that, a fresh one is taken up again (as from another instance).
    const later = [0, 1].map(() => registry.issue('127.0.0.2', now).run);
    for (const id of later) registry.end(registry.get(id, now));
    assert.throws(() => registry.get(later[1] as string, now + 1000), (e: ApiError) => e.code === 'UNKNOWN_RUN');
    assert.equal(registry.get(ended, now + 2000).id, ended);
  });

  it('keeps a run with an open connection or a tap subscriber alive however long it is quiet', () => {
    const now = 1_800_000_000_000;
    const registry = new RunRegistry(new RunIds(secret, options.idleMs), options);
    const { run: id } = registry.issue('127.0.0.2', now);
    const run = registry.get(id, now);
    const stop = run.tap.subscribe(() => {});
    registry.sweep(now + 3_600_000);
    assert.ok(registry.peek(id));
    stop();
    registry.sweep(now + 3_600_000 + 600_001);
    assert.equal(registry.peek(id), undefined);
  });
});
