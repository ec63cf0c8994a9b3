/**
 * The one seeded PRNG of the project. Every random draw (splits, synthetic data, parameter init,
 * dropout) goes through an Rng so that the same seed gives the same numbers on the same backend.
 *
 * Generator: xoshiro128** (32-bit state words, fast in JS), seeded through splitmix32 so that
 * nearby seeds give unrelated streams. `fork(label)` derives an independent child stream, e.g. one
 * per student, without consuming the parent's sequence order-dependently.
 */
export class Rng {
  // State in a typed array: plain object fields holding values ≥ 2^31 become heap numbers, and
  // every draw would allocate (dropout masks draw millions of values per step).
  private readonly state = new Uint32Array(4);
  private spareNormal: number | null = null;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    const st = this.state;
    for (let i = 0; i < 4; i++) st[i] = next();
    if ((st[0] | st[1] | st[2] | st[3]) === 0) st[0] = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const st = this.state;
    const s0 = st[0];
    const s1 = st[1];
    const s2 = st[2] ^ s0;
    const s3 = st[3] ^ s1;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    st[0] = s0 ^ s3;
    st[1] = s1 ^ s2;
    st[2] = s2 ^ (s1 << 9);
    st[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`Rng.int needs a positive bound, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Standard normal draw (Marsaglia polar method, caching the spare value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return u * m;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[] | Int32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp as never;
    }
  }

  /** The generator's full state, for checkpoints: restoring it continues the exact same sequence. */
  getState(): RngState {
    return { words: Array.from(this.state), spareNormal: this.spareNormal };
  }

  setState(state: RngState): void {
    const [a, b, c, d] = state.words;
    if (state.words.length !== 4 || (a | b | c | d) === 0) throw new RangeError('Rng.setState: invalid state');
    this.state.set([a >>> 0, b >>> 0, c >>> 0, d >>> 0]);
    this.spareNormal = state.spareNormal;
  }

  /** An independent child stream named by `label` (e.g. "student-1", "dropout"). */
  fork(label: string): Rng {
    let h = this.state[0] ^ 0x811c9dc5;
    for (let i = 0; i < label.length; i++) {
      h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    }
    return new Rng((h ^ this.state[2] ^ rotl(this.state[3], 5)) >>> 0);
  }
}

export interface RngState {
  words: number[];
  spareNormal: number | null;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
