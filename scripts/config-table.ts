/**
 * Writes the README's configuration table from server/config.ts, so the two cannot drift:
 *   node scripts/config-table.ts          prints the table
 *   node scripts/config-table.ts --write  rewrites it in README.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { BUILT_IN_CHANNELS } from '../server/channels.ts';
import { DEFAULT_CONFIG, INTEGER_SETTINGS, STRING_SETTINGS } from '../server/config.ts';
import { MESSAGE_OVERHEAD_BYTES } from '../server/log/memory.ts';
import { envelopeJson } from '../server/log/types.ts';

const rows = [...STRING_SETTINGS, ...INTEGER_SETTINGS].map((s) => `| \`${s.env}\` | \`${s.default}\` | ${s.description} |`);

// The worst case of the in-memory history, as a sum from the defaults.
const n = (value: number): string => value.toLocaleString('en-US');
const mib = (bytes: number): string => `${n(Math.round(bytes / 1024 / 1024))} MiB`;
const c = DEFAULT_CONFIG;
const envelope = envelopeJson(`${'z'.repeat(12)}-${'9'.repeat(16)}`, 'c'.repeat(64), 't'.repeat(64), '', new Date(0).toISOString()).length;
const channels = c.maxChannels + BUILT_IN_CHANNELS.size;
const perMessage = 2 * (c.maxMessageBytes + envelope) + MESSAGE_OVERHEAD_BYTES;
const unbounded = channels * c.historyLimit * perMessage;
const worstCase = [
  `**Worst case of memory, from these defaults.** The in-memory history holds at most \`MAX_LOG_BYTES\` = ${n(c.maxLogBytes)} bytes (${mib(c.maxLogBytes)}),`,
  `each message counted as its envelope JSON as V8's heap holds it (two bytes a character when any is outside Latin-1) plus ${MESSAGE_OVERHEAD_BYTES} bytes of bookkeeping.`,
  `Without that budget the bound would be channels × history × largest message: (\`MAX_CHANNELS\` ${n(c.maxChannels)} + ${BUILT_IN_CHANNELS.size} built-in) × \`HISTORY_LIMIT\` ${n(c.historyLimit)}`,
  `× (2 × (\`MAX_MESSAGE_BYTES\` ${n(c.maxMessageBytes)} + ${envelope} of envelope) + ${MESSAGE_OVERHEAD_BYTES}) = ${n(unbounded)} bytes (${mib(unbounded)}).`,
  'Dropped messages are garbage until V8 collects them: under a sustained flood the resident memory stays within its start',
  `+ 5 × \`MAX_LOG_BYTES\` + 64 MiB = start + ${mib(5 * c.maxLogBytes + 64 * 1024 * 1024)}, which \`tests/hostile/soak.test.ts\` checks.`,
  'Redis keeps its own history: at most `HISTORY_LIMIT` × `MAX_MESSAGE_BYTES` per channel, in Redis\'s memory.',
].join('\n');
const table = ['| Key | Default | What it sets |', '| --- | --- | --- |', ...rows, '', worstCase].join('\n');

if (process.argv.includes('--write')) {
  const readme = readFileSync('README.md', 'utf8');
  const start = '<!-- config-table:start -->';
  const end = '<!-- config-table:end -->';
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`README.md needs the markers ${start} and ${end} around the table`);
  writeFileSync('README.md', `${readme.slice(0, from + start.length)}\n${table}\n${readme.slice(to)}`);
} else {
  console.log(table);
}
