/**
 * Share links: a sandbox's code, deflate-compressed and base64url-encoded, in the URL hash as
 * `#sandbox=<sandbox id>.<payload>`. Uses the platform's CompressionStream (browsers and Node),
 * so no compression library ships to the page.
 */
const SHARE_PARAM = 'sandbox';

/**
 * The most code a share link may hold, decoded: far more than any lesson snippet, and small
 * enough that a crafted link (a "zip bomb" that inflates a thousandfold) cannot fill memory.
 */
export const MAX_SHARED_CODE_BYTES = 64 * 1024;

/** Code longer than MAX_SHARED_CODE_BYTES, in a link or on its way into one. */
export class ShareTooLargeError extends Error {
  readonly code = 'SHARE_TOO_LARGE';
  constructor(bytes: string) {
    super(`the shared code is ${bytes} bytes; the most a share link may hold is ${MAX_SHARED_CODE_BYTES} (MAX_SHARED_CODE_BYTES)`);
    this.name = 'ShareTooLargeError';
  }
}

/** Runs bytes through a (de)compression stream, and stops as soon as the output passes `max`. */
async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream, max = Infinity): Promise<Uint8Array> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new ShareTooLargeError(`more than ${max}`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
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

/** Compresses code into a URL-safe payload; throws ShareTooLargeError past MAX_SHARED_CODE_BYTES. */
export async function encodeCode(code: string): Promise<string> {
  const bytes = new TextEncoder().encode(code);
  if (bytes.byteLength > MAX_SHARED_CODE_BYTES) throw new ShareTooLargeError(String(bytes.byteLength));
  return toBase64Url(await pipe(bytes, new CompressionStream('deflate-raw')));
}

/** Restores code from a payload; throws when the payload is damaged, or ShareTooLargeError when it inflates past the cap. */
export async function decodeCode(payload: string): Promise<string> {
  return new TextDecoder('utf-8', { fatal: true }).decode(await pipe(fromBase64Url(payload), new DecompressionStream('deflate-raw'), MAX_SHARED_CODE_BYTES));
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
