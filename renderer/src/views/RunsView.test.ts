// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { mountView } from '../fake-client.testutil';
import { RUN_STATUS_VALUES, type RunStatus, type RunSummary } from '../../../contract/api';
import { DEFAULT_QUERY, listInput, PAGE_SIZE } from '../runs-table';
import { makeRun } from '../test-fixtures';
import RunsView from './RunsView.vue';

const runs = [
  makeRun({ id: 1, name: 'alpha', strategy: 'oc', seed: 3, createdAt: '2026-01-01T00:00:00Z' }),
  makeRun({ id: 2, name: 'beta', strategy: 'alignahead', seed: 1, createdAt: '2026-01-02T00:00:00Z' }),
  makeRun({ id: 3, name: 'gamma', strategy: 'alignahead', seed: 2, status: 'running', epochs: 10, plannedEpochs: 40, finishedAt: null, createdAt: '2026-01-03T00:00:00Z' }),
];

type ListInput = { status?: RunStatus[]; search?: string; sort?: keyof RunSummary; descending?: boolean; offset?: number; limit?: number };

/**
 * The store's side of runs.list, as far as these runs need it: status and `strategy:` filters, the
 * seed sort, newest first otherwise (the store's own semantics are tested in core/store/run-query.test.ts).
 */
function storeAnswer(list: RunSummary[], input: ListInput) {
  const strategy = /strategy:(\S+)/.exec(input.search ?? '')?.[1];
  const kept = list.filter((r) => (!input.status || input.status.includes(r.status)) && (!strategy || r.strategy === strategy));
  const sign = input.descending === false ? 1 : -1;
  const key = input.sort === 'seed' ? 'seed' : 'id';
  const sorted = [...kept].sort((a, b) => sign * (a[key] - b[key]));
  const statuses = Object.fromEntries(RUN_STATUS_VALUES.map((s) => [s, list.filter((r) => r.status === s).length])) as Record<RunStatus, number>;
  return { runs: sorted, total: sorted.length, facets: { statuses, strategies: [...new Set(list.map((r) => r.strategy))], groups: [] } };
}

async function mountRuns() {
  let current = [...runs];
  const { wrapper, fake, address } = mountView(RunsView, {
    handlers: {
      'runs.list': (input) => storeAnswer(current, input as ListInput),
      'runs.get': (input) => ({ ...current.find((r) => r.id === (input as { id: number }).id), notes: 'old notes' }),
      'runs.rename': (input) => {
        const { id, name } = input as { id: number; name: string };
        current = current.map((r) => (r.id === id ? { ...r, name } : r));
        return current.find((r) => r.id === id);
      },
      'runs.tag': (input) => current.find((r) => r.id === (input as { id: number }).id),
      'runs.note': (input) => current.find((r) => r.id === (input as { id: number }).id),
      'runs.delete': (input) => {
        const { ids } = input as { ids: number[] };
        current = current.filter((r) => !ids.includes(r.id));
        return { deleted: ids };
      },
    },
  });
  await flushPromises();
  const names = () => wrapper.findAll('tbody tr td.name a').map((a) => a.text());
  return { wrapper, fake, names, address };
}

