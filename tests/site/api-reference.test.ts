/**
 * The API reference stays true to the server and the same in both languages: it lists every
 * error code the server sends, the faults with the ranges the server accepts, and the tap's
 * kinds, and the Chinese page documents the same endpoints, codes and limits as the English one.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ApiError } from '../../server/errors.ts';
import { applyFaults, NO_FAULTS, REFUSE_STATUSES } from '../../server/runs/faults.ts';
import { RUN_ID_PATTERN } from '../../server/runs/run-ids.ts';

const PAGES = { en: 'content/docs/reference/api.mdx', zh: 'content/docs/zh-cn/reference/api.mdx' } as const;
/** The headings of the same sections in each language. */
const HEADINGS = {
  en: { codes: 'Error codes', limits: 'Limits', faults: 'GET, PUT, DELETE /api/runs/:run/faults', tap: 'GET /api/runs/:run/tap' },
  zh: { codes: '错误码', limits: '限制', faults: 'GET, PUT, DELETE /api/runs/:run/faults', tap: 'GET /api/runs/:run/tap' },
} as const;
const LANGUAGES = ['en', 'zh'] as const;

const page = (language: (typeof LANGUAGES)[number]) => readFile(PAGES[language], 'utf8');

/** The text under a `## ` or `### ` heading, up to the next heading of the same level or above. */
function section(text: string, heading: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^#{2,3} /.test(line) && line.replace(/^#+ /, '') === heading);
  assert.ok(start >= 0, `no section "${heading}"`);
  const level = (lines[start] as string).indexOf(' ');
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The table rows of a text, each as its cells (a `\|` inside a cell stays in the cell). */
function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) => line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
}

/** The code names (`LIKE_THIS`) in the first column of a section's tables. */
const firstColumnCodes = (text: string) => rows(text).map((cells) => /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[0] as string)?.[1]).filter((code) => code !== undefined);

