/**
 * Share links: a sandbox's code, deflate-compressed and base64url-encoded, in the URL hash as
 * `#sandbox=<sandbox id>.<payload>`. Uses the platform's CompressionStream (browsers and Node),
 * so no compression library ships to the page.
 */
const SHARE_PARAM = 'sandbox';

async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Compresses code into a URL-safe payload. */
export async function encodeCode(code: string): Promise<string> {
  return toBase64Url(await pipe(new TextEncoder().encode(code), new CompressionStream('deflate-raw')));
}

/** Restores code from a payload; throws when the payload is damaged. */
export async function decodeCode(payload: string): Promise<string> {
  return new TextDecoder('utf-8', { fatal: true }).decode(await pipe(fromBase64Url(payload), new DecompressionStream('deflate-raw')));
}

/** The hash that restores `code` into the sandbox `id`. */
export async function shareHash(id: string, code: string): Promise<string> {
  return `#${SHARE_PARAM}=${id}.${await encodeCode(code)}`;
}

/** Reads a share hash: the sandbox id and its payload, or null when the hash is not one. */
export function parseShareHash(hash: string): { id: string; payload: string } | null {
  const match = new RegExp(`^#${SHARE_PARAM}=([a-z0-9-]+)\\.([A-Za-z0-9_-]+)$`).exec(hash);
  return match ? { id: match[1] as string, payload: match[2] as string } : null;
}
