/**
 * Where an idle connection's heap goes: `node bench/heap-diff.ts sse|websocket [count]` opens
 * `count` connections (default 500) to each server of bench/servers.ts, after warm-up ones,
 * takes a heap snapshot before and after, and prints what one connection adds, by kind of
 * object, ours beside bare, largest difference first. It explains the heap figures of
 * `npm run bench`; it measures nothing that bench does not.
 */
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ask, closeAll, openSse, openWebSockets, start, stop } from './clients.ts';

const technique = process.argv[2];
if (technique !== 'sse' && technique !== 'websocket') throw new Error(`the technique must be "sse" or "websocket"; received ${JSON.stringify(technique)}`);
const count = Number(process.argv[3] ?? 500);
if (!Number.isInteger(count) || count < 1) throw new Error(`the count must be a whole number of at least 1; received ${JSON.stringify(process.argv[3])}`);
const WARM_CONNECTIONS = 100;

interface Tally {
  count: number;
  bytes: number;
}

/** Self sizes in a heap snapshot, by node type and name (strings and code by type alone). */
function tally(file: string): Map<string, Tally> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number];
  const totals = new Map<string, Tally>();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt] as number] as string;
    const name = /string|code|number/.test(type) ? '' : (snapshot.strings[snapshot.nodes[i + nameAt] as number] ?? '').slice(0, 50);
    const key = name ? `${type} ${name}` : type;
    const total = totals.get(key) ?? { count: 0, bytes: 0 };
    total.count += 1;
    total.bytes += snapshot.nodes[i + sizeAt] as number;
    totals.set(key, total);
  }
  return totals;
}

/** What one connection adds to the heap of server `kind`, by kind of object. */
async function perConnection(kind: string): Promise<Map<string, Tally>> {
  const { child, port } = await start(kind);
  const open = (n: number) => (technique === 'websocket' ? openWebSockets(port, n) : openSse(port, n));
  const files = [0, 1].map((i) => path.join(os.tmpdir(), `realtime-lab-heap-${process.pid}-${kind}-${i}.heapsnapshot`));
  const warm = await open(WARM_CONNECTIONS);
  await ask(child, 'snapshot', files[0]);
  const counted = await open(count);
  await ask(child, 'snapshot', files[1]);
  closeAll([...warm, ...counted]);
  await stop(child);
  const [before, after] = files.map(tally) as [Map<string, Tally>, Map<string, Tally>];
  for (const file of files) rmSync(file);
  const added = new Map<string, Tally>();
  for (const [key, total] of after) {
    const was = before.get(key) ?? { count: 0, bytes: 0 };
    added.set(key, { count: (total.count - was.count) / count, bytes: (total.bytes - was.bytes) / count });
  }
  return added;
}

const ours = await perConnection('ours');
const bare = await perConnection('bare');
const none = { count: 0, bytes: 0 };
const rows = [...new Set([...ours.keys(), ...bare.keys()])]
  .map((key) => ({ key, ours: ours.get(key) ?? none, bare: bare.get(key) ?? none }))
  .filter((row) => Math.abs(row.ours.bytes - row.bare.bytes) >= 4)
  .sort((a, b) => Math.abs(b.ours.bytes - b.bare.bytes) - Math.abs(a.ours.bytes - a.bare.bytes));
const sum = (added: Map<string, Tally>) => [...added.values()].reduce((total, { bytes }) => total + bytes, 0);
console.log(`heap per idle ${technique} connection (${count} connections): ours ${sum(ours).toFixed(0)} B, bare ${sum(bare).toFixed(0)} B\n`);
console.log(`${'object'.padEnd(56)} ${'ours'.padStart(16)} ${'bare'.padStart(16)}  difference`);
const cell = ({ count: n, bytes }: Tally) => `${n.toFixed(2)} x ${(bytes / (n || 1)).toFixed(0).padStart(4)} B`.padStart(16);
for (const row of rows) console.log(`${row.key.padEnd(56)} ${cell(row.ours)} ${cell(row.bare)}  ${(row.ours.bytes - row.bare.bytes).toFixed(0).padStart(5)} B`);
