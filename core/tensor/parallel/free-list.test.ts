import { describe, expect, it } from 'vitest';
import { FreeList } from './free-list';

const buffer = (bytes: number) => new SharedArrayBuffer(bytes);

describe('FreeList', () => {
  it('hands back a buffer of the exact size, once', () => {
    const list = new FreeList(() => 1_000);
    const a = buffer(16);
    list.give(a);
    list.give(a); // given twice: kept once
    expect(list.bytes).toBe(16);
    expect(list.take(32)).toBeNull();
    expect(list.take(16)).toBe(a);
    expect(list.take(16)).toBeNull();
    expect(list.bytes).toBe(0);
  });

  it('stays within its bound however many sizes come and go, dropping the sizes used least recently', () => {
    const list = new FreeList(() => 1_000);
    // a step's own sizes, used every step
    const steady = [buffer(200), buffer(300)];
    // and sizes that change every step (re-drawn batches): without a bound they pile up
    for (let step = 0; step < 500; step++) {
      const taken = steady.map((b) => list.take(b.byteLength) ?? b);
      list.give(buffer(100 + 4 * step));
      for (const b of taken) list.give(b);
      expect(list.bytes).toBeLessThanOrEqual(1_000);
    }
    expect(list.take(200)).toBe(steady[0]);
    expect(list.take(300)).toBe(steady[1]);
    expect(list.take(100)).toBeNull(); // the first step's odd size is long gone
  });

  it('asks for its bound each time, so a bound that follows a growing peak keeps more', () => {
    let bound = 100;
    const list = new FreeList(() => bound);
    list.give(buffer(80));
    list.give(buffer(60));
    expect(list.bytes).toBe(60); // the older size went
    bound = 1_000;
    list.give(buffer(80));
    expect(list.bytes).toBe(140);
  });
});
