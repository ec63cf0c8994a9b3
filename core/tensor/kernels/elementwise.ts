import type { RowRange } from './adjacency';

/**
 * The multicore backend's element-wise loops over a flat range of elements, so that kernel threads
 * can split large ones (core/tensor/multicore/elementwise.ts). One loop per op keeps each loop
 * monomorphic: no call per element. The arithmetic is tfjs's CPU kernels' (float64, rounded to
 * float32 on store).
 */

export type BinaryOp = 'Add' | 'Sub' | 'Multiply' | 'RealDiv';
export type UnaryOp = 'Exp' | 'Log' | 'Neg' | 'Sqrt' | 'Square' | 'Relu' | 'Elu';

/**
 * out[i] = op(a[i], b[i mod period]) for i in range, b repeating along the leading axes (or, with
 * `repeatA`, op(a[i mod period], b[i])). A scalar operand is a period of 1.
 */
export function binaryRange(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, repeatA: boolean, range: RowRange): void {
  const period = repeatA ? a.length : b.length;
  if (period === 1) {
    const { start, end } = range;
    scalarLoop(op, (repeatA ? b : a).subarray(start, end), (repeatA ? a : b)[0], out.subarray(start, end), repeatA);
    return;
  }
  for (let start = range.start; start < range.end; ) {
    const phase = start % period;
    const end = Math.min(range.end, start - phase + period);
    const x = repeatA ? a.subarray(phase, phase + end - start) : a.subarray(start, end);
    const y = repeatA ? b.subarray(start, end) : b.subarray(phase, phase + end - start);
    binaryLoop(op, x, y, out.subarray(start, end));
    start = end;
  }
}

function binaryLoop(op: BinaryOp, x: Float32Array, y: Float32Array, o: Float32Array): void {
  const n = o.length;
  switch (op) {
    case 'Add':
      for (let i = 0; i < n; i++) o[i] = x[i] + y[i];
      break;
    case 'Sub':
      for (let i = 0; i < n; i++) o[i] = x[i] - y[i];
      break;
    case 'Multiply':
      for (let i = 0; i < n; i++) o[i] = x[i] * y[i];
      break;
    case 'RealDiv':
      for (let i = 0; i < n; i++) o[i] = x[i] / y[i];
      break;
  }
}

/** o[i] = op(x[i], s), or op(s, x[i]) with `scalarFirst` */
function scalarLoop(op: BinaryOp, x: Float32Array, s: number, o: Float32Array, scalarFirst: boolean): void {
  const n = o.length;
  switch (op) {
    case 'Add':
      for (let i = 0; i < n; i++) o[i] = x[i] + s;
      break;
    case 'Sub':
      if (scalarFirst) for (let i = 0; i < n; i++) o[i] = s - x[i];
      else for (let i = 0; i < n; i++) o[i] = x[i] - s;
      break;
    case 'Multiply':
      for (let i = 0; i < n; i++) o[i] = x[i] * s;
      break;
    case 'RealDiv':
      if (scalarFirst) for (let i = 0; i < n; i++) o[i] = s / x[i];
      else for (let i = 0; i < n; i++) o[i] = x[i] / s;
      break;
  }
}

export function unaryRange(op: UnaryOp, x: Float32Array, out: Float32Array, range: RowRange): void {
  const { start, end } = range;
  switch (op) {
    case 'Exp':
      for (let i = start; i < end; i++) out[i] = Math.exp(x[i]);
      break;
    case 'Log':
      for (let i = start; i < end; i++) out[i] = Math.log(x[i]);
      break;
    case 'Neg':
      for (let i = start; i < end; i++) out[i] = -x[i];
      break;
    case 'Sqrt':
      for (let i = start; i < end; i++) out[i] = Math.sqrt(x[i]);
      break;
    case 'Square':
      for (let i = start; i < end; i++) out[i] = x[i] * x[i];
      break;
    case 'Relu':
      for (let i = start; i < end; i++) out[i] = Math.max(0, x[i]);
      break;
    case 'Elu':
      for (let i = start; i < end; i++) out[i] = x[i] >= 0 ? x[i] : Math.exp(x[i]) - 1;
      break;
  }
}

/** LeakyReLU: x < 0 ? alpha·x : x */
export function leakyReluRange(x: Float32Array, alpha: number, out: Float32Array, range: RowRange): void {
  for (let i = range.start; i < range.end; i++) out[i] = x[i] < 0 ? alpha * x[i] : x[i];
}

/** ELU's gradient from its output y: dy where y ≥ 0, dy·(y + 1) below. */
export function eluGradRange(dy: Float32Array, y: Float32Array, out: Float32Array, range: RowRange): void {
  for (let i = range.start; i < range.end; i++) out[i] = y[i] >= 0 ? dy[i] : dy[i] * (y[i] + 1);
}
