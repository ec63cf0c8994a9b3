import type { SimilarityKernel } from './similarity';

/**
 * The kernel of each planned pair. Usually one kernel serves every layer; with τ auto each peer
 * layer m has its own τ, and a pair (student i ← peer m) uses layer m's kernel on BOTH sides, so
 * the KL compares two structures measured with the same kernel.
 */
export interface LayerKernels {
  /** peer layer (0-based) → its kernel */
  readonly byLayer: ReadonlyMap<number, SimilarityKernel>;
}

export type KernelChoice = SimilarityKernel | LayerKernels;

export function isLayerKernels(choice: KernelChoice): choice is LayerKernels {
  return 'byLayer' in choice;
}

/** The kernel of peer layer `layer` (0-based); a missing layer is a wiring bug, not a user error. */
export function kernelOfLayer(choice: KernelChoice, layer: number): SimilarityKernel {
  if (!isLayerKernels(choice)) return choice;
  const kernel = choice.byLayer.get(layer);
  if (!kernel) throw new Error(`layer kernels: no kernel for peer layer ${layer + 1}`);
  return kernel;
}
