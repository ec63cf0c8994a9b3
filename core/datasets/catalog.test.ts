import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOG, DEMO_SPEC, findCatalogEntry, remoteFileName } from './catalog';
import { parseDatasetSpec } from './spec';

describe('dataset catalog', () => {
  it('has unique names and complete entries', () => {
    const names = CATALOG.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of CATALOG) {
      expect(entry.title.length).toBeGreaterThan(0);
      expect(entry.citation.length).toBeGreaterThan(0);
      expect(entry.bytes === null || (Number.isInteger(entry.bytes) && entry.bytes > 0)).toBe(true);
      expect(entry.sha256 === null || /^[0-9a-f]{64}$/.test(entry.sha256)).toBe(true);
      expect(entry.url === null || entry.url.startsWith('https://')).toBe(true);
    }
  });

  it('points the gnn-benchmark datasets at the data/npz folder of shchur/gnn-benchmark', () => {
    const files: Record<string, string> = {
      cora: 'cora.npz',
      citeseer: 'citeseer.npz',
      pubmed: 'pubmed.npz',
      'amazon-computers': 'amazon_electronics_computers.npz',
      'amazon-photo': 'amazon_electronics_photo.npz',
      'coauthor-cs': 'ms_academic_cs.npz',
      'coauthor-physics': 'ms_academic_phy.npz',
    };
    for (const [name, file] of Object.entries(files)) {
      const entry = findCatalogEntry(name)!;
      expect(entry.format).toBe('npz');
      expect(entry.task).toBe('multiclass');
      expect(entry.url).toBe(`https://github.com/shchur/gnn-benchmark/raw/master/data/npz/${file}`);
      expect(remoteFileName(entry)).toBe(file);
    }
    expect(findCatalogEntry('cora')!.sha256).toBe('068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2');
  });

  it('has PPI as a multi-label zip and a demo that needs no download', () => {
    const ppi = findCatalogEntry('ppi')!;
    expect(ppi.task).toBe('multilabel');
    expect(remoteFileName(ppi)).toBe('ppi.zip');
    const demo = findCatalogEntry('demo')!;
    expect(demo.url).toBeNull();
    expect(demo.spec).toBe(DEMO_SPEC);
    expect(parseDatasetSpec(DEMO_SPEC)).not.toBeNull();
    expect(findCatalogEntry('nonesuch')).toBeUndefined();
  });
});

const SHARED_CORA = fileURLToPath(new URL('../../../shared/datasets/cora.npz', import.meta.url));

describe('published sizes and checksums', () => {
  it('every download has an exact size and SHA-256 except PubMed, whose file could not be read (recorded at first download)', () => {
    const downloadable = CATALOG.filter((entry) => entry.url);
    expect(downloadable.filter((entry) => entry.bytes === null || entry.sha256 === null).map((entry) => entry.name)).toEqual(['pubmed']);
    for (const entry of CATALOG) expect(entry.bytes === null).toBe(entry.sha256 === null);
  });

  it.skipIf(!existsSync(SHARED_CORA))('Cora\'s are those of the real file', () => {
    const bytes = readFileSync(SHARED_CORA);
    const cora = findCatalogEntry('cora')!;
    expect(bytes.length).toBe(cora.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(cora.sha256);
  });
});
