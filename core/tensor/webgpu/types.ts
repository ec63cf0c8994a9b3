import type * as tf from '@tensorflow/tfjs';

/**
 * The few shapes of WebGPU, Dawn and tfjs-backend-webgpu this folder uses, written out so that the
 * code compiles without the optional packages (and without @webgpu/types in the build).
 */

export interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface GpuDeviceLike {
  readonly lost: Promise<{ reason: string; message: string }>;
  readonly limits: Record<string, number>;
  destroy(): void;
}

export interface GpuAdapterLike {
  readonly info?: GpuAdapterInfoLike;
  /** older WebGPU drafts put the flag on the adapter itself */
  readonly isFallbackAdapter?: boolean;
  readonly limits: Record<string, number>;
  readonly features: { has(name: string): boolean };
  requestDevice(descriptor?: { requiredFeatures?: string[]; requiredLimits?: Record<string, number> }): Promise<GpuDeviceLike>;
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

/** The `webgpu` package: Dawn's instance factory (flags such as "backend=vulkan") and the WebGPU globals. */
export interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** A compute program as tfjs-backend-webgpu's runWebGPUProgram takes it (see program.ts). */
export interface WebGpuProgram {
  outputShape: number[];
  shaderKey: string;
  variableNames: string[];
  workgroupSize: [number, number, number];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  uniforms?: string;
  /** per input: 4 declares it array<vec4<f32>> */
  variableComponents?: number[];
  /** 4 declares the output array<vec4<f32>> */
  outputComponent?: number;
  getUserCode(): string;
}

export interface WebGpuBackendLike {
  device: GpuDeviceLike;
  runWebGPUProgram(
    program: WebGpuProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: { type: 'int32' | 'float32' | 'uint32'; data: number[] }[],
  ): tf.TensorInfo;
  memory(): { numBytesInGPU: number; numBytesAllocatedInGPU: number };
}

export interface TfjsWebgpuModule {
  WebGPUBackend: new (device: GpuDeviceLike, adapterInfo?: GpuAdapterInfoLike) => tf.KernelBackend;
}
