/**
 * Starts the companion server: the only file that reads the environment, flags and ports.
 *
 *   node server/main.ts [--port N] [--host ADDRESS]
 */
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError, configFromEnvironment, type Config } from './config.ts';
import type { ChannelLog } from './log/types.ts';

function networkUrls(port: number): string[] {
  const urls: string[] = [];
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) urls.push(`http://${address.address}:${port}/`);
    }
  }
  return urls;
}

let config: Config;
try {
  config = configFromEnvironment(process.env, process.argv.slice(2));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Realtime Lab: ${error.message}`);
  process.exit(2);
}

// REDIS_URL set: the channel log lives in Redis Streams, shared with the other instances.
// Loaded only then, so that the in-memory default needs nothing more.
let log: ChannelLog | undefined;
if (config.redisUrl) {
  const { RedisLog } = await import('./log/redis.ts');
  log = new RedisLog({ url: config.redisUrl, historyLimit: config.historyLimit, maxChannels: config.maxChannels, channelIdleMs: config.channelIdleMs });
}

const app = createApp(config, log ? { log } : {});
app.server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `Realtime Lab: port ${config.port} is in use; pick another with --port or PORT` : error);
  process.exit(1);
});
app.server.listen(config.port, config.host, () => {
  const { port } = app.server.address() as AddressInfo;
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const local = `http://${wildcard || config.host === '127.0.0.1' ? 'localhost' : config.host}:${port}/`;
  console.log(`Realtime Lab is running.\n\n  Open ${local}`);
  if (wildcard) {
    const urls = networkUrls(port);
    if (urls.length > 0) console.log(`  On your network, attendees open:\n${urls.map((url) => `    ${url}`).join('\n')}`);
  } else {
    console.log('  (Only this machine can connect. For a workshop room, start with --host 0.0.0.0.)');
  }
  if (config.redisUrl) console.log(`  Channel log: Redis at ${new URL(config.redisUrl).host}; this instance: ${config.instanceName || `${os.hostname()}-${process.pid}`}`);
  console.log('\nPress Ctrl+C to stop.');
});

let stopping = false;
function shutdown(signal: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: closing connections...`);
  const deadline = setTimeout(() => {
    app.server.closeAllConnections();
    process.exit(0);
  }, config.shutdownGraceMs);
  deadline.unref();
  app.close().then(
    () => app.server.close(() => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
