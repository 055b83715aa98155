/**
 * The only sandbox script a lesson page loads before the reader interacts: it wires the
 * buttons, checks the companion server, and restores shared code. The editor (CodeMirror) and
 * the runner (frame, output, wire view) load on demand.
 */
import { decodeCode, parseShareHash, shareHash } from '../lib/share-code.ts';
import { part, t, type SandboxHost } from './host.ts';

const HEALTH_TIMEOUT_MS = 4000;

const hosts: SandboxHost[] = [];
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
      help.textContent = online ? '' : t(host, 'sandbox.server.help', { base: apiBase });
      help.hidden = online;
    }
  });
}

function loadEditor(host: SandboxHost, focus: boolean, at?: { x: number; y: number }): Promise<void> {
  host.editorLoading ??= import('./editor.ts').then(({ mountEditor }) => {
    const pre = host.root.querySelector('[data-code-host] pre') as HTMLElement;
    host.editor = mountEditor(pre, host.code, {
      label: t(host, 'sandbox.editor.label', { title: part(host.root, 'title').textContent ?? '' }),
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
    () => host.notice(t(host, 'sandbox.editor.failed')),
  );
}

async function share(host: SandboxHost): Promise<void> {
  const hash = await shareHash(host.id, host.code);
  history.replaceState(history.state, '', hash);
  const link = location.href;
  const field = part<HTMLInputElement>(host.root, 'share-url');
  field.value = link;
  part(host.root, 'share').hidden = false;
  try {
    await navigator.clipboard.writeText(link);
    host.notice(t(host, 'sandbox.share.copied'));
  } catch {
    field.select();
    host.notice(t(host, 'sandbox.share.ready'));
  }
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
      void import('./runner.ts').then((runner) => runner.startRun(host));
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
    stop: () => void import('./runner.ts').then((runner) => runner.stopRun(host)),
    reset: () => {
      host.code = host.original;
      host.editor?.setCode(host.original);
      if (parseShareHash(location.hash)?.id === host.id) history.replaceState(history.state, '', location.pathname + location.search);
      part(root, 'share').hidden = true;
      host.notice(t(host, 'sandbox.reset.done'));
    },
    copy: () => {
      navigator.clipboard.writeText(host.code).then(
        () => host.notice(t(host, 'sandbox.copy.done')),
        () => host.notice(t(host, 'sandbox.copy.failed')),
      );
    },
    share: () => void share(host),
  };
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
      () => target.notice(t(target, 'sandbox.share.broken')),
    );
  }
}
