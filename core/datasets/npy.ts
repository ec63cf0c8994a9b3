import { UserError } from '../errors';

/**
 * NumPy `.npy` arrays (format versions 1, 2 and 3): the parser (tests write arrays with testing/writers.ts).
 *
 * The header is a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
 * It is parsed by a tiny literal parser (never evaluated), its shape is checked against the bytes
 * actually present before anything is allocated, and only plain numeric, boolean and string dtypes
 * are accepted: object arrays are Python pickles and are never loaded.
 *
 * Why not a library: the npm readers (npyjs, numpy-parser) read the header by text substitution and
 * lay a typed array over the remaining bytes without checking the shape against them, and know no
 * string, boolean or big-endian arrays; the checks above are the point of this parser.
 */

export type NpyDtype = 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1' | 'U' | 'S';

export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | string[];

/** A C-ordered array: `data.length` is the product of `shape` (1 for a 0-d array). */
export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** numeric dtypes: a typed array (b1 as Uint8Array of 0/1, i8/u8 as BigInt arrays); U and S: strings */
  readonly data: NpyData;
}

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** refuse arrays whose header claims more than this many elements, whatever the bytes say */
const MAX_ELEMENTS = 2 ** 31 - 1;

interface DtypeInfo {
  readonly dtype: NpyDtype;
  readonly itemSize: number;
  readonly bigEndian: boolean;
}

/** Parses one `.npy` file's bytes. `label` names it in errors ("cora.npz: array 'labels'"). */
export function parseNpy(bytes: Uint8Array, label: string): NpyArray {
  const fail = (problem: string): never => {
    throw new UserError(`${label}: ${problem}`);
  };
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) fail('not a NumPy .npy array (bad magic bytes)');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('is truncated (header length missing)');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) fail(`is truncated (header declares ${headerLength} bytes, file has ${bytes.length - 8 - lengthBytes})`);
  const headerText = Buffer.from(bytes.buffer, bytes.byteOffset + 8 + lengthBytes, headerLength).toString(major === 3 ? 'utf8' : 'latin1');

  const header = parseHeader(headerText, fail);
  const info = parseDescr(header.descr, fail);
  const shape = header.shape;
  if (header.fortranOrder && shape.length > 1) {
    fail('is stored in Fortran (column-major) order, which is not supported; save it with C order (np.ascontiguousarray)');
  }

  // Element count, with overflow checks, then compare with the bytes present before allocating.
  let count = 1;
  for (const dim of shape) {
    count *= dim;
    if (count > MAX_ELEMENTS) fail(`header claims shape (${shape.join(', ')}), an absurd size (over ${MAX_ELEMENTS} elements)`);
  }
  const expectedBytes = count * info.itemSize;
  const actualBytes = bytes.length - dataStart;
  if (actualBytes < expectedBytes) {
    fail(`is truncated: header claims shape (${shape.join(', ')}) of ${header.descr}, ${expectedBytes} bytes, but only ${actualBytes} are present`);
  }
  if (actualBytes > expectedBytes) {
    fail(`has ${actualBytes - expectedBytes} unexpected bytes after the ${expectedBytes} its header (${shape.join(', ')}) declares`);
  }
  const data = decodeData(bytes.subarray(dataStart), info, count, fail);
  return { dtype: info.dtype, shape, data };
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string, fail: (problem: string) => never): NpyHeader {
  let value: PyValue;
  try {
    value = parsePythonLiteral(text.trim());
  } catch (error) {
    return fail(`malformed header (${(error as Error).message}): ${JSON.stringify(text.trim().slice(0, 120))}`);
  }
  if (!(value instanceof Map)) return fail('malformed header: not a dict');
  const keys = [...value.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') fail(`malformed header: keys are {${keys}}, expected descr, fortran_order, shape`);
  const descr = value.get('descr');
  const fortranOrder = value.get('fortran_order');
  const shape = value.get('shape');
  if (Array.isArray(descr)) fail('structured (record) dtypes are not supported');
  if (typeof descr !== 'string') fail('malformed header: descr is not a string');
  if (typeof fortranOrder !== 'boolean') fail('malformed header: fortran_order is not True or False');
  if (!(shape instanceof PyTuple)) fail('malformed header: shape is not a tuple');
  const dims = (shape as PyTuple).items;
  for (const dim of dims) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      fail(`malformed header: shape entry ${String(dim)} is not a non-negative integer`);
    }
  }
  return { descr: descr as string, fortranOrder: fortranOrder as boolean, shape: dims as number[] };
}

function parseDescr(descr: string, fail: (problem: string) => never): DtypeInfo {
  const match = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!match) return fail(`unsupported dtype '${descr}'`);
  const [, order, kind, sizeText] = match;
  if (kind === 'O') fail(`dtype '${descr}' is a Python object array (a pickle); pickles are not loaded for safety`);
  const size = sizeText === '' ? NaN : Number(sizeText);
  const bigEndian = order === '>';
  if (kind === 'U' || kind === 'S') {
    if (!(size >= 1)) fail(`unsupported dtype '${descr}' (string length missing)`);
    return { dtype: kind, itemSize: kind === 'U' ? 4 * size : size, bigEndian };
  }
  const dtype = `${kind}${size}` as NpyDtype;
  const supported: NpyDtype[] = ['f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'b1'];
  if (!supported.includes(dtype)) fail(`unsupported dtype '${descr}' (supported: float32/64, int8-64, uint8-64, bool, unicode and byte strings)`);
  if (order === '|' && size > 1) fail(`malformed dtype '${descr}' ('|' is only valid for single-byte types)`);
  return { dtype, itemSize: size, bigEndian };
}

