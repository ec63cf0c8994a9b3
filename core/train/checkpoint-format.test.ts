import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format';

describe('checkpoint format', () => {
  const contents = {
    meta: { epoch: 7, rng: { words: [1, 2, 3, 4], spareNormal: null }, note: 'ünïcode' },
    tensors: {
      'student0/w': { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, -6.5]) },
      'student0/b': { shape: [3], data: new Float32Array([0.1, 0.2, 0.3]) },
      empty: { shape: [0], data: new Float32Array(0) },
    },
  };

  it('round-trips metadata and tensors exactly', () => {
    const decoded = decodeCheckpoint<typeof contents.meta>(encodeCheckpoint(contents));
    expect(decoded.meta).toEqual(contents.meta);
    expect(Object.keys(decoded.tensors)).toEqual(Object.keys(contents.tensors));
    for (const [name, t] of Object.entries(contents.tensors)) {
      expect(decoded.tensors[name].shape).toEqual(t.shape);
      expect(Array.from(decoded.tensors[name].data)).toEqual(Array.from(t.data));
    }
  });

  it('decodes from an unaligned view of a larger buffer', () => {
    const encoded = encodeCheckpoint(contents);
    const padded = new Uint8Array(encoded.length + 3);
    padded.set(encoded, 1);
    const decoded = decodeCheckpoint(padded.subarray(1, 1 + encoded.length));
    expect(Array.from(decoded.tensors['student0/w'].data)).toEqual([1, 2, 3, 4, 5, -6.5]);
  });

  it('rejects truncated, foreign and mismatched data with a named error', () => {
    const encoded = encodeCheckpoint(contents);
    expect(() => decodeCheckpoint(encoded.subarray(0, encoded.length - 4), 'run 3')).toThrow(/run 3: expected .* bytes/);
    expect(() => decodeCheckpoint(new TextEncoder().encode('not a checkpoint at all'))).toThrow(/bad magic/);
    expect(() => decodeCheckpoint(new Uint8Array(4))).toThrow(/too short/);
    expect(() => encodeCheckpoint({ meta: {}, tensors: { w: { shape: [2, 2], data: new Float32Array(3) } } })).toThrow(/does not match/);
  });
});
