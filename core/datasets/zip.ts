import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { UserError } from '../errors';

/**
 * A small ZIP reader and writer over node:zlib, enough for NumPy `.npz` files and dataset archives.
 *
 * Archives come from the internet, so nothing in them is trusted: every offset is bounds-checked,
 * declared sizes are checked against limits BEFORE any buffer is allocated, inflation is capped at
 * the declared size (a zip bomb cannot expand past it), and the CRC-32 of every entry is verified.
 * Errors are UserErrors naming the archive and the entry: "cora.npz: entry 'labels.npy' is truncated".
 */

export interface ZipLimits {
  /** largest uncompressed size accepted for one entry (default 2 GiB) */
  maxEntryBytes?: number;
  /** largest sum of declared uncompressed sizes over the whole archive (default 4 GiB) */
  maxTotalBytes?: number;
  /** most entries accepted (default 100 000) */
  maxEntries?: number;
}

export interface ZipEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  /** 0 stored, 8 deflated */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
  /** offset of the entry's local header in the archive */
  readonly localHeaderOffset: number;
}

export interface ZipArchive {
  /** the name used in error messages (usually the file's base name) */
  readonly label: string;
  readonly entries: readonly ZipEntry[];
  find(name: string): ZipEntry | undefined;
  /** the entry's bytes, inflated and CRC-checked */
  read(entry: ZipEntry | string): Buffer;
}

const GiB = 1024 ** 3;
export const DEFAULT_ZIP_LIMITS: Required<ZipLimits> = {
  maxEntryBytes: 2 * GiB,
  maxTotalBytes: 4 * GiB,
  maxEntries: 100_000,
};

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8 = 0x800;

/** Reads a ZIP archive held in memory. `label` names it in error messages. */
export function openZip(bytes: Uint8Array, label: string, limits: ZipLimits = {}): ZipArchive {
  const limit = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (problem: string): never => {
    throw new UserError(`${label}: ${problem}`);
  };

  const eocd = findEndOfCentralDirectory(buf);
  if (eocd < 0) fail('not a ZIP archive (no end-of-central-directory record; the file may be truncated or corrupt)');
  let entryCount = buf.readUInt16LE(eocd + 10);
  let directorySize: number = buf.readUInt32LE(eocd + 12);
  let directoryOffset: number = buf.readUInt32LE(eocd + 16);
  if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0) fail('multi-disk (split) archives are not supported');

  const needsZip64 = entryCount === U16_MAX || directorySize === U32_MAX || directoryOffset === U32_MAX;
  const locator = eocd - ZIP64_LOCATOR_SIZE;
  if (locator >= 0 && buf.readUInt32LE(locator) === SIG_ZIP64_LOCATOR) {
    const recordOffset = readU64(buf, locator + 8, fail, 'ZIP64 end record offset');
    if (recordOffset + ZIP64_EOCD_SIZE > locator || buf.readUInt32LE(recordOffset) !== SIG_ZIP64_EOCD) {
      fail('corrupt ZIP64 end-of-central-directory record');
    }
    entryCount = readU64(buf, recordOffset + 32, fail, 'entry count');
    directorySize = readU64(buf, recordOffset + 40, fail, 'central directory size');
    directoryOffset = readU64(buf, recordOffset + 48, fail, 'central directory offset');
  } else if (needsZip64) {
    fail('ZIP64 archive without its ZIP64 end-of-central-directory locator (corrupt or truncated)');
  }
  if (entryCount > limit.maxEntries) fail(`has ${entryCount} entries, more than the limit of ${limit.maxEntries}`);
  if (directoryOffset + directorySize > buf.length) {
    fail('central directory lies beyond the end of the file (the file is truncated or corrupt)');
  }

  const entries: ZipEntry[] = [];
  let totalBytes = 0;
  let pos = directoryOffset;
  const directoryEnd = directoryOffset + directorySize;
  for (let i = 0; i < entryCount; i++) {
    if (pos + CENTRAL_SIZE > directoryEnd || buf.readUInt32LE(pos) !== SIG_CENTRAL) {
      fail(`central directory entry ${i} is corrupt`);
    }
    const flags = buf.readUInt16LE(pos + 8);
    const method = buf.readUInt16LE(pos + 10);
    const crc = buf.readUInt32LE(pos + 16);
    let compressedSize: number = buf.readUInt32LE(pos + 20);
    let uncompressedSize: number = buf.readUInt32LE(pos + 24);
    const nameLength = buf.readUInt16LE(pos + 28);
    const extraLength = buf.readUInt16LE(pos + 30);
    const commentLength = buf.readUInt16LE(pos + 32);
    let localHeaderOffset: number = buf.readUInt32LE(pos + 42);
    const next = pos + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > directoryEnd) fail(`central directory entry ${i} is corrupt`);
    const nameBytes = buf.subarray(pos + CENTRAL_SIZE, pos + CENTRAL_SIZE + nameLength);
    const name = nameBytes.toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1');
    const entryFail = (problem: string): never => fail(`entry '${name}' ${problem}`);

    // ZIP64: a field saturated at its maximum is stored in the extra field instead, in this order.
    const extra = buf.subarray(pos + CENTRAL_SIZE + nameLength, pos + CENTRAL_SIZE + nameLength + extraLength);
    const zip64 = findExtraField(extra, ZIP64_EXTRA_ID);
    let z = 0;
    const zip64Field = (what: string): number => {
      if (!zip64 || z + 8 > zip64.length) return entryFail(`has a saturated ${what} but no ZIP64 value for it`);
      const value = readU64(zip64, z, fail, `${what} of entry '${name}'`);
      z += 8;
      return value;
    };
    if (uncompressedSize === U32_MAX) uncompressedSize = zip64Field('uncompressed size');
    if (compressedSize === U32_MAX) compressedSize = zip64Field('compressed size');
    if (localHeaderOffset === U32_MAX) localHeaderOffset = zip64Field('local header offset');

    if (flags & FLAG_ENCRYPTED) entryFail('is encrypted, which is not supported');
    if (method !== METHOD_STORED && method !== METHOD_DEFLATED) {
      entryFail(`uses compression method ${method}; only stored (0) and deflated (8) are supported`);
    }
    if (method === METHOD_STORED && compressedSize !== uncompressedSize) {
      entryFail(`is stored uncompressed but declares ${compressedSize} stored and ${uncompressedSize} uncompressed bytes`);
    }
    if (uncompressedSize > limit.maxEntryBytes) {
      entryFail(`declares ${uncompressedSize} uncompressed bytes, more than the limit of ${limit.maxEntryBytes}`);
    }
    totalBytes += uncompressedSize;
    if (totalBytes > limit.maxTotalBytes) {
      fail(`entries declare more than ${limit.maxTotalBytes} uncompressed bytes in total (limit exceeded at '${name}')`);
    }
    entries.push({
      name,
      isDirectory: name.endsWith('/'),
      method,
      compressedSize,
      uncompressedSize,
      crc32: crc,
      localHeaderOffset,
    });
    pos = next;
  }

  const byName = new Map(entries.map((e) => [e.name, e]));
  const read = (which: ZipEntry | string): Buffer => {
    const entry = typeof which === 'string' ? byName.get(which) : which;
    if (!entry) return fail(`has no entry '${String(which)}'`);
    return readEntry(buf, entry, label, directoryOffset);
  };
  return { label, entries, find: (name) => byName.get(name), read };
}

