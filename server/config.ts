/**
 * Every setting of the companion server: its config key, default and allowed range, in one
 * place. main.ts reads the environment and flags and passes them here; nothing else reads env.
 */
import proxyaddr from 'proxy-addr';

export interface Config {
  port: number;
  host: string;
  /** Origins allowed besides the server's own; `null` is the sandbox frames' opaque origin, `*` allows any. */
  allowedOrigins: string[];
  /** Host names the server answers to besides loopback, HOST and its network addresses; `.example.org` covers subdomains, `*` any. */
  allowedHosts: string[];
  historyLimit: number;
  maxChannels: number;
  maxMessageBytes: number;
  maxFrameBytes: number;
  maxHeaderBytes: number;
  publishRatePerS: number;
  publishBurst: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  pollDefaultLimit: number;
  pollMaxLimit: number;
  longPollDefaultTimeoutS: number;
  longPollMaxTimeoutS: number;
  sseRetryMs: number;
  sseHeartbeatMs: number;
  wsPingMs: number;
  maxBufferedBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  clockIntervalMs: number;
  siteDir: string;
  /** Addresses of the reverse proxies whose X-Forwarded-For is believed (proxy-addr's notation); empty believes none. */
  trustProxy: string[];
  /** Stack traces of unexpected errors logged per minute; past it they are counted. */
  loggedErrorsPerMin: number;
  /** The channel log on Redis Streams, shared by several instances; empty keeps it in memory. */
  redisUrl: string;
  /** The name /api/stats gives this instance; empty means `<hostname>-<pid>`. */
  instanceName: string;
  maxLogBytes: number;
  maxJsonDepth: number;
  publishBytesPerS: number;
  channelIdleMs: number;
  runIdleMs: number;
  maxRunsPerAddress: number;
  maxRuns: number;
  maxTapBytes: number;
  /** The secret run ids are signed with, shared by every instance of a deployment; empty: a random one per process. */
  runSecret: string;
  /** Workshop mode (server/workshop/): presence, the self-test, the projector and instructor pages. */
  workshop: boolean;
  /** The instructor's secret; empty: a new random one at each start. */
  workshopToken: string;
  workshopSeats: number;
  workshopMaxAttendees: number;
  workshopNameMaxChars: number;
  workshopNoticeMaxChars: number;
  /** Entries the control channel's wire view keeps for an instructor page that opens later. */
  workshopWireEntries: number;
  /** How long after a "ping the room" the attendees' answers count. */
  workshopPingWindowMs: number;
  workshopHandCodeMaxBytes: number;
  /** Folder of the workshop's saved state (workshop.json), when REDIS_URL is not set. */
  dataDir: string;
  workshopSaveMs: number;
}

type IntegerKey = { [K in keyof Config]: Config[K] extends number ? K : never }[keyof Config];

interface IntegerSetting {
  key: IntegerKey;
  env: string;
  default: number;
  min: number;
  max: number;
  description: string;
}

