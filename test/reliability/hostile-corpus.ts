import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

import type { NpyArray } from '../../core/datasets/npy';
import { ppiFileNames } from '../../core/datasets/ppi';
import { encodeNpz, writeNpy } from '../../core/datasets/testing/writers';

/**
 * A corpus of malformed dataset files, written at test time into a folder: each case is a file or
 * folder a user (or an attacker) could hand to `datasets inspect` / `datasets import` / the API, and
 * `problem` is what the error message must name. `VALID_NPZ` and `VALID_CSV` are the well-formed
 * originals the npz and CSV cases are mutated from (tests check that they load).
 */

export interface HostileCase {
  /** file or folder name inside the corpus folder */
  name: string;
  /** what is wrong, in words (for reports) */
  what: string;
  /** the error message must match this */
  problem: RegExp;
}

export const VALID_NPZ = 'valid.npz';
export const VALID_CSV = 'valid-csv';

// A 4-node path graph 0-1-2-3 in the gnn-benchmark layout: CSR adjacency, dense features, labels.
const f32 = (values: number[]) => new Float32Array(values);
const i32 = (values: number[]) => new Int32Array(values);
function baseArrays(): Record<string, NpyArray> {
  return {
    adj_data: { dtype: 'f4', shape: [6], data: f32([1, 1, 1, 1, 1, 1]) },
    adj_indices: { dtype: 'i4', shape: [6], data: i32([1, 0, 2, 1, 3, 2]) },
    adj_indptr: { dtype: 'i4', shape: [5], data: i32([0, 1, 3, 5, 6]) },
    adj_shape: { dtype: 'i4', shape: [2], data: i32([4, 4]) },
    attr_matrix: { dtype: 'f4', shape: [4, 3], data: f32([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0]) },
    labels: { dtype: 'i4', shape: [4], data: i32([0, 1, 0, 1]) },
  };
}

function npzWith(changes: Record<string, NpyArray | null>): Buffer {
  const arrays: Record<string, NpyArray> = baseArrays();
  for (const [name, array] of Object.entries(changes)) {
    if (array === null) delete arrays[name];
    else arrays[name] = array;
  }
  return encodeNpz(arrays);
}

/** An .npy whose header says whatever `header` says, followed by `body`. */
function rawNpy(header: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const unpadded = 10 + header.length + 1;
  const padded = header + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(padded.length, 8);
  return Buffer.concat([head, Buffer.from(padded, 'latin1'), body]);
}

interface RawEntry {
  name: Buffer;
  /** the bytes as stored (already deflated when method is 8) */
  payload: Buffer;
  method: number;
  crc: number;
  /** what the headers claim */
  uncompressedSize: number;
}

/**
 * The fields the local header (from byte 4) and the central directory header (from byte 6) share,
 * in the same order: version needed, flags (UTF-8 names), method, time and date (left 0), CRC-32,
 * stored size, uncompressed size, name length.
 */
function writeSharedFields(header: Buffer, at: number, e: RawEntry): void {
  header.writeUInt16LE(20, at);
  header.writeUInt16LE(0x800, at + 2);
  header.writeUInt16LE(e.method, at + 4);
  header.writeUInt32LE(e.crc, at + 10);
  header.writeUInt32LE(e.payload.length, at + 14);
  header.writeUInt32LE(e.uncompressedSize, at + 18);
  header.writeUInt16LE(e.name.length, at + 22);
}

/** A ZIP whose headers say exactly what the entries say, true or not (no ZIP64, no checks). */
function rawZip(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeSharedFields(local, 4, e);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4); // version made by
    writeSharedFields(header, 6, e);
    header.writeUInt32LE(offset, 42);
    central.push(header, e.name);
    parts.push(local, e.name, e.payload);
    offset += local.length + e.name.length + e.payload.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/** The valid arrays as raw entries (deflated, honest headers), for archives built by hand. */
function honestEntries(): RawEntry[] {
  return Object.entries(baseArrays()).map(([name, array]) => {
    const data = writeNpy(array);
    return { name: Buffer.from(`${name}.npy`), payload: deflateRawSync(data), method: 8, crc: crc32(data) >>> 0, uncompressedSize: data.length };
  });
}

function csvFolder(dir: string, files: Record<string, string | Buffer | 'DIRECTORY'>): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    if (content === 'DIRECTORY') mkdirSync(join(dir, file));
    else writeFileSync(join(dir, file), content);
  }
}

