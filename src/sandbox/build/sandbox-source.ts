/**
 * Build-time helpers for the Sandbox component: find the one code block in the rendered slot
 * and recover its source text from Expressive Code's copy button.
 */

import type { Faults } from '../../../server/runs/faults.ts';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the HTML character references an attribute value may contain. */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Thrown when a Sandbox does not wrap exactly one JavaScript block; the message says how to fix it. */
export class SandboxSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxSourceError';
  }
}

/**
 * The source code of the single fenced block in a Sandbox's rendered slot. Expressive Code puts
 * the code in the copy button's `data-code`, with U+007F standing for line breaks.
 */
export function extractSandboxCode(html: string, title: string): string {
  const blocks = html.match(/<pre\b[^>]*data-language="([^"]*)"/g) ?? [];
  const hint = 'wrap exactly one fenced ```js block, on its own lines, between <Sandbox ...> and </Sandbox>';
  if (blocks.length !== 1) {
    throw new SandboxSourceError(`Sandbox "${title}" contains ${blocks.length} code blocks; ${hint}`);
  }
  const language = /data-language="([^"]*)"/.exec(blocks[0] as string)?.[1];
  if (language !== 'js' && language !== 'javascript') {
    throw new SandboxSourceError(`Sandbox "${title}" has a \`${language}\` block, but sandboxes run JavaScript; ${hint}`);
  }
  const attribute = /data-code="([^"]*)"/.exec(html);
  if (!attribute) throw new SandboxSourceError(`Sandbox "${title}": the code block has no copy button to read the code from; ${hint}`);
  return decodeHtmlEntities(attribute[1] as string).replace(/\u007f/g, '\n');
}

/**
 * A stable id for a sandbox, used by share links: its title as a slug, or for titles without
 * Latin letters or digits (Chinese, for one) a short hash of the title.
 */
export function sandboxId(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  if (slug) return slug;
  // FNV-1a, 32 bits: short, stable, and good enough to tell a page's few sandboxes apart.
  let hash = 0x811c9dc5;
  for (const char of title) {
    hash ^= char.codePointAt(0) as number;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `sandbox-${hash.toString(36)}`;
}

/** The faults a Sandbox's `faults` attribute may set, with what each takes (as PUT /api/runs/:run/faults does). */
const FAULT_CHECKS: Record<keyof Faults, { allowed: string; ok(value: unknown): boolean }> = {
  latencyMs: { allowed: 'an integer from 0 to 10000', ok: (v) => isIntegerIn(v, 0, 10_000) },
  jitterMs: { allowed: 'an integer from 0 to 10000', ok: (v) => isIntegerIn(v, 0, 10_000) },
  proxyBuffering: { allowed: 'an integer from 0 to 65536 (bytes)', ok: (v) => isIntegerIn(v, 0, 65_536) },
  dropAfter: { allowed: 'an integer from 0 to 1000000, or null', ok: (v) => v === null || isIntegerIn(v, 0, 1_000_000) },
  refuseReconnects: {
    allowed: '{"status": 204|404|500|503, "count": 1 to 1000}, or null',
    ok: (v) =>
      v === null ||
      (typeof v === 'object' &&
        !Array.isArray(v) &&
        Object.keys(v).every((key) => key === 'status' || key === 'count') &&
        [204, 404, 500, 503].includes((v as { status?: unknown }).status as number) &&
        ((v as { count?: unknown }).count === undefined || isIntegerIn((v as { count?: unknown }).count, 1, 1000))),
  },
  historyLimit: { allowed: 'an integer from 0 to 1000000, or null', ok: (v) => v === null || isIntegerIn(v, 0, 1_000_000) },
  restart: { allowed: 'true or false', ok: (v) => typeof v === 'boolean' },
};

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * A Sandbox's `faults` attribute, checked at build time: a JSON object of the faults the page
 * sets on the run before the snippet starts. A typo fails the build with a sentence that says
 * which field, what it got and what is allowed. Answers the JSON to put on the page, or '' for none.
 */
export function parseSandboxFaults(faults: string | undefined, title: string): string {
  if (faults === undefined) return '';
  let value: unknown;
  try {
    value = JSON.parse(faults);
  } catch (error) {
    throw new SandboxSourceError(`Sandbox "${title}": faults must be JSON, such as faults='{"dropAfter":3}'; received ${faults} (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    throw new SandboxSourceError(`Sandbox "${title}": faults must be a JSON object with at least one of ${Object.keys(FAULT_CHECKS).join(', ')}; received ${faults}`);
  }
  for (const [field, given] of Object.entries(value)) {
    const check = FAULT_CHECKS[field as keyof Faults];
    if (!check) throw new SandboxSourceError(`Sandbox "${title}": unknown fault "${field}" in faults; the faults are ${Object.keys(FAULT_CHECKS).join(', ')}`);
    if (!check.ok(given)) throw new SandboxSourceError(`Sandbox "${title}": faults.${field} must be ${check.allowed}; received ${JSON.stringify(given)}`);
  }
  return JSON.stringify(value);
}
