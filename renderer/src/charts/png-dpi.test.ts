import { crc32 as zlibCrc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, withPngDpi } from './png-dpi';

/** A real 2×1 RGB PNG, built chunk by chunk. */
function tinyPng(extra: { type: string; data: Uint8Array }[] = []): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    Buffer.from(data).copy(out, 8);
    out.writeUInt32BE(zlibCrc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const pixels = deflateSync(Buffer.from([0, 255, 0, 0, 0, 0, 255]));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...extra.map((c) => chunk(c.type, c.data)), chunk('IDAT', pixels), chunk('IEND', new Uint8Array())]);
}

/** Chunk types in order, each with its CRC checked. */
function chunks(png: Uint8Array): { type: string; data: Buffer }[] {
  const buf = Buffer.from(png);
  const found: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    expect(buf.readUInt32BE(at + 8 + length), `${type} CRC`).toBe(zlibCrc32(buf.subarray(at + 4, at + 8 + length)));
    found.push({ type, data: buf.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return found;
}

describe('withPngDpi', () => {
  it('computes the CRC PNG uses', () => {
    const bytes = new TextEncoder().encode('IEND and more bytes');
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });

  it('adds a pHYs chunk of 300 dpi (11811 px per metre) right after IHDR, keeping the image', () => {
    const png = tinyPng();
    const stamped = withPngDpi(png, 300);
    expect(chunks(stamped).map((c) => c.type)).toEqual(['IHDR', 'pHYs', 'IDAT', 'IEND']);
    const phys = chunks(stamped)[1].data;
    expect([phys.readUInt32BE(0), phys.readUInt32BE(4), phys[8]]).toEqual([11811, 11811, 1]);
    expect(chunks(stamped)[2].data.equals(chunks(png)[1].data)).toBe(true);
  });

  it('replaces a pHYs the PNG had, and refuses what is not a PNG', () => {
    const stamped = withPngDpi(tinyPng([{ type: 'pHYs', data: new Uint8Array(9) }]), 150);
    expect(chunks(stamped).filter((c) => c.type === 'pHYs').map((c) => c.data.readUInt32BE(0))).toEqual([5906]);
    expect(() => withPngDpi(new TextEncoder().encode('GIF89a is not a PNG at all, sorry'), 300)).toThrow(/not a PNG/);
  });
});
