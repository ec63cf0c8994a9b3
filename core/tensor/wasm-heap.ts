import { UserError } from '../errors';

/**
 * tfjs's WASM backend keeps every tensor in one wasm32 heap, which cannot address more than 4 GiB:
 * past that it aborts with "Aborted()" or "memory access out of bounds", far into a run. These
 * helpers turn that into a clear error, before training where the size predicts it and after the
 * fact where it happens anyway. (The multicore backend keeps tensors in ordinary memory and has no
 * such ceiling.)
 */

export const TFJS_WASM_HEAP_BYTES = 4 * 2 ** 30;
/** what the estimate may reach: the heap also holds tfjs's scratch space and fragments */
const USABLE_FRACTION = 0.85;

export interface TrainingSize {
  nodes: number;
  /** message edges */
  edges: number;
  /** width of a hidden layer (heads × head width for GAT) */
  hiddenWidth: number;
  /** attention heads (1 for models without attention) */
  heads: number;
}

/**
 * Peak bytes of tensors a training step holds on the tfjs WASM backend: about 40 node × width
 * tensors and 15 edge tensors per head and the edge weights, in float32. Fitted to peak
 * tf.memory().numBytes of 2-layer 3×64 GAT runs on csbm 10k (354 MB) and 20k nodes (802 MB).
 */
export function estimateWasmTensorBytes(size: TrainingSize): number {
  return 4 * (40 * size.nodes * size.hiddenWidth + 15 * size.edges * (size.heads + 1));
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

function advice(size: TrainingSize, needed: number): string {
  return (
    `its tensors need about ${gib(needed)} for ${size.nodes} nodes and ${size.edges} message edges, ` +
    `and the tfjs WASM backend holds all tensors in one WebAssembly heap of at most 4 GiB. ` +
    `Use the multicore backend (the default; --backend multicore), which keeps tensors in ordinary memory, ` +
    `or a smaller graph or hidden width.`
  );
}

/** Throws a UserError before training when the run cannot fit the tfjs WASM heap. */
export function checkFitsWasmHeap(size: TrainingSize): void {
  const needed = estimateWasmTensorBytes(size);
  if (needed > USABLE_FRACTION * TFJS_WASM_HEAP_BYTES) {
    throw new UserError(`this run does not fit the tfjs WASM backend: ${advice(size, needed)}`);
  }
}

/** tfjs-wasm's ways of saying its heap ran out. */
export function isWasmHeapExhaustion(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Aborted\(\)|memory access out of bounds|Cannot enlarge memory|Out of memory/i.test(message);
}

/** The error to report for a failure during training: a clear UserError when the WASM heap ran out. */
export function explainWasmFailure(error: unknown, size: TrainingSize): unknown {
  if (!isWasmHeapExhaustion(error)) return error;
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return new UserError(`the tfjs WASM backend ran out of heap ("${first}"): ${advice(size, estimateWasmTensorBytes(size))}`, { cause: error });
}