function decodeData(raw: Uint8Array, info: DtypeInfo, count: number, fail: (problem: string) => never): NpyData {
  if (info.dtype === 'U') return decodeUtf32(raw, info, count, fail);
  if (info.dtype === 'S') {
    const out: string[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const item = raw.subarray(i * info.itemSize, (i + 1) * info.itemSize);
      let end = item.length;
      while (end > 0 && item[end - 1] === 0) end--;
      out[i] = Buffer.from(item.buffer, item.byteOffset, end).toString('latin1');
    }
    return out;
  }
  // Copy into a fresh, aligned buffer (the source may sit at any offset inside a zip).
  const copy = new Uint8Array(count * info.itemSize);
  copy.set(raw.subarray(0, copy.length));
  if (info.bigEndian && info.itemSize > 1) swapBytes(copy, info.itemSize);
  const buffer = copy.buffer;
  switch (info.dtype) {
    case 'f4':
      return new Float32Array(buffer);
    case 'f8':
      return new Float64Array(buffer);
    case 'i1':
      return new Int8Array(buffer);
    case 'i2':
      return new Int16Array(buffer);
    case 'i4':
      return new Int32Array(buffer);
    case 'i8':
      return new BigInt64Array(buffer);
    case 'u1':
      return copy;
    case 'u2':
      return new Uint16Array(buffer);
    case 'u4':
      return new Uint32Array(buffer);
    case 'u8':
      return new BigUint64Array(buffer);
    case 'b1':
      for (let i = 0; i < copy.length; i++) if (copy[i] > 1) fail(`boolean array holds the byte ${copy[i]} at index ${i}`);
      return copy;
    default:
      return fail(`unsupported dtype ${info.dtype}`);
  }
}

/** The host is little-endian (every platform Node supports); big-endian arrays are converted. */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let start = 0; start < bytes.length; start += size) {
    for (let a = start, b = start + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function decodeUtf32(raw: Uint8Array, info: DtypeInfo, count: number, fail: (problem: string) => never): string[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const chars = info.itemSize / 4;
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const codePoints: number[] = [];
    for (let c = 0; c < chars; c++) {
      const code = view.getUint32((i * chars + c) * 4, !info.bigEndian);
      if (code === 0) break; // NumPy pads short strings with NULs
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) fail(`string ${i} holds an invalid code point ${code}`);
      codePoints.push(code);
    }
    out[i] = String.fromCodePoint(...codePoints);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Python literal parser for the header: dicts, tuples, lists, strings, ints, True/False/None.

class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
type PyValue = string | number | boolean | null | PyValue[] | PyTuple | Map<string, PyValue>;

function parsePythonLiteral(text: string): PyValue {
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[pos] !== char) throw new Error(`expected '${char}' at position ${pos}`);
    pos++;
  };
  // Parses items up to `close`, allowing a trailing comma, as Python does.
  const sequence = <T>(close: string, item: () => T): T[] => {
    const items: T[] = [];
    for (;;) {
      skipSpace();
      if (text[pos] === close) {
        pos++;
        return items;
      }
      items.push(item());
      skipSpace();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) throw new Error(`expected ',' or '${close}' at position ${pos}`);
    }
  };
  const value = (): PyValue => {
    skipSpace();
    const char = text[pos];
    if (char === '{') {
      pos++;
      const map = new Map<string, PyValue>();
      sequence('}', () => {
        const key = value();
        if (typeof key !== 'string') throw new Error('dict key is not a string');
        expect(':');
        map.set(key, value());
      });
      return map;
    }
    if (char === '(') {
      pos++;
      return new PyTuple(sequence(')', value));
    }
    if (char === '[') {
      pos++;
      return sequence(']', value);
    }
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, pos + 1);
      if (end < 0) throw new Error('unterminated string');
      const s = text.slice(pos + 1, end);
      if (s.includes('\\')) throw new Error('escape sequences are not supported');
      pos = end + 1;
      return s;
    }
    const token = /^(-?\d+)L?|^(True|False|None)\b/.exec(text.slice(pos, pos + 40));
    if (!token) throw new Error(`unexpected character ${JSON.stringify(char ?? 'end of text')} at position ${pos}`);
    pos += token[0].length;
    if (token[2] === 'True') return true;
    if (token[2] === 'False') return false;
    if (token[2] === 'None') return null;
    const n = Number(token[1]);
    if (!Number.isSafeInteger(n)) throw new Error(`integer ${token[1]} is too large`);
    return n;
  };
  const result = value();
  skipSpace();
  if (pos !== text.length) throw new Error(`unexpected text after the literal at position ${pos}`);
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Conversions used by the loaders (each names the array on failure)

/** Numeric values as plain numbers; int64 values beyond 2^53 are refused. */
export function toNumbers(array: NpyArray, label: string): Float64Array {
  const { data } = array;
  if (Array.isArray(data)) throw new UserError(`${label}: expected numbers, found strings (dtype ${array.dtype})`);
  const out = new Float64Array(data.length);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new UserError(`${label}: value ${v} at index ${i} is too large`);
      }
      out[i] = Number(v);
    }
  } else {
    for (let i = 0; i < data.length; i++) out[i] = data[i];
  }
  return out;
}

/** Integer values as Int32Array, refusing non-integers and values outside int32. */
export function toInt32(array: NpyArray, label: string): Int32Array {
  if (array.dtype === 'i4') return array.data as Int32Array;
  const values = toNumbers(array, label);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
      throw new UserError(`${label}: value ${v} at index ${i} is not a 32-bit integer`);
    }
    out[i] = v;
  }
  return out;
}

/** Numeric values as Float32Array (the features' type). */
export function toFloat32(array: NpyArray, label: string): Float32Array {
  if (array.dtype === 'f4') return array.data as Float32Array;
  return Float32Array.from(toNumbers(array, label));
}
