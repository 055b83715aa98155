/**
 * The only sandbox script a lesson page loads before the reader interacts: it wires the
 * buttons, checks the companion server, and restores shared code. The editor (CodeMirror) and
 * the runner (frame, output, wire view) load on demand.
 */
import { decodeCode, MAX_SHARED_CODE_BYTES, parseShareHash, shareHash, ShareTooLargeError } from './share-code.ts';
import { part, t, type SandboxHost } from './host.ts';

const HEALTH_TIMEOUT_MS = 4000;
/** Wait before the one automatic retry of a module loaded on demand whose request failed. */
const MODULE_RETRY_MS = 1000;
/** Long lines wrap by default on screens this narrow; the Wrap button toggles it. */
const WRAP_BY_DEFAULT = '(max-width: 40rem)';

const hosts: SandboxHost[] = [];
/** src/workshop/loader.ts's WORKSHOP_SEEN_KEY: this tab has seen the server in workshop mode. */
const WORKSHOP_SEEN_KEY = 'realtime-lab:workshop-on';

/** In workshop mode the server is the host's laptop: an attendee cannot start it, the instructor can. */
function inWorkshop(): boolean {
  try {
    return sessionStorage.getItem(WORKSHOP_SEEN_KEY) === '1';
  } catch {
    return false;
  }
}
let serverCheck: Promise<boolean> | undefined;

/** Asks the API base's /api/health; shows the result on every sandbox that uses that base. */
function checkServer(apiBase: string): void {
  // no-cors: reachability needs no CORS grant (an opaque answer means the server is there), so
  // the check works for an API on another origin, whatever ALLOWED_ORIGINS says.
  const started = (serverCheck = fetch(new URL('api/health', apiBase), { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) }).then(
    (response) => response.ok || response.type === 'opaque',
    () => false,
  ));
  void started.then((online) => {
    if (serverCheck !== started) return;
    for (const host of hosts) {
      if (host.apiBase !== apiBase) continue;
      const state = online ? 'online' : 'offline';
      if (host.root.dataset.server === state) continue;
      host.root.dataset.server = state;
      part(host.root, 'server-text').textContent = t(host, `sandbox.server.${state}`);
      const help = part(host.root, 'offline');
      help.textContent = online ? '' : t(host, inWorkshop() ? 'sandbox.server.workshopHelp' : 'sandbox.server.help', { base: apiBase });
      help.hidden = online;
    }
  });
}

/**
 * Imports a module loaded on demand (the editor, the runner), trying a failed request again once.
 * A later call tries again too: the browser fetches a module whose request failed anew.
 */
function importOnDemand<T>(load: () => Promise<T>): Promise<T> {
  return load().catch(() => new Promise((retry) => setTimeout(retry, MODULE_RETRY_MS)).then(load));
}

function loadEditor(host: SandboxHost, focus: boolean, at?: { x: number; y: number }): Promise<void> {
  host.editorLoading ??= importOnDemand(() => import('./editor.ts')).then(({ mountEditor }) => {
    const pre = host.root.querySelector('[data-code-host] pre') as HTMLElement;
    host.editor = mountEditor(pre, host.code, {
      label: t(host, 'sandbox.editor.label', { title: part(host.root, 'title').textContent ?? '' }),
      wrap: host.root.dataset.wrap === 'true',
      onRun: () => host.run(),
      onChange: (code) => {
        host.code = code;
      },
    });
    return host.editor;
  });
  return host.editorLoading.then(
    (editor) => {
      if (focus) editor.focus(at);
    },
    () => {
      // The next click on the code tries again.
      delete host.editorLoading;
      host.notice(t(host, 'sandbox.editor.failed'));
    },
  );
}

function tooLarge(host: SandboxHost): string {
  return t(host, 'sandbox.share.tooLarge', { max: `${Math.round(MAX_SHARED_CODE_BYTES / 1024)} KB` });
}

/**
 * Copies the code. Without navigator.clipboard (a plain-HTTP workshop address is not a secure
 * context) the code is selected instead, and copied the old way when the browser still allows it.
 */
function copy(host: SandboxHost): void {
  const selectCode = () => {
    if (host.editor) host.editor.selectAll();
    else {
      const code = host.root.querySelector('[data-code-host] pre');
      if (code) getSelection()?.selectAllChildren(code);
    }
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      // the selection is there to copy by hand
    }
    host.notice(t(host, copied ? 'sandbox.copy.done' : 'sandbox.copy.selected'));
  };
  if (!navigator.clipboard) {
    selectCode();
    return;
  }
  navigator.clipboard.writeText(host.code).then(() => host.notice(t(host, 'sandbox.copy.done')), selectCode);
}

