import { UserError } from '../errors';

/**
 * Binary container for training checkpoints: a JSON header (anything serialisable: epoch, RNG
 * states, best-metric bookkeeping) plus named float32 tensors (weights, optimiser moments).
 *
 * Layout: "AHCK" magic, uint32 format version, uint32 header byte length, UTF-8 JSON header, padding
 * to a 4-byte boundary, then the tensors' float32 data back to back (little-endian), in header order.
 */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export interface CheckpointContents<Meta> {
  meta: Meta;
  tensors: Record<string, NamedTensor>;
}

const MAGIC = 0x4b434841; // "AHCK" read as little-endian uint32
const VERSION = 1;

interface HeaderEntry {
  name: string;
  shape: number[];
  length: number;
}

export function encodeCheckpoint<Meta>(contents: CheckpointContents<Meta>): Uint8Array {
  const entries: HeaderEntry[] = Object.entries(contents.tensors).map(([name, t]) => {
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (expected !== t.data.length) throw new Error(`checkpoint tensor '${name}': shape [${t.shape}] does not match ${t.data.length} values`);
    return { name, shape: t.shape, length: t.data.length };
  });
  const header = new TextEncoder().encode(JSON.stringify({ meta: contents.meta, tensors: entries }));
  const dataStart = align4(12 + header.length);
  const totalFloats = entries.reduce((sum, e) => sum + e.length, 0);
  const bytes = new Uint8Array(dataStart + totalFloats * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  const floats = new Float32Array(bytes.buffer, dataStart, totalFloats);
  let offset = 0;
  for (const entry of entries) {
    floats.set(contents.tensors[entry.name].data, offset);
    offset += entry.length;
  }
  return bytes;
}

export function decodeCheckpoint<Meta>(bytes: Uint8Array, label = 'checkpoint'): CheckpointContents<Meta> {
  if (bytes.length < 12) throw new UserError(`${label}: too short to be a checkpoint (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new UserError(`${label}: not a checkpoint (bad magic)`);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new UserError(`${label}: unsupported checkpoint version ${version}`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new UserError(`${label}: header runs past the end (truncated)`);
  let parsed: { meta: Meta; tensors: HeaderEntry[] };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw new UserError(`${label}: header is not valid JSON`);
  }
  const dataStart = align4(12 + headerLength);
  const totalFloats = parsed.tensors.reduce((sum, e) => sum + e.length, 0);
  if (dataStart + totalFloats * 4 !== bytes.length) {
    throw new UserError(`${label}: expected ${dataStart + totalFloats * 4} bytes, found ${bytes.length} (truncated or corrupt)`);
  }
  // Copy so the result does not alias (or depend on the alignment of) the caller's buffer.
  const floats = new Float32Array(bytes.slice(dataStart, dataStart + totalFloats * 4).buffer);
  const tensors: Record<string, NamedTensor> = {};
  let offset = 0;
  for (const entry of parsed.tensors) {
    tensors[entry.name] = { shape: entry.shape, data: floats.slice(offset, offset + entry.length) };
    offset += entry.length;
  }
  return { meta: parsed.meta, tensors };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