describe('RunsView', () => {
  it('asks the store for the first page, newest first, and shows live progress', async () => {
    const { wrapper, fake, names } = await mountRuns();
    expect(fake.call).toHaveBeenCalledWith('runs.list', listInput(DEFAULT_QUERY, 0));
    expect(names()).toEqual(['gamma', 'beta', 'alpha']);
    expect(wrapper.findAll('.chip-toggle').map((b) => b.text())).toContain('running 1');
    expect(wrapper.find('[role=progressbar]').attributes('aria-valuenow')).toBe('25');
    wrapper.unmount();
  });

  it('moves progress and best metric in place on run.epoch events', async () => {
    const { wrapper, fake } = await mountRuns();
    fake.emit({
      type: 'run.epoch',
      runId: 3,
      epoch: 30,
      plannedEpochs: 40,
      metrics: [{ epoch: 30, student: 0, taskLoss: 0.1, distillLoss: 0.01, trainMetric: 0.9, valMetric: 0.77, testMetric: 0.75, epochMs: 5, elapsedMs: 150 }],
      best: [{ idx: 0, bestVal: 0.77, bestEpoch: 30, testAtBest: 0.75 }],
    });
    await flushPromises();
    expect(wrapper.find('[role=progressbar]').attributes('aria-valuenow')).toBe('75');
    expect(wrapper.find('tr[data-run-id="3"]').text()).toContain('0.770');
    wrapper.unmount();
  });

  it('has the store search (after a pause in typing) and filter by status chip', async () => {
    const { wrapper, fake, names } = await mountRuns();
    await wrapper.find('#run-search').setValue('strategy:alignahead');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await flushPromises();
    expect(fake.call).toHaveBeenLastCalledWith('runs.list', expect.objectContaining({ search: 'strategy:alignahead', offset: 0 }));
    expect(names()).toEqual(['gamma', 'beta']);
    await wrapper.find('#run-search').setValue('');
    const running = wrapper.findAll('.chip-toggle').find((b) => b.text().startsWith('running'))!;
    await running.trigger('click');
    await flushPromises();
    expect(fake.call).toHaveBeenLastCalledWith('runs.list', expect.objectContaining({ status: ['running'] }));
    expect(names()).toEqual(['gamma']);
    wrapper.unmount();
  });

  it('has the store sort when a header is clicked, and flip on the second click', async () => {
    const { wrapper, fake, names } = await mountRuns();
    const seedHeader = () => wrapper.findAll('th').find((th) => th.text().startsWith('Seed'))!;
    await seedHeader().trigger('click');
    await flushPromises();
    expect(fake.call).toHaveBeenLastCalledWith('runs.list', expect.objectContaining({ sort: 'seed', descending: false }));
    expect(names()).toEqual(['beta', 'gamma', 'alpha']);
    await seedHeader().trigger('click');
    await flushPromises();
    expect(names()).toEqual(['alpha', 'gamma', 'beta']);
    expect(seedHeader().attributes('aria-sort')).toBe('descending');
    wrapper.unmount();
  });

  it('pages through a long history a page at a time', async () => {
    const many = Array.from({ length: 250 }, (_, i) => makeRun({ id: i + 1, name: `run ${i + 1}` }));
    const { wrapper, fake } = mountView(RunsView, {
      handlers: {
        'runs.list': (input) => {
          const { offset = 0, limit = 100 } = input as ListInput;
          return { runs: [...many].reverse().slice(offset, offset + limit), total: many.length };
        },
      },
    });
    await flushPromises();
    expect(wrapper.findAll('tbody tr')).toHaveLength(PAGE_SIZE);
    expect(wrapper.find('[data-test=page-range]').text()).toBe('1–100 of 250');
    await wrapper.find('[aria-label="next page"]').trigger('click');
    await flushPromises();
    expect(fake.call).toHaveBeenLastCalledWith('runs.list', expect.objectContaining({ offset: 100, limit: 100 }));
    expect(wrapper.find('tbody tr').attributes('data-run-id')).toBe('150');
    await wrapper.find('[aria-label="last page"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-test=page-range]').text()).toBe('201–250 of 250');
    expect(wrapper.findAll('tbody tr')).toHaveLength(50);
    // a new sort starts again on the first page
    await wrapper.findAll('th').find((th) => th.text().startsWith('Seed'))!.trigger('click');
    await flushPromises();
    expect(fake.call).toHaveBeenLastCalledWith('runs.list', expect.objectContaining({ sort: 'seed', offset: 0 }));
    wrapper.unmount();
  });

  it('deletes the selected runs only after confirmation', async () => {
    const { wrapper, fake, names } = await mountRuns();
    await wrapper.find('input[aria-label="select run 1"]').setValue(true);
    const deleteButton = wrapper.findAll('.toolbar button').find((b) => b.text() === 'Delete')!;
    await deleteButton.trigger('click');
    expect(fake.call).not.toHaveBeenCalledWith('runs.delete', expect.anything());
    await wrapper.find('.dialog [data-test=confirm]').trigger('click');
    await flushPromises();
    expect(fake.call).toHaveBeenCalledWith('runs.delete', { ids: [1], force: false });
    expect(names()).toEqual(['gamma', 'beta']);
    wrapper.unmount();
  });

  it('renames, tags and annotates the focused run from the inspector', async () => {
    const { wrapper, fake, names } = await mountRuns();
    await wrapper.find('tr[data-run-id="2"]').trigger('click');
    await flushPromises();
    expect((wrapper.find('.inspector textarea').element as HTMLTextAreaElement).value).toBe('old notes');
    await wrapper.find('[data-test=rename]').setValue('beta prime');
    await wrapper.find('[data-test=tags]').setValue('final, cora ,');
    await wrapper.find('.inspector textarea').setValue('new notes');
    await wrapper.findAll('.inspector button').find((b) => b.text() === 'Save')!.trigger('click');
    await flushPromises();
    expect(fake.call).toHaveBeenCalledWith('runs.rename', { id: 2, name: 'beta prime' });
    expect(fake.call).toHaveBeenCalledWith('runs.tag', { id: 2, tags: ['final', 'cora'] });
    expect(fake.call).toHaveBeenCalledWith('runs.note', { id: 2, notes: 'new notes' });
    expect(names()).toContain('beta prime');
    wrapper.unmount();
  });

  it('compares the selected runs and opens a focused one from the inspector', async () => {
    const { wrapper, address } = await mountRuns();
    await wrapper.find('input[aria-label="select run 1"]').setValue(true);
    await wrapper.find('input[aria-label="select run 3"]').setValue(true);
    await wrapper.findAll('.toolbar button').find((b) => b.text() === 'Compare')!.trigger('click');
    await flushPromises();
    expect(address()).toBe('/compare?ids=1,3');
    await wrapper.find('tr[data-run-id="2"]').trigger('click');
    await wrapper.findAll('.inspector button').find((b) => b.text() === 'Edit & run')!.trigger('click');
    await flushPromises();
    expect(address()).toBe('/new?from=2');
    wrapper.unmount();
  });

  it('shows the server error when the list cannot be loaded', async () => {
    const { wrapper } = mountView(RunsView, { handlers: {} });
    await flushPromises();
    expect(wrapper.find('[role=alert]').text()).toContain('runs.list: not handled by the fake');
    wrapper.unmount();
  });
});
