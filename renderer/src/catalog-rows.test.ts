import { describe, expect, it } from 'vitest';
import type { CatalogItem, DownloadCheck } from '../../contract/api';
import { downloadState, exactSize, hashTitle, impossibleByReason, sizeTitle } from './catalog-rows';

const item = (patch: Partial<CatalogItem>): CatalogItem => ({
  name: 'cora',
  title: 'Cora',
  task: 'multiclass',
  citation: '',
  synthetic: false,
  available: false,
  url: 'https://github.com/shchur/gnn-benchmark/raw/master/data/npz/cora.npz',
  bytes: 540_580,
  sha256: '068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2',
  sha256Source: 'published',
  ...patch,
});
const check = (name: string, possible: boolean, reason: string): DownloadCheck => ({ name, possible, reason, checkedAt: '2026-01-01T00:00:00Z' });

describe('catalog rows', () => {
  it('give the exact size and hash, and say where the hash comes from', () => {
    expect(exactSize(540_580)).toBe('540,580 B');
    expect(exactSize(null)).toBe('—');
    expect(sizeTitle(item({}))).toBe('527.9 KB (540580 bytes)');
    expect(sizeTitle(item({ bytes: null }))).toMatch(/known after the first download/);
    expect(hashTitle(item({}))).toBe('SHA-256 068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2 (published: every download is checked against it)');
    expect(hashTitle(item({ sha256Source: 'first-download', sha256: 'ab'.repeat(32) }))).toMatch(/recorded at the first download\)$/);
    expect(hashTitle(item({ sha256: null, sha256Source: null }))).toMatch(/^SHA-256 not published/);
  });

  it('say before any click whether a download is possible', () => {
    expect(downloadState(item({}), undefined, true).kind).toBe('checking');
    expect(downloadState(item({}), check('cora', true, 'github.com answers'), false)).toEqual({ kind: 'possible', text: 'download possible', reason: 'github.com answers' });
    expect(downloadState(item({}), check('cora', false, 'offline or blocked: cannot reach github.com (ENOTFOUND)'), false)).toMatchObject({ kind: 'impossible', reason: /cannot reach github.com/ });
    expect(downloadState(item({ available: true }), check('cora', false, 'offline'), false).kind).toBe('downloaded');
    expect(downloadState(item({ synthetic: true, url: null }), undefined, false).kind).toBe('generated');
  });

  it('group the impossible downloads by reason, leaving out what is already here', () => {
    const catalog = [item({ name: 'cora' }), item({ name: 'citeseer' }), item({ name: 'ppi' }), item({ name: 'pubmed', available: true })];
    const checks = new Map([
      ['cora', check('cora', false, 'offline: github.com')],
      ['citeseer', check('citeseer', false, 'offline: github.com')],
      ['ppi', check('ppi', true, 'data.dgl.ai answers')],
      ['pubmed', check('pubmed', false, 'offline: github.com')],
    ]);
    expect(impossibleByReason(catalog, checks)).toEqual([{ reason: 'offline: github.com', names: ['cora', 'citeseer'] }]);
  });
});
