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
// Redis: a stream trimmed with MAXLEN ~ may keep up to one node (stream-node-max-entries, 100) more.
const REDIS_TRIM_SLACK = 100;
const REDIS_ENTRY_OVERHEAD = 100;
const redisWorst = channels * (c.historyLimit + REDIS_TRIM_SLACK) * (c.maxMessageBytes + REDIS_ENTRY_OVERHEAD);
const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
const worstCase = [
  `**Worst case of memory, from these defaults.** The in-memory history holds at most \`MAX_LOG_BYTES\` = ${n(c.maxLogBytes)} bytes (${mib(c.maxLogBytes)}),`,
  `each message counted as its envelope JSON as V8's heap holds it (two bytes a character when any is outside Latin-1) plus ${MESSAGE_OVERHEAD_BYTES} bytes of bookkeeping.`,
  `Without that budget the bound would be channels × history × largest message: (\`MAX_CHANNELS\` ${n(c.maxChannels)} + ${BUILT_IN_CHANNELS.size} built-in) × \`HISTORY_LIMIT\` ${n(c.historyLimit)}`,
  `× (2 × (\`MAX_MESSAGE_BYTES\` ${n(c.maxMessageBytes)} + ${envelope} of envelope) + ${MESSAGE_OVERHEAD_BYTES}) = ${n(unbounded)} bytes (${mib(unbounded)}).`,
  'Dropped messages are garbage until V8 collects them: under a sustained flood the resident memory stays within its start',
  `+ 5 × \`MAX_LOG_BYTES\` + 64 MiB = start + ${mib(5 * c.maxLogBytes + 64 * 1024 * 1024)}, which \`tests/hostile/soak.test.ts\` checks.`,
  `Redis keeps its own history, with no byte budget of its own: its worst case is (\`MAX_CHANNELS\` ${n(c.maxChannels)} + ${BUILT_IN_CHANNELS.size} built-in)`,
  `× (\`HISTORY_LIMIT\` ${n(c.historyLimit)} + up to ${REDIS_TRIM_SLACK} entries that \`MAXLEN ~\` trims late) × (\`MAX_MESSAGE_BYTES\` ${n(c.maxMessageBytes)} + about ${REDIS_ENTRY_OVERHEAD} bytes`,
  `of id, type and \`prev\`) = ${n(redisWorst)} bytes (${gib(redisWorst)}). \`deploy/redis.conf\` therefore sets \`maxmemory\` (with \`noeviction\`):`,
  'at it, publishes are answered `503 LOG_UNAVAILABLE` until idle channels expire.',
  `The runs' taps hold at most \`MAX_RUNS\` ${n(c.maxRuns)} × \`MAX_TAP_BYTES\` ${n(c.maxTapBytes)} characters, two bytes each at worst on the heap: ${mib(2 * c.maxRuns * c.maxTapBytes)};`,
  `one address holds at most \`MAX_RUNS_PER_ADDRESS\` ${n(c.maxRunsPerAddress)} of them (${mib(2 * c.maxRunsPerAddress * c.maxTapBytes)}).`,
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
