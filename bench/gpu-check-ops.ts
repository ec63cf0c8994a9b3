import * as tf from '@tensorflow/tfjs';
import type { CsrGraph } from '../core/graph/csr';
import { Rng } from '../core/random';
import { initBackend } from '../core/tensor/backend';
import { kernelGraphOps } from '../core/tensor/graph-ops-kernels';
import { caseInputs, opCases, valueAndGradients } from '../core/tensor/testing/cases';
import { awkwardGraph, randomArray, symmetricAwkwardGraph } from '../core/tensor/testing/random-graph';
import { webgpuGraphOps } from '../core/tensor/webgpu/graph-ops-webgpu';
import { maxRelativeError, valueAndGradientsAsync } from '../core/tensor/webgpu/testing/compare';

/**
 * The op checks of the GPU check: every graph op and its gradients in WGSL on this machine's GPU
 * against the CPU kernels, on the random graphs the unit tests use (no-in-edge nodes, duplicate
 * edges, self-loops, a hub; the symmetric twin for one-operand distances) plus a wider one.
 */

export const OP_TOLERANCE = 1e-4;

export interface OpCheck {
  graph: string;
  op: string;
  /** max |gpu − cpu| / (1 + |cpu|) over the values, and over every gradient */
  value: number;
  gradient: number;
  ok: boolean;
}

export async function checkOps(): Promise<OpCheck[]> {
  const rng = new Rng(20240611);
  const graphs: { label: string; graph: CsrGraph; only?: (name: string) => boolean }[] = [
    { label: 'awkward', graph: awkwardGraph(rng.fork('graph')) },
    { label: 'symmetric', graph: symmetricAwkwardGraph(rng.fork('symmetric graph')), only: (name) => name.includes('same operand') },
    { label: 'awkward-1000', graph: awkwardGraph(new Rng(7).fork('wide graph'), 1000) },
  ];
  const runs = [];
  await initBackend({ prefer: 'cpu' });
  for (const { label, graph, only } of graphs) {
    for (const opCase of opCases(graph).filter((c) => !only || only(c.name))) {
      const caseRng = rng.fork(`${label}/${opCase.name}`);
      const inputs = caseInputs(caseRng, opCase.shapes);
      const weightsR = randomArray(caseRng, opCase.naive(graph, inputs).length).map(Math.fround);
      runs.push({ label, graph, opCase, inputs, weightsR, cpu: valueAndGradients(kernelGraphOps, graph, opCase, inputs, weightsR) });
    }
  }
  await initBackend({ prefer: 'webgpu' });
  const checks: OpCheck[] = [];
  for (const run of runs) {
    const gpu = await valueAndGradientsAsync(webgpuGraphOps, run.graph, run.opCase, run.inputs, run.weightsR);
    const value = maxRelativeError(gpu.value, run.cpu.value);
    const gradient = Math.max(0, ...gpu.gradients.map((g, i) => maxRelativeError(g, run.cpu.gradients[i])));
    checks.push({ graph: run.label, op: run.opCase.name, value, gradient, ok: value <= OP_TOLERANCE && gradient <= OP_TOLERANCE });
  }
  tf.disposeVariables();
  return checks;
}