/** The integer settings, with their environment variable, default and allowed range. */
export const INTEGER_SETTINGS: readonly IntegerSetting[] = [
  { key: 'port', env: 'PORT', default: 3000, min: 0, max: 65535, description: 'TCP port to listen on (also `--port`); 0 picks a free one' },
  { key: 'historyLimit', env: 'HISTORY_LIMIT', default: 1000, min: 1, max: 1_000_000, description: 'messages each channel keeps for replay' },
  { key: 'maxChannels', env: 'MAX_CHANNELS', default: 1000, min: 1, max: 1_000_000, description: 'channels that may exist at once, not counting the built-in channels the lessons use (`clock`, `chat`, `quiet-room`; server/channels.ts) (507 past it)' },
  { key: 'maxMessageBytes', env: 'MAX_MESSAGE_BYTES', default: 16 * 1024, min: 64, max: 16 * 1024 * 1024, description: 'largest publish, as an HTTP request body or a WebSocket `publish` frame (413 or an error frame past it); also the largest body of a runs or workshop API request (400)' },
  { key: 'maxFrameBytes', env: 'MAX_FRAME_BYTES', default: 64 * 1024, min: 64, max: 16 * 1024 * 1024, description: 'largest WebSocket message (close 1009 past it); at least MAX_MESSAGE_BYTES' },
  { key: 'maxHeaderBytes', env: 'MAX_HEADER_BYTES', default: 16 * 1024, min: 1024, max: 1024 * 1024, description: 'largest request header block (431 past it)' },
  { key: 'publishRatePerS', env: 'PUBLISH_RATE_PER_S', default: 20, min: 1, max: 1_000_000, description: 'messages per second one client address may publish, sustained (429 past it)' },
  { key: 'publishBurst', env: 'PUBLISH_BURST', default: 40, min: 1, max: 1_000_000, description: 'messages one client address may publish in a burst' },
  { key: 'maxConnections', env: 'MAX_CONNECTIONS', default: 10_000, min: 1, max: 10_000_000, description: 'open long-poll, SSE and WebSocket connections in total (429 past it)' },
  { key: 'maxConnectionsPerAddress', env: 'MAX_CONNECTIONS_PER_ADDRESS', default: 200, min: 1, max: 10_000_000, description: 'open long-poll, SSE and WebSocket connections per client address (429 past it)' },
  { key: 'pollDefaultLimit', env: 'POLL_DEFAULT_LIMIT', default: 20, min: 1, max: 10_000, description: 'messages a poll returns when it gives no `limit`' },
  { key: 'pollMaxLimit', env: 'POLL_MAX_LIMIT', default: 100, min: 1, max: 10_000, description: 'largest `limit` a poll may ask for' },
  { key: 'longPollDefaultTimeoutS', env: 'LONG_POLL_DEFAULT_TIMEOUT_S', default: 25, min: 1, max: 3600, description: 'seconds a long poll is held when it gives no `timeout`' },
  { key: 'longPollMaxTimeoutS', env: 'LONG_POLL_MAX_TIMEOUT_S', default: 60, min: 1, max: 3600, description: 'largest `timeout` a long poll may ask for (the smallest is 1)' },
  { key: 'sseRetryMs', env: 'SSE_RETRY_MS', default: 2000, min: 0, max: 3_600_000, description: 'reconnection delay sent to EventSource clients in the `retry:` field' },
  { key: 'sseHeartbeatMs', env: 'SSE_HEARTBEAT_MS', default: 15_000, min: 10, max: 3_600_000, description: 'interval of the comment heartbeat on SSE streams' },
  { key: 'wsPingMs', env: 'WS_PING_MS', default: 30_000, min: 10, max: 3_600_000, description: 'interval of WebSocket pings; a connection that misses a pong by the next one is terminated' },
  { key: 'maxBufferedBytes', env: 'MAX_BUFFERED_BYTES', default: 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024, description: 'unsent output a subscriber may have (live messages held during its replay count too) before it is disconnected as a slow consumer' },
  { key: 'headersTimeoutMs', env: 'HEADERS_TIMEOUT_MS', default: 10_000, min: 100, max: 600_000, description: 'time a client has to send its request headers (408 past it)' },
  { key: 'requestTimeoutMs', env: 'REQUEST_TIMEOUT_MS', default: 30_000, min: 100, max: 600_000, description: 'time a client has to send its whole request (408 past it)' },
  { key: 'shutdownGraceMs', env: 'SHUTDOWN_GRACE_MS', default: 3000, min: 0, max: 60_000, description: 'time connections get to close on SIGTERM or SIGINT before they are cut' },
  { key: 'clockIntervalMs', env: 'CLOCK_INTERVAL_MS', default: 1000, min: 10, max: 3_600_000, description: 'interval of the built-in `clock` channel' },
  { key: 'loggedErrorsPerMin', env: 'LOGGED_ERRORS_PER_MIN', default: 10, min: 0, max: 100_000, description: 'stack traces of unexpected server errors (500) logged per minute; past it they are counted, and the count is logged when the minute ends' },
  { key: 'maxLogBytes', env: 'MAX_LOG_BYTES', default: 64 * 1024 * 1024, min: 64 * 1024, max: 64 * 1024 * 1024 * 1024, description: 'bytes the in-memory history may hold in all channels together (each message counted as its envelope JSON as the heap holds it, plus 200 for its bookkeeping); past it the channel holding the most bytes loses its oldest messages, and its readers get a gap' },
  { key: 'maxJsonDepth', env: 'MAX_JSON_DEPTH', default: 32, min: 2, max: 1000, description: 'deepest nesting of objects and arrays in a publish body or frame, counting the outer object; checked before parsing (400 JSON_TOO_DEEP, or an error frame, past it)' },
  { key: 'publishBytesPerS', env: 'PUBLISH_BYTES_PER_S', default: 64 * 1024, min: 64, max: 1024 * 1024 * 1024, description: 'bytes per second one client address may publish, sustained, in bursts of twice that (429 past it)' },
  { key: 'runIdleMs', env: 'RUN_IDLE_MS', default: 10 * 60 * 1000, min: 1000, max: 24 * 3600 * 1000, description: 'a run (one Run of a sandbox, an exercise check or a lab race; `POST /api/runs`) ends this long after its last traffic; its id then gets 404 UNKNOWN_RUN' },
  { key: 'maxRuns', env: 'MAX_RUNS', default: 1000, min: 1, max: 1_000_000, description: 'live runs this instance holds in all (503 TOO_MANY_RUNS past it)' },
  { key: 'maxRunsPerAddress', env: 'MAX_RUNS_PER_ADDRESS', default: 100, min: 1, max: 1_000_000, description: 'live runs one client address may hold (429 TOO_MANY_RUNS past it); a sandbox holds one at a time, and ends it when its page goes' },
  { key: 'maxTapBytes', env: 'MAX_TAP_BYTES', default: 128 * 1024, min: 4096, max: 64 * 1024 * 1024, description: 'tap events kept per run for a late tap reader, counted in characters of their SSE text (each event\'s text is cut at 2 KiB); past it the oldest go, and the tap says how many with `event: gap`' },
  { key: 'workshopSeats', env: 'WORKSHOP_SEATS', default: 100, min: 1, max: 100_000, description: 'attendees a workshop plans for: the pre-flight report checks the open-file limit (`ulimit -n`) against the connections they need' },
  { key: 'workshopMaxAttendees', env: 'WORKSHOP_MAX_ATTENDEES', default: 500, min: 1, max: 100_000, description: 'attendees a workshop keeps at once, connected or recently gone (503 WORKSHOP_FULL past it, when none has gone)' },
  { key: 'workshopNameMaxChars', env: 'WORKSHOP_NAME_MAX_CHARS', default: 40, min: 1, max: 200, description: 'longest name an attendee may give, in characters (400 INVALID_NAME past it)' },
  { key: 'workshopNoticeMaxChars', env: 'WORKSHOP_NOTICE_MAX_CHARS', default: 280, min: 1, max: 4000, description: 'longest notice the instructor may send to every attendee, in characters (400 INVALID_NOTICE past it)' },
  { key: 'workshopHandCodeMaxBytes', env: 'WORKSHOP_HAND_CODE_MAX_BYTES', default: 8 * 1024, min: 256, max: 1024 * 1024, description: 'largest code an attendee\'s raised hand may carry to the instructor, in UTF-8 bytes (400 HAND_CODE_TOO_LONG past it)' },
  { key: 'workshopSaveMs', env: 'WORKSHOP_SAVE_MS', default: 500, min: 0, max: 60_000, description: 'in workshop mode, time from a change of the workshop\'s state (attendees, their results, the instructor\'s controls) to its save in DATA_DIR or Redis; changes in between are saved together, and a stop saves at once' },
  { key: 'channelIdleMs', env: 'CHANNEL_IDLE_MS', default: 15 * 60 * 1000, min: 100, max: 7 * 24 * 3600 * 1000, description: 'a channel with no subscriber and no new message for this long is removed, with its history (a reader that resumes from one of its ids gets a gap); in Redis, counted from its last message alone' },
  { key: 'workshopWireEntries', env: 'WORKSHOP_WIRE_ENTRIES', default: 200, min: 1, max: 10_000, description: 'entries of the control channel\'s wire view (broadcasts down, POSTs and frames up) the server keeps for an instructor page that opens later; older ones go' },
  { key: 'workshopPingWindowMs', env: 'WORKSHOP_PING_WINDOW_MS', default: 10_000, min: 100, max: 600_000, description: 'how long after "ping the room" an attendee\'s answer counts in the latency spread (409 PING_CLOSED past it, or for an earlier ping)' },
];

