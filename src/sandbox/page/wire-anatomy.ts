/**
 * A WebSocket frame's anatomy, as RFC 6455 section 5.2 lays it out, from the frame the server
 * parsed off the socket (server/runs/ws-frames.ts): each header field with its value and what
 * it means, the payload bytes as sent (masked, for a client's frame) and the unmasked text.
 */
import type { WsFrame } from '../../../server/runs/ws-frames.ts';
import { formatBytes } from './wire-model.ts';

/** Fills a UI string under `sandbox.wire.anatomy.`. */
export type SayAnatomy = (key: string, values?: Record<string, string | number>) => string;

/** Hex as bytes for people: `3f a2 00 7e`. */
export function spacedHex(hex: string): string {
  return (hex.match(/../g) ?? []).join(' ');
}

/** Opcodes RFC 6455 defines (5.2): continuation, text, binary, close, ping, pong. */
const KNOWN_OPCODES: ReadonlySet<number> = new Set([0, 1, 2, 8, 9, 10]);

function bit(value: boolean): string {
  return value ? '1' : '0';
}

/** The rows of a frame's anatomy, [field, value, why], in the order the bytes come. */
export function anatomyRows(frame: WsFrame, say: SayAnatomy): [string, string, string][] {
  const rows: [string, string, string][] = [
    ['FIN', bit(frame.fin), say(frame.fin ? 'fin.1' : 'fin.0')],
    ['RSV1 RSV2 RSV3', `${bit(frame.rsv1)} ${bit(frame.rsv2)} ${bit(frame.rsv3)}`, say('rsv')],
    [say('opcode'), `0x${frame.opcode.toString(16)} ${frame.opcodeName}`, say(`opcode.${KNOWN_OPCODES.has(frame.opcode) ? frame.opcode : 'reserved'}`)],
    ['MASK', bit(frame.masked), say(frame.masked ? 'mask.1' : 'mask.0')],
    [say('key'), frame.maskingKey ? spacedHex(frame.maskingKey) : say('key.none'), frame.maskingKey ? say('key.why') : ''],
    [
      say('length'),
      `${frame.payloadLength} B · ${say(`length.${frame.lengthEncoding}`)}`,
      say(`length.${frame.lengthEncoding}.why`),
    ],
    [say('header'), formatBytes(frame.headerBytes), say('header.why')],
  ];
  if (frame.opcode === 8) {
    rows.push([say('close'), frame.closeCode === null || frame.closeCode === undefined ? say('close.none') : `${frame.closeCode}${frame.closeReason ? ` "${frame.closeReason}"` : ''}`, '']);
  }
  return rows;
}

/** Builds the anatomy of one frame; `id` is for the button that discloses it (aria-controls). */
export function frameAnatomy(frame: WsFrame, id: string, say: SayAnatomy): HTMLElement {
  const root = document.createElement('div');
  root.className = 'rl-wv-anatomy';
  root.id = id;
  const list = document.createElement('dl');
  for (const [field, value, why] of anatomyRows(frame, say)) {
    const term = document.createElement('dt');
    term.textContent = field;
    const detail = document.createElement('dd');
    const code = document.createElement('code');
    code.textContent = value;
    detail.append(code);
    if (why) {
      const note = document.createElement('span');
      note.className = 'rl-wv-why';
      note.textContent = why;
      detail.append(' ', note);
    }
    list.append(term, detail);
  }
  const shown = frame.payloadHex.length / 2;
  const payloadTerm = document.createElement('dt');
  payloadTerm.textContent = frame.masked ? say('payload.masked') : say('payload');
  const payload = document.createElement('dd');
  const hex = document.createElement('code');
  hex.className = 'rl-wv-hex';
  hex.textContent = spacedHex(frame.payloadHex) || '—';
  payload.append(hex);
  if (shown < frame.payloadLength) payload.append(' ', Object.assign(document.createElement('span'), { className: 'rl-wv-why', textContent: say('payload.first', { shown, bytes: frame.payloadLength }) }));
  list.append(payloadTerm, payload);
  if (frame.text !== undefined) {
    const term = document.createElement('dt');
    term.textContent = say('text');
    const value = document.createElement('dd');
    const code = document.createElement('code');
    code.textContent = frame.text + (frame.truncated ? '…' : '');
    value.append(code);
    list.append(term, value);
  }
  const note = document.createElement('p');
  note.className = 'rl-wv-why';
  note.textContent = say(frame.masked ? 'why.masked' : 'why.unmasked');
  root.append(list, note);
  if (frame.opcode === 9 || frame.opcode === 10) {
    root.append(Object.assign(document.createElement('p'), { className: 'rl-wv-why', textContent: say('pingpong') }));
  }
  return root;
}
