/**
 * The fault panel under a sandbox's toolbar: breaks the network for the sandbox's current run
 * (PUT /api/runs/:run/faults, POST /api/runs/:run/drop) and says in the output when a fault
 * took effect, from the `fault` events of the run's tap. Loaded with the runner, never before.
 * Faults end with the run: each Run attaches the panel to its new run, which starts clean.
 */
import { part, t, type SandboxHost } from './host.ts';
import type { TapFeed } from './run-tap.ts';

/** "Buffer like a proxy": SSE output is held until this many bytes wait (a small nginx buffer). */
const PROXY_BUFFER_BYTES = 4096;
/** "Refuse reconnect": this many of the run's next requests get the chosen status. */
const REFUSE_COUNT = 5;
/** "Trim history": the run sees only this many messages of each channel's history. */
const TRIM_HISTORY_TO = 5;
/** "with jitter" adds up to this share of the latency, at random. */
const JITTER_SHARE = 0.5;

/** The run the panel acts on, and how it writes to that run's output. */
export interface FaultTarget {
  apiBase: string;
  run: string;
  /** The run's one tap subscription, which the wire view reads too. */
  tap: TapFeed;
  /** Told the faults in force each time the server answers a change (Save run keeps them). */
  inForce?(faults: Record<string, unknown>): void;
  /** Writes a line to the run's output; `at` is when it happened (epoch ms). */
  line(level: 'fault' | 'error', text: string, at: number): void;
}

type Answer = { ok: true; body: Record<string, unknown> } | { ok: false; message: string };

