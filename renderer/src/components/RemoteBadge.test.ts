// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import type { RunDetail } from '../../../contract/api';
import { createAppRouter } from '../router';
import { makeCompareEntry, makeRun } from '../test-fixtures';
import RunSidePanels from './run/RunSidePanels.vue';
import RunsTable from './runs/RunsTable.vue';

/** Where a run trains, as the runs table and the run view's side panel show it. */

const router = createAppRouter(createMemoryHistory());
const tableRow = (run: ReturnType<typeof makeRun>) =>
  mount(RunsTable, {
    props: { rows: [run], selected: new Set<number>(), focusedId: null, sortKey: 'id', descending: false, now: Date.now() },
    global: { plugins: [router] },
  }).find(`tr[data-run-id="${run.id}"]`);

describe('remote runs in the runs table and the run view', () => {
  it('the table marks a remote run with its worker, one waiting for a worker as remote, and a local one not at all', () => {
    const trained = tableRow(makeRun({ id: 1, remote: true, worker: 'gpu-box-1' })).find('[data-test=remote-badge]');
    expect(trained.text()).toBe('remote · gpu-box-1');
    expect(trained.attributes('title')).toContain('remote worker gpu-box-1');
    const waiting = tableRow(makeRun({ id: 2, status: 'queued', remote: true, worker: null })).find('[data-test=remote-badge]');
    expect(waiting.text()).toBe('remote');
    expect(waiting.attributes('title')).toContain('waiting for a remote worker');
    expect(tableRow(makeRun({ id: 3 })).find('[data-test=remote-badge]').exists()).toBe(false);
  });

  it("the run view's side panel names the worker and the data's SHA-256", () => {
    const sha = 'ab'.repeat(32);
    const side = (patch: Partial<RunDetail>) => mount(RunSidePanels, { props: { run: { ...makeCompareEntry(5, 'alignahead', [0.8]).run, ...patch }, metrics: [] } }).text();
    expect(side({ remote: true, worker: 'gpu-box-1', datasetSha256: sha })).toMatch(new RegExp(`trained on\\s*remote worker gpu-box-1[\\s\\S]*data sha256\\s*${sha}`));
    expect(side({ remote: false, worker: null, datasetSha256: sha })).toMatch(/trained on\s*this machine/);
    expect(side({ remote: true, worker: null, datasetSha256: null })).toMatch(/trained on\s*a remote worker \(none has taken it yet\)[\s\S]*data sha256\s*—/);
  });
});
