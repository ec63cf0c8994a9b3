import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import type { CsrGraph } from '../graph/csr';
import type { GraphOps } from '../tensor/graph-ops';

/**
 * Similarity kernels k(a, b) between the hidden rows of the two ends of an edge, the raw scores of
 * the local structure. Plain values, so that run configs can store and display them.
 *
 * - l1:     exp(−‖a−b‖₁ / τ), the authors' default with τ = 100
 * - rbf:    exp(−‖a−b‖² / (2σ²))
 * - linear: aᵀb
 * - cosine: aᵀb / (‖a‖·‖b‖), each norm floored at eps so that zero rows give similarity 0
 * - poly:   (aᵀb + c)^degree, degree a positive integer
 *
 * `normalise` (our extension, off by default) scales every row to unit L2 norm before the kernel,
 * so the structure no longer depends on how large a node's hidden vector is, only on its direction
 * (for l1: ‖a/‖a‖ − b/‖b‖‖₁, at most 2√F). Pair it with a τ of that scale (e.g. τ auto).
 */
export type SimilarityKernel = (
  | { kind: 'l1'; tau?: number }
  | { kind: 'rbf'; sigma: number }
  | { kind: 'linear' }
  | { kind: 'cosine'; eps?: number }
  | { kind: 'poly'; c: number; degree: number }
) & { normalise?: boolean };

export type SimilarityKind = SimilarityKernel['kind'];

export const SIMILARITY_KINDS: readonly SimilarityKind[] = ['l1', 'rbf', 'linear', 'cosine', 'poly'];

export const DEFAULT_L1_TAU = 100;
export const DEFAULT_COSINE_EPS = 1e-8;
/** rows shorter than this are divided by it when normalised: they stay near 0 and the gradient stays finite */
export const NORMALISE_EPS = 1e-6;

/** The authors' kernel: exp(−‖a−b‖₁ / 100). */
export const DEFAULT_SIMILARITY: SimilarityKernel = { kind: 'l1', tau: DEFAULT_L1_TAU };

function positiveNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new UserError(`similarity kernel: ${what} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/** Checks a kernel from user input and fills its defaults; UserError names the bad field. */
export function validateKernel(kernel: unknown): SimilarityKernel {
  if (typeof kernel !== 'object' || kernel === null) {
    throw new UserError(`similarity kernel: expected an object with a 'kind', got ${String(kernel)}`);
  }
  const { normalise } = kernel as { normalise?: unknown };
  if (normalise !== undefined && typeof normalise !== 'boolean') {
    throw new UserError(`similarity kernel: normalise must be true or false, got ${String(normalise)}`);
  }
  const base = validateKernelParameters(kernel);
  // only a true flag is kept, so that default kernels read (and store) exactly as before
  return normalise ? { ...base, normalise } : base;
}

function validateKernelParameters(kernel: object): SimilarityKernel {
  const { kind } = kernel as { kind?: unknown };
  const fields = kernel as Record<string, unknown>;
  switch (kind) {
    case 'l1':
      return { kind, tau: positiveNumber(fields.tau ?? DEFAULT_L1_TAU, "l1 kernel's tau") };
    case 'rbf':
      return { kind, sigma: positiveNumber(fields.sigma, "rbf kernel's sigma") };
    case 'linear':
      return { kind };
    case 'cosine':
      return { kind, eps: positiveNumber(fields.eps ?? DEFAULT_COSINE_EPS, "cosine kernel's eps") };
    case 'poly': {
      const { c, degree } = fields;
      if (typeof c !== 'number' || !Number.isFinite(c)) {
        throw new UserError(`similarity kernel: poly kernel's c must be a finite number, got ${String(c)}`);
      }
      if (typeof degree !== 'number' || !Number.isInteger(degree) || degree < 1) {
        throw new UserError(`similarity kernel: poly kernel's degree must be a positive integer, got ${String(degree)}`);
      }
      return { kind, c, degree };
    }
    default:
      throw new UserError(
        `similarity kernel: unknown kind '${String(kind)}' (expected one of ${SIMILARITY_KINDS.join(', ')})`,
      );
  }
}