/** Default values of every setting. */
export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  ...(Object.fromEntries(INTEGER_SETTINGS.map((s) => [s.key, s.default])) as Record<IntegerKey, number>),
  host: '127.0.0.1',
  allowedOrigins: ['null'],
  allowedHosts: [],
  trustProxy: [],
  siteDir: 'dist',
  redisUrl: '',
  instanceName: '',
  runSecret: '',
  workshop: false,
  workshopToken: '',
  dataDir: 'data',
});

/** The string settings, for the README's table. */
export const STRING_SETTINGS = [
  { key: 'host', env: 'HOST', default: '127.0.0.1', description: 'address to listen on (also `--host`); `0.0.0.0` lets others on the network connect' },
  { key: 'allowedOrigins', env: 'ALLOWED_ORIGINS', default: 'null', description: 'comma-separated origins allowed besides the server\'s own: `null` is the sandbox frames, served only when the request carries a live run (`run=`), `*` allows any' },
  { key: 'allowedHosts', env: 'ALLOWED_HOSTS', default: '', description: 'comma-separated host names the server answers to besides localhost, 127.0.0.1, `HOST` and, with `--host 0.0.0.0`, its network addresses (`lab.example.org`; `.example.org` also covers its subdomains; `*` any); other `Host` headers get 421, which stops DNS rebinding' },
  { key: 'trustProxy', env: 'TRUST_PROXY', default: '', description: 'the reverse proxies (such as nginx) whose `X-Forwarded-For` is believed, so that per-address limits count each client, not the proxy: `loopback` (or `1`) for a proxy on this machine, or comma-separated addresses and ranges (`10.0.0.5, 10.1.0.0/16`, `uniquelocal`); empty: every client is its socket address' },
  { key: 'siteDir', env: 'SITE_DIR', default: 'dist', description: 'folder of the built site that the server serves' },
  { key: 'redisUrl', env: 'REDIS_URL', default: '', description: 'keeps the channel log in Redis Streams (`redis://host:6379`), shared by several instances behind a proxy; empty keeps it in memory' },
  { key: 'instanceName', env: 'INSTANCE_NAME', default: '', description: 'the name `/api/stats` gives this instance; empty means `<hostname>-<pid>`' },
  { key: 'runSecret', env: 'RUN_SECRET', default: '', description: 'the secret run ids are signed with (at least 16 characters); every instance behind one proxy must share it, so that a run issued by one is accepted by all; empty: a random secret per process' },
  { key: 'workshop', env: 'WORKSHOP', default: '0', description: 'workshop mode (also `--workshop`): `1`, `true` or `on` prints the attendee URL with a QR code, the instructor link and a pre-flight report, and turns on `/api/workshop`, attendee presence and the self-test' },
  { key: 'dataDir', env: 'DATA_DIR', default: 'data', description: 'folder where workshop mode keeps its state (`workshop.json`: attendees and their progress), so that a restart loses nothing; with `REDIS_URL` set it is kept in Redis instead (key `realtime-lab:workshop:state`)' },
  { key: 'workshopToken', env: 'WORKSHOP_TOKEN', default: '', description: 'the instructor\'s secret in workshop mode: 22 to 128 characters of `A-Z a-z 0-9 - _`; empty: a new random one (192 bits) at each start, printed once' },
] as const;

