import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { expectUserError } from './testing/fixtures';
import { openZip } from './zip';
import { writeZip } from './testing/writers';

// Pass-through spy on inflateRawSync, to check that inflation is capped at the declared size.
vi.mock('node:zlib', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:zlib')>();
  return { ...actual, inflateRawSync: vi.fn(actual.inflateRawSync) };
});

const CORA = fileURLToPath(new URL('../../../shared/datasets/cora.npz', import.meta.url));

/** Offset of the i-th central directory record (signature PK\1\2). */
function centralRecord(zip: Buffer, index: number): number {
  let found = -1;
  for (let pos = 0; pos + 4 <= zip.length; pos++) {
    if (zip.readUInt32LE(pos) === 0x02014b50 && ++found === index) return pos;
  }
  throw new Error(`no central record ${index}`);
}

const inputs = [
  { name: 'alpha.npy', data: Buffer.from('the quick brown fox '.repeat(50)) },
  { name: 'empty.bin', data: new Uint8Array(0) },
  { name: 'dossier/ünïcode-名前.txt', data: Uint8Array.from({ length: 3000 }, (_, i) => (i * 37) % 251) },
];

describe('ZIP round trip', () => {
  for (const options of [{ compress: true }, { compress: false }, { compress: true, forceZip64: true }, { compress: false, forceZip64: true }]) {
    it(`reads back what it wrote (${JSON.stringify(options)})`, () => {
      const zip = openZip(writeZip(inputs, options), 'test.zip');
      expect(zip.entries.map((e) => e.name)).toEqual(inputs.map((i) => i.name));
      for (const input of inputs) {
        const entry = zip.find(input.name)!;
        expect(entry.method).toBe(options.compress ? 8 : 0);
        expect(entry.uncompressedSize).toBe(input.data.length);
        expect(entry.crc32).toBe(crc32(input.data) >>> 0);
        expect(Buffer.compare(zip.read(entry), Buffer.from(input.data))).toBe(0);
      }
    });
  }

  it('compresses repetitive data when deflating', () => {
    const deflated = writeZip(inputs, { compress: true });
    const stored = writeZip(inputs, { compress: false });
    expect(deflated.length).toBeLessThan(stored.length);
  });

  it('finds the end record behind an archive comment', () => {
    const zip = writeZip(inputs);
    const comment = Buffer.from('a trailing archive comment');
    const withComment = Buffer.concat([zip, comment]);
    withComment.writeUInt16LE(comment.length, zip.length - 2);
    expect(openZip(withComment, 'c.zip').read('alpha.npy').toString()).toContain('quick brown fox');
  });
});

describe.skipIf(!existsSync(CORA))('real archive written by NumPy', () => {
  it('lists and reads the 11 arrays of cora.npz with valid CRCs', () => {
    const zip = openZip(readFileSync(CORA), 'cora.npz');
    expect(zip.entries.map((e) => e.name).sort()).toEqual(
      ['adj_data', 'adj_indices', 'adj_indptr', 'adj_shape', 'attr_data', 'attr_indices', 'attr_indptr', 'attr_shape', 'class_names', 'labels', 'node_names']
        .map((n) => `${n}.npy`)
        .sort(),
    );
    for (const entry of zip.entries) expect(zip.read(entry).subarray(1, 6).toString()).toBe('NUMPY');
  });
});
if (!existsSync(CORA)) console.warn(`zip.test: skipping the real-archive test: ${CORA} is absent`);

