/**
 * The self-hosting guide (content/docs/guides/self-hosting.mdx and its Chinese copy) against the
 * code: the defaults in its configuration table, and the numbers its workshop section gives for
 * the per-address caps and the connections an attendee holds.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG, INTEGER_SETTINGS, STRING_SETTINGS } from '../../server/config.ts';
import { CONNECTIONS_PER_SEAT, OPEN_FILES_MARGIN } from '../../server/workshop/preflight.ts';

const ROOT = path.join(import.meta.dirname, '../..');
const GUIDES = { en: 'content/docs/guides/self-hosting.mdx', 'zh-cn': 'content/docs/zh-cn/guides/self-hosting.mdx' };
const SETTINGS = [...STRING_SETTINGS, ...INTEGER_SETTINGS];

/** The section of `text` under the heading with this id-like start, up to the next heading of its level or above. */
function section(text: string, heading: RegExp): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => heading.test(line));
  assert.ok(start >= 0, `a heading matching ${heading}`);
  const level = (lines[start] as string).indexOf(' ');
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** A number as the guide writes it, in either language: 1,000 or 1000. */
function written(n: number): RegExp {
  return new RegExp(`\\b(${n}|${n.toLocaleString('en-US')})\\b`);
}

for (const [lang, file] of Object.entries(GUIDES)) {
  describe(`the self-hosting guide (${lang})`, () => {
    it('gives each setting in its configuration table the default server/config.ts has', async () => {
      const text = await readFile(path.join(ROOT, file), 'utf8');
      let rows = 0;
      for (const line of text.split('\n')) {
        const match = /^\| `([A-Z_]+)`[^|]*\| (?:`([^`]*)`|(empty|空))/.exec(line);
        const setting = match && SETTINGS.find((s) => s.env === match[1]);
        if (!match || !setting) continue;
        rows += 1;
        assert.equal(match[2] ?? '', String(setting.default), `${setting.env}'s default in ${file}`);
      }
      assert.ok(rows >= 40, `${rows} settings found in ${file}'s table`);
    });

    it('states the per-address caps, an attendee’s connections and the open files a class needs as the code has them', async () => {
      const text = await readFile(path.join(ROOT, file), 'utf8');
      const caps = section(text, lang === 'en' ? /^### Per-address caps behind one NAT$/ : /^### 同一个 NAT 后面的按地址上限$/);
      const perAddress = DEFAULT_CONFIG.maxConnectionsPerAddress;
      const runsPerAddress = DEFAULT_CONFIG.maxRunsPerAddress;
      for (const [key, value] of [
        ['MAX_CONNECTIONS_PER_ADDRESS', perAddress],
        ['MAX_RUNS_PER_ADDRESS', runsPerAddress],
        ['MAX_CONNECTIONS', DEFAULT_CONFIG.maxConnections],
        ['MAX_RUNS', DEFAULT_CONFIG.maxRuns],
        ['PUBLISH_RATE_PER_S', DEFAULT_CONFIG.publishRatePerS],
        ['PUBLISH_BURST', DEFAULT_CONFIG.publishBurst],
        ['PUBLISH_BYTES_PER_S', DEFAULT_CONFIG.publishBytesPerS],
      ] as const) {
        assert.match(caps, new RegExp(`\`${key}\`[^\\n]{0,12}?${written(value).source}`), `${key} with its default ${value}`);
      }
      assert.match(caps, new RegExp(`× ${CONNECTIONS_PER_SEAT}\\b`), `attendees × ${CONNECTIONS_PER_SEAT} connections`);
      assert.match(caps, written(Math.floor(perAddress / CONNECTIONS_PER_SEAT)), 'how many attendees the default connection cap holds');
      assert.match(caps, written(Math.floor(runsPerAddress / 3)), 'how many attendees running three sandboxes the default run cap holds');
      const preflight = section(text, lang === 'en' ? /^### Run-sheet: an hour before$/ : /^### 流程清单：开课前一小时$/);
      assert.match(preflight, written(DEFAULT_CONFIG.workshopSeats * CONNECTIONS_PER_SEAT + OPEN_FILES_MARGIN), 'the open files 100 seats need');
    });
  });
}
