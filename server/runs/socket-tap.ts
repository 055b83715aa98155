import type { Duplex } from 'node:stream';

/**
 * Watches every chunk written to a socket, without changing it: the HTTP response head is
 * written here by node:http, and WebSocket frames by ws. Only tapped sockets pay for it;
 * the returned `untap` restores the socket's own write.
 */
export function tapWrites(socket: Duplex, onOut: (chunk: Buffer) => void): () => void {
  const write = socket.write;
  const tapped = function (this: Duplex, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string') onOut(Buffer.from(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) onOut(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  };
  socket.write = tapped as Duplex['write'];
  return () => {
    if (socket.write === tapped) socket.write = write;
  };
}

/**
 * Watches the bytes of one socket in both directions, as they are read and written, without
 * changing them: `onIn` sees every chunk read, `onOut` every chunk written. For an upgraded
 * socket (WebSocket), whose reads are `data` events; node:http reads its own sockets directly.
 */
export function tapSocketBytes(socket: Duplex, onIn: (chunk: Buffer) => void, onOut: (chunk: Buffer) => void): () => void {
  const untap = tapWrites(socket, onOut);
  socket.on('data', onIn);
  return () => {
    untap();
    socket.off('data', onIn);
  };
}

/**
 * Splits the start of an outbound byte stream into the HTTP response head and what follows:
 * the tap shows the `101 Switching Protocols` head as text, then frames.
 */
export class ResponseHeadSplitter {
  #head: Buffer | null = Buffer.alloc(0);
  readonly #onHead: (text: string) => void;
  readonly #onBody: (chunk: Buffer) => void;

  constructor(onHead: (text: string) => void, onBody: (chunk: Buffer) => void) {
    this.#onHead = onHead;
    this.#onBody = onBody;
  }

  push(chunk: Buffer): void {
    if (this.#head === null) {
      this.#onBody(chunk);
      return;
    }
    const bytes = Buffer.concat([this.#head, chunk]);
    // [spec] RFC 9112, 2.1: the head ends with an empty line (CRLF CRLF).
    const end = bytes.indexOf('\r\n\r\n');
    if (end < 0) {
      this.#head = bytes;
      return;
    }
    this.#head = null;
    this.#onHead(bytes.subarray(0, end + 4).toString('latin1'));
    if (bytes.length > end + 4) this.#onBody(bytes.subarray(end + 4));
  }
}