describe('corrupt and hostile archives', () => {
  it('refuses bytes that are not a ZIP', () => {
    expectUserError(() => openZip(Buffer.from('definitely not a zip archive, just text'), 'x.npz'), /x\.npz: not a ZIP archive/);
  });

  it('refuses an archive cut short (end record lost)', () => {
    const zip = writeZip(inputs);
    expectUserError(() => openZip(zip.subarray(0, zip.length - 30), 'cut.npz'), /cut\.npz: .*(not a ZIP|truncated)/);
  });

  it("names the entry whose data runs past the archive's data", () => {
    const zip = Buffer.from(writeZip(inputs, { compress: false }));
    const record = centralRecord(zip, 0);
    zip.writeUInt32LE(999_999, record + 20); // compressed size
    zip.writeUInt32LE(999_999, record + 24); // uncompressed size
    expectUserError(() => openZip(zip, 'cora.npz').read('alpha.npy'), /cora\.npz: entry 'alpha\.npy' is truncated/);
  });

  it('reports a deflate stream that ends early as truncated', () => {
    const zip = Buffer.from(writeZip(inputs, { compress: true }));
    const record = centralRecord(zip, 2);
    const compressed = zip.readUInt32LE(record + 20);
    zip.writeUInt32LE(Math.floor(compressed / 2), record + 20);
    expectUserError(() => openZip(zip, 'a.zip').read(inputs[2].name), /entry 'dossier\/ünïcode-名前\.txt' is truncated/);
  });

  it('detects a flipped data byte by its CRC-32', () => {
    const zip = Buffer.from(writeZip(inputs, { compress: false }));
    const at = zip.indexOf('quick');
    zip[at] ^= 0xff;
    expectUserError(() => openZip(zip, 'a.zip').read('alpha.npy'), /entry 'alpha\.npy' is corrupt \(CRC-32 mismatch\)/);
  });

  it('stops a zip bomb at its declared size while inflating', () => {
    // 16 MiB of zeros deflate to ~16 KiB; the record claims 1000 bytes.
    const bomb = Buffer.alloc(16 * 1024 * 1024);
    const zip = Buffer.from(writeZip([{ name: 'labels.npy', data: bomb }], { compress: true }));
    const record = centralRecord(zip, 0);
    zip.writeUInt32LE(1000, record + 24);
    expect(zip.length).toBeLessThan(50_000);
    const inflate = vi.mocked(zlib.inflateRawSync);
    inflate.mockClear();
    expectUserError(() => openZip(zip, 'bomb.npz').read('labels.npy'), /entry 'labels\.npy' inflates to more than its declared 1000 bytes/);
    // The output buffer was capped just past the declared size: the 16 MiB were never produced.
    expect(inflate).toHaveBeenCalledTimes(1);
    expect(inflate.mock.calls[0][1]?.maxOutputLength).toBe(1001);
  });

  it('refuses an entry declaring more than the limit before inflating anything', () => {
    // A ZIP64 record claims 1 TiB for a 20-byte entry: refused at open, so nothing is allocated.
    const zip = Buffer.from(writeZip([{ name: 'huge.npy', data: Buffer.alloc(20) }], { forceZip64: true }));
    const record = centralRecord(zip, 0);
    const extraStart = record + 46 + 'huge.npy'.length;
    expect(zip.readUInt16LE(extraStart)).toBe(1); // the ZIP64 extra field
    zip.writeBigUInt64LE(2n ** 40n, extraStart + 4); // uncompressed size
    expectUserError(() => openZip(zip, 'big.npz'), /big\.npz: entry 'huge\.npy' declares 1099511627776 uncompressed bytes, more than the limit/);
  });

  it('applies configurable per-entry and total limits', () => {
    const data = Buffer.alloc(600);
    const zip = writeZip([{ name: 'a', data }, { name: 'b', data }]);
    expectUserError(() => openZip(zip, 'z.zip', { maxEntryBytes: 500 }), /entry 'a' declares 600 uncompressed bytes, more than the limit of 500/);
    expectUserError(() => openZip(zip, 'z.zip', { maxTotalBytes: 1000 }), /more than 1000 uncompressed bytes in total \(limit exceeded at 'b'\)/);
    expectUserError(() => openZip(zip, 'z.zip', { maxEntries: 1 }), /has 2 entries, more than the limit of 1/);
    expect(openZip(zip, 'z.zip', { maxEntryBytes: 600, maxTotalBytes: 1200 }).read('b').length).toBe(600);
  });

  it('refuses unsupported compression methods and encryption, naming the entry', () => {
    const methodPatched = Buffer.from(writeZip(inputs, { compress: false }));
    methodPatched.writeUInt16LE(12, centralRecord(methodPatched, 0) + 10); // bzip2
    expectUserError(() => openZip(methodPatched, 'm.zip'), /entry 'alpha\.npy' uses compression method 12/);
    const encrypted = Buffer.from(writeZip(inputs, { compress: false }));
    const record = centralRecord(encrypted, 1);
    encrypted.writeUInt16LE(encrypted.readUInt16LE(record + 8) | 1, record + 8);
    expectUserError(() => openZip(encrypted, 'e.zip'), /entry 'empty\.bin' is encrypted/);
  });

  it('refuses a stored entry whose two sizes disagree', () => {
    const zip = Buffer.from(writeZip(inputs, { compress: false }));
    zip.writeUInt32LE(5, centralRecord(zip, 0) + 20);
    expectUserError(() => openZip(zip, 's.zip'), /entry 'alpha\.npy' is stored uncompressed but declares 5 stored/);
  });

  it('reports a corrupt deflate stream', () => {
    const garbage = deflateRawSync(Buffer.from('x'.repeat(100)));
    const zip = Buffer.from(writeZip([{ name: 'g', data: Buffer.from('x'.repeat(100)) }], { compress: true }));
    const at = zip.indexOf(garbage);
    zip.fill(0xff, at, at + garbage.length);
    expectUserError(() => openZip(zip, 'g.zip').read('g'), /entry 'g' is (corrupt|truncated)/);
  });

  it('names a missing entry', () => {
    expectUserError(() => openZip(writeZip(inputs), 'cora.npz').read('labels.npy'), /cora\.npz: has no entry 'labels\.npy'/);
  });
});
