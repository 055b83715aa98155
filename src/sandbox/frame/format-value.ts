/**
 * Pretty-prints a value the way a console would, for sandbox output. Self-contained on purpose:
 * the sandbox serializes this function into the run frame (`String(formatValue)`), so it must
 * not refer to anything outside its own body.
 */
export function formatValue(value: unknown, top = true): string {
  const MAX_DEPTH = 4;
  const MAX_ITEMS = 100;
  const MAX_STRING = 10_000;
  const WIDTH = 72;
  const seen: object[] = [];

  function quote(text: string): string {
    const body = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
    return `'${body.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  }

  function key(name: string | symbol): string {
    if (typeof name === 'symbol') return `[${String(name)}]`;
    return /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name);
  }

  function join(open: string, parts: string[], close: string, indent: string): string {
    if (parts.length === 0) return `${open}${close}`;
    const flat = `${open} ${parts.join(', ')} ${close}`;
    if (flat.length <= WIDTH && !flat.includes('\n')) return flat;
    const inner = `${indent}  `;
    return `${open}\n${parts.map((part) => inner + part).join(',\n')}\n${indent}${close}`;
  }

  function errorText(error: Error): string {
    const head = `${error.name}: ${error.message}`;
    const stack = typeof error.stack === 'string' ? error.stack : '';
    // Chromium's stack starts with the same "Name: message" line; keep only the frames after it,
    // and not those of the sandbox's own runtime (the frame's srcdoc): they are not the reader's.
    const frames = stack
      .split('\n')
      .filter((line) => /^\s+at /.test(line) && !line.includes('about:srcdoc'))
      // The reader's code is named by its sourceURL, resolved against the frame's <base>: show the name alone.
      .map((line) => line.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s/)]+\/(?=[^\s/)]+:\d+:\d+)/, ''))
      .slice(0, 5);
    return frames.length ? `${head}\n${frames.join('\n')}` : head;
  }

  function format(v: unknown, depth: number, indent: string, isTop: boolean): string {
    switch (typeof v) {
      case 'string':
        return isTop ? v : quote(v);
      case 'number':
        return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint':
        return `${v}n`;
      case 'boolean':
      case 'undefined':
        return String(v);
      case 'symbol':
        return v.toString();
      case 'function':
        return `[${/^class\b/.test(Function.prototype.toString.call(v)) ? 'class' : 'Function'} ${v.name || '(anonymous)'}]`;
    }
    if (v === null) return 'null';
    const obj = v as object;
    if (seen.includes(obj)) return '[Circular]';
    if (obj instanceof Error) return isTop ? errorText(obj) : `[${obj.name}: ${obj.message}]`;
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
    if (obj instanceof RegExp) return String(obj);
    if (typeof Node !== 'undefined' && obj instanceof Node) {
      return obj instanceof Element ? `<${obj.tagName.toLowerCase()}>` : `[${obj.nodeName}]`;
    }
    if (obj instanceof ArrayBuffer) return `ArrayBuffer(${obj.byteLength})`;
    if (ArrayBuffer.isView(obj)) {
      const name = obj.constructor.name;
      const items = Array.from(obj as unknown as ArrayLike<number>).slice(0, 32);
      const more = (obj as unknown as ArrayLike<number>).length > 32 ? ', …' : '';
      return `${name}(${(obj as unknown as ArrayLike<number>).length ?? obj.byteLength}) [${items.join(', ')}${more}]`;
    }
    if (typeof Blob !== 'undefined' && obj instanceof Blob) return `Blob(${obj.size}${obj.type ? `, ${obj.type}` : ''})`;
    if (depth >= MAX_DEPTH) return Array.isArray(obj) ? '[Array]' : `[${obj.constructor?.name || 'Object'}]`;
    seen.push(obj);
    try {
      const next = (item: unknown) => format(item, depth + 1, `${indent}  `, false);
      if (Array.isArray(obj)) {
        const parts = obj.slice(0, MAX_ITEMS).map(next);
        if (obj.length > MAX_ITEMS) parts.push(`… ${obj.length - MAX_ITEMS} more`);
        return join('[', parts, ']', indent);
      }
      if (obj instanceof Map) {
        const parts = [...obj].slice(0, MAX_ITEMS).map(([k, item]) => `${next(k)} => ${next(item)}`);
        return `Map(${obj.size}) ${join('{', parts, '}', indent)}`;
      }
      if (obj instanceof Set) {
        return `Set(${obj.size}) ${join('{', [...obj].slice(0, MAX_ITEMS).map(next), '}', indent)}`;
      }
      if (obj instanceof Promise) return 'Promise {}';
      const entries: [string | symbol, unknown][] = [];
      if (typeof Event !== 'undefined' && obj instanceof Event) {
        // Events keep their fields on the prototype: show the ones a reader looks at.
        for (const name of ['type', 'data', 'lastEventId', 'code', 'reason', 'wasClean', 'message']) {
          if (name in obj) entries.push([name, (obj as unknown as Record<string, unknown>)[name]]);
        }
      } else {
        for (const name of Reflect.ownKeys(obj)) {
          const descriptor = Object.getOwnPropertyDescriptor(obj, name);
          if (!descriptor?.enumerable) continue;
          entries.push([name, 'value' in descriptor ? descriptor.value : descriptor.get ? '[Getter]' : undefined]);
        }
      }
      const parts = entries.slice(0, MAX_ITEMS).map(([name, item]) => `${key(name)}: ${next(item)}`);
      if (entries.length > MAX_ITEMS) parts.push(`… ${entries.length - MAX_ITEMS} more`);
      const proto = Object.getPrototypeOf(obj);
      const name = proto === null ? '[Object: null prototype]' : proto === Object.prototype ? '' : proto?.constructor?.name ?? '';
      const body = join('{', parts, '}', indent);
      return name ? `${name} ${body}` : body;
    } finally {
      seen.pop();
    }
  }

  return format(value, 0, '', top);
}
