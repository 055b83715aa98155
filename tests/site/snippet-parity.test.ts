/**
 * The two languages teach the same code: every snippet on an English page has a Chinese twin,
 * in the same order, that differs only in comments and string literals. And every `// #region`
 * of the server's source is shown by some lesson, so no region is left for nobody.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';

const DOCS = 'content/docs';
const CHINESE = path.join(DOCS, 'zh-cn');

async function files(dir: string, pattern: RegExp, skip?: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || !pattern.test(entry.name) || (skip && full.startsWith(skip + path.sep))) continue;
    found.push(path.relative(dir, full));
  }
  return found.sort();
}

interface Snippet {
  lang: string;
  code: string;
  line: number;
}

/** The fenced code blocks of a page, in order. */
export function snippets(page: string): Snippet[] {
  const found: Snippet[] = [];
  const lines = page.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] as string);
    if (!open) continue;
    const fence = open[2] as string;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(fence); i++) body.push(lines[i] as string);
    found.push({ lang: open[3] || 'text', code: body.join('\n'), line: start + 1 });
  }
  return found;
}

const SCRIPT = new Set(['js', 'mjs', 'javascript', 'ts', 'typescript', 'json', 'jsonc']);
/** Diagrams and sample output: prose in pictures, translated freely. */
const PROSE = new Set(['text', 'txt', 'plain']);
const HASH_COMMENTS = new Set(['nginx', 'sh', 'bash', 'shell', 'yaml', 'ini', 'conf']);
/** After these, a `/` starts a regular expression literal rather than a division. */
const BEFORE_REGEX = /(^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof|\bcase)\s*$/;

/**
 * JavaScript with comments removed and literals reduced: a string becomes `"S"`, a regex `/R/`,
 * and a template keeps only its `${expressions}`. What a `console` call prints is text for the
 * reader, so its arguments are reduced to the expressions they print, however they are worded.
 */
export function codeShape(code: string): string {
  return normalize(consoleArguments(stripLiterals(code)));
}

