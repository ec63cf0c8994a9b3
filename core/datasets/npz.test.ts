import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NpyArray } from './npy';
import { loadGnnBenchmarkNpz, openNpz, readNpz } from './npz';
import { expectUserError, incoming, scratchFolder } from './testing/fixtures';
import type { Dataset } from './types';
import { encodeNpz, npyArray, writeNpy, writeNpz, writeZip } from './testing/writers';

const CORA = fileURLToPath(new URL('../../../shared/datasets/cora.npz', import.meta.url));
const tempDir = scratchFolder('npz-test-');

/** CSR arrays (indptr, indices, data) of a sparse matrix given as (row, column, value) triples. */
function csr(prefix: string, rows: number, columns: number, triples: [number, number, number][]): Record<string, NpyArray> {
  const sorted = [...triples].sort((a, b) => a[0] - b[0]);
  const indptr = new Int32Array(rows + 1);
  for (const [r] of sorted) indptr[r + 1]++;
  for (let r = 0; r < rows; r++) indptr[r + 1] += indptr[r];
  return {
    [`${prefix}_data`]: npyArray(Float32Array.from(sorted.map((t) => t[2]))),
    [`${prefix}_indices`]: npyArray(Int32Array.from(sorted.map((t) => t[1]))),
    [`${prefix}_indptr`]: npyArray(indptr),
    [`${prefix}_shape`]: npyArray(BigInt64Array.from([BigInt(rows), BigInt(columns)])),
  };
}

// A toy gnn-benchmark graph: 5 nodes, 4 features (node 4 has none), 3 classes.
const N = 5;
const F = 4;
const EDGES: [number, number][] = [[0, 1], [1, 2], [2, 0], [3, 4], [4, 3], [1, 1], [0, 1]];
const FEATURES: [number, number, number][] = [[0, 0, 1], [0, 2, 1], [1, 1, 2], [2, 3, 0.5], [3, 0, 1], [3, 1, 1], [3, 2, 1]];
const LABELS = [0, 1, 2, 1, 0];
const NODE_NAMES = ['n0', 'ñ1', '节点2', 'n3', '😀4'];
const CLASS_NAMES = ['alpha', 'beta', 'γάμμα'];

function toyArrays(): Record<string, NpyArray> {
  return {
    ...csr('adj', N, N, EDGES.map(([u, v]) => [u, v, 1])),
    ...csr('attr', N, F, FEATURES),
    labels: npyArray(Int8Array.from(LABELS)),
    node_names: npyArray(NODE_NAMES),
    class_names: npyArray(CLASS_NAMES),
  };
}

function load(arrays: Record<string, NpyArray>): Dataset {
  return loadGnnBenchmarkNpz(encodeNpz(arrays), { label: 'toy.npz' });
}