/** What WORKSHOP_TOKEN accepts: enough URL-safe characters for 128 bits and more. */
export const WORKSHOP_TOKEN_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

/** Thrown for a setting that is out of range or contradicts another. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** What ALLOWED_HOSTS accepts: a name or an address, without port; a leading dot covers subdomains. */
const HOST_NAME_PATTERN = /^(\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\]|[0-9a-f:.]+)$/i;

/** Checks a full or partial config, fills defaults, and refuses contradictions with a sentence that names them. */
export function resolveConfig(overrides: Partial<Config> = {}): Config {
  const config: Config = { ...DEFAULT_CONFIG, ...overrides };
  for (const setting of INTEGER_SETTINGS) {
    const value = config[setting.key];
    if (!Number.isInteger(value) || value < setting.min || value > setting.max) {
      throw new ConfigError(`${setting.env} must be an integer from ${setting.min} to ${setting.max}; received ${JSON.stringify(value)}`);
    }
  }
  if (config.pollDefaultLimit > config.pollMaxLimit) {
    throw new ConfigError(`POLL_DEFAULT_LIMIT (${config.pollDefaultLimit}) cannot be larger than POLL_MAX_LIMIT (${config.pollMaxLimit})`);
  }
  if (config.longPollDefaultTimeoutS > config.longPollMaxTimeoutS) {
    throw new ConfigError(`LONG_POLL_DEFAULT_TIMEOUT_S (${config.longPollDefaultTimeoutS}) cannot be larger than LONG_POLL_MAX_TIMEOUT_S (${config.longPollMaxTimeoutS})`);
  }
  if (config.maxConnectionsPerAddress > config.maxConnections) {
    throw new ConfigError(`MAX_CONNECTIONS_PER_ADDRESS (${config.maxConnectionsPerAddress}) cannot be larger than MAX_CONNECTIONS (${config.maxConnections})`);
  }
  if (config.maxMessageBytes > config.maxFrameBytes) {
    throw new ConfigError(`MAX_MESSAGE_BYTES (${config.maxMessageBytes}) cannot be larger than MAX_FRAME_BYTES (${config.maxFrameBytes}): a WebSocket publish in between would be closed with 1009 instead of answered with an error frame; raise MAX_FRAME_BYTES or lower MAX_MESSAGE_BYTES`);
  }
  if (config.publishBytesPerS * 2 < config.maxMessageBytes) {
    throw new ConfigError(`PUBLISH_BYTES_PER_S (${config.publishBytesPerS}) must be at least half of MAX_MESSAGE_BYTES (${config.maxMessageBytes}): a burst is twice the rate, and must hold one message`);
  }
  if (config.maxLogBytes < 4 * config.maxMessageBytes) {
    throw new ConfigError(`MAX_LOG_BYTES (${config.maxLogBytes}) must be at least 4 times MAX_MESSAGE_BYTES (${config.maxMessageBytes}), so that the history holds several of the largest messages`);
  }
  if (config.redisUrl !== '' && !/^rediss?:\/\/[^\s]+$/.test(config.redisUrl)) {
    throw new ConfigError(`REDIS_URL must be a Redis URL such as "redis://127.0.0.1:6379" (or rediss:// for TLS); received ${JSON.stringify(config.redisUrl)}`);
  }
  if (config.runSecret !== '' && Buffer.byteLength(config.runSecret) < 16) {
    throw new ConfigError(`RUN_SECRET must be at least 16 characters, shared by every instance of the deployment (or empty for a random secret per process); received one of ${Buffer.byteLength(config.runSecret)}`);
  }
  if (config.workshopToken !== '' && !WORKSHOP_TOKEN_PATTERN.test(config.workshopToken)) {
    throw new ConfigError(`WORKSHOP_TOKEN must be 22 to 128 characters of A-Z, a-z, 0-9, "-" and "_" (at least 128 bits), or empty for a new random token at each start; received one of ${config.workshopToken.length} characters${/[^A-Za-z0-9_-]/.test(config.workshopToken) ? ' with others' : ''}`);
  }
  for (const origin of config.allowedOrigins) {
    if (origin !== '*' && origin !== 'null' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`ALLOWED_ORIGINS entries must be "null", "*" or an origin such as "https://lab.example.org" (scheme and host, no path); received ${JSON.stringify(origin)}`);
    }
  }
  for (const host of config.allowedHosts) {
    if (host !== '*' && !HOST_NAME_PATTERN.test(host)) {
      throw new ConfigError(`ALLOWED_HOSTS entries must be host names or addresses such as "lab.example.org" or "192.168.1.20" (no scheme, port or path), ".example.org" for a domain and its subdomains, or "*"; received ${JSON.stringify(host)}`);
    }
  }
  if (config.trustProxy.length > 0) {
    try {
      proxyaddr.compile(config.trustProxy);
    } catch (error) {
      throw new ConfigError(`TRUST_PROXY must be "loopback", "linklocal", "uniquelocal" or addresses and ranges such as "10.0.0.5" or "10.1.0.0/16", comma-separated; ${(error as Error).message} in ${JSON.stringify(config.trustProxy.join(','))}`);
    }
  }
  return config;
}

