import { crc32, inflateRawSync } from 'node:zlib';
import { UserError } from '../errors';
import { ZIP } from './zip-format';

/**
 * A small ZIP reader over node:zlib, enough for NumPy `.npz` files and dataset archives (tests write
 * archives with testing/writers.ts).
 *
 * Archives come from the internet, so nothing in them is trusted: every offset is bounds-checked,
 * declared sizes are checked against limits BEFORE any buffer is allocated, inflation is capped at
 * the declared size (a zip bomb cannot expand past it), and the CRC-32 of every entry is verified.
 * Errors are UserErrors naming the archive and the entry: "cora.npz: entry 'labels.npy' is truncated".
 *
 * Why not a library: fflate's unzipSync sizes each output buffer from the declared size and checks
 * no CRC; yauzl checks sizes only while it streams, and only asynchronously, which every reader here
 * would have to become. The limits must hold before anything is allocated, so the reader stays ours.
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

  const needsZip64 = entryCount === ZIP.U16_MAX || directorySize === ZIP.U32_MAX || directoryOffset === ZIP.U32_MAX;
  const locator = eocd - ZIP.ZIP64_LOCATOR_SIZE;
  if (locator >= 0 && buf.readUInt32LE(locator) === ZIP.SIG_ZIP64_LOCATOR) {
    const recordOffset = readU64(buf, locator + 8, fail, 'ZIP64 end record offset');
    if (recordOffset + ZIP.ZIP64_EOCD_SIZE > locator || buf.readUInt32LE(recordOffset) !== ZIP.SIG_ZIP64_EOCD) {
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
    if (pos + ZIP.CENTRAL_SIZE > directoryEnd || buf.readUInt32LE(pos) !== ZIP.SIG_CENTRAL) {
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
    const next = pos + ZIP.CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > directoryEnd) fail(`central directory entry ${i} is corrupt`);
    const nameBytes = buf.subarray(pos + ZIP.CENTRAL_SIZE, pos + ZIP.CENTRAL_SIZE + nameLength);
    const name = nameBytes.toString(flags & ZIP.FLAG_UTF8 ? 'utf8' : 'latin1');
    const entryFail = (problem: string): never => fail(`entry '${name}' ${problem}`);

    // ZIP64: a field saturated at its maximum is stored in the extra field instead, in this order.
    const extra = buf.subarray(pos + ZIP.CENTRAL_SIZE + nameLength, pos + ZIP.CENTRAL_SIZE + nameLength + extraLength);
    const zip64 = findExtraField(extra, ZIP.ZIP64_EXTRA_ID);
    let z = 0;
    const zip64Field = (what: string): number => {
      if (!zip64 || z + 8 > zip64.length) return entryFail(`has a saturated ${what} but no ZIP64 value for it`);
      const value = readU64(zip64, z, fail, `${what} of entry '${name}'`);
      z += 8;
      return value;
    };
    if (uncompressedSize === ZIP.U32_MAX) uncompressedSize = zip64Field('uncompressed size');
    if (compressedSize === ZIP.U32_MAX) compressedSize = zip64Field('compressed size');
    if (localHeaderOffset === ZIP.U32_MAX) localHeaderOffset = zip64Field('local header offset');

    if (flags & ZIP.FLAG_ENCRYPTED) entryFail('is encrypted, which is not supported');
    if (method !== ZIP.METHOD_STORED && method !== ZIP.METHOD_DEFLATED) {
      entryFail(`uses compression method ${method}; only stored (0) and deflated (8) are supported`);
    }
    if (method === ZIP.METHOD_STORED && compressedSize !== uncompressedSize) {
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
  if (local + ZIP.LOCAL_SIZE > directoryOffset || buf.readUInt32LE(local) !== ZIP.SIG_LOCAL) fail('has a corrupt local header');
  const dataStart = local + ZIP.LOCAL_SIZE + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
  if (dataStart + entry.compressedSize > directoryOffset) fail('is truncated (its data runs past the end of the archive data)');
  const compressed = buf.subarray(dataStart, dataStart + entry.compressedSize);

  let data: Buffer;
  if (entry.method === ZIP.METHOD_STORED) {
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
  const lowest = Math.max(0, buf.length - ZIP.EOCD_SIZE - ZIP.U16_MAX);
  for (let pos = buf.length - ZIP.EOCD_SIZE; pos >= lowest; pos--) {
    if (buf.readUInt32LE(pos) === ZIP.SIG_EOCD && pos + ZIP.EOCD_SIZE + buf.readUInt16LE(pos + 20) === buf.length) return pos;
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