/** The error codes the server can send, read from its source: every `new ApiError(status, 'CODE'`, messageTooLarge's codes, and integerParam's INVALID_<NAME>. */
async function serverErrorCodes(): Promise<Set<string>> {
  const codes = new Set<string>();
  for (const file of await readdir('server', { recursive: true })) {
    if (!file.endsWith('.ts')) continue;
    const source = await readFile(path.join('server', file), 'utf8');
    for (const match of source.matchAll(/new ApiError\(\s*[^,()]+,\s*'([A-Z][A-Z0-9_]*)'/g)) codes.add(match[1] as string);
    for (const match of source.matchAll(/messageTooLarge\(\s*'([A-Z][A-Z0-9_]*)'/g)) codes.add(match[1] as string);
    for (const match of source.matchAll(/integerParam\(\s*\w+,\s*'(\w+)'/g)) codes.add(`INVALID_${(match[1] as string).toUpperCase()}`);
  }
  return codes;
}

/** The INVALID_FAULT an applyFaults call throws, or null when it accepts the body. */
function faultError(body: unknown): ApiError | null {
  try {
    applyFaults(NO_FAULTS, body);
    return null;
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.code, 'INVALID_FAULT');
    return error;
  }
}

/** `0 to 10,000` (English) or `0 到 10,000` (Chinese) in a cell: the range it documents. */
function documentedRange(cell: string): [number, number] {
  const match = /(\d[\d,]*) (?:to|到) (\d[\d,]*)/.exec(cell);
  assert.ok(match, `no range in "${cell}"`);
  return [Number((match[1] as string).replaceAll(',', '')), Number((match[2] as string).replaceAll(',', ''))];
}

describe('the API reference', () => {
  for (const language of LANGUAGES) {
    it(`lists in its error code table (${language}) every code the server sends, and no other`, async () => {
      const server = await serverErrorCodes();
      assert.ok(server.size > 20, `codes found in server/**/*.ts: ${[...server].join(', ')}`);
      for (const code of ['INVALID_RUN', 'UNKNOWN_RUN', 'TOO_MANY_RUNS', 'INVALID_FAULT']) assert.ok(server.has(code), `${code} in server/`);
      const listed = firstColumnCodes(section(await page(language), HEADINGS[language].codes));
      assert.deepEqual([...server].filter((code) => !listed.includes(code)).sort(), [], 'codes the server sends that the table lacks');
      assert.deepEqual(listed.filter((code) => !server.has(code)).sort(), [], 'codes in the table that the server never sends');
      assert.equal(new Set(listed).size, listed.length, 'each code listed once');
    });

    it(`documents (${language}) a new run's faults as the server starts them, and each fault with the range the server accepts: the bounds pass, one past them is refused`, async () => {
      const text = section(await page(language), HEADINGS[language].faults);
      const newRun = /```json\n([\s\S]*?)\n```/.exec(text)?.[1] ?? '';
      assert.deepEqual(JSON.parse(newRun), NO_FAULTS, 'the faults of a new run, as shown');
      const table = rows(text);
      const documented = new Map(table.map((cells) => [/^`(\w+)`$/.exec(cells[0] as string)?.[1], cells[1] as string]));
      assert.deepEqual(Object.keys(NO_FAULTS).filter((field) => !documented.has(field)), [], 'fault fields without a row');
      for (const field of ['latencyMs', 'jitterMs', 'proxyBuffering', 'dropAfter', 'historyLimit'] as const) {
        const [min, max] = documentedRange(documented.get(field) as string);
        assert.equal(faultError({ [field]: min }), null, `${field}: ${min}`);
        assert.equal(faultError({ [field]: max }), null, `${field}: ${max}`);
        assert.match(faultError({ [field]: max + 1 })?.message ?? '', new RegExp(`^${field} must be an integer from ${min} to ${max}`));
        if (min > 0 || field === 'latencyMs') assert.notEqual(faultError({ [field]: min - 1 }), null, `${field}: ${min - 1}`);
      }
      const refuse = documented.get('refuseReconnects') as string;
      const statuses = [...refuse.matchAll(/\b([1-5]\d\d)\b/g)].map((match) => Number(match[1]));
      assert.deepEqual(statuses, [...REFUSE_STATUSES], 'the statuses refuseReconnects takes');
      const [minCount, maxCount] = documentedRange(refuse);
      assert.equal(faultError({ refuseReconnects: { status: 503, count: maxCount } }), null);
      assert.notEqual(faultError({ refuseReconnects: { status: 503, count: maxCount + 1 } }), null);
      assert.notEqual(faultError({ refuseReconnects: { status: 503, count: minCount - 1 } }), null);
      assert.notEqual(faultError({ refuseReconnects: { status: 200, count: 1 } }), null);
    });

    it(`describes (${language}) every kind of tap event the server records, and the run id's pattern`, async () => {
      const text = await page(language);
      const source = await readFile('server/runs/tap.ts', 'utf8');
      const union = /export type TapKind = ([^;]+);/.exec(source)?.[1] ?? '';
      const kinds = [...union.matchAll(/'([a-z-]+)'/g)].map((match) => match[1] as string);
      assert.ok(kinds.length >= 9, `kinds in tap.ts: ${kinds.join(', ')}`);
      const described = rows(section(text, HEADINGS[language].tap)).map((cells) => /^`([a-z-]+)`$/.exec(cells[0] as string)?.[1]);
      assert.deepEqual(kinds.filter((kind) => !described.includes(kind)), [], 'tap kinds without a row');
      assert.ok(text.includes(`\`${RUN_ID_PATTERN.source}\``), `the pattern ${RUN_ID_PATTERN.source}`);
    });
  }

  it('documents the same endpoints, error codes and limits in Chinese as in English', async () => {
    const [en, zh] = await Promise.all([page('en'), page('zh')]);
    const endpoints = (text: string) => [...text.matchAll(/^### ((?:GET|POST|PUT|DELETE)\b.*)$/gm)].map((match) => match[1]);
    assert.ok(endpoints(en).length >= 12);
    assert.deepEqual(endpoints(zh), endpoints(en));
    assert.deepEqual(firstColumnCodes(section(zh, HEADINGS.zh.codes)), firstColumnCodes(section(en, HEADINGS.en.codes)));
    const keys = (text: string) => rows(text).slice(1).flatMap((cells) => [...(cells[1] as string).matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]));
    assert.deepEqual(keys(section(zh, HEADINGS.zh.limits)), keys(section(en, HEADINGS.en.limits)));
  });
});