/** Naive reference: by destination, sorted sources of the symmetrised edges plus one self-loop each. */
function expectedIncoming(numNodes: number, edges: [number, number][]): number[][] {
  const sets = Array.from({ length: numNodes }, (_, v) => new Set([v]));
  for (const [u, v] of edges) {
    sets[v].add(u);
    sets[u].add(v);
  }
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

describe('npz write → read round trip', () => {
  for (const compress of [true, false]) {
    it(`keeps every array (compress: ${compress})`, () => {
      const arrays = {
        ...toyArrays(),
        dense: npyArray(Float64Array.from([1, 2, 3, 4, 5, 6]), [3, 2]),
        flags: npyArray(Uint8Array.from([1, 0]), [2], 'b1'),
        big: npyArray(BigInt64Array.from([2n ** 60n])),
      };
      const path = join(tempDir, `round-${compress}.npz`);
      writeNpz(path, arrays, { compress });
      const back = readNpz(path);
      expect([...back.keys()].sort()).toEqual(Object.keys(arrays).sort());
      for (const [name, array] of Object.entries(arrays)) {
        const read = back.get(name)!;
        expect(read.dtype).toBe(array.dtype);
        expect(read.shape).toEqual(array.shape);
        expect(Array.from(read.data as ArrayLike<unknown>)).toEqual(Array.from(array.data as ArrayLike<unknown>));
      }
      expect(back.get('node_names')!.data).toEqual(NODE_NAMES);
      expect(readdirSync(tempDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    });
  }

  it('reads an archive written by NumPy 2 (savez_compressed: ZIP64 local headers, big-endian, unicode, bool, int64)', () => {
    // np.savez_compressed(b, big=np.array([1.5,-2.25,1e300],dtype='>f8'), names=np.array(['Case_Based','ç😀']),
    //   mask=np.array([[True,False],[False,True]]), ids=np.arange(6,dtype='<i8').reshape(2,3)*1000000007)
    const fromNumpy = Buffer.from(
      'UEsDBC0AAAAIAAAAIQDmuuty//////////8HABQAYmlnLm5weQEAEACYAAAAAAAAAFUAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpdmoa6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaxjqaOgq1ChQALvsfDGBwgAlC15k/selgKJ0DAFBLAwQtAAAACAAAACEAIThwZf//////////CQAUAG5hbWVzLm5weQEAEADQAAAAAAAAAGEAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbhNqaKCuo6Cell9UUpSYF59flJIKknBLzClOBYoXZyQWpAL5GkY6mjoKtQrkAy5nBgaGRCAuBuJUII4HYic0sRQgfg7EDN8YGQgBAFBLAwQtAAAACAAAACEAu+RMrf//////////CAAUAG1hc2subnB5AQAQAIQAAAAAAAAASgAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBek2SorqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOgpGmjoKtQpkAy5GBgZGAFBLAwQtAAAACAAAACEA3BprUP//////////BwAUAGlkcy5ucHkBABAAsAAAAAAAAABnAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TaaGuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CsaaOgq1CmQDLgYoYD81yxpE800xLQfRonEXNoFoGY3sdyBa+ROrFiOQBgBQSwECLQMtAAAACAAAACEA5rrrclUAAACYAAAABwAAAAAAAAAAAAAAgAEAAAAAYmlnLm5weVBLAQItAy0AAAAIAAAAIQAhOHBlYQAAANAAAAAJAAAAAAAAAAAAAACAAY4AAABuYW1lcy5ucHlQSwECLQMtAAAACAAAACEAu+RMrUoAAACEAAAACAAAAAAAAAAAAAAAgAEqAQAAbWFzay5ucHlQSwECLQMtAAAACAAAACEA3BprUGcAAACwAAAABwAAAAAAAAAAAAAAgAGuAQAAaWRzLm5weVBLBQYAAAAABAAEANcAAABOAgAAAAA=',
      'base64',
    );
    const arrays = readNpz(fromNumpy, 'numpy.npz');
    expect(Array.from(arrays.get('big')!.data as Float64Array)).toEqual([1.5, -2.25, 1e300]);
    expect(arrays.get('names')!.data).toEqual(['Case_Based', 'ç😀']);
    expect(arrays.get('mask')!.dtype).toBe('b1');
    expect(Array.from(arrays.get('mask')!.data as Uint8Array)).toEqual([1, 0, 0, 1]);
    expect(arrays.get('ids')!.shape).toEqual([2, 3]);
    expect(Array.from(arrays.get('ids')!.data as BigInt64Array)).toEqual([0n, 1n, 2n, 3n, 4n, 5n].map((i) => i * 1000000007n));
  });
});

describe('gnn-benchmark loader', () => {
  it('symmetrises, adds one self-loop per node, densifies and row-normalises features', () => {
    const dataset = load(toyArrays());
    expect(dataset.name).toBe('toy');
    expect(dataset.task).toBe('multiclass');
    expect(dataset.numFeatures).toBe(F);
    expect(dataset.numClasses).toBe(3);
    expect(incoming(dataset)).toEqual(expectedIncoming(N, EDGES));
    expect(Array.from(dataset.graphs[0].labels)).toEqual(LABELS);
    expect(dataset.nodeNames).toEqual(NODE_NAMES);
    expect(dataset.classNames).toEqual(CLASS_NAMES);
    // Reference: dense rows divided by max(row sum, 1).
    const dense = Array.from({ length: N }, () => new Array(F).fill(0));
    for (const [r, c, v] of FEATURES) dense[r][c] += v;
    const expected = dense.flatMap((row) => {
      const sum = row.reduce((a, b) => a + b, 0);
      return row.map((x) => x / Math.max(sum, 1));
    });
    expect(Array.from(dataset.graphs[0].features)).toEqual(expected.map((x) => Math.fround(x)));
  });

  it('gives the same dataset from a dense attr_matrix', () => {
    const arrays = toyArrays();
    const dense = new Float32Array(N * F);
    for (const [r, c, v] of FEATURES) dense[r * F + c] += v;
    for (const key of ['attr_data', 'attr_indices', 'attr_indptr', 'attr_shape']) delete arrays[key];
    arrays.attr_matrix = npyArray(dense, [N, F]);
    const fromDense = load(arrays);
    const fromSparse = load(toyArrays());
    expect(Array.from(fromDense.graphs[0].features)).toEqual(Array.from(fromSparse.graphs[0].features));
    expect(incoming(fromDense)).toEqual(incoming(fromSparse));
  });

  it('counts classes as max label + 1 without class_names, and skips pickled names', () => {
    const arrays = toyArrays();
    delete arrays.class_names;
    const pickled = rawObjectNpy();
    const zip = writeZip([
      ...Object.entries(arrays).map(([name, array]) => ({ name: `${name}.npy`, data: writeNpy(array) })),
      { name: 'class_names.npy', data: pickled },
    ]);
    const dataset = loadGnnBenchmarkNpz(zip, { label: 'toy.npz' });
    expect(dataset.numClasses).toBe(3);
    expect(dataset.classNames).toBeUndefined();
  });

  it('loads from a path, naming the dataset after the file', () => {
    const path = join(tempDir, 'my-graph.npz');
    writeNpz(path, toyArrays());
    const dataset = loadGnnBenchmarkNpz(path);
    expect(dataset.name).toBe('my-graph');
    expect(dataset.source).toBe(path);
  });
});

function rawObjectNpy(): Buffer {
  const header = "{'descr': '|O', 'fortran_order': False, 'shape': (), }".padEnd(117, ' ') + '\n';
  const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header), Buffer.from([0x80, 0x04, 0x95, 0x2e])]);
}

