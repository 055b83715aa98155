/**
 * Reads WebSocket frames out of the raw bytes of a socket, as RFC 6455 section 5.2 lays them
 * out, for the tap: the reader sees each frame as it crossed the wire, masked or not.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-------+-+-------------+-------------------------------+
 *   |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *   |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *   |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *   | |1|2|3|       |K|             |                               |
 *   +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *   |     Extended payload length continued, if payload len == 127  |
 *   + - - - - - - - - - - - - - - - +-------------------------------+
 *   |                               |Masking-key, if MASK set to 1  |
 *   +-------------------------------+-------------------------------+
 *   | Masking-key (continued)       |          Payload Data         |
 *   +-------------------------------- - - - - - - - - - - - - - - - +
 *
 * The parser is fed chunks as they arrive, split anywhere, and keeps only a frame's header and
 * the first bytes of its payload: a 16 MB frame costs it no more than a small one.
 */

/** What the tap shows of one frame. */
export interface WsFrame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  opcodeName: string;
  masked: boolean;
  /** The 4-byte masking key in hex, or null for an unmasked frame. */
  maskingKey: string | null;
  payloadLength: number;
  /** How the length was written: in the 7 bits (0-125), or in 16 or 64 more bits. */
  lengthEncoding: 7 | 16 | 64;
  /** Bytes of the frame before its payload: 2 to 14. */
  headerBytes: number;
  /** The first PAYLOAD_HEX_BYTES of the payload as sent (still masked, if it was). */
  payloadHex: string;
  /** For text frames (and continuations of a text message): the unmasked UTF-8, cut at the text limit. */
  text?: string;
  /** The text was cut: the payload is longer than the text limit. */
  truncated?: boolean;
  /** For close frames: the status code, or null when the frame carries none (RFC 6455 7.1.5: 1005 is then reported). */
  closeCode?: number | null;
  closeReason?: string;
}

/** Bytes of payload shown as hex. */
export const PAYLOAD_HEX_BYTES = 64;
/** Bytes of unmasked text kept per frame, by default. */
export const FRAME_TEXT_BYTES = 2048;

// [spec] RFC 6455, 5.2 and 11.8: the opcodes.
const OPCODE_NAMES: Record<number, string> = {
  0x0: 'continuation',
  0x1: 'text',
  0x2: 'binary',
  0x8: 'close',
  0x9: 'ping',
  0xa: 'pong',
};

/** The name of an opcode: its RFC 6455 name, or `reserved-0xN`. */
export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `reserved-0x${opcode.toString(16)}`;
}

interface PendingFrame {
  frame: WsFrame;
  key: Buffer | null;
  /** Payload bytes not yet seen. */
  remaining: number;
  /** Payload bytes seen so far. */
  offset: number;
  hex: Buffer[];
  hexBytes: number;
  /** Unmasked payload kept for text and close frames. */
  kept: Buffer[];
  keptBytes: number;
  keep: number;
}

/**
 * An incremental frame reader for one direction of one connection. Frames that break the
 * protocol (a 64-bit length over 2^53) stop it: `onError` is told once and later bytes are ignored.
 */
export class WsFrameParser {
  readonly #onFrame: (frame: WsFrame) => void;
  readonly #onError: (message: string) => void;
  readonly #textBytes: number;
  /** Header bytes received while the header is still incomplete. */
  #header: Buffer = Buffer.alloc(0);
  #pending: PendingFrame | null = null;
  /** The opcode of a fragmented message under way (text or binary), for its continuations. */
  #messageOpcode = 0;
  #decoder: TextDecoder | null = null;
  #failed = false;

  constructor(onFrame: (frame: WsFrame) => void, options: { textBytes?: number; onError?: (message: string) => void } = {}) {
    this.#onFrame = onFrame;
    this.#onError = options.onError ?? (() => {});
    this.#textBytes = options.textBytes ?? FRAME_TEXT_BYTES;
  }