function stripLiterals(code: string): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i] as string;
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      i = code.indexOf('*/', i + 2);
      i = i < 0 ? code.length : i + 2;
    } else if (c === '"' || c === "'") {
      i = skipQuoted(code, i, c);
      out += '"S"';
    } else if (c === '`') {
      const template = readTemplate(code, i);
      i = template.end;
      out += '`' + template.expressions.map((expression) => '${' + stripLiterals(expression).trim() + '}').join('') + '`';
    } else if (c === '/' && BEFORE_REGEX.test(out)) {
      i = skipRegex(code, i);
      out += '/R/';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function skipQuoted(code: string, i: number, quote: string): number {
  for (i++; i < code.length && code[i] !== quote && code[i] !== '\n'; i++) if (code[i] === '\\') i++;
  return i + 1;
}

/** A template literal from its opening backtick: where it ends, and the source of each `${}`. */
function readTemplate(code: string, i: number): { end: number; expressions: string[] } {
  const expressions: string[] = [];
  for (i++; i < code.length && code[i] !== '`'; i++) {
    if (code[i] === '\\') i++;
    else if (code[i] === '$' && code[i + 1] === '{') {
      const start = i + 2;
      let depth = 0;
      for (i++; i < code.length; i++) {
        const c = code[i];
        if (c === '{') depth++;
        else if (c === '}' && --depth === 0) break;
        else if (c === '"' || c === "'") i = skipQuoted(code, i, c) - 1;
        else if (c === '`') i = readTemplate(code, i).end - 1;
      }
      expressions.push(code.slice(start, i));
    }
  }
  return { end: i + 1, expressions };
}

/** `console.log("S", y, `${x}`)` becomes `console.log(x, y)`: the values printed, in any order. */
function consoleArguments(code: string): string {
  const call = /\bconsole\.(log|info|warn|error)\(/g;
  let out = '';
  let last = 0;
  for (let match = call.exec(code); match; match = call.exec(code)) {
    const open = match.index + match[0].length;
    const items: string[] = [];
    let depth = 0;
    let start = open;
    let i = open;
    for (; i < code.length; i++) {
      const c = code[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if ((c === ')' || c === ']' || c === '}') && depth-- === 0) break;
      else if (c === ',' && depth === 0) {
        items.push(code.slice(start, i));
        start = i + 1;
      }
    }
    items.push(code.slice(start, i));
    const printed = items
      .map((item) => item.trim())
      .flatMap((item) => (/^`(\$\{.*\})*`$/s.test(item) ? [...item.matchAll(/\$\{(.*?)\}(?=\$\{|`$)/gs)].map((m) => m[1] as string) : [item]))
      .filter((item) => item !== '"S"' && item !== '')
      .sort(); // languages put words, and so the values between them, in different orders
    out += code.slice(last, open) + printed.join(', ');
    last = i;
    call.lastIndex = i;
  }
  return out + code.slice(last);
}

function skipRegex(code: string, i: number): number {
  let inClass = false;
  for (i++; i < code.length && code[i] !== '\n'; i++) {
    const c = code[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) break;
  }
  for (i++; i < code.length && /[a-z]/.test(code[i] as string); i++);
  return i;
}

function normalize(code: string): string {
  return code
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** What must match between the two languages for a snippet in this language. */
function shape(snippet: Snippet): string {
  if (SCRIPT.has(snippet.lang)) return codeShape(snippet.code);
  if (HASH_COMMENTS.has(snippet.lang)) return normalize(snippet.code.replace(/(^|\s)#.*$/gm, '$1'));
  return normalize(snippet.code);
}

describe('snippets in English and Chinese', () => {
  it('reads code apart from comments and literals', () => {
    const english = "const a = 'hello'; // say hi\nconsole.log(`${a} world`, /[/]x/g);";
    const chinese = "const a = '你好'; // 打个招呼\nconsole.log(`${a} 世界`, /[/]x/g);";
    assert.equal(codeShape(english), codeShape(chinese));
    assert.notEqual(codeShape('const a = 1 / 2;'), codeShape('const a = 1 * 2;'));
    assert.equal(codeShape('const half = total / 2; // a division'), 'const half = total / 2;');
    assert.equal(codeShape("console.log('tick, lastEventId:', event.lastEventId, 'ok');"), codeShape('console.log(`tick，lastEventId：${event.lastEventId}，好`);'));
    assert.notEqual(codeShape('console.log(`${a}`);'), codeShape('console.log(`${b}`);'));
  });

  it('are the same code, in the same order, on every page', async () => {
    const differences: string[] = [];
    for (const page of await files(DOCS, /\.mdx?$/, CHINESE)) {
      const en = snippets(await readFile(path.join(DOCS, page), 'utf8'));
      const zh = snippets(await readFile(path.join(CHINESE, page), 'utf8').catch(() => ''));
      if (en.length !== zh.length) {
        differences.push(`${page}: ${en.length} snippets in English, ${zh.length} in Chinese`);
        continue;
      }
      en.forEach((snippet, i) => {
        const twin = zh[i] as Snippet;
        if (PROSE.has(snippet.lang) && PROSE.has(twin.lang)) return;
        if (snippet.lang !== twin.lang || shape(snippet) !== shape(twin)) {
          const [a, b] = [shape(snippet).split('\n'), shape(twin).split('\n')];
          const at = a.findIndex((line, n) => line !== b[n]);
          const where = at < 0 ? `the Chinese one has more lines: ${JSON.stringify(b[a.length])}` : `${JSON.stringify(a[at])} against ${JSON.stringify(b[at])}`;
          differences.push(`${page}: the snippet at line ${snippet.line} (English) differs from its twin at line ${twin.line} (Chinese) in more than comments and strings: ${where}`);
        }
      });
    }
    assert.deepEqual(differences, [], 'keep the code of both languages in step; translate only comments and strings');
  });
});

describe('server code regions', () => {
  it('are each shown by some lesson', async () => {
    const regions: string[] = [];
    for (const file of await files('server', /\.ts$/)) {
      const source = await readFile(path.join('server', file), 'utf8');
      for (const match of source.matchAll(/^\s*\/\/ #region (\S+)/gm)) regions.push(`server/${file.split(path.sep).join('/')}#${match[1]}`);
    }
    assert.ok(regions.length > 0);
    const shown = new Set<string>();
    for (const page of await files(DOCS, /\.mdx?$/)) {
      const text = await readFile(path.join(DOCS, page), 'utf8');
      for (const tag of text.matchAll(/<ServerCode\b[^>]*>/g)) {
        const file = /\bfile="([^"]+)"/.exec(tag[0])?.[1];
        const region = /\bregion="([^"]+)"/.exec(tag[0])?.[1];
        if (file) shown.add(region ? `${file}#${region}` : `${file}#*`);
      }
    }
    const unshown = regions.filter((region) => !shown.has(region) && !shown.has(`${region.split('#')[0]}#*`));
    assert.deepEqual(unshown, [], 'regions no lesson shows: show each with <ServerCode file region>, or remove its markers');
  });
});
