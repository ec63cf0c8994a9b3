// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { CatalogItem, DownloadCheck } from '../../../contract/api';
import { mountView } from '../fake-client.testutil';
import DatasetsView from './DatasetsView.vue';

const base = { task: 'multiclass' as const, citation: '', synthetic: false, available: false, sha256Source: 'published' as const };
const CATALOG: CatalogItem[] = [
  { ...base, name: 'cora', title: 'Cora', url: 'https://github.com/x/cora.npz', bytes: 540_580, sha256: '068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2' },
  { ...base, name: 'ppi', title: 'PPI', task: 'multilabel', url: 'https://data.dgl.ai/dataset/ppi.zip', bytes: 7_088_822, sha256: '1f5b2b09ac0f897fa6aa1338c64ab75a5473674cbba89380120bede8cddb2a6a' },
  { ...base, name: 'pubmed', title: 'PubMed', url: 'https://github.com/x/pubmed.npz', bytes: null, sha256: null, sha256Source: null },
  { ...base, name: 'demo', title: 'Demo', synthetic: true, available: true, url: null, bytes: null, sha256: null, sha256Source: null },
];
const at = '2026-01-01T10:00:00.000Z';
const CHECKS: DownloadCheck[] = [
  { name: 'cora', possible: true, reason: 'github.com answers', checkedAt: at },
  { name: 'ppi', possible: false, reason: 'offline or blocked: cannot reach data.dgl.ai (ENOTFOUND)', checkedAt: at },
  { name: 'pubmed', possible: true, reason: 'github.com answers', checkedAt: at },
];

describe('the datasets view', () => {
  it('shows exact sizes and full SHA-256s, and whether each download is possible before any click', async () => {
    const { wrapper, fake } = mountView(DatasetsView, { handlers: { 'datasets.catalog': () => CATALOG, 'datasets.checkDownloads': () => CHECKS } });
    await flushPromises();
    const row = (name: string) => wrapper.find(`.catalog tr[data-name="${name}"]`);
    expect(row('cora').find('[data-test=size]').text()).toBe('540,580 B');
    expect(row('cora').find('[data-test=sha256]').text()).toBe('068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2');
    expect(row('pubmed').find('[data-test=sha256]').text()).toBe('on first download');
    expect(row('cora').find('[data-test=download-state]').attributes('data-state')).toBe('possible');
    expect(row('ppi').find('[data-test=download-state]').text()).toBe('not possible now');
    expect(row('ppi').find('button').attributes('disabled')).toBeDefined();
    expect(wrapper.find('[data-test=download-blocked]').text()).toBe('Cannot download ppi now: offline or blocked: cannot reach data.dgl.ai (ENOTFOUND).');
    expect(row('demo').find('[data-test=download-state]').text()).toBe('generated');

    await row('cora').find('button').trigger('click');
    expect(fake.call).toHaveBeenCalledWith('datasets.download', { name: 'cora' });
    await wrapper.find('button[title^="Ask the servers again"]').trigger('click');
    await flushPromises();
    expect(fake.call).toHaveBeenCalledWith('datasets.checkDownloads', { refresh: true });
  });
});
