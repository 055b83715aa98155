/** `npm install` stays quiet: every dependency with an install script has been reviewed in allowScripts (npm 11). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

describe('npm install', () => {
  it('has a reviewed allowScripts entry for every installed package with an install script', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean; optional?: boolean }> };
    const { allowScripts = {} } = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts?: Record<string, boolean> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
    assert.ok(withScripts.includes('esbuild'), 'esbuild has a postinstall script');
    const unreviewed = withScripts.filter((name) => !Object.keys(allowScripts).some((entry) => entry === name || entry.startsWith(`${name}@`)));
    assert.deepEqual(unreviewed, [], 'packages whose install scripts npm 11 warns about: review them and run `npm install-scripts approve <pkg>`');
  });
});
