import { describe, expect, it } from 'vitest';
import { Rng } from './random';

describe('Rng', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    const seqB = Array.from({ length: 20 }, () => b.nextUint32());
    const seqC = Array.from({ length: 20 }, () => c.nextUint32());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('draws uniform floats in [0, 1) with the right mean and variance', () => {
    const rng = new Rng(1);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      if (!(x >= 0 && x < 1)) outOfRange++;
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    expect(outOfRange).toBe(0);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sumSq / n - mean * mean).toBeCloseTo(1 / 12, 2);
  });

  it('draws standard normals', () => {
    const rng = new Rng(7);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      sumSq += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(sumSq / n).toBeCloseTo(1, 1);
  });

  it('draws every integer of int(n) about equally often', () => {
    const rng = new Rng(3);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => rng.int(0)).toThrow(/positive bound/);
  });

  it('shuffles into a permutation', () => {
    const rng = new Rng(5);
    const items = Array.from({ length: 50 }, (_, i) => i);
    rng.shuffle(items);
    expect([...items].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(items).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('forks independent, reproducible child streams', () => {
    const parent1 = new Rng(9);
    const parent2 = new Rng(9);
    const childA = parent1.fork('student-0');
    const childB = parent2.fork('student-0');
    const childC = new Rng(9).fork('student-1');
    const draw = (r: Rng) => Array.from({ length: 10 }, () => r.nextUint32());
    const a = draw(childA);
    expect(a).toEqual(draw(childB));
    expect(a).not.toEqual(draw(childC));
  });

  it('restores its state exactly', () => {
    const rng = new Rng(11);
    rng.normal(); // leaves a spare normal cached
    const state = rng.getState();
    const expected = [rng.normal(), rng.next(), rng.nextUint32()];
    const restored = new Rng(0);
    restored.setState(state);
    expect([restored.normal(), restored.next(), restored.nextUint32()]).toEqual(expected);
  });
});