const EDGES = 'source,target\n0,1\n1,2\n2,3\n';
const LABELS = 'id,label\n0,0\n1,1\n2,0\n3,1\n';
const FEATURES = 'id,x1,x2\n0,1,0\n1,0,1\n2,1,1\n3,0,0\n';

/** Writes the corpus into `dir`; returns the cases (the valid originals are not among them). */
export function writeHostileCorpus(dir: string): HostileCase[] {
  mkdirSync(dir, { recursive: true });
  const cases: HostileCase[] = [];
  const file = (name: string, what: string, problem: RegExp, bytes: Buffer | string) => {
    writeFileSync(join(dir, name), bytes);
    cases.push({ name, what, problem });
  };
  const folder = (name: string, what: string, problem: RegExp, files: Record<string, string | Buffer | 'DIRECTORY'>) => {
    csvFolder(join(dir, name), files);
    cases.push({ name, what, problem });
  };

  const valid = npzWith({});
  writeFileSync(join(dir, VALID_NPZ), valid);
  csvFolder(join(dir, VALID_CSV), { 'edges.csv': EDGES, 'labels.csv': LABELS, 'features.csv': FEATURES });

  // --- archives
  file('empty.npz', 'an empty file', /not a ZIP archive/, Buffer.alloc(0));
  file('truncated-half.npz', 'the first half of a valid archive', /not a ZIP archive|truncated/, valid.subarray(0, valid.length >> 1));
  file('truncated-tail.npz', 'a valid archive missing its last byte', /not a ZIP archive|truncated/, valid.subarray(0, valid.length - 1));
  file('random-bytes.npz', 'seeded noise', /not a ZIP archive/, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)));
  {
    // 64 MiB of zeros deflate to ~64 KiB; the headers claim 1000 bytes.
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const bomb = [...honestEntries().filter((e) => !e.name.toString().startsWith('adj_data')), {
      name: Buffer.from('adj_data.npy'),
      payload: deflateRawSync(zeros, { level: 9 }),
      method: 8,
      crc: crc32(zeros) >>> 0,
      uncompressedSize: 1000,
    }];
    file('zip-bomb-lying.npz', 'a 64 KiB entry inflating to 64 MiB while claiming 1000 bytes', /zip bomb/, rawZip(bomb));
    const claimsHuge = [...honestEntries().filter((e) => !e.name.toString().startsWith('attr_matrix')), {
      name: Buffer.from('attr_matrix.npy'),
      payload: deflateRawSync(Buffer.alloc(1024 * 1024)),
      method: 8,
      crc: 0,
      uncompressedSize: 3 * 1024 ** 3,
    }];
    file('zip-bomb-declared.npz', 'an entry declaring 3 GiB uncompressed', /more than the limit/, rawZip(claimsHuge));
    const many = [0, 1, 2].map((i) => ({ name: Buffer.from(`big${i}.npy`), payload: Buffer.alloc(16), method: 8, crc: 0, uncompressedSize: 1.9 * 1024 ** 3 }));
    file('zip-bomb-total.npz', 'three entries declaring 1.9 GiB each', /in total/, rawZip([...honestEntries(), ...many]));
  }
  {
    const entries = honestEntries();
    const corrupt = entries.map((e) => (e.name.toString() === 'labels.npy' ? { ...e, crc: (e.crc ^ 1) >>> 0 } : e));
    file('crc-mismatch.npz', 'a CRC-32 that does not match the entry', /CRC-32 mismatch/, rawZip(corrupt));
    const duplicate = [...entries, { ...entries.find((e) => e.name.toString() === 'labels.npy')! }];
    file('duplicate-entry.npz', "two entries named 'labels.npy'", /duplicate entry 'labels\.npy'/, rawZip(duplicate));
    const traversal = [...entries, { ...entries[0], name: Buffer.from('../../escape.npy') }];
    file('path-traversal.npz', "an entry named '../../escape.npy'", /unsafe entry name '\.\.\/\.\.\/escape\.npy'/, rawZip(traversal));
    const absolute = [...entries, { ...entries[0], name: Buffer.from('/etc/passwd.npy') }];
    file('absolute-name.npz', "an entry named '/etc/passwd.npy'", /unsafe entry name '\/etc\/passwd\.npy'/, rawZip(absolute));
    const nonUtf8 = entries.map((e) => (e.name.toString() === 'labels.npy' ? { ...e, name: Buffer.from([0x6c, 0xff, 0xfe, 0x2e, 0x6e, 0x70, 0x79]) } : e));
    file('non-utf8-entry-name.npz', 'labels stored under a name that is not valid UTF-8', /not valid UTF-8|array 'labels' is missing/, rawZip(nonUtf8));
  }

  // --- arrays
  file('labels-float.npz', 'labels as fractional floats', /'labels'.*not a 32-bit integer/, npzWith({ labels: { dtype: 'f4', shape: [4], data: f32([0, 0.5, 1, 1]) } }));
  file('labels-negative.npz', 'a negative class', /negative class -3 at node 2/, npzWith({ labels: { dtype: 'i4', shape: [4], data: i32([0, 1, -3, 1]) } }));
  file('labels-2d.npz', 'labels of the wrong rank', /'labels' has shape \(2, 2\)/, npzWith({ labels: { dtype: 'i4', shape: [2, 2], data: i32([0, 1, 0, 1]) } }));
  file('index-negative.npz', 'a negative adjacency index', /'adj_indices' has index -1/, npzWith({ adj_indices: { dtype: 'i4', shape: [6], data: i32([1, 0, 2, -1, 3, 2]) } }));
  file('index-out-of-range.npz', 'an adjacency index past the last node', /'adj_indices' has index 9 .*out of range/, npzWith({ adj_indices: { dtype: 'i4', shape: [6], data: i32([1, 0, 9, 1, 3, 2]) } }));
  file('indptr-decreasing.npz', 'a row pointer that goes backwards', /'adj_indptr' is not monotone/, npzWith({ adj_indptr: { dtype: 'i4', shape: [5], data: i32([0, 3, 1, 5, 6]) } }));
  file('shape-terabytes.npz', 'adj_shape claiming 2^40 nodes', /'adj_shape' claims an absurd size/, npzWith({ adj_shape: { dtype: 'f8', shape: [2], data: new Float64Array([2 ** 40, 2 ** 40]) } }));
  file('features-nan.npz', 'a NaN feature', /feature 1 of node 2 is NaN/, npzWith({ attr_matrix: { dtype: 'f4', shape: [4, 3], data: f32([1, 0, 0, 0, 1, 0, 0, NaN, 1, 1, 1, 0]) } }));
  file('features-inf.npz', 'an infinite feature', /feature 0 of node 3 is Infinity/, npzWith({ attr_matrix: { dtype: 'f4', shape: [4, 3], data: f32([1, 0, 0, 0, 1, 0, 0, 0, 1, Infinity, 1, 0]) } }));
  file('missing-labels.npz', 'no labels array', /array 'labels' is missing/, npzWith({ labels: null }));
  file('rows-mismatch.npz', 'features for 3 nodes in a 4-node graph', /'attr_matrix' has 3 rows but 'adj_shape' has 4 nodes/, npzWith({ attr_matrix: { dtype: 'f4', shape: [3, 3], data: f32([1, 0, 0, 0, 1, 0, 0, 0, 1]) } }));
  {
    const withRaw = (name: string, npy: Buffer) =>
      rawZip(honestEntries().map((e) => (e.name.toString() === `${name}.npy` ? { ...e, payload: deflateRawSync(npy), crc: crc32(npy) >>> 0, uncompressedSize: npy.length } : e)));
    file('npy-header-terabytes.npz', 'an .npy header claiming 10^12 floats', /absurd size/, withRaw('adj_data', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }")));
    file('npy-header-lies.npz', 'an .npy header claiming more data than present', /is truncated: header claims shape \(1000000\)/, withRaw('adj_data', rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000,), }", Buffer.alloc(24))));
    file('npy-object-dtype.npz', 'a pickled object array', /pickles are not loaded/, withRaw('attr_matrix', rawNpy("{'descr': '|O', 'fortran_order': False, 'shape': (4, 3), }", Buffer.alloc(96))));
    file('npy-complex-dtype.npz', 'complex numbers', /unsupported dtype '<c8'/, withRaw('attr_matrix', rawNpy("{'descr': '<c8', 'fortran_order': False, 'shape': (4, 3), }", Buffer.alloc(96))));
    file('npy-bad-magic.npz', 'an entry that is not an .npy', /bad magic bytes/, withRaw('labels', Buffer.from('print("hello")\n')));
    file('npy-code-header.npz', 'a header that is Python code', /malformed header/, withRaw('labels', rawNpy("__import__('os').system('echo pwned')")));
  }
  mkdirSync(join(dir, 'a-folder.npz'));
  cases.push({ name: 'a-folder.npz', what: 'a folder where an .npz file is expected', problem: /not a dataset|cannot tell its format|expects an \.npz file/ });

  // --- CSV folders
  folder('csv-ragged', 'a row with a missing column', /edges\.csv line 3: 1 columns, but line 1 has 2/, { 'edges.csv': 'source,target\n0,1\n1\n2,3\n', 'labels.csv': LABELS });
  folder('csv-ragged-features', 'a features row with an extra value', /features\.csv line 4: 4 columns, but line 1 has 3/, { 'edges.csv': EDGES, 'labels.csv': LABELS, 'features.csv': 'id,x1,x2\n0,1,0\n1,0,1\n2,1,1,7\n3,0,0\n' });
  folder('csv-nan-features', 'a NaN feature', /features\.csv line 3, column 3: 'NaN' is not a finite number/, { 'edges.csv': EDGES, 'labels.csv': LABELS, 'features.csv': 'id,x1,x2\n0,1,0\n1,0,NaN\n2,1,1\n3,0,0\n' });
  folder('csv-inf-features', 'an infinite feature', /'Infinity' is not a finite number/, { 'edges.csv': EDGES, 'labels.csv': LABELS, 'features.csv': 'id,x1,x2\n0,1,0\n1,0,1\n2,Infinity,1\n3,0,0\n' });
  folder('csv-negative-label', 'a negative class', /labels\.csv line 3: label -2 is negative/, { 'edges.csv': EDGES, 'labels.csv': 'id,label\n0,0\n1,-2\n2,0\n3,1\n' });
  folder('csv-huge-id', 'a node id of two billion (would allocate gigabytes)', /labels\.csv: no label for node/, { 'edges.csv': 'source,target\n0,1\n1,2000000000\n', 'labels.csv': LABELS });
  folder('csv-too-large-id', 'a node id past 2^31', /too large/, { 'edges.csv': 'source,target\n0,1\n1,3000000000\n', 'labels.csv': LABELS });
  folder('csv-missing-label', 'a node without a label', /labels\.csv: no label for node 3/, { 'edges.csv': EDGES, 'labels.csv': 'id,label\n0,0\n1,1\n2,0\n' });
  folder('csv-duplicate-node', 'a node labelled twice', /duplicate node id '1'/, { 'edges.csv': EDGES, 'labels.csv': 'id,label\n0,0\n1,1\n1,0\n2,0\n3,1\n' });
  folder('csv-unterminated-quote', 'an unterminated quoted field', /unterminated quoted field/, { 'edges.csv': 'source,target\n"a,b\nb,c\n', 'labels.csv': 'id,label\na,x\nb,y\n' });
  folder('csv-empty-files', 'empty edge and label files', /edges\.csv: no data rows/, { 'edges.csv': '', 'labels.csv': '' });
  folder('csv-no-labels', 'an edges file without a labels file', /no labels file/, { 'edges.csv': EDGES });
  folder('csv-edges-is-folder', 'a folder where edges.csv should be a file', /edges\.csv: cannot read file \(EISDIR\)/, { 'edges.csv': 'DIRECTORY', 'labels.csv': LABELS });
  folder('csv-non-utf8-names', 'node names that are not valid UTF-8', /not valid UTF-8/, {
    'edges.csv': Buffer.concat([Buffer.from('source,target\nalpha,'), Buffer.from([0xff, 0xfe]), Buffer.from('\nalpha,'), Buffer.from([0xfe, 0xff]), Buffer.from('\n')]),
    'labels.csv': Buffer.concat([Buffer.from('id,label\nalpha,a\n'), Buffer.from([0xff, 0xfe]), Buffer.from(',b\n'), Buffer.from([0xfe, 0xff]), Buffer.from(',b\n')]),
  });
  folder('csv-binary-garbage', 'binary noise named edges.csv', /edges\.csv|labels\.csv/, {
    'edges.csv': Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 40503) & 0xff)),
    'labels.csv': LABELS,
  });

  // --- PPI folder with every file present but unreadable
  folder(
    'ppi-garbage',
    'a PPI folder whose files are all garbage',
    /train_graph\.json|train_feats\.npy|train_labels\.npy|train_graph_id\.npy/,
    Object.fromEntries(ppiFileNames().map((name) => [name, name.endsWith('.json') ? '{"nodes": [' : 'not numpy'])),
  );
  return cases;
}
