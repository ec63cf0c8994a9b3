import { describe, expect, it } from 'vitest';
import { canonicalDatasetBytes, datasetSha256, decodeCanonicalDataset, sha256Hex } from './canonical';
import { datasetFromSpec } from './spec';

describe('canonical dataset bytes', () => {
  it('round-trip exactly, and hash the same however the dataset is named', () => {
    for (const spec of ['csbm:120:400:3:5', 'ppi-like:4:30:60:3:4']) {
      const dataset = datasetFromSpec(spec);
      const bytes = canonicalDatasetBytes(dataset);
      expect(sha256Hex(bytes)).toBe(datasetSha256(dataset));
      const back = decodeCanonicalDataset(bytes, 'test', { name: 'renamed', source: 'elsewhere' });
      expect(back.name).toBe('renamed');
      expect(datasetSha256(back)).toBe(datasetSha256(dataset));
      expect(back.graphs.map((g) => Array.from(g.features))).toEqual(dataset.graphs.map((g) => Array.from(g.features)));
      expect(back.graphSplit).toEqual(dataset.graphSplit);
      expect(datasetSha256({ ...dataset, name: 'other', source: 'x' })).toBe(datasetSha256(dataset));
    }
  });

  it('differ when any value differs', () => {
    const dataset = datasetFromSpec('csbm:120:400:3:5');
    const features = Float32Array.from(dataset.graphs[0].features);
    features[7] += 1e-6;
    const changed = { ...dataset, graphs: [{ ...dataset.graphs[0], features }] };
    expect(datasetSha256(changed)).not.toBe(datasetSha256(dataset));
  });

  it('refuse truncated, padded, foreign and inconsistent bytes with the problem named', () => {
    const bytes = canonicalDatasetBytes(datasetFromSpec('csbm:120:400:3:5'));
    const meta = { name: 'x', source: 'x' };
    expect(() => decodeCanonicalDataset(bytes.subarray(0, bytes.length - 3), 'sent', meta)).toThrow(/^sent: graph 0 labels needs \d+ bytes, only \d+ remain/);
    expect(() => decodeCanonicalDataset(Buffer.concat([bytes, Buffer.from([0])]), 'sent', meta)).toThrow(/1 bytes after the last array/);
    expect(() => decodeCanonicalDataset(Buffer.from('PK\u0003\u0004 zip'), 'sent', meta)).toThrow(/bad magic/);
    const text = Buffer.from(bytes).toString('latin1');
    const lying = Buffer.from(text.replace('"nodes":120', '"nodes":1e12'), 'latin1');
    expect(() => decodeCanonicalDataset(lying, 'sent', meta)).toThrow(/nodes 1000000000000 is not a count/);
    // labels out of range pass the size checks and are caught by the dataset validation
    const labelsAt = bytes.length - 120 * 4;
    const badLabel = Buffer.from(bytes);
    badLabel.writeInt32LE(9, labelsAt);
    expect(() => decodeCanonicalDataset(badLabel, 'sent', meta)).toThrow(/label 9 of node 0 is outside \[0, 3\)/);
  });
});
