/** The Node.js version check that runs before every npm script, on the real old Node when the machine has one. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const CHECK = 'scripts/check-node.cjs';
const { checkNode } = createRequire(import.meta.url)('../../scripts/check-node.cjs') as { checkNode(version: string): string | null };

/** Debian's own node (20 on this project's machines): the old Node a newcomer may have. */
const SYSTEM_NODE = '/usr/bin/node';
const systemVersion = existsSync(SYSTEM_NODE) ? spawnSync(SYSTEM_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim().slice(1) : '';
const systemIsOld = systemVersion !== '' && checkNode(systemVersion) !== null;

describe('the Node.js version check', () => {
  it('stops an old Node.js with the version it needs, the version found and how to get a new one', { skip: systemIsOld ? false : `no Node.js older than 22.18 at ${SYSTEM_NODE}` }, () => {
    const result = spawnSync(SYSTEM_NODE, [CHECK], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    const [first] = result.stderr.split('\n');
    assert.equal(first, `Realtime Lab needs Node.js 22.18 or newer (23.6 or newer on the 23 line); you have ${systemVersion}.`);
    assert.match(result.stderr, /nvm install 24/);
    assert.match(result.stderr, /https:\/\/nodejs\.org\//);
    assert.match(result.stderr, /npm install --prefix ~\/\.cache\/node24 node@24/);
  });

  it('lets the current Node.js through silently', () => {
    const result = spawnSync(process.execPath, [CHECK], { encoding: 'utf8' });
    assert.equal(result.status, 0);
    assert.equal(result.stdout + result.stderr, '');
  });

  it('draws the line at 22.18, and at 23.6 on the 23 line', () => {
    assert.match(checkNode('20.20.2') ?? '', /^Realtime Lab needs Node\.js 22\.18 or newer \(23\.6 or newer on the 23 line\); you have 20\.20\.2\./);
    assert.match(checkNode('v22.17.1') ?? '', /you have 22\.17\.1\./);
    assert.equal(checkNode('22.18.0'), null);
    assert.match(checkNode('23.0.0') ?? '', /you have 23\.0\.0\./);
    assert.match(checkNode('23.5.9') ?? '', /you have 23\.5\.9\./);
    assert.equal(checkNode('23.6.0'), null);
    assert.equal(checkNode('24.21.0'), null);
  });

  it('runs before anything else in every npm script that runs the project\'s code', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    for (const name of ['start', 'test', 'dev', 'build', 'bench', 'check', 'test:server', 'test:e2e']) {
      assert.ok(scripts[name]?.startsWith(`node ${CHECK} && `), `npm run ${name} starts with the check: ${scripts[name]}`);
    }
  });
});
