import { describe, expect, it } from 'vitest';
import { UserError } from '../errors';
import { checkFitsWasmHeap, estimateWasmTensorBytes, explainWasmFailure, TFJS_WASM_HEAP_BYTES } from './wasm-heap';

const GAT = { hiddenWidth: 192, heads: 3 };

describe('the tfjs WASM heap check', () => {
  it('puts the sizes that trained on tfjs-wasm under the heap and those that aborted over it', () => {
    // csbm 50k/1M trained there; 100k/2M ended in "memory access out of bounds", 200k/4M in "Aborted()"
    expect(estimateWasmTensorBytes({ nodes: 50_000, edges: 2_047_126, ...GAT })).toBeLessThan(0.6 * TFJS_WASM_HEAP_BYTES);
    expect(() => checkFitsWasmHeap({ nodes: 50_000, edges: 2_047_126, ...GAT })).not.toThrow();
    expect(estimateWasmTensorBytes({ nodes: 100_000, edges: 4_098_000, ...GAT })).toBeGreaterThan(0.85 * TFJS_WASM_HEAP_BYTES);
    expect(() => checkFitsWasmHeap({ nodes: 200_000, edges: 8_197_026, ...GAT })).toThrow(UserError);
  });

  it('names the cause, the size needed and what to do instead', () => {
    expect(() => checkFitsWasmHeap({ nodes: 200_000, edges: 8_197_026, ...GAT })).toThrow(
      /about \d\.\d GiB for 200000 nodes and 8197026 message edges.*at most 4 GiB.*--backend multicore/,
    );
  });

  it('explains a heap abort during training and leaves other errors alone', () => {
    const size = { nodes: 100_000, edges: 4_098_000, ...GAT };
    const explained = explainWasmFailure(new Error('internal error: memory access out of bounds'), size);
    expect(explained).toBeInstanceOf(UserError);
    expect((explained as Error).message).toMatch(/ran out of heap \("internal error: memory access out of bounds"\).*multicore/);
    const other = new Error('disk full');
    expect(explainWasmFailure(other, size)).toBe(other);
  });
});
