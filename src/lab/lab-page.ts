/**
 * The lab page's script: starts a race (a run, its tap, the start marker, four receivers, the
 * publisher), keeps the table and the chart live, sends the fault panel's changes to the run, and
 * ends the race. The arithmetic lives in stats.ts; each receiver in its own receive-*.ts file.
 */
import { Publisher, publishBody, publishOnce } from './publisher.ts';
import type { Envelope, Receiver, ReceiverOptions } from './receiver.ts';
import { startNaivePolling, startPolling } from './receive-poll.ts';
import { startLongPolling } from './receive-long-poll.ts';
import { startNaiveSse, startSse } from './receive-sse.ts';
import { startNaiveWebSocket, startWebSocket } from './receive-ws.ts';
import { buildRows, mostBytes, Reception, rowsToCsv, rowsToJson, TECHNIQUES, WireCounts, type Row, type Technique } from './stats.ts';
import { fill, type LabStringKey } from './strings.ts';
import { inWorkshop } from '../sandbox/page/in-workshop.ts';
import type { LatencyChart } from './latency-chart.ts';

/** How often the table and chart are redrawn. */
const RENDER_MS = 500;
/** How long after its ack a message may still arrive before it counts as lost, on top of the latency fault. */
const SETTLE_MS = 5000;
/** How long a finished race waits for the tap to see its connections close before ending the run anyway. */
const TAP_END_WAIT_MS = 3000;
/** Refused requests when "Refuse" is chosen. */
const REFUSE_COUNT = 10;
/** The history kept when "Trim history" is on. */
const TRIM_TO = 5;
/** SSE bytes a "proxy" holds before letting them go. */
const PROXY_BUFFER_BYTES = 4096;
/** The default PUBLISH_BYTES_PER_S, for the warning under the controls. */
const DEFAULT_PUBLISH_BYTES_PER_S = 64 * 1024;
const DEFAULT_PUBLISH_RATE_PER_S = 20;

type Starter = (options: ReceiverOptions) => Receiver;
const CORRECT: Record<Technique, Starter> = { poll: startPolling, 'long-poll': startLongPolling, sse: startSse, ws: startWebSocket };
const NAIVE: Record<Technique, Starter> = { poll: startNaivePolling, 'long-poll': startLongPolling, sse: startNaiveSse, ws: startNaiveWebSocket };

interface Faults {
  latencyMs: number;
  jitterMs: number;
  proxyBuffering: number;
  refuseReconnects: { status: number; count: number } | null;
  historyLimit: number | null;
  restart: boolean;
}

/** One race: from Start to the end of its settle time. */
interface Race {
  run: string;
  channel: string;
  startedAt: number;
  settings: { rate: number; bodyBytes: number; pollIntervalMs: number; naive: boolean };
  receptions: Map<Technique, Reception>;
  receivers: Receiver[];
  wire: WireCounts;
  acked: Map<number, number>;
  tap: EventSource;
  publisher: Publisher | null;
  faults: Faults | null;
  rateLimited: { count: number; seconds: number };
  failedPublishes: number;
  settling: boolean;
  done: boolean;
  timer: ReturnType<typeof setInterval>;
}