/**
 * Reads TRUST_PROXY: empty, `0`, `false` or `off` trust no proxy; `1`, `true` or `on` trust a
 * proxy on this machine (`loopback`); anything else lists the proxies, as proxy-addr reads them.
 */
function parseTrustProxy(raw: string): string[] {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === '0' || value === 'false' || value === 'off') return [];
  if (value === '1' || value === 'true' || value === 'on') return ['loopback'];
  if (/^\d+$/.test(value)) {
    throw new ConfigError(`TRUST_PROXY names the proxies to believe, not how many there are; received ${JSON.stringify(raw)}. For nginx on this machine use TRUST_PROXY=loopback; for proxies elsewhere list their addresses or ranges, such as TRUST_PROXY=10.0.0.5,10.0.0.6`);
  }
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Reads settings from environment-style variables and `--port`/`--host` flags (flags win). */
export function configFromEnvironment(env: Record<string, string | undefined>, argv: readonly string[] = []): Config {
  const overrides: Partial<Config> = {};
  const flags = parseFlags(argv);
  const source: Record<string, string | undefined> = { ...env, ...flags };
  for (const setting of INTEGER_SETTINGS) {
    const raw = source[setting.env];
    if (raw === undefined || raw === '') continue;
    if (!/^-?\d+$/.test(raw.trim())) {
      throw new ConfigError(`${setting.env} must be an integer from ${setting.min} to ${setting.max}; received ${JSON.stringify(raw)}`);
    }
    overrides[setting.key] = Number(raw);
  }
  if (source.HOST) overrides.host = source.HOST;
  if (source.SITE_DIR) overrides.siteDir = source.SITE_DIR;
  if (source.REDIS_URL) overrides.redisUrl = source.REDIS_URL.trim();
  if (source.INSTANCE_NAME) overrides.instanceName = source.INSTANCE_NAME.trim();
  if (source.RUN_SECRET) overrides.runSecret = source.RUN_SECRET;
  if (source.ALLOWED_ORIGINS !== undefined) {
    overrides.allowedOrigins = source.ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  }
  if (source.ALLOWED_HOSTS !== undefined) {
    overrides.allowedHosts = source.ALLOWED_HOSTS.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  }
  if (source.TRUST_PROXY !== undefined) overrides.trustProxy = parseTrustProxy(source.TRUST_PROXY);
  if (source.WORKSHOP !== undefined) overrides.workshop = parseSwitch('WORKSHOP', source.WORKSHOP);
  if (source.WORKSHOP_TOKEN) overrides.workshopToken = source.WORKSHOP_TOKEN.trim();
  if (source.DATA_DIR) overrides.dataDir = source.DATA_DIR;
  return resolveConfig(overrides);
}

/** Reads an on/off setting: `1`, `true`, `on`, `yes` or `0`, `false`, `off`, `no`, `` (any case). */
function parseSwitch(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(value)) return true;
  if (['', '0', 'false', 'off', 'no'].includes(value)) return false;
  throw new ConfigError(`${name} must be 1, true, on or yes to turn it on, or 0, false, off or no (or unset) to leave it off; received ${JSON.stringify(raw)}`);
}

function parseFlags(argv: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--workshop') {
      flags.WORKSHOP = '1';
      continue;
    }
    const match = /^--(port|host)(?:=(.*))?$/.exec(arg);
    if (!match) {
      throw new ConfigError(`unknown argument ${JSON.stringify(arg)}; the server takes --port N, --host ADDRESS and --workshop`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new ConfigError(`--${match[1]} needs a value`);
    flags[match[1] === 'port' ? 'PORT' : 'HOST'] = value;
  }
  return flags;
}
