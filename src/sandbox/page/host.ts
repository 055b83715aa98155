/** The shared shape of one sandbox on the page, used by the eager script and the lazy modules. */
import type { EditorHandle } from './editor.ts';

export interface SandboxHost {
  root: HTMLElement;
  /** Stable id from the title: share links name it. */
  id: string;
  /** The lesson's code. */
  original: string;
  /** The code as the reader has it now. */
  code: string;
  /** The API base, ending in `/`: the run frame's `<base href>`. */
  apiBase: string;
  strings: Record<string, string>;
  editor?: EditorHandle;
  editorLoading?: Promise<EditorHandle>;
  /** Called by the lazy runner when the server looks unreachable. */
  recheckServer(): void;
  run(): void;
  /** Shows a short status message under the toolbar. */
  notice(text: string): void;
}

/** A UI string with `{{name}}` placeholders filled in. */
export function t(host: SandboxHost, key: string, values: Record<string, string | number> = {}): string {
  const template = host.strings[key] ?? key;
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** The element marked `data-<name>` inside a sandbox. */
export function part<T extends HTMLElement>(root: HTMLElement, name: string): T {
  return root.querySelector(`[data-${name}]`) as T;
}