async function share(host: SandboxHost): Promise<void> {
  let hash: string;
  try {
    hash = await shareHash(host.id, host.code);
  } catch (error) {
    host.notice(error instanceof ShareTooLargeError ? tooLarge(host) : t(host, 'sandbox.share.broken'));
    return;
  }
  history.replaceState(history.state, '', hash);
  const link = location.href;
  const field = part<HTMLInputElement>(host.root, 'share-url');
  field.value = link;
  part(host.root, 'share').hidden = false;
  try {
    // navigator.clipboard is missing on plain HTTP: that throws here too, and the link is selected.
    await navigator.clipboard.writeText(link);
    host.notice(t(host, 'sandbox.share.copied'));
  } catch {
    field.select();
    host.notice(t(host, 'sandbox.share.ready'));
  }
}

function setWrap(host: SandboxHost, wrap: boolean): void {
  host.root.dataset.wrap = String(wrap);
  host.root.querySelector('[data-action="wrap"]')?.setAttribute('aria-pressed', String(wrap));
  host.editor?.setWrap(wrap);
}

function setup(root: HTMLElement): SandboxHost {
  const original = JSON.parse(root.dataset.code ?? '""') as string;
  const base = new URL(root.dataset.apiBase || location.origin);
  const host: SandboxHost = {
    root,
    id: root.dataset.id ?? '',
    original,
    code: original,
    apiBase: `${base.origin}/`,
    strings: JSON.parse(root.dataset.strings ?? '{}') as Record<string, string>,
    recheckServer: () => checkServer(host.apiBase),
    run: () => {
      checkServer(host.apiBase);
      // Loaded on the first Run; if it cannot be, the reader is told, and the next Run tries again.
      importOnDemand(() => import('./runner.ts')).then(
        (runner) => runner.startRun(host),
        () => host.notice(t(host, 'sandbox.run.failed')),
      );
    },
    notice: (text) => {
      const notice = part(root, 'notice');
      notice.textContent = text;
    },
  };

  const pre = root.querySelector('[data-code-host] pre') as HTMLElement | null;
  if (pre) {
    pre.tabIndex = 0;
    pre.setAttribute('aria-label', t(host, 'sandbox.code.label'));
    pre.addEventListener('pointerdown', (event) => void loadEditor(host, true, { x: event.clientX, y: event.clientY }));
    pre.addEventListener('focus', () => void loadEditor(host, true));
  }

  const actions: Record<string, () => void> = {
    run: () => host.run(),
    stop: () =>
      void import('./runner.ts').then((runner) => {
        runner.stopRun(host);
        // Stop is disabled once pressed: keep keyboard focus in the toolbar, on Run.
        if (document.activeElement === document.body || document.activeElement?.matches(':disabled')) root.querySelector<HTMLButtonElement>('[data-action="run"]')?.focus();
      }),
    'stop-all': () =>
      void import('./runner.ts').then((runner) => {
        const count = runner.stopAll();
        host.notice(t(host, 'sandbox.stopAll.done', { count }));
        // The button hides once nothing runs: keep the keyboard user where they were.
        root.querySelector<HTMLButtonElement>('[data-action="run"]')?.focus();
      }),
    wrap: () => setWrap(host, root.dataset.wrap !== 'true'),
    reset: () => {
      host.code = host.original;
      host.editor?.setCode(host.original);
      if (parseShareHash(location.hash)?.id === host.id) history.replaceState(history.state, '', location.pathname + location.search);
      part(root, 'share').hidden = true;
      host.notice(t(host, 'sandbox.reset.done'));
    },
    copy: () => copy(host),
    share: () => void share(host),
  };
  setWrap(host, matchMedia(WRAP_BY_DEFAULT).matches);
  // "Open run…": the replay (and the wire view with it) loads once a file is chosen.
  part<HTMLInputElement>(root, 'open-run')?.addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    importOnDemand(() => import('./wire-replay.ts')).then(
      (replay) => replay.openRun(host, file),
      () => host.notice(t(host, 'sandbox.run.failed')),
    );
  });
  root.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (button && root.contains(button)) actions[button.dataset.action ?? '']?.();
  });
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
      event.preventDefault();
      host.run();
    }
  });
  return host;
}

for (const root of document.querySelectorAll<HTMLElement>('[data-rl-sandbox]')) hosts.push(setup(root));

if (hosts.length) {
  for (const apiBase of new Set(hosts.map((host) => host.apiBase))) checkServer(apiBase);
  const shared = parseShareHash(location.hash);
  const target = shared && hosts.find((host) => host.id === shared.id);
  if (shared && target) {
    decodeCode(shared.payload).then(
      (code) => {
        target.code = code;
        target.root.scrollIntoView({ block: 'start' });
        void loadEditor(target, false).then(() => target.notice(t(target, 'sandbox.share.restored')));
      },
      (error: unknown) => target.notice(error instanceof ShareTooLargeError ? tooLarge(target) : t(target, 'sandbox.share.broken')),
    );
  }
}