function readEntry(buf: Buffer, entry: ZipEntry, label: string, directoryOffset: number): Buffer {
  const fail = (problem: string): never => {
    throw new UserError(`${label}: entry '${entry.name}' ${problem}`);
  };
  const local = entry.localHeaderOffset;
  if (local + LOCAL_SIZE > directoryOffset || buf.readUInt32LE(local) !== SIG_LOCAL) fail('has a corrupt local header');
  const dataStart = local + LOCAL_SIZE + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
  if (dataStart + entry.compressedSize > directoryOffset) fail('is truncated (its data runs past the end of the archive data)');
  const compressed = buf.subarray(dataStart, dataStart + entry.compressedSize);

  let data: Buffer;
  if (entry.method === METHOD_STORED) {
    data = compressed;
  } else {
    try {
      // One byte of headroom so that output beyond the declared size is detected, not silently cut.
      data = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.uncompressedSize + 1) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        return fail(`inflates to more than its declared ${entry.uncompressedSize} bytes (refused: possible zip bomb)`);
      }
      if (code === 'Z_BUF_ERROR' || /unexpected end/i.test((error as Error).message)) return fail('is truncated');
      return fail(`is corrupt: ${(error as Error).message}`);
    }
  }
  if (data.length > entry.uncompressedSize) {
    fail(`inflates to more than its declared ${entry.uncompressedSize} bytes (refused: possible zip bomb)`);
  }
  if (data.length < entry.uncompressedSize) fail(`is truncated (${data.length} of ${entry.uncompressedSize} bytes)`);
  if ((crc32(data) >>> 0) !== entry.crc32) fail('is corrupt (CRC-32 mismatch)');
  return data;
}

function findEndOfCentralDirectory(buf: Buffer): number {
  // The record sits at the end, followed only by a comment of at most 65535 bytes.
  const lowest = Math.max(0, buf.length - EOCD_SIZE - U16_MAX);
  for (let pos = buf.length - EOCD_SIZE; pos >= lowest; pos--) {
    if (buf.readUInt32LE(pos) === SIG_EOCD && pos + EOCD_SIZE + buf.readUInt16LE(pos + 20) === buf.length) return pos;
  }
  return -1;
}

