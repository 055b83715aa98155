/**
 * "Open run…": replays a saved run (saved-run.ts) in a sandbox's output and wire view, both
 * sides, anatomy and table included. Nothing runs and nothing is sent: the models are fed from
 * the file. The saved code is shown read-only above the view; the editor keeps the reader's.
 * Loaded when the reader opens a file, never before.
 */
import { WireModel } from './wire-model.ts';
import { part, t, type SandboxHost } from './host.ts';
import { stopRun } from './runner.ts';
import { MAX_RUN_FILE_BYTES, parseSavedRun, type SavedRun } from './saved-run.ts';
import { ServerModel } from './wire-server.ts';
import { WireView } from './wire-view.ts';

/** A replayed timeline ends this long after its last event, so the last mark is not on the edge. */
const REPLAY_TAIL_MS = 250;

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Reads `file` and replays it in the host's sandbox, or says in the reader's language why it is not a run. */
export async function openRun(host: SandboxHost, file: File): Promise<void> {
  if (file.size > MAX_RUN_FILE_BYTES) {
    host.notice(t(host, 'sandbox.replay.tooLarge', { bytes: megabytes(file.size), max: megabytes(MAX_RUN_FILE_BYTES) }));
    return;
  }
  let text: string;
  try {
    text = await file.text();
  } catch {
    host.notice(t(host, 'sandbox.replay.failed'));
    return;
  }
  const parsed = parseSavedRun(text);
  if (!parsed.ok) {
    if (parsed.problem === 'tooLarge') host.notice(t(host, 'sandbox.replay.tooLarge', { bytes: megabytes(parsed.bytes), max: megabytes(MAX_RUN_FILE_BYTES) }));
    else if (parsed.problem === 'notJson') host.notice(t(host, 'sandbox.replay.notJson'));
    else host.notice(t(host, 'sandbox.replay.field', { field: parsed.field, expected: t(host, `sandbox.replay.expected.${parsed.expected}`) }));
    return;
  }
  replay(host, parsed.run);
}

function replay(host: SandboxHost, run: SavedRun): void {
  stopRun(host);
  const { root } = host;
  const { t0 } = run;
  const say = (key: string, values?: Record<string, string | number>) => t(host, `sandbox.wire.${key}`, values);
  const wire = new WireModel(t0, host.apiBase, say);
  for (const item of run.browser) wire.add(item);
  const server = new ServerModel(t0, run.clockOffsetMs, say);
  let end = 0;
  for (const event of run.server) end = Math.max(end, server.add(event).at);
  for (const item of run.browser) end = Math.max(end, item.t - t0);
  for (const line of run.output) end = Math.max(end, line.at);

  part(root, 'panels').hidden = false;
  const output = part(root, 'output');
  output.replaceChildren(
    ...run.output.map((line) => {
      const row = document.createElement('div');
      row.className = 'rl-sb-line';
      row.dataset.level = line.level;
      const time = Object.assign(document.createElement('span'), { className: 'rl-sb-time', textContent: `${(line.at / 1000).toFixed(2)} s` });
      const message = Object.assign(document.createElement('span'), { className: 'rl-sb-msg', textContent: line.text });
      row.append(time, message);
      return row;
    }),
  );
  const view = new WireView(host, { live: false, wire, server, queued: () => false, elapsed: () => end + REPLAY_TAIL_MS, save: () => run });
  const code = document.createElement('details');
  code.className = 'rl-wv-code';
  code.dataset.replayCode = '';
  const summary = document.createElement('summary');
  summary.textContent = t(host, 'sandbox.replay.code');
  const pre = document.createElement('pre');
  pre.textContent = run.code;
  pre.tabIndex = 0;
  code.append(summary, pre);
  root.querySelector('[data-wire-tools]')?.before(code);
  view.render();
  delete root.dataset.runId;
  root.dataset.run = 'replay';
  part(root, 'run-state').textContent = t(host, 'sandbox.replay.state');
  host.notice(t(host, 'sandbox.replay.opened', { title: run.title, time: new Date(run.startedAt).toLocaleString(document.documentElement.lang || undefined) }));
}
