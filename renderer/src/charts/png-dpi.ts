/**
 * Stamps a PNG with its print resolution (a pHYs chunk), so a figure rendered at 300 dpi is placed
 * at its intended physical width by LaTeX, Word or Inkscape instead of at 72 or 96 dpi.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG chunks use it (over the chunk type and data). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The PNG with a pHYs chunk for `dpi` after its IHDR (an existing pHYs is replaced). */
export function withPngDpi(png: Uint8Array, dpi: number): Uint8Array {
  if (png.length < 33 || SIGNATURE.some((b, i) => png[i] !== b)) throw new Error('not a PNG');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const type = (at: number) => String.fromCharCode(...png.subarray(at + 4, at + 8));
  if (type(8) !== 'IHDR') throw new Error('PNG without IHDR first');
  const afterIhdr = 8 + 12 + view.getUint32(8);
  const chunk = new Uint8Array(21);
  const out = new DataView(chunk.buffer);
  const perMetre = Math.round(dpi / 0.0254);
  out.setUint32(0, 9);
  chunk.set([0x70, 0x48, 0x59, 0x73], 4); // "pHYs"
  out.setUint32(8, perMetre);
  out.setUint32(12, perMetre);
  chunk[16] = 1; // unit: metre
  out.setUint32(17, crc32(chunk.subarray(4, 17)));
  // the chunks after IHDR, without any pHYs already there
  const rest: Uint8Array[] = [];
  for (let at = afterIhdr; at < png.length; ) {
    const end = at + 12 + view.getUint32(at);
    if (type(at) !== 'pHYs') rest.push(png.subarray(at, end));
    at = end;
  }
  const parts = [png.subarray(0, afterIhdr), chunk, ...rest];
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
