/**
 * Starts the companion server: the only file that reads the environment, flags and ports.
 *
 *   node server/main.ts [--port N] [--host ADDRESS] [--workshop]
 */
import module from 'node:module';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import type { ChannelLog } from './log/types.ts';

// Node strips the types of every .ts file on every start, with a WebAssembly compiler that stays
// in memory, then compiles the result: about 30 MB of RSS at start, for code that has not
// changed. The compile cache keeps both the stripped and the compiled code on disk (in
// os.tmpdir(), or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), keyed by each
// file's content. It applies to modules loaded after this line, hence the dynamic imports below;
// `npm start` turns it on before this file loads (scripts/compile-cache.mjs), which also spares
// the stripper. A cache that cannot be written changes nothing but the memory.
module.enableCompileCache();
const { createApp } = await import('./app.ts');
const { ConfigError, configFromEnvironment } = await import('./config.ts');
const { workshopStartText } = await import('./workshop/start.ts');
const { readOpenFileLimit } = await import('./workshop/preflight.ts');

/** The URLs of this machine on its networks, IPv4 first; `withIpv6` adds global IPv6 addresses after them. */
function networkUrls(port: number, withIpv6 = false): string[] {
  const all = Object.values(os.networkInterfaces()).flatMap((addresses) => addresses ?? []).filter((a) => !a.internal);
  const v4 = all.filter((a) => a.family === 'IPv4').map((a) => `http://${a.address}:${port}/`);
  // Link-local (fe80::) and unique-local addresses change or need a zone: only global ones are worth showing.
  const v6 = withIpv6 ? all.filter((a) => a.family === 'IPv6' && /^[23]/.test(a.address)).map((a) => `http://[${a.address}]:${port}/`) : [];
  return [...v4, ...v6];
}

/** The addresses of this machine's network interfaces that --host takes, IPv4 first. */
function machineAddresses(): string[] {
  // Link-local IPv6 addresses (fe80::) need a zone to listen on: leave them out.
  const all = Object.values(os.networkInterfaces()).flatMap((addresses) => addresses ?? []).filter((a) => !a.address.startsWith('fe80:'));
  return [...all.filter((a) => a.family === 'IPv4'), ...all.filter((a) => a.family !== 'IPv4')].map((a) => a.address);
}

/** The sentence for an error of `listen`, or undefined for one we have no words for. */
function listenErrorMessage(error: NodeJS.ErrnoException, host: string, port: number): string | undefined {
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} is in use; pick another with --port or PORT`;
    case 'EACCES':
      return `port ${port} needs more privileges than this user has; pick one above 1023 with --port or PORT`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return (
        `cannot listen on ${host}: ${error.code === 'EADDRNOTAVAIL' ? 'it is not an address of this machine' : 'no address goes by that name'} (${error.code}).\n` +
        `This machine's addresses are: ${machineAddresses().join(', ')}.\n` +
        'Start with --host and one of them, or --host 0.0.0.0 to listen on all of them.'
      );
    default:
      return undefined;
  }
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

if (config.trustProxy.length > 0) {
  console.warn(
    `Realtime Lab: TRUST_PROXY=${config.trustProxy.join(',')}, so requests from these addresses are taken to come through a proxy,\n` +
      '  and per-address limits count the client address in their X-Forwarded-For. Anyone who reaches the server\n' +
      '  directly from one of them can pick their own address: list only the proxies\' addresses.\n',
  );
}

const app = createApp(config, log ? { log } : {});
app.server.on('error', (error: NodeJS.ErrnoException) => {
  const message = listenErrorMessage(error, config.host, config.port);
  console.error(message ? `Realtime Lab: ${message}` : error);
  process.exit(1);
});
// The workshop's saved state (DATA_DIR or Redis) comes back before anyone can connect.
const workshopState = app.workshopStore ? await app.workshopStore.load() : undefined;
if (workshopState?.problem) console.warn(`Realtime Lab: ${workshopState.problem}`);
app.server.listen(config.port, config.host, () => {
  const { port } = app.server.address() as AddressInfo;
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  // [spec] RFC 3986, 3.2.2: an IPv6 address in a URL is written in brackets.
  const host = wildcard || config.host === '127.0.0.1' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const local = `http://${host}:${port}/`;
  // One write, and the URL to open last: it is the line a newcomer looks for.
  const lines = ['Realtime Lab is running (press Ctrl+C to stop).'];
  if (wildcard && !config.workshop) {
    const urls = networkUrls(port);
    if (urls.length > 0) lines.push('  On your network, attendees open:', ...urls.map((url) => `    ${url}`));
  } else if (!config.workshop && /^(?:127\.|localhost$|::1$)/.test(config.host)) {
    lines.push('  Only this machine can connect. For a workshop room, start with --host 0.0.0.0.');
  }
  if (config.workshop && app.workshopToken) {
    const loopback = /^(?:127\.|localhost$|::1$)/.test(config.host);
    const attendeeUrls = wildcard ? networkUrls(port, config.host === '::') : loopback ? [] : [`http://${host}:${port}/`];
    lines.push(workshopStartText({ port, attendeeUrls, localUrl: local, token: app.workshopToken, openFileLimit: readOpenFileLimit(), seats: config.workshopSeats, redisUrl: config.redisUrl, ...(workshopState ? { state: workshopState } : {}) }));
  }
  if (config.redisUrl) lines.push(`  Channel log: Redis at ${new URL(config.redisUrl).host}; this instance: ${config.instanceName || `${os.hostname()}-${process.pid}`}`);
  lines.push('', `  Open ${local}`);
  // Written now rather than at exit, so that a server that is killed still starts lean next
  // time; before the URL is printed, so that whoever waits for it finds the cache complete.
  module.flushCompileCache();
  console.log(lines.join('\n'));
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