/**
 * Parses the command-line spelling "kind[:param[:param]]": "l1", "l1:50", "rbf:2", "linear",
 * "cosine", "poly:1:2" (c = 1, degree = 2).
 */
export function parseKernel(text: string): SimilarityKernel {
  const [kind, ...params] = text.trim().split(':');
  const numbers = params.map((p) => {
    const value = Number(p);
    if (p.trim() === '' || !Number.isFinite(value)) {
      throw new UserError(`similarity kernel '${text}': parameter '${p}' is not a number`);
    }
    return value;
  });
  const expected: Record<string, [number, number]> = { l1: [0, 1], rbf: [1, 1], linear: [0, 0], cosine: [0, 0], poly: [2, 2] };
  const range = expected[kind];
  if (range && (numbers.length < range[0] || numbers.length > range[1])) {
    const count = range[0] === range[1] ? `${range[0]}` : `${range[0]} to ${range[1]}`;
    throw new UserError(`similarity kernel '${text}': ${kind} takes ${count} parameter(s), got ${numbers.length}`);
  }
  switch (kind) {
    case 'l1':
      return validateKernel({ kind, tau: numbers[0] });
    case 'rbf':
      return validateKernel({ kind, sigma: numbers[0] });
    case 'poly':
      return validateKernel({ kind, c: numbers[0], degree: numbers[1] });
    default:
      return validateKernel({ kind });
  }
}

/** Short display form, the inverse of parseKernel: "l1:100", "rbf:2", "poly:1:2". */
export function formatKernel(kernel: SimilarityKernel): string {
  switch (kernel.kind) {
    case 'l1':
      return `l1:${kernel.tau ?? DEFAULT_L1_TAU}`;
    case 'rbf':
      return `rbf:${kernel.sigma}`;
    case 'poly':
      return `poly:${kernel.c}:${kernel.degree}`;
    default:
      return kernel.kind;
  }
}

/** Rows scaled to unit L2 norm; rows with norm below eps are divided by eps instead (stay near 0). */
function unitRows(h: tf.Tensor2D, eps: number): tf.Tensor2D {
  const norms = h.square().sum(1, true).sqrt().maximum(eps);
  return h.div(norms);
}

/** The rows the kernel compares: h itself, or h with unit-L2 rows when the kernel normalises. */
export function kernelRows(h: tf.Tensor2D, kernel: SimilarityKernel): tf.Tensor2D {
  return kernel.normalise ? tf.tidy(() => unitRows(h, NORMALISE_EPS)) : h;
}

/**
 * k(h_u, h_v) for every message edge u→v, in the graph's edge order: [E]. Differentiable in h.
 * Validates the kernel (UserError on a bad one).
 */
export function edgeSimilarity(ops: GraphOps, graph: CsrGraph, hidden: tf.Tensor2D, kernel: SimilarityKernel): tf.Tensor1D {
  const k = validateKernel(kernel);
  return tf.tidy((): tf.Tensor1D => {
    const h = kernelRows(hidden, k);
    switch (k.kind) {
      case 'l1':
        return ops.edgeDistance(graph, h, h, 'l1').div<tf.Tensor1D>(-(k.tau ?? DEFAULT_L1_TAU)).exp();
      case 'rbf':
        return ops.edgeDistance(graph, h, h, 'sqeuclidean').div<tf.Tensor1D>(-2 * k.sigma * k.sigma).exp();
      case 'linear':
        return ops.edgeDistance(graph, h, h, 'dot');
      case 'cosine': {
        const unit = unitRows(h, k.eps ?? DEFAULT_COSINE_EPS);
        return ops.edgeDistance(graph, unit, unit, 'dot');
      }
      case 'poly':
        return integerPower(ops.edgeDistance(graph, h, h, 'dot').add(k.c), k.degree);
    }
  });
}

/** x^n by repeated squaring: exact for negative bases too, and its gradient needs no log. */
function integerPower(x: tf.Tensor1D, n: number): tf.Tensor1D {
  let result: tf.Tensor1D | null = null;
  let base = x;
  for (let e = n; e > 0; e >>= 1) {
    if (e & 1) result = result ? (result.mul(base) as tf.Tensor1D) : base;
    if (e > 1) base = base.square() as tf.Tensor1D;
  }
  return result!;
}
