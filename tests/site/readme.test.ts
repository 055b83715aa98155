/** The README's set-up stays true: it names every Debian package the tests need, as .ci/run installs them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const README = readFileSync('README.md', 'utf8');
const CI = readFileSync('.ci/run', 'utf8');

describe('the README', () => {
  it('names, in one apt-get line, every Debian package .ci/run installs for the tests', () => {
    const installed = [...CI.matchAll(/missing\+=\(([^)]+)\)/g)].map((match) => match[1] as string);
    assert.ok(installed.includes('redis-server') && installed.includes('nginx') && installed.includes('chromium'), `.ci/run installs ${installed.join(', ')}`);
    const lines = README.split('\n').filter((line) => /^apt-get install\b/.test(line));
    assert.equal(lines.length, 1, 'one apt-get line');
    const named = (lines[0] as string).split(/\s+/).slice(2).filter((word) => !word.startsWith('-'));
    assert.deepEqual([...named].sort(), [...installed].sort());
  });

  it('sets up with the commands .ci/run runs', () => {
    assert.match(README, /^npm install && npm start$/m);
    assert.match(README, /^npm test$/m);
    assert.match(CI, /^npm install --no-audit --no-fund$/m);
    assert.match(CI, /^npm test$/m);
  });
});