async function send(target: FaultTarget, method: string, path: string, body?: unknown): Promise<Answer> {
  try {
    const response = await fetch(new URL(`api/runs/${target.run}/${path}`, target.apiBase), {
      method,
      cache: 'no-store',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const answer = (await response.json()) as Record<string, unknown> & { error?: { message?: string } };
    return response.ok ? { ok: true, body: answer } : { ok: false, message: String(answer.error?.message ?? `HTTP ${response.status}`) };
  } catch (error) {
    return { ok: false, message: String(error) };
  }
}

/** Sets faults on a run before its snippet starts (the Sandbox's `faults` attribute); answers those in force, or why not. */
export function putFaults(target: FaultTarget, faults: Record<string, unknown>): Promise<Answer> {
  return send(target, 'PUT', 'faults', faults);
}

/** The faults in force, as the API names them: `dropAfter 3, latencyMs 200`; '' for none. */
function describeFaults(faults: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(faults)) {
    if (value === null || value === false || value === 0) continue;
    if (field === 'refuseReconnects') {
      const { status, count } = value as { status: number; count: number };
      parts.push(`${field} ${status} ×${count}`);
    } else parts.push(value === true ? field : `${field} ${String(value)}`);
  }
  return parts.join(', ');
}

class FaultPanel {
  readonly #host: SandboxHost;
  #target: FaultTarget | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(host: SandboxHost) {
    this.#host = host;
    const root = part(host.root, 'fault-panel');
    root.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-fault]');
      if (button) void this.#act(button.dataset.fault as string);
    });
    root.addEventListener('change', (event) => {
      const control = (event.target as HTMLElement).closest<HTMLElement>('[data-fault]');
      if (control) void this.#act(control.dataset.fault as string);
    });
  }

  #controls(): HTMLElement[] {
    return [...part(this.#host.root, 'fault-panel').querySelectorAll<HTMLElement>('[data-fault]')];
  }

  /** The panel now acts on `target`, a new run: every control back to off. `inForce` is what the page already set. */
  attach(target: FaultTarget, inForce: Record<string, unknown> = {}): void {
    this.detach();
    this.#target = target;
    for (const control of this.#controls()) (control as HTMLButtonElement).disabled = false;
    this.#reset(inForce);
    part(this.#host.root, 'fault-hint').textContent = t(this.#host, 'sandbox.faults.live');
    if (describeFaults(inForce)) this.#watch();
  }

  /** Every control back to off, and what is in force said. */
  #reset(inForce: Record<string, unknown>): void {
    for (const control of this.#controls()) {
      if (control instanceof HTMLSelectElement) control.selectedIndex = 0;
      if (control instanceof HTMLInputElement) control.checked = false;
    }
    this.#showInForce(inForce);
  }

  /** The run is over (stopped, or replaced): the controls wait for the next Run. */
  detach(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#target = undefined;
    for (const control of this.#controls()) (control as HTMLButtonElement).disabled = true;
    part(this.#host.root, 'fault-hint').textContent = t(this.#host, 'sandbox.faults.idle');
  }

  #showInForce(faults: Record<string, unknown>): void {
    this.#target?.inForce?.(faults);
    const text = describeFaults(faults);
    part(this.#host.root, 'fault-state').textContent = text ? t(this.#host, 'sandbox.faults.inForce', { fault: text }) : t(this.#host, 'sandbox.faults.none');
  }

  /** Follows the run's tap for `fault` events: when each fault really took effect, on which connection. */
  #watch(): void {
    const target = this.#target;
    if (!target) return;
    // The feed closes a moment after its run finishes: a fault pressed later opens it again.
    target.tap.open();
    if (this.#unsubscribe) return;
    this.#unsubscribe = target.tap.subscribe((data) => {
      if (data.kind !== 'fault' || this.#target !== target) return;
      const fault = data.fault === 'drop-abrupt' || data.fault === 'drop-clean' ? t(this.#host, `sandbox.faults.${data.fault.replace('-', '.')}`) : String(data.fault);
      target.line('fault', fault, Date.parse(data.time));
    });
  }

  /** Reads the panel's controls into one PUT body. */
  #chosen(): Record<string, unknown> {
    const root = part(this.#host.root, 'fault-panel');
    const value = (name: string) => (root.querySelector(`[data-fault="${name}"]`) as HTMLSelectElement).value;
    const checked = (name: string) => (root.querySelector(`[data-fault="${name}"]`) as HTMLInputElement).checked;
    const latencyMs = Number(value('latency'));
    const refuse = value('refuse');
    return {
      latencyMs,
      jitterMs: checked('jitter') ? Math.round(latencyMs * JITTER_SHARE) : 0,
      proxyBuffering: checked('buffer') ? PROXY_BUFFER_BYTES : 0,
      refuseReconnects: refuse ? { status: Number(refuse), count: REFUSE_COUNT } : null,
      historyLimit: checked('trim') ? TRIM_HISTORY_TO : null,
    };
  }

  async #act(action: string): Promise<void> {
    const target = this.#target;
    if (!target) return;
    this.#watch();
    let answer: Answer;
    if (action === 'drop-abrupt' || action === 'drop-clean') {
      answer = await send(target, 'POST', 'drop', { mode: action.slice('drop-'.length) });
    } else if (action === 'clear') {
      answer = await send(target, 'DELETE', 'faults');
      if (answer.ok && this.#target === target) this.#reset(answer.body);
      if (answer.ok) return;
    } else if (action === 'restart') {
      // restart takes effect when it goes from false to true: switch it off first, then on.
      await send(target, 'PUT', 'faults', { restart: false });
      answer = await send(target, 'PUT', 'faults', { restart: true });
    } else {
      answer = await send(target, 'PUT', 'faults', this.#chosen());
    }
    if (this.#target !== target) return;
    if (!answer.ok) {
      target.line('error', t(this.#host, 'sandbox.faults.failed', { message: answer.message }), Date.now());
      return;
    }
    if (!('dropped' in answer.body)) this.#showInForce(answer.body);
  }
}

const panels = new WeakMap<SandboxHost, FaultPanel>();

/** The host's fault panel, wired on first use. */
export function faultPanel(host: SandboxHost): FaultPanel {
  let panel = panels.get(host);
  if (!panel) {
    panel = new FaultPanel(host);
    panels.set(host, panel);
  }
  return panel;
}
