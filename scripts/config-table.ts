/**
 * Writes the README's configuration table from server/config.ts, so the two cannot drift:
 *   node scripts/config-table.ts          prints the table
 *   node scripts/config-table.ts --write  rewrites it in README.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { INTEGER_SETTINGS, STRING_SETTINGS } from '../server/config.ts';

const rows = [...STRING_SETTINGS, ...INTEGER_SETTINGS].map((s) => `| \`${s.env}\` | \`${s.default}\` | ${s.description} |`);
const table = ['| Key | Default | What it sets |', '| --- | --- | --- |', ...rows].join('\n');

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