describe.skipIf(!existsSync(CORA))('the real Cora file', () => {
  it('loads as 2708 nodes, 13264 message edges, 1433 features, 7 classes', () => {
    const cora = loadGnnBenchmarkNpz(CORA);
    const { graph, features, labels } = cora.graphs[0];
    expect(cora.name).toBe('cora');
    expect(graph.numNodes).toBe(2708);
    expect(graph.sources.length).toBe(13264);
    expect(cora.numFeatures).toBe(1433);
    expect(cora.numClasses).toBe(7);
    expect(cora.classNames).toHaveLength(7);
    expect(cora.nodeNames).toHaveLength(2708);
    expect(labels).toHaveLength(2708);
    // Binary bag-of-words with no empty row: every row sums to 1 after row-normalising.
    for (const row of [0, 1, 1000, 2707]) {
      const sum = features.subarray(row * 1433, (row + 1) * 1433).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
    // Symmetric: every edge u→v has v→u.
    const has = new Set<number>();
    for (let v = 0; v < graph.numNodes; v++) for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) has.add(graph.sources[e] * 4096 + v);
    const missingReverse = [...has].filter((key) => !has.has((key % 4096) * 4096 + Math.floor(key / 4096)));
    expect(missingReverse).toEqual([]);
  });
});
if (!existsSync(CORA)) console.warn(`npz.test: skipping the real Cora test: ${CORA} is absent`);