function findExtraField(extra: Buffer, id: number): Buffer | null {
  let pos = 0;
  while (pos + 4 <= extra.length) {
    const fieldId = extra.readUInt16LE(pos);
    const size = extra.readUInt16LE(pos + 2);
    if (pos + 4 + size > extra.length) return null;
    if (fieldId === id) return extra.subarray(pos + 4, pos + 4 + size);
    pos += 4 + size;
  }
  return null;
}

function readU64(buf: Buffer, offset: number, fail: (problem: string) => never, what: string): number {
  if (offset < 0 || offset + 8 > buf.length) return fail(`${what} lies beyond the end of the file`);
  const value = buf.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return fail(`${what} is absurdly large (${value})`);
  return Number(value);
}

// ---------------------------------------------------------------------------------------------------
// Writer

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
    const method = compress ? METHOD_DEFLATED : METHOD_STORED;
    const payload = compress ? deflateRawSync(raw) : raw;
    const crc = crc32(raw) >>> 0;
    const zip64 = options.forceZip64 || raw.length >= U32_MAX || payload.length >= U32_MAX || offset >= U32_MAX;

    // Local header: sizes written in place (or saturated with a ZIP64 extra holding both).
    const localExtra = zip64 ? zip64Extra([raw.length, payload.length]) : Buffer.alloc(0);
    const localHeader = Buffer.alloc(LOCAL_SIZE);
    localHeader.writeUInt32LE(SIG_LOCAL, 0);
    localHeader.writeUInt16LE(zip64 ? 45 : 20, 4);
    localHeader.writeUInt16LE(FLAG_UTF8, 6);
    localHeader.writeUInt16LE(method, 8);
    localHeader.writeUInt16LE(0, 10); // time 00:00
    localHeader.writeUInt16LE(0x21, 12); // date 1980-01-01
    localHeader.writeUInt32LE(crc, 14);
    localHeader.writeUInt32LE(zip64 ? U32_MAX : payload.length, 18);
    localHeader.writeUInt32LE(zip64 ? U32_MAX : raw.length, 22);
    localHeader.writeUInt16LE(name.length, 26);
    localHeader.writeUInt16LE(localExtra.length, 28);

    const centralExtra = zip64 ? zip64Extra([raw.length, payload.length, offset]) : Buffer.alloc(0);
    const header = Buffer.alloc(CENTRAL_SIZE);
    header.writeUInt32LE(SIG_CENTRAL, 0);
    header.writeUInt16LE(zip64 ? 45 : 20, 4);
    header.writeUInt16LE(zip64 ? 45 : 20, 6);
    header.writeUInt16LE(FLAG_UTF8, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(0, 12);
    header.writeUInt16LE(0x21, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(zip64 ? U32_MAX : payload.length, 20);
    header.writeUInt32LE(zip64 ? U32_MAX : raw.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(centralExtra.length, 30);
    header.writeUInt32LE(zip64 ? U32_MAX : offset, 42);
    central.push(header, name, centralExtra);

    parts.push(localHeader, name, localExtra, payload);
    offset += localHeader.length + name.length + localExtra.length + payload.length;
  }

  const directory = Buffer.concat(central);
  const directoryOffset = offset;
  const count = inputs.length;
  const zip64End = options.forceZip64 || count >= U16_MAX || directory.length >= U32_MAX || directoryOffset >= U32_MAX;
  const tail: Buffer[] = [];
  if (zip64End) {
    const record = Buffer.alloc(ZIP64_EOCD_SIZE);
    record.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    record.writeBigUInt64LE(BigInt(ZIP64_EOCD_SIZE - 12), 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(ZIP64_LOCATOR_SIZE);
    locator.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
    locator.writeBigUInt64LE(BigInt(directoryOffset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(EOCD_SIZE);
  end.writeUInt32LE(SIG_EOCD, 0);
  end.writeUInt16LE(zip64End ? U16_MAX : count, 8);
  end.writeUInt16LE(zip64End ? U16_MAX : count, 10);
  end.writeUInt32LE(zip64End ? U32_MAX : directory.length, 12);
  end.writeUInt32LE(zip64End ? U32_MAX : directoryOffset, 16);
  tail.push(end);
  return Buffer.concat([...parts, directory, ...tail]);
}

function zip64Extra(values: number[]): Buffer {
  const field = Buffer.alloc(4 + 8 * values.length);
  field.writeUInt16LE(ZIP64_EXTRA_ID, 0);
  field.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => field.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return field;
}
