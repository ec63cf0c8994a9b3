import { describe, expect, it } from 'vitest';
import { allocate, arenaUsage, float32View, release, residentInt32, withScratch } from './arena';

describe('the kernels’ arena', () => {
  it('hands out 64-byte aligned, non-zero, disjoint ranges and reuses freed ones', () => {
    const before = arenaUsage().liveBytes;
    const a = allocate(100);
    const b = allocate(1);
    const c = allocate(5000);
    for (const offset of [a, b, c]) {
      expect(offset).toBeGreaterThan(0);
      expect(offset % 64).toBe(0);
    }
    expect(b).toBeGreaterThanOrEqual(a + 128);
    expect(c).toBeGreaterThanOrEqual(b + 64);
    release(b);
    // the freed range and its neighbours merge: a block as large as a + b fits where a was
    release(a);
    const merged = allocate(192);
    expect(merged).toBe(a);
    release(merged);
    release(c);
    expect(arenaUsage().liveBytes).toBe(before);
    expect(() => release(c)).toThrow(/not allocated/);
  });

  it('grows the shared memory on demand, keeping what was written', () => {
    const small = allocate(16);
    float32View(small, 4).set([1, 2, 3, 4]);
    const reserved = arenaUsage().reservedBytes;
    const large = allocate(reserved);
    expect(arenaUsage().reservedBytes).toBeGreaterThan(reserved);
    expect(Array.from(float32View(small, 4))).toEqual([1, 2, 3, 4]);
    release(large);
    release(small);
  });

  it('releases a scratch scope’s allocations even when its body throws', () => {
    const before = arenaUsage().liveBytes;
    expect(() =>
      withScratch((scratch) => {
        scratch.input(new Float32Array([1, 2, 3]));
        scratch.output(1000);
        throw new Error('kernel failed');
      }),
    ).toThrow('kernel failed');
    expect(arenaUsage().liveBytes).toBe(before);
  });

  it('keeps one resident copy of a constant array', () => {
    const offsets = Int32Array.from([0, 2, 5]);
    const first = residentInt32(offsets);
    expect(residentInt32(offsets)).toBe(first);
    expect(residentInt32(Int32Array.from([0, 2, 5]))).not.toBe(first);
  });
});