describe('gnn-benchmark validation', () => {
  const withArrays = (change: (arrays: Record<string, NpyArray>) => void) => {
    const arrays = toyArrays();
    change(arrays);
    return () => load(arrays);
  };

  it('names a missing array', () => {
    expectUserError(withArrays((a) => delete a.labels), /^toy\.npz: array 'labels' is missing$/);
    expectUserError(withArrays((a) => delete a.adj_indices), /^toy\.npz: array 'adj_indices' is missing$/);
    expectUserError(
      withArrays((a) => {
        for (const key of ['attr_data', 'attr_indices', 'attr_indptr', 'attr_shape']) delete a[key];
      }),
      /array 'attr_data' \(sparse features\) or 'attr_matrix' \(dense features\) is missing/,
    );
  });

  it('reports shape mismatches between arrays', () => {
    expectUserError(withArrays((a) => (a.labels = npyArray(Int8Array.from([0, 1, 2, 1])))), /shape mismatch: 'labels' has 4 entries but 'adj_shape' has 5 nodes/);
    expectUserError(withArrays((a) => Object.assign(a, csr('attr', 4, F, [[0, 0, 1]]))), /shape mismatch: 'attr_shape' has 4 rows but 'adj_shape' has 5 nodes/);
    expectUserError(withArrays((a) => (a.adj_indptr = npyArray(Int32Array.from([0, 2, 4])))), /shape mismatch: 'adj_indptr' has shape \(3\); expected 6 entries/);
    expectUserError(withArrays((a) => (a.adj_data = npyArray(new Float32Array(2)))), /shape mismatch: 'adj_data' has 2 entries but 'adj_indices' has 7/);
    expectUserError(withArrays((a) => (a.node_names = npyArray(['x']))), /shape mismatch: 'node_names' has 1 entries but 'adj_shape' has 5 nodes/);
    expectUserError(withArrays((a) => (a.adj_shape = npyArray(BigInt64Array.from([5n, 6n])))), /'adj_shape' is \(5, 6\); the adjacency matrix must be square/);
  });

  it('refuses indices out of range and a non-monotone indptr', () => {
    expectUserError(
      withArrays((a) => {
        const indices = a.adj_indices.data as Int32Array;
        indices[3] = N;
      }),
      /'adj_indices' has index 5 at position 3, out of range for 5 columns/,
    );
    expectUserError(
      withArrays((a) => ((a.attr_indices.data as Int32Array)[0] = -1)),
      /'attr_indices' has index -1 at position 0, out of range for 4 columns/,
    );
    expectUserError(
      withArrays((a) => (a.adj_indptr = npyArray(Int32Array.from([0, 3, 2, 5, 6, 7])))),
      /'adj_indptr' is not monotone: it decreases at row 1 \(3 then 2\)/,
    );
    expectUserError(withArrays((a) => (a.adj_indptr = npyArray(Int32Array.from([0, 2, 3, 4, 5, 6])))), /'adj_indptr' ends at 6 but 'adj_indices' has 7 entries/);
  });

  it('refuses NaN and infinite features', () => {
    expectUserError(withArrays((a) => ((a.attr_data.data as Float32Array)[1] = NaN)), /toy\.npz: feature 2 of node 0 is NaN/);
    expectUserError(withArrays((a) => ((a.attr_data.data as Float32Array)[3] = -Infinity)), /feature 3 of node 2 is -Infinity/);
  });

  it('refuses labels that are negative or beyond the classes', () => {
    expectUserError(withArrays((a) => (a.labels = npyArray(Int8Array.from([0, 1, -1, 1, 0])))), /'labels' has negative class -1 at node 2/);
    expectUserError(withArrays((a) => (a.labels = npyArray(Int8Array.from([0, 1, 3, 1, 0])))), /'labels' has class 3 but 'class_names' lists only 3 classes/);
    expectUserError(withArrays((a) => (a.labels = npyArray(Float32Array.from([0, 1, 1.5, 1, 0])))), /array 'labels': value 1.5 at index 2 is not a 32-bit integer/);
    expectUserError(withArrays((a) => (a.labels = npyArray(Int8Array.from([0, 1, 2, 1, 0, 1, 1, 1, 1, 1]), [5, 2]))), /'labels' has shape \(5, 2\)/);
  });

  it('refuses pickled required arrays and sparse labels', () => {
    const zip = writeZip([
      ...Object.entries(toyArrays())
        .filter(([name]) => name !== 'labels')
        .map(([name, array]) => ({ name: `${name}.npy`, data: writeNpy(array) })),
      { name: 'labels.npy', data: rawObjectNpy() },
    ]);
    expectUserError(() => loadGnnBenchmarkNpz(zip, { label: 'toy.npz' }), /toy\.npz: array 'labels': dtype '\|O' .*pickles are not loaded/);
    expectUserError(
      withArrays((a) => {
        delete a.labels;
        Object.assign(a, csr('labels', N, 3, [[0, 0, 1]]));
      }),
      /labels stored as a sparse matrix/,
    );
  });

  it('refuses an array header claiming an absurd size, before allocating', () => {
    const header = `{'descr': '<i8', 'fortran_order': False, 'shape': (${2 ** 29},), }`.padEnd(117, ' ') + '\n';
    const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
    prefix.writeUInt16LE(header.length, 8);
    const liar = Buffer.concat([prefix, Buffer.from(header), Buffer.alloc(16)]);
    const zip = writeZip([
      ...Object.entries(toyArrays())
        .filter(([name]) => name !== 'labels')
        .map(([name, array]) => ({ name: `${name}.npy`, data: writeNpy(array) })),
      { name: 'labels.npy', data: liar },
    ]);
    expectUserError(() => loadGnnBenchmarkNpz(zip, { label: 'toy.npz' }), /toy\.npz: array 'labels': is truncated: header claims shape \(536870912\) of <i8, 4294967296 bytes, but only 16/);
  });

  it('refuses a corrupt, a truncated and a zip-bomb archive with the archive and entry named', () => {
    expectUserError(() => loadGnnBenchmarkNpz(Buffer.from('%PDF-1.4 not an archive at all'), { label: 'cora.npz' }), /^cora\.npz: not a ZIP archive/);
    const good = encodeNpz(toyArrays());
    expectUserError(() => loadGnnBenchmarkNpz(good.subarray(0, Math.floor(good.length / 2)), { label: 'cora.npz' }), /^cora\.npz: /);

    // labels.npy whose data inflates far past the size its record declares.
    const bombNpy = writeNpy(npyArray(new Int8Array(8 * 1024 * 1024)));
    const zip = Buffer.from(
      writeZip([
        ...Object.entries(toyArrays())
          .filter(([name]) => name !== 'labels')
          .map(([name, array]) => ({ name: `${name}.npy`, data: writeNpy(array) })),
        { name: 'labels.npy', data: bombNpy },
      ]),
    );
    const record = zip.lastIndexOf(Buffer.from('labels.npy')) - 46;
    expect(zip.readUInt32LE(record)).toBe(0x02014b50);
    zip.writeUInt32LE(200, record + 24);
    expectUserError(() => loadGnnBenchmarkNpz(zip, { label: 'cora.npz' }), /^cora\.npz: entry 'labels\.npy' inflates to more than its declared 200 bytes/);
  });

  it('opens lazily: a bad array that is never asked for does not fail the archive', () => {
    const zip = writeZip([{ name: 'good.npy', data: writeNpy(npyArray(Int32Array.from([1]))) }, { name: 'bad.npy', data: Buffer.from('junk') }]);
    const npz = openNpz(zip, 'lazy.npz');
    expect(npz.names).toEqual(['good', 'bad']);
    expect(Array.from(npz.get('good').data as Int32Array)).toEqual([1]);
    expectUserError(() => npz.get('bad'), /lazy\.npz: array 'bad': not a NumPy \.npy array/);
  });
});