function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function setup(root: HTMLElement): void {
  const strings = JSON.parse(root.dataset.strings ?? '{}') as Record<LabStringKey, string>;
  const say = (key: LabStringKey, values?: Record<string, string | number>) => fill(strings[key], values);
  const origin = root.dataset.apiBase || location.origin;
  const now = () => Date.now();
  const q = <T extends Element>(selector: string) => root.querySelector<T>(selector) as T;

  const rate = q<HTMLInputElement>('[data-rate]');
  const rateOut = q<HTMLOutputElement>('[data-rate-out]');
  const size = q<HTMLSelectElement>('[data-size]');
  const interval = q<HTMLSelectElement>('[data-interval]');
  const naive = q<HTMLInputElement>('[data-naive]');
  const warning = q<HTMLElement>('[data-limit-warning]');
  const start = q<HTMLButtonElement>('[data-start]');
  const stop = q<HTMLButtonElement>('[data-stop]');
  // status is a live region, for the changes of state only; progress changes twice a second and is not announced.
  const status = q<HTMLElement>('[data-status]');
  const progress = q<HTMLElement>('[data-progress]');
  const publisherNote = q<HTMLElement>('[data-publisher-note]');
  const prediction = q<HTMLElement>('[data-prediction]');
  const faultBox = q<HTMLFieldSetElement>('[data-faults]');
  const faultStatus = q<HTMLElement>('[data-fault-status]');
  const latency = q<HTMLSelectElement>('[data-latency]');
  const jitter = q<HTMLInputElement>('[data-jitter]');
  const buffer = q<HTMLInputElement>('[data-buffer]');
  const refuse = q<HTMLSelectElement>('[data-refuse]');
  const trim = q<HTMLInputElement>('[data-trim]');
  const chartHost = q<HTMLElement>('[data-chart]');
  const exports = [...root.querySelectorAll<HTMLButtonElement>('[data-export]')];

  let race: Race | null = null;
  let chart: LatencyChart | null = null;
  let lastRows: Row[] = [];

  function showLimits(): void {
    rateOut.value = rate.value;
    const perSecond = Number(rate.value) * Number(size.value);
    const notes: string[] = [];
    if (Number(rate.value) > DEFAULT_PUBLISH_RATE_PER_S) notes.push(say('setup.over.rate'));
    if (perSecond > DEFAULT_PUBLISH_BYTES_PER_S) notes.push(say('setup.over.bytes', { bytes: bytesText(perSecond) }));
    warning.textContent = notes.join(' ');
    warning.hidden = notes.length === 0;
  }
  rate.addEventListener('input', showLimits);
  size.addEventListener('change', showLimits);
  showLimits();

  function settleMs(): number {
    return SETTLE_MS + (race?.faults ? race.faults.latencyMs + race.faults.jitterMs : 0);
  }

  function render(): void {
    if (!race) return;
    const settledBefore = race.done ? Number.POSITIVE_INFINITY : now() - settleMs();
    lastRows = buildRows(race.receptions, race.wire, race.acked, settledBefore);
    for (const row of lastRows) {
      const tr = root.querySelector(`tr[data-technique="${row.technique}"]`);
      if (!tr) continue;
      for (const cell of tr.querySelectorAll<HTMLElement>('td[data-col]')) {
        const column = cell.dataset.col as keyof Row;
        const value = row[column];
        let text: string;
        if (value === null) text = '–';
        else if (column === 'p50' || column === 'p95' || column === 'max') text = `${value} ms`;
        else if (column === 'bytesUp' || column === 'bytesDown') text = bytesText(value as number);
        else text = String(value);
        if (cell.textContent !== text) cell.textContent = text;
        cell.dataset.value = String(value ?? '');
        cell.toggleAttribute('data-bad', (column === 'lost' || column === 'duplicated') && (value as number) > 0);
      }
    }
    progress.textContent = say('status.running', { sent: race.publisher?.sent ?? 0, acked: race.acked.size });
    const notes: string[] = [];
    if (race.rateLimited.count > 0) notes.push(say('status.rateLimited', { count: race.rateLimited.count, seconds: race.rateLimited.seconds }));
    if (race.publisher && race.publisher.skipped > 0) notes.push(say('status.skipped', { count: race.publisher.skipped }));
    if (race.failedPublishes > 0) notes.push(say('status.failed.publishes', { count: race.failedPublishes }));
    publisherNote.textContent = notes.join(' ');
    chart?.render(now());
  }

  async function api(path: string, method: string, body?: unknown): Promise<Response> {
    return fetch(`${origin}${path}`, {
      method,
      cache: 'no-store',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  }

  const endedRuns = new Set<string>();
  function endRun(run: string): void {
    if (endedRuns.has(run)) return;
    endedRuns.add(run);
    // keepalive: the DELETE still goes when the page is leaving.
    fetch(`${origin}/api/runs/${encodeURIComponent(run)}`, { method: 'DELETE', keepalive: true }).catch(() => {});
  }

  function finish(current: Race): void {
    current.done = true;
    for (const label of root.querySelectorAll<HTMLElement>('[data-receiver-state]')) label.textContent = '';
    for (const receiver of current.receivers) receiver.stop();
    render();
    clearInterval(current.timer);
    // The run ends once the tap has seen the receivers' connections close (or after a while), so
    // "connections held" reads 0 for the receivers that let go; the tap ends with the run.
    const stoppedAt = now();
    const ending = setInterval(() => {
      if (race === current) render();
      const held = TECHNIQUES.reduce((sum, technique) => sum + current.wire.of(technique).connections, 0);
      if (held > 0 && now() - stoppedAt < TAP_END_WAIT_MS) return;
      clearInterval(ending);
      current.tap.close();
      endRun(current.run);
    }, RENDER_MS);
    faultBox.disabled = true;
    root.dataset.state = 'done';
    status.textContent = say('status.done', { acked: current.acked.size });
    start.disabled = false;
    stop.disabled = true;
    for (const button of exports) button.disabled = false;
    const answer = mostBytes(lastRows);
    if (answer) {
      const row = lastRows.find((r) => r.technique === answer) as Row;
      const guess = root.querySelector<HTMLInputElement>('input[name="rl-lab-guess"]:checked')?.value as Technique | '' | undefined;
      const values = { answer: strings[`technique.${answer}`], bytes: bytesText(row.bytesUp + row.bytesDown), rate: current.settings.rate };
      prediction.textContent = guess ? say('predict.result', { ...values, guess: strings[`technique.${guess}`] }) : say('predict.result.none', values);
    }
  }

  function stopRace(): void {
    const current = race;
    if (!current || current.settling || current.done) return;
    current.publisher?.stop();
    current.settling = true;
    stop.disabled = true;
    root.dataset.state = 'settling';
    const wait = settleMs();
    status.textContent = say('status.settling', { seconds: Math.round(wait / 1000) });
    setTimeout(() => finish(current), wait);
  }

  function abandon(current: Race): void {
    current.publisher?.stop();
    for (const receiver of current.receivers) receiver.stop();
    current.tap.close();
    clearInterval(current.timer);
    endRun(current.run);
  }

  async function startRace(): Promise<void> {
    if (race) abandon(race);
    race = null;
    start.disabled = true;
    prediction.textContent = '';
    progress.textContent = '';
    publisherNote.textContent = '';
    faultStatus.textContent = '';
    for (const button of exports) button.disabled = true;
    latency.value = '0';
    refuse.value = '';
    jitter.checked = buffer.checked = trim.checked = false;
    root.dataset.state = 'starting';
    status.textContent = say('status.starting');

    let run: string;
    try {
      const response = await api('/api/runs', 'POST');
      const body = await response.json();
      if (response.status !== 201) {
        status.textContent = say('status.failed', { message: body?.error?.message ?? String(response.status) });
        start.disabled = false;
        root.dataset.state = 'idle';
        return;
      }
      run = body.run;
    } catch {
      // In a workshop the server is the host's: tell the instructor, not npm start.
      status.textContent = say(inWorkshop() ? 'status.offline.workshop' : 'status.offline');
      start.disabled = false;
      root.dataset.state = 'idle';
      return;
    }
    const channel = `lab-${run.slice(0, 8).toLowerCase().replace(/[^a-z0-9]/g, '')}`;
    const settings = { rate: Number(rate.value), bodyBytes: Number(size.value), pollIntervalMs: Number(interval.value), naive: naive.checked };
    const wire = new WireCounts();
    const tap = new EventSource(`${origin}/api/runs/${encodeURIComponent(run)}/tap`);
    tap.addEventListener('tap', (event) => wire.add(JSON.parse((event as MessageEvent).data)));
    tap.addEventListener('end', () => tap.close());

    // The start marker (seq 0): every receiver starts right after it, so none misses the first message.
    let startAfter: string;
    try {
      const response = await publishOnce(origin, channel, run, publishBody(0, now(), 0));
      if (response.status !== 201) throw new Error(String(response.status));
      startAfter = ((await response.json()) as { message: Envelope }).message.id;
    } catch (error) {
      tap.close();
      endRun(run);
      status.textContent = say('status.failed', { message: String((error as Error).message) });
      start.disabled = false;
      root.dataset.state = 'idle';
      return;
    }

    const startedAt = now();
    const receptions = new Map(TECHNIQUES.map((technique) => [technique, new Reception()]));
    const current: Race = {
      run,
      channel,
      startedAt,
      settings,
      receptions,
      receivers: [],
      wire,
      acked: new Map(),
      tap,
      publisher: null,
      faults: null,
      rateLimited: { count: 0, seconds: 0 },
      failedPublishes: 0,
      settling: false,
      done: false,
      timer: setInterval(render, RENDER_MS),
    };
    race = current;
    root.toggleAttribute('data-naive-run', settings.naive);
    for (const label of root.querySelectorAll<HTMLElement>('[data-receiver-state]')) label.textContent = '';
    for (const mark of root.querySelectorAll<HTMLElement>('[data-naive-mark]')) {
      const technique = mark.closest('tr')?.dataset.technique as Technique;
      mark.hidden = !settings.naive || NAIVE[technique] === CORRECT[technique];
    }

    if (!chart) {
      const { LatencyChart } = await import('./latency-chart.ts');
      chart = new LatencyChart(chartHost, TECHNIQUES.map((technique) => strings[`technique.${technique}`]), strings['chart.axis.time'], strings['chart.axis.latency']);
    }
    chart.reset(startedAt);

    const starters = settings.naive ? NAIVE : CORRECT;
    for (const [index, technique] of TECHNIQUES.entries()) {
      const reception = receptions.get(technique) as Reception;
      current.receivers.push(
        starters[technique]({
          origin,
          channel,
          run,
          startAfter,
          intervalMs: settings.pollIntervalMs,
          onMessage(envelope) {
            if (current.done) return;
            const data = envelope.data as { seq?: unknown; sentAt?: unknown } | null;
            if (typeof data?.seq !== 'number' || typeof data.sentAt !== 'number' || data.seq === 0) return;
            const at = now();
            chart?.add(index, at, reception.receive(data.seq, data.sentAt, at));
          },
          onGap() {
            reception.gaps += 1;
          },
          onState(state) {
            if (current.done || current.settling) return;
            // What a reader should notice: a receiver reconnecting, or one that gave up.
            const label = root.querySelector<HTMLElement>(`tr[data-technique="${technique}"] [data-receiver-state]`);
            if (label) label.textContent = state === 'retrying' ? say('state.retrying') : state === 'stopped' ? say('state.stopped') : '';
          },
        }),
      );
    }

    current.publisher = new Publisher({
      origin,
      channel,
      run,
      rate: settings.rate,
      bodyBytes: settings.bodyBytes,
      now,
      report: {
        acked(seq, at) {
          current.acked.set(seq, at);
        },
        rateLimited(seconds) {
          current.rateLimited.count += 1;
          current.rateLimited.seconds += seconds;
        },
        failed() {
          current.failedPublishes += 1;
        },
      },
    });
    current.publisher.start();
    faultBox.disabled = false;
    stop.disabled = false;
    start.disabled = false;
    root.dataset.state = 'running';
    status.textContent = say('status.started');
    render();
  }

  async function setFaults(change: Partial<Faults>): Promise<void> {
    const current = race;
    if (!current || current.done) return;
    const response = await api(`/api/runs/${encodeURIComponent(current.run)}/faults`, 'PUT', change);
    const body = await response.json();
    if (response.status !== 200) {
      faultStatus.textContent = body?.error?.message ?? String(response.status);
      return;
    }
    current.faults = body as Faults;
    faultStatus.textContent = say('faults.done.set', { faults: describeFaults(current.faults) });
  }

  function describeFaults(faults: Faults): string {
    const parts: string[] = [];
    if (faults.latencyMs || faults.jitterMs) parts.push(`latencyMs ${faults.latencyMs}, jitterMs ${faults.jitterMs}`);
    if (faults.proxyBuffering) parts.push(`proxyBuffering ${faults.proxyBuffering}`);
    if (faults.refuseReconnects) parts.push(`refuseReconnects ${faults.refuseReconnects.status} ×${faults.refuseReconnects.count}`);
    if (faults.historyLimit !== null) parts.push(`historyLimit ${faults.historyLimit}`);
    if (faults.restart) parts.push('restart');
    return parts.length > 0 ? parts.join('; ') : say('faults.none');
  }

  function sendLatency(): void {
    const ms = Number(latency.value);
    void setFaults({ latencyMs: ms, jitterMs: jitter.checked ? Math.round(ms / 2) : 0 });
  }
  latency.addEventListener('change', sendLatency);
  jitter.addEventListener('change', sendLatency);
  buffer.addEventListener('change', () => void setFaults({ proxyBuffering: buffer.checked ? PROXY_BUFFER_BYTES : 0 }));
  refuse.addEventListener('change', () => void setFaults({ refuseReconnects: refuse.value ? { status: Number(refuse.value), count: REFUSE_COUNT } : null }));
  trim.addEventListener('change', () => void setFaults({ historyLimit: trim.checked ? TRIM_TO : null }));
  q<HTMLButtonElement>('[data-restart]').addEventListener('click', async () => {
    // `restart` acts when it turns true: switch it off first if an earlier press left it on.
    if (race?.faults?.restart) await setFaults({ restart: false });
    await setFaults({ restart: true });
  });
  for (const button of root.querySelectorAll<HTMLButtonElement>('[data-drop]')) {
    button.addEventListener('click', async () => {
      const current = race;
      if (!current || current.done) return;
      const response = await api(`/api/runs/${encodeURIComponent(current.run)}/drop`, 'POST', { mode: button.dataset.drop });
      const body = await response.json();
      faultStatus.textContent =
        response.status === 200 ? say('faults.done.drop', { count: body.dropped, mode: button.textContent?.trim() ?? '' }) : (body?.error?.message ?? String(response.status));
    });
  }

  function download(name: string, type: string, text: string): void {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  for (const button of exports) {
    button.addEventListener('click', () => {
      if (!race) return;
      const stamp = new Date(race.startedAt).toISOString().replace(/[:.]/g, '-');
      if (button.dataset.export === 'csv') download(`realtime-lab-${stamp}.csv`, 'text/csv', rowsToCsv(lastRows));
      else download(`realtime-lab-${stamp}.json`, 'application/json', rowsToJson(lastRows, { ...race.settings, faults: race.faults }));
    });
  }

  start.addEventListener('click', () => void startRace());
  stop.addEventListener('click', stopRace);
  // Leaving the page ends the run, so runs do not pile up against MAX_RUNS_PER_ADDRESS.
  addEventListener('pagehide', () => {
    if (race) abandon(race);
    race = null;
  });
}

for (const root of document.querySelectorAll<HTMLElement>('[data-rl-lab]')) setup(root);
