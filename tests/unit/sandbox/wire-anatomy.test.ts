/** A frame's anatomy, field by field, in the reader's words (the real UI strings of both locales). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WsFrame } from '../../../server/runs/ws-frames.ts';
import { anatomyRows, spacedHex } from '../../../src/sandbox/page/wire-anatomy.ts';
import en from '../../../content/i18n/en.json' with { type: 'json' };
import zh from '../../../content/i18n/zh-CN.json' with { type: 'json' };

function sayIn(strings: Record<string, string>) {
  return (key: string, values: Record<string, string | number> = {}) => {
    const template = strings[`sandbox.wire.anatomy.${key}`];
    assert.ok(template, `sandbox.wire.anatomy.${key} is missing`);
    return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
  };
}

const BASE: WsFrame = { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, opcodeName: 'text', masked: true, maskingKey: '0a0b0c0d', payloadLength: 5, lengthEncoding: 7, headerBytes: 6, payloadHex: '6265', text: 'hello' };

describe('the frame anatomy', () => {
  it('shows a client frame’s mask bit and key, byte by byte', () => {
    const rows = anatomyRows(BASE, sayIn(en));
    assert.deepEqual(rows[3]?.slice(0, 2), ['MASK', '1']);
    assert.deepEqual(rows[4]?.slice(0, 2), ['Masking key', '0a 0b 0c 0d']);
    assert.equal(spacedHex('68656c6c6f'), '68 65 6c 6c 6f');
  });

  it('says which length encoding a frame used, and why, for 7, 7+16 and 7+64 bits', () => {
    const length = (frame: Partial<WsFrame>) => anatomyRows({ ...BASE, ...frame }, sayIn(en))[5];
    assert.deepEqual(length({}), ['Payload length', '5 B · in the 7-bit field', '0 to 125 fits in the 7 bits themselves']);
    assert.match(length({ payloadLength: 300, lengthEncoding: 16 })?.[1] ?? '', /^300 B · 7 \+ 16 bits$/);
    assert.match(length({ payloadLength: 300, lengthEncoding: 16 })?.[2] ?? '', /126 to 65,535/);
    assert.match(length({ payloadLength: 70_000, lengthEncoding: 64 })?.[1] ?? '', /^70000 B · 7 \+ 64 bits$/);
  });

  it('names ping and pong, and gives a close frame’s code and reason, in Chinese too', () => {
    const ping = anatomyRows({ ...BASE, opcode: 9, opcodeName: 'ping', masked: false, maskingKey: null }, sayIn(zh));
    assert.deepEqual(ping[2]?.slice(0, 2), ['操作码', '0x9 ping']);
    assert.deepEqual(ping[4]?.slice(0, 2), ['掩码密钥', '无']);
    const close = anatomyRows({ ...BASE, opcode: 8, opcodeName: 'close', closeCode: 1000, closeReason: 'done' }, sayIn(en));
    assert.deepEqual(close.at(-1)?.slice(0, 2), ['Close code', '1000 "done"']);
    const empty = anatomyRows({ ...BASE, opcode: 8, opcodeName: 'close', closeCode: null }, sayIn(en));
    assert.match(empty.at(-1)?.[1] ?? '', /1005/);
  });
});
