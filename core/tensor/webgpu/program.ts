import * as tf from '@tensorflow/tfjs';
import type { WebGpuBackendLike, WebGpuProgram } from './types';

/**
 * Runs one WGSL compute kernel on tfjs tensors through tfjs-backend-webgpu's runWebGPUProgram: the
 * backend declares the bindings (`result` for the output, one read-only array per input, named as
 * given, and `uniforms`), we write the body of `main(index)`, one invocation per thread. Nothing
 * goes through the engine's kernel registry, so nothing is recorded on the gradient tape: callers
 * wrap kernels in withCustomGradient. Results stay on the device.
 */

/** 64 invocations per workgroup: a multiple of every vendor's SIMD width, small enough for any device. */
const WORKGROUP_SIZE = 64;

export interface KernelCall {
  /**
   * Names the generated code in the backend's pipeline cache, which keys on it (plus ranks and
   * dtypes) and not on the code itself: every choice that changes `body` must be part of the key.
   */
  key: string;
  /**
   * name → tensor; the name is the WGSL array holding its values (row-major). Every input must be
   * read by `body`: the pipeline layout leaves unused bindings out, and binding one anyway makes the
   * whole command buffer invalid (every kernel batched with it then computes nothing).
   */
  inputs: Record<string, tf.Tensor>;
  outputShape: number[];
  outputDtype?: 'float32' | 'int32';
  /** invocations to run: `index` goes from 0 to threads − 1 */
  threads: number;
  /** i32 uniforms, read in WGSL as uniforms.<name> */
  uniforms?: Record<string, number>;
  /** WGSL statements of main's body; `index` is the invocation, results go to result[...] */
  body: string;
  /**
   * Inputs declared as array<vec4<f32>> (4 floats a load; their row widths must divide by 4), and
   * whether `result` is one too. Part of the pipeline key.
   */
  vec4?: { inputs: string[]; output: boolean };
}

/** The tfjs backend if it is the WebGPU one; a clear error otherwise (our kernels only run there). */
export function webgpuBackend(): WebGpuBackendLike {
  const backend = tf.backend() as unknown as Partial<WebGpuBackendLike>;
  if (tf.getBackend() !== 'webgpu' || typeof backend.runWebGPUProgram !== 'function') {
    throw new Error(`the WebGPU graph kernels need the webgpu backend, but tf is on '${tf.getBackend()}'`);
  }
  return backend as WebGpuBackendLike;
}

function programOf(call: KernelCall, names: string[], uniformNames: string[]): WebGpuProgram {
  const vec4 = call.vec4 ?? { inputs: [], output: false };
  const wide = vec4.inputs.length > 0 || vec4.output;
  return {
    outputShape: call.outputShape,
    shaderKey: `alignahead_${call.key}${wide ? `_vec4_${vec4.inputs.join('_')}${vec4.output ? '_out' : ''}` : ''}`,
    variableComponents: names.map((name) => (vec4.inputs.includes(name) ? 4 : 1)),
    outputComponent: vec4.output ? 4 : 1,
    variableNames: names,
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    dispatchLayout: { x: call.outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(call.threads / WORKGROUP_SIZE), 1, 1],
    uniforms: ['threads : i32,', ...uniformNames.map((name) => `${name} : i32,`)].join(' '),
    // Past 65,535 workgroups the backend folds the dispatch into 2-D and over-provisions: the guard matters.
    getUserCode: () => `fn main(index : i32) {\n  if (index >= uniforms.threads) { return; }\n${call.body}\n}`,
  };
}

/** Runs the kernel and returns its output as a tensor owned by the caller (tracked by the enclosing tidy). */
export function runKernel(call: KernelCall): tf.Tensor {
  const backend = webgpuBackend();
  const names = Object.keys(call.inputs);
  const unread = names.filter((name) => !new RegExp(`\\b${name}\\[`).test(call.body));
  if (unread.length > 0) throw new Error(`WebGPU kernel ${call.key}: inputs ${unread.join(', ')} are never read by its body`);
  const uniformNames = Object.keys(call.uniforms ?? {});
  // A zero-length array cannot be bound; kernels never read an input whose length bounds their loops
  // at 0 (a graph without edges), so a one-element stand-in serves.
  const standIns: tf.Tensor[] = [];
  const inputs = names.map((name) => {
    const t = call.inputs[name];
    if (t.size > 0) return t;
    const standIn = tf.zeros([1], t.dtype);
    standIns.push(standIn);
    return standIn;
  });
  // A fresh program object per call: runWebGPUProgram rewrites its shaderKey and dispatch.
  const info = backend.runWebGPUProgram(programOf(call, names, uniformNames), inputs, call.outputDtype ?? 'float32', [
    { type: 'int32', data: [call.threads] },
    ...uniformNames.map((name) => ({ type: 'int32' as const, data: [call.uniforms![name]] })),
  ]);
  tf.dispose(standIns);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** A copy of `t` made on the device: a fresh tensor with no link to the gradient tape. */
export function deviceCopy<T extends tf.Tensor>(t: T): T {
  const copy = runKernel({
    key: `copy_${t.dtype}`,
    inputs: { source: t },
    outputShape: t.shape.slice(),
    outputDtype: t.dtype === 'int32' ? 'int32' : 'float32',
    threads: t.size,
    body: '  result[index] = source[index];',
  });
  return copy as T;
}
