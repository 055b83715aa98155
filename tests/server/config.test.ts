import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { configFromEnvironment, DEFAULT_CONFIG, INTEGER_SETTINGS, resolveConfig, STRING_SETTINGS } from '../../server/config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = resolveConfig();
    assert.equal(config.port, 3000);
    assert.equal(config.historyLimit, 1000);
    assert.equal(config.maxMessageBytes, 16 * 1024);
    assert.equal(config.maxFrameBytes, 64 * 1024);
    assert.equal(config.maxBufferedBytes, 1024 * 1024);
    assert.equal(config.longPollDefaultTimeoutS, 25);
    assert.equal(config.longPollMaxTimeoutS, 60);
    assert.equal(config.sseHeartbeatMs, 15_000);
    assert.deepEqual(config.allowedOrigins, ['null']);
  });

  it('reads environment variables and lets --port and --host win', () => {
    const config = configFromEnvironment({ PORT: '4000', HOST: '::1', HISTORY_LIMIT: '50', ALLOWED_ORIGINS: 'null, https://lab.example.org' }, ['--port', '5000', '--host=0.0.0.0']);
    assert.equal(config.port, 5000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.historyLimit, 50);
    assert.deepEqual(config.allowedOrigins, ['null', 'https://lab.example.org']);
  });

  it('refuses values out of range and contradictions with a sentence that names them', () => {
    assert.throws(() => configFromEnvironment({ HISTORY_LIMIT: '0' }), /HISTORY_LIMIT must be an integer from 1 to/);
    assert.throws(() => configFromEnvironment({ MAX_MESSAGE_BYTES: '1.5' }), /MAX_MESSAGE_BYTES must be an integer/);
    assert.throws(() => resolveConfig({ pollDefaultLimit: 50, pollMaxLimit: 10 }), /POLL_DEFAULT_LIMIT \(50\) cannot be larger than POLL_MAX_LIMIT \(10\)/);
    assert.throws(() => resolveConfig({ longPollDefaultTimeoutS: 90 }), /LONG_POLL_DEFAULT_TIMEOUT_S/);
    assert.throws(() => configFromEnvironment({ ALLOWED_ORIGINS: 'lab.example.org/path' }), /ALLOWED_ORIGINS entries must be/);
    assert.throws(() => configFromEnvironment({}, ['--verbose']), /unknown argument "--verbose"/);
  });

  it('refuses a MAX_MESSAGE_BYTES larger than MAX_FRAME_BYTES, which would turn a WebSocket publish error into a 1009 close', () => {
    assert.throws(() => configFromEnvironment({ MAX_MESSAGE_BYTES: '100000', MAX_FRAME_BYTES: '65536', PUBLISH_BYTES_PER_S: '100000', MAX_LOG_BYTES: '1000000' }), /MAX_MESSAGE_BYTES \(100000\) cannot be larger than MAX_FRAME_BYTES \(65536\)/);
    assert.equal(resolveConfig({ maxMessageBytes: 1024, maxFrameBytes: 1024 }).maxMessageBytes, 1024);
  });

  it('is listed in full, with defaults, in the README configuration table', async () => {
    const readme = await readFile('README.md', 'utf8');
    for (const setting of [...INTEGER_SETTINGS, ...STRING_SETTINGS]) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${setting.env}\``));
      assert.ok(row, `README lists ${setting.env}`);
      assert.ok(row.includes(`\`${setting.default}\``), `README gives ${setting.env}'s default ${setting.default}`);
    }
    assert.equal(DEFAULT_CONFIG.siteDir, 'dist');
  });
});