  /** Feeds the next bytes read from (or written to) the socket. */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.#failed) {
      if (this.#pending) {
        at += this.#consumePayload(chunk, at);
      } else {
        const used = this.#readHeader(chunk, at);
        if (used < 0) return;
        at += used;
      }
    }
  }

  /** Reads a frame header starting at `at`; returns the bytes used, or -1 when the chunk ended first. */
  #readHeader(chunk: Buffer, at: number): number {
    const buffered = this.#header.length;
    const bytes = buffered === 0 ? chunk.subarray(at) : Buffer.concat([this.#header, chunk.subarray(at, at + 14)]);
    const need = headerLength(bytes);
    if (need === 0 || bytes.length < need) {
      // Keep what there is (at most 14 bytes) until the rest of the header arrives.
      this.#header = Buffer.from(bytes.subarray(0, 14));
      return -1;
    }
    this.#header = Buffer.alloc(0);
    const b0 = bytes[0] as number;
    const b1 = bytes[1] as number;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    let payloadLength = len7;
    let lengthEncoding: 7 | 16 | 64 = 7;
    if (len7 === 126) {
      payloadLength = bytes.readUInt16BE(2);
      lengthEncoding = 16;
    } else if (len7 === 127) {
      const big = bytes.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        this.#failed = true;
        this.#onError(`a frame declares a payload of ${big} bytes, more than 2^53 - 1; the rest of this connection is not parsed`);
        return -1;
      }
      payloadLength = Number(big);
      lengthEncoding = 64;
    }
    const key = masked ? Buffer.from(bytes.subarray(need - 4, need)) : null;
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    const frame: WsFrame = {
      fin,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode,
      opcodeName: opcodeName(opcode),
      masked,
      maskingKey: key ? key.toString('hex') : null,
      payloadLength,
      lengthEncoding,
      headerBytes: need,
      payloadHex: '',
    };
    // Text is kept for text messages (their first frame and continuations) and for close frames.
    const messageOpcode = opcode === 0 ? this.#messageOpcode : opcode;
    const isText = messageOpcode === 1 && opcode < 8;
    if (opcode === 1 || opcode === 2) {
      this.#messageOpcode = fin ? 0 : opcode;
      this.#decoder = opcode === 1 ? new TextDecoder('utf-8', { fatal: false }) : null;
    } else if (opcode === 0 && fin) {
      this.#messageOpcode = 0;
    }
    const keep = opcode === 8 ? Math.min(payloadLength, 125) : isText ? Math.min(payloadLength, this.#textBytes) : 0;
    this.#pending = { frame, key, remaining: payloadLength, offset: 0, hex: [], hexBytes: 0, kept: [], keptBytes: 0, keep };
    if (isText) frame.text = '';
    const used = need - buffered;
    if (payloadLength === 0) this.#finish();
    return used;
  }

  /** Takes payload bytes of the pending frame from `chunk` at `at`; returns the bytes used. */
  #consumePayload(chunk: Buffer, at: number): number {
    const pending = this.#pending as PendingFrame;
    const take = Math.min(pending.remaining, chunk.length - at);
    const part = chunk.subarray(at, at + take);
    if (pending.hexBytes < PAYLOAD_HEX_BYTES) {
      const hex = part.subarray(0, PAYLOAD_HEX_BYTES - pending.hexBytes);
      pending.hex.push(Buffer.from(hex));
      pending.hexBytes += hex.length;
    }
    if (pending.keptBytes < pending.keep) {
      const kept = Buffer.from(part.subarray(0, pending.keep - pending.keptBytes));
      // [spec] RFC 6455, 5.3: octet i of the transformed data is octet i of the original
      // data XOR octet at index i modulo 4 of the masking key.
      if (pending.key) for (let i = 0; i < kept.length; i++) kept[i] = (kept[i] as number) ^ (pending.key[(pending.offset + i) % 4] as number);
      pending.kept.push(kept);
      pending.keptBytes += kept.length;
    }
    pending.offset += take;
    pending.remaining -= take;
    if (pending.remaining === 0) this.#finish();
    return take;
  }

  #finish(): void {
    const { frame, hex, kept, keep } = this.#pending as PendingFrame;
    this.#pending = null;
    frame.payloadHex = Buffer.concat(hex).toString('hex');
    const payload = Buffer.concat(kept);
    if (frame.opcode === 8) {
      // [spec] RFC 6455, 5.5.1: a close body starts with a 2-byte status code, then UTF-8 reason.
      frame.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : null;
      frame.closeReason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
    } else if (frame.text !== undefined) {
      const decoder = this.#decoder ?? new TextDecoder();
      frame.text = decoder.decode(payload, { stream: !frame.fin });
      if (frame.payloadLength > keep) {
        frame.truncated = true;
        // The rest of the message is not decoded: start afresh for the next frame.
        this.#decoder = new TextDecoder('utf-8', { fatal: false });
      }
    }
    this.#onFrame(frame);
  }
}

/** The length of the header that starts `bytes`, or 0 when fewer than 2 bytes are there. */
function headerLength(bytes: Buffer): number {
  if (bytes.length < 2) return 0;
  const b1 = bytes[1] as number;
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}
