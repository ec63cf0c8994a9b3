import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import { NPY_MAGIC, type NpyArray, type NpyData, type NpyDtype } from '../npy';
import { ZIP } from '../zip-format';

/**
 * Writers of the files the dataset readers read: `.npy` arrays, ZIP archives and `.npz` files. The
 * workbench itself never writes them; tests use them to build well-formed inputs and, by patching
 * their bytes, hostile ones.
 */

// ---------------------------------------------------------------------------------------------------
// .npy

/** Builds an NpyArray from a typed array or strings; shape defaults to 1-D. */
export function npyArray(data: NpyData, shape?: readonly number[], dtype?: NpyDtype): NpyArray {
  const inferred = dtype ?? inferDtype(data);
  const dims = shape ?? [data.length];
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npyArray: shape (${dims.join(', ')}) does not hold ${data.length} values`);
  return { dtype: inferred, shape: dims, data };
}

function inferDtype(data: NpyData): NpyDtype {
  if (Array.isArray(data)) return 'U';
  if (data instanceof Float32Array) return 'f4';
  if (data instanceof Float64Array) return 'f8';
  if (data instanceof Int8Array) return 'i1';
  if (data instanceof Int16Array) return 'i2';
  if (data instanceof Int32Array) return 'i4';
  if (data instanceof BigInt64Array) return 'i8';
  if (data instanceof Uint16Array) return 'u2';
  if (data instanceof Uint32Array) return 'u4';
  if (data instanceof BigUint64Array) return 'u8';
  return 'u1';
}

/** Serialises an array as `.npy` (version 1, or 2 when the header is too long for v1), C order. */
export function writeNpy(array: NpyArray): Buffer {
  const { dtype, shape, data } = array;
  let descr: string;
  let body: Buffer;
  if (dtype === 'U' || dtype === 'S') {
    if (!Array.isArray(data)) throw new Error(`writeNpy: dtype ${dtype} needs string data`);
    const encoded = data.map((s) => (dtype === 'U' ? Array.from(s, (c) => c.codePointAt(0) as number) : Array.from(Buffer.from(s, 'latin1'))));
    const width = Math.max(1, ...encoded.map((codes) => codes.length));
    const itemSize = dtype === 'U' ? 4 * width : width;
    body = Buffer.alloc(itemSize * data.length);
    encoded.forEach((codes, i) =>
      codes.forEach((code, c) => {
        if (dtype === 'U') body.writeUInt32LE(code, i * itemSize + 4 * c);
        else body[i * itemSize + c] = code;
      }),
    );
    descr = dtype === 'U' ? `<U${width}` : `|S${width}`;
  } else {
    if (Array.isArray(data)) throw new Error(`writeNpy: dtype ${dtype} needs a typed array`);
    const size = Number(dtype.slice(1));
    if (data.BYTES_PER_ELEMENT !== size) throw new Error(`writeNpy: ${data.constructor.name} does not match dtype ${dtype}`);
    body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    descr = size === 1 ? `|${dtype}` : `<${dtype}`;
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // NumPy pads the header with spaces so the data starts on a 64-byte boundary, ending in '\n'.
  let prefixLength = 10;
  let version = 1;
  if (dict.length + 1 + prefixLength > 0xffff) {
    version = 2;
    prefixLength = 12;
  }
  const total = Math.ceil((prefixLength + dict.length + 1) / 64) * 64;
  const headerText = dict.padEnd(total - prefixLength - 1, ' ') + '\n';
  const prefix = Buffer.alloc(prefixLength);
  Buffer.from(NPY_MAGIC).copy(prefix);
  prefix[6] = version;
  prefix[7] = 0;
  if (version === 1) prefix.writeUInt16LE(headerText.length, 8);
  else prefix.writeUInt32LE(headerText.length, 8);
  return Buffer.concat([prefix, Buffer.from(headerText, 'latin1'), body]);
}

// ---------------------------------------------------------------------------------------------------
// ZIP

export interface ZipInput {
  readonly name: string;
  readonly data: Uint8Array;
}

export interface ZipWriteOptions {
  /** deflate entries (default true); stored otherwise */
  compress?: boolean;
  /** write ZIP64 records even when the archive is small (for tests of the reader's ZIP64 path) */
  forceZip64?: boolean;
}

/**
 * Builds a ZIP archive in memory. Sizes are known up front, so there are no data descriptors;
 * timestamps are fixed at 1980-01-01 so that the same input gives the same bytes.
 */
export function writeZip(inputs: readonly ZipInput[], options: ZipWriteOptions = {}): Buffer {
  const compress = options.compress ?? true;
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.name)) throw new Error(`writeZip: duplicate entry name '${input.name}'`);
    seen.add(input.name);
    const name = Buffer.from(input.name, 'utf8');
    const raw = Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
    const method = compress ? ZIP.METHOD_DEFLATED : ZIP.METHOD_STORED;
    const payload = compress ? deflateRawSync(raw) : raw;
    const crc = crc32(raw) >>> 0;
    const zip64 = options.forceZip64 || raw.length >= ZIP.U32_MAX || payload.length >= ZIP.U32_MAX || offset >= ZIP.U32_MAX;

    // Local header: sizes written in place (or saturated with a ZIP64 extra holding both).
    const localExtra = zip64 ? zip64Extra([raw.length, payload.length]) : Buffer.alloc(0);
    const localHeader = Buffer.alloc(ZIP.LOCAL_SIZE);
    localHeader.writeUInt32LE(ZIP.SIG_LOCAL, 0);
    localHeader.writeUInt16LE(zip64 ? 45 : 20, 4);
    localHeader.writeUInt16LE(ZIP.FLAG_UTF8, 6);
    localHeader.writeUInt16LE(method, 8);
    localHeader.writeUInt16LE(0, 10); // time 00:00
    localHeader.writeUInt16LE(0x21, 12); // date 1980-01-01
    localHeader.writeUInt32LE(crc, 14);
    localHeader.writeUInt32LE(zip64 ? ZIP.U32_MAX : payload.length, 18);
    localHeader.writeUInt32LE(zip64 ? ZIP.U32_MAX : raw.length, 22);
    localHeader.writeUInt16LE(name.length, 26);
    localHeader.writeUInt16LE(localExtra.length, 28);

    const centralExtra = zip64 ? zip64Extra([raw.length, payload.length, offset]) : Buffer.alloc(0);
    const header = Buffer.alloc(ZIP.CENTRAL_SIZE);
    header.writeUInt32LE(ZIP.SIG_CENTRAL, 0);
    header.writeUInt16LE(zip64 ? 45 : 20, 4);
    header.writeUInt16LE(zip64 ? 45 : 20, 6);
    header.writeUInt16LE(ZIP.FLAG_UTF8, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(0, 12);
    header.writeUInt16LE(0x21, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(zip64 ? ZIP.U32_MAX : payload.length, 20);
    header.writeUInt32LE(zip64 ? ZIP.U32_MAX : raw.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(centralExtra.length, 30);
    header.writeUInt32LE(zip64 ? ZIP.U32_MAX : offset, 42);
    central.push(header, name, centralExtra);

    parts.push(localHeader, name, localExtra, payload);
    offset += localHeader.length + name.length + localExtra.length + payload.length;
  }

  const directory = Buffer.concat(central);
  const directoryOffset = offset;
  const count = inputs.length;
  const zip64End = options.forceZip64 || count >= ZIP.U16_MAX || directory.length >= ZIP.U32_MAX || directoryOffset >= ZIP.U32_MAX;
  const tail: Buffer[] = [];
  if (zip64End) {
    const record = Buffer.alloc(ZIP.ZIP64_EOCD_SIZE);
    record.writeUInt32LE(ZIP.SIG_ZIP64_EOCD, 0);
    record.writeBigUInt64LE(BigInt(ZIP.ZIP64_EOCD_SIZE - 12), 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(ZIP.ZIP64_LOCATOR_SIZE);
    locator.writeUInt32LE(ZIP.SIG_ZIP64_LOCATOR, 0);
    locator.writeBigUInt64LE(BigInt(directoryOffset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(ZIP.EOCD_SIZE);
  end.writeUInt32LE(ZIP.SIG_EOCD, 0);
  end.writeUInt16LE(zip64End ? ZIP.U16_MAX : count, 8);
  end.writeUInt16LE(zip64End ? ZIP.U16_MAX : count, 10);
  end.writeUInt32LE(zip64End ? ZIP.U32_MAX : directory.length, 12);
  end.writeUInt32LE(zip64End ? ZIP.U32_MAX : directoryOffset, 16);
  tail.push(end);
  return Buffer.concat([...parts, directory, ...tail]);
}

function zip64Extra(values: number[]): Buffer {
  const field = Buffer.alloc(4 + 8 * values.length);
  field.writeUInt16LE(ZIP.ZIP64_EXTRA_ID, 0);
  field.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => field.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return field;
}

// ---------------------------------------------------------------------------------------------------
// .npz

export type NpzArrays = ReadonlyMap<string, NpyArray> | Readonly<Record<string, NpyArray>>;

/** Serialises arrays as `.npz` bytes (deflated unless `compress: false`). */
export function encodeNpz(arrays: NpzArrays, options: { compress?: boolean } = {}): Buffer {
  const entries = arrays instanceof Map ? [...arrays.entries()] : Object.entries(arrays);
  return writeZip(
    entries.map(([name, array]) => ({ name: `${name}.npy`, data: writeNpy(array) })),
    { compress: options.compress ?? true },
  );
}

let tempCounter = 0;

/** Writes an `.npz` file; it appears complete or not at all (temp file + rename). */
export function writeNpz(path: string, arrays: NpzArrays, options: { compress?: boolean } = {}): void {
  const temp = `${path}.tmp-${process.pid}-${tempCounter++}`;
  try {
    writeFileSync(temp, encodeNpz(arrays, options));
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}
