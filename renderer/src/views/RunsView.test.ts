// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { mountView } from '../fake-client.testutil';
import { makeRun } from '../test-fixtures';
import RunsView from './RunsView.vue';

const runs = [
  makeRun({ id: 1, name: 'alpha', strategy: 'oc', seed: 3, createdAt: '2026-01-01T00:00:00Z' }),
  makeRun({ id: 2, name: 'beta', strategy: 'alignahead', seed: 1, createdAt: '2026-01-02T00:00:00Z' }),
  makeRun({ id: 3, name: 'gamma', strategy: 'alignahead', seed: 2, status: 'running', epochs: 10, plannedEpochs: 40, finishedAt: null, createdAt: '2026-01-03T00:00:00Z' }),
];

async function mountRuns() {
  let current = [...runs];
  const { wrapper, fake, address } = mountView(RunsView, {
    handlers: {
      'runs.list': () => ({ runs: current, total: current.length }),
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
  it('lists runs newest first and shows live progress', async () => {
    const { wrapper, names } = await mountRuns();
    expect(names()).toEqual(['gamma', 'beta', 'alpha']);
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

  it('filters by search text and by status chip', async () => {
    const { wrapper, names } = await mountRuns();
    await wrapper.find('#run-search').setValue('strategy:alignahead');
    expect(names()).toEqual(['gamma', 'beta']);
    await wrapper.find('#run-search').setValue('');
    const running = wrapper.findAll('.chip-toggle').find((b) => b.text().startsWith('running'))!;
    await running.trigger('click');
    expect(names()).toEqual(['gamma']);
    wrapper.unmount();
  });

  it('sorts when a header is clicked, and flips on the second click', async () => {
    const { wrapper, names } = await mountRuns();
    const seedHeader = wrapper.findAll('th').find((th) => th.text().startsWith('Seed'))!;
    await seedHeader.trigger('click');
    expect(names()).toEqual(['beta', 'gamma', 'alpha']);
    await seedHeader.trigger('click');
    expect(names()).toEqual(['alpha', 'gamma', 'beta']);
    expect(seedHeader.attributes('aria-sort')).toBe('descending');
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
