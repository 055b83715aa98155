/**
 * Build-time helpers for the Sandbox component: find the one code block in the rendered slot
 * and recover its source text from Expressive Code's copy button.
 */

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
