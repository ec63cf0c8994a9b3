import { describe, expect, it } from 'vitest';
import { parseNpy, toFloat32, toInt32, toNumbers, type NpyArray } from './npy';
import { expectUserError } from './testing/fixtures';
import { npyArray, writeNpy } from './testing/writers';

/** An .npy file with a hand-written header, as NumPy lays it out (magic, version, length, dict). */
function rawNpy(header: string, body: Uint8Array, version = 1): Buffer {
  const prefix = version === 1 ? 10 : 12;
  const padded = header.padEnd(Math.ceil((prefix + header.length + 1) / 64) * 64 - prefix - 1, ' ') + '\n';
  const encoding = version === 3 ? 'utf8' : 'latin1';
  const start = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]).copy(start);
  start[6] = version;
  if (version === 1) start.writeUInt16LE(Buffer.byteLength(padded, encoding), 8);
  else start.writeUInt32LE(Buffer.byteLength(padded, encoding), 8);
  return Buffer.concat([start, Buffer.from(padded, encoding), body]);
}

describe('npy round trip', () => {
  const cases: [string, NpyArray][] = [
    ['f4 2-D', npyArray(new Float32Array([1.5, -2, 3.25, 0, 5, 6]), [2, 3])],
    ['f8', npyArray(new Float64Array([Math.PI, -1e300, 0]))],
    ['i1', npyArray(Int8Array.from([-128, 0, 127]))],
    ['i2', npyArray(Int16Array.from([-32768, 7, 32767]))],
    ['i4 3-D', npyArray(Int32Array.from({ length: 24 }, (_, i) => i * 1000 - 7), [2, 3, 4])],
    ['i8 beyond 2^53', npyArray(BigInt64Array.from([-(2n ** 62n), 1n, 2n ** 53n + 1n]))],
    ['u1', npyArray(Uint8Array.from([0, 200, 255]))],
    ['u2', npyArray(Uint16Array.from([0, 65535]))],
    ['u4', npyArray(Uint32Array.from([0, 4294967295]))],
    ['u8', npyArray(BigUint64Array.from([2n ** 64n - 1n]))],
    ['b1', npyArray(Uint8Array.from([0, 1, 1, 0]), [2, 2], 'b1')],
    ['0-d', npyArray(new Float64Array([42]), [])],
    ['empty', npyArray(new Int32Array(0), [0, 7])],
    ['unicode strings', npyArray(['Case_Based', 'Réseaux_neuronaux', '神经网络', '😀 emoji', ''])],
    ['byte strings', npyArray(['abc', 'x'], undefined, 'S')],
  ];
  for (const [name, array] of cases) {
    it(`preserves ${name}`, () => {
      const back = parseNpy(writeNpy(array), name);
      expect(back.dtype).toBe(array.dtype);
      expect(back.shape).toEqual(array.shape);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(array.data as ArrayLike<unknown>));
    });
  }

  it('aligns the data on 64 bytes and ends the header with a newline, as NumPy does', () => {
    const bytes = writeNpy(npyArray(new Float32Array(3)));
    const headerLength = bytes.readUInt16LE(8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes[10 + headerLength - 1]).toBe(0x0a);
  });

  it('writes strings as UTF-32LE padded to the longest one (the <U layout)', () => {
    const bytes = writeNpy(npyArray(['ab', 'ç']));
    expect(bytes.toString('latin1')).toContain("'descr': '<U2'");
    const body = bytes.subarray(bytes.length - 16);
    expect([...body]).toEqual([0x61, 0, 0, 0, 0x62, 0, 0, 0, 0xe7, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('headers written by NumPy', () => {
  it('reads the exact header NumPy writes for Cora labels', () => {
    const body = Int8Array.from([5, 2, 0, 6]);
    const bytes = rawNpy("{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(body.buffer));
    const array = parseNpy(bytes, 'labels');
    expect(array.dtype).toBe('i1');
    expect(Array.from(array.data as Int8Array)).toEqual([5, 2, 0, 6]);
  });

  it('reads version 2 and version 3 (UTF-8) headers', () => {
    const body = new Uint8Array(new Float32Array([1, 2]).buffer);
    for (const version of [2, 3]) {
      const array = parseNpy(rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", body, version), `v${version}`);
      expect(Array.from(array.data as Float32Array)).toEqual([1, 2]);
    }
  });

  it('converts big-endian arrays to host order', () => {
    const body = Buffer.alloc(24);
    [1.5, -2.25, 1e300].forEach((v, i) => body.writeDoubleBE(v, 8 * i));
    const f8 = parseNpy(rawNpy("{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", body), 'big');
    expect(Array.from(f8.data as Float64Array)).toEqual([1.5, -2.25, 1e300]);
    const ints = Buffer.alloc(8);
    ints.writeInt32BE(-7, 0);
    ints.writeInt32BE(123456789, 4);
    const i4 = parseNpy(rawNpy("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", ints), 'big');
    expect(Array.from(i4.data as Int32Array)).toEqual([-7, 123456789]);
    const text = Buffer.alloc(8);
    text.writeUInt32BE(0x1f600, 0);
    const u = parseNpy(rawNpy("{'descr': '>U2', 'fortran_order': False, 'shape': (1,), }", text), 'big');
    expect(u.data).toEqual(['😀']);
  });

  it('accepts keys in any order, double quotes, Python 2 long suffixes and no trailing comma', () => {
    const body = new Uint8Array(new Int32Array([1, 2, 3, 4, 5, 6]).buffer);
    const array = parseNpy(rawNpy('{"shape": (2L, 3L), "fortran_order": False, "descr": "<i4"}', body), 'p2');
    expect(array.shape).toEqual([2, 3]);
  });

  it('accepts fortran_order True for 1-D data (same layout) but refuses it for matrices', () => {
    const body = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    expect(parseNpy(rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }", body), 'v').shape).toEqual([4]);
    expectUserError(
      () => parseNpy(rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", body), "cora.npz: array 'attr_matrix'"),
      /cora\.npz: array 'attr_matrix': is stored in Fortran \(column-major\) order/,
    );
  });
});

describe('malformed and hostile arrays', () => {
  const f4 = (shape: string, bytes = 8) => rawNpy(`{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`, new Uint8Array(bytes));

  it('refuses object arrays, saying pickles are not loaded', () => {
    expectUserError(
      () => parseNpy(rawNpy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", Buffer.from('\x80\x04pickle')), 'idx_to_node'),
      /idx_to_node: dtype '\|O' is a Python object array \(a pickle\); pickles are not loaded/,
    );
  });

  it('refuses bad magic, unknown versions and structured or unknown dtypes', () => {
    expectUserError(() => parseNpy(Buffer.from('PK\x03\x04 not an npy file'), 'x'), /x: not a NumPy \.npy array/);
    const v9 = f4('(2,)');
    v9[6] = 9;
    expectUserError(() => parseNpy(v9, 'x'), /unsupported \.npy format version 9/);
    expectUserError(() => parseNpy(rawNpy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), 'x'), /structured/);
    expectUserError(() => parseNpy(rawNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(16)), 'x'), /unsupported dtype '<c16'/);
    expectUserError(() => parseNpy(rawNpy("{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4)), 'x'), /'\|' is only valid/);
  });

  it('refuses malformed header dicts', () => {
    const bad = [
      "{'descr': '<f4', 'shape': (2,), }", // missing key
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': [2], }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }",
      "{'descr': '<f4' 'fortran_order': False, 'shape': (2,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } trailing",
      "__import__('os').system('echo pwned')",
    ];
    for (const header of bad) expectUserError(() => parseNpy(rawNpy(header, new Uint8Array(8)), 'h'), /h: malformed header/);
  });

  it('refuses a header claiming an absurd size before allocating', () => {
    // 10^15 elements: refused from the header alone.
    expectUserError(() => parseNpy(f4('(100000, 100000, 100000)'), "cora.npz: array 'labels'"), /array 'labels': header claims shape \(100000, 100000, 100000\), an absurd size/);
    // 2^30 float64s = 8 GiB would be allocated if the header were trusted; only 8 bytes are present.
    const lie = rawNpy(`{'descr': '<f8', 'fortran_order': False, 'shape': (${2 ** 30},), }`, new Uint8Array(8));
    expectUserError(() => parseNpy(lie, 'x'), /x: is truncated: header claims shape \(1073741824\) of <f8, 8589934592 bytes, but only 8 are present/);
  });

  it('refuses missing and extra data bytes', () => {
    expectUserError(() => parseNpy(f4('(3,)', 8), 'x'), /is truncated: .* 12 bytes, but only 8/);
    expectUserError(() => parseNpy(f4('(1,)', 8), 'x'), /has 4 unexpected bytes/);
    const cut = f4('(2,)');
    expectUserError(() => parseNpy(cut.subarray(0, 20), 'x'), /is truncated \(header declares/);
  });

  it('refuses booleans other than 0 and 1 and invalid code points', () => {
    expectUserError(() => parseNpy(rawNpy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", Uint8Array.from([1, 2])), 'm'), /boolean array holds the byte 2 at index 1/);
    const text = Buffer.alloc(4);
    text.writeUInt32LE(0x110000, 0);
    expectUserError(() => parseNpy(rawNpy("{'descr': '<U1', 'fortran_order': False, 'shape': (1,), }", text), 'n'), /invalid code point/);
  });
});

describe('conversions', () => {
  it('converts integer types to Int32Array and refuses what does not fit', () => {
    expect(Array.from(toInt32(npyArray(BigInt64Array.from([3n, -4n])), 'l'))).toEqual([3, -4]);
    expect(Array.from(toInt32(npyArray(Float64Array.from([2, 7])), 'l'))).toEqual([2, 7]);
    expectUserError(() => toInt32(npyArray(BigInt64Array.from([0n, 2n ** 40n])), 'labels'), /labels: value 1099511627776 at index 1 is not a 32-bit integer/);
    expectUserError(() => toInt32(npyArray(Float32Array.from([0.5])), 'labels'), /value 0.5 at index 0 is not a 32-bit integer/);
    expectUserError(() => toNumbers(npyArray(BigInt64Array.from([2n ** 60n])), 'ids'), /ids: value 1152921504606846976 at index 0 is too large/);
    expectUserError(() => toNumbers(npyArray(['a']), 'ids'), /expected numbers, found strings/);
  });

  it('converts numbers to Float32Array', () => {
    expect(Array.from(toFloat32(npyArray(Uint8Array.from([0, 1, 255])), 'f'))).toEqual([0, 1, 255]);
  });
});
