// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { RunDetail, RunEventRow } from '../../../contract/api';
import type { DistillationSignalRow } from '../../../contract/distillation-signal';
import { nearUniformSignalRow } from '../../../contract/testing/signal-rows';
import { mountView } from '../fake-client.testutil';
import { makeCompareEntry } from '../test-fixtures';
import RunView from './RunView.vue';

const WARNING = 'epoch 0: at τ = 100 these features give near-uniform local structure (structure contrast 7.3e-7, below 1.0e-4): the distillation term barely acts';
const signalRow = (epoch: number) => nearUniformSignalRow({ epoch });

function mountRun(events: RunEventRow[], signal: DistillationSignalRow[]) {
  const { run, metrics } = makeCompareEntry(7, 'alignahead', [0.8, 0.79]);
  const detail: RunDetail = { ...run, id: 7, status: 'running' };
  return mountView(RunView, {
    props: { id: 7 },
    handlers: {
      'runs.get': () => detail,
      'runs.metrics': () => metrics,
      'runs.events': () => events,
      'runs.signal': (input) => signal.filter((r) => r.epoch > ((input as { afterEpoch?: number }).afterEpoch ?? -1)),
    },
  });
}

describe('RunView: the distillation signal', () => {
  it('shows the inert-term warning, follows new signal epochs, and drops the warning after an all-clear', async () => {
    const signal = [signalRow(0)];
    const { wrapper, fake } = mountRun([{ id: 1, at: '2026-01-01T10:00:00.000Z', level: 'warn', kind: 'distillation', message: WARNING }], signal);
    await flushPromises();
    expect(wrapper.find('[data-test=distillation-warning]').text()).toContain('near-uniform local structure');
    expect(wrapper.find('[data-test=signal-panel]').exists()).toBe(true);
    expect(fake.call).toHaveBeenCalledWith('runs.signal', { id: 7 });

    signal.push(signalRow(1));
    fake.emit({ type: 'run.signal', runId: 7, epoch: 1 });
    await flushPromises();
    expect(fake.call).toHaveBeenCalledWith('runs.signal', { id: 7, afterEpoch: 0 });

    fake.emit({ type: 'run.log', runId: 7, level: 'info', kind: 'distillation', message: 'epoch 9: the distillation term acts on every planned layer pair again' });
    await flushPromises();
    expect(wrapper.find('[data-test=distillation-warning]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('shows no warning for a run without one', async () => {
    const { wrapper } = mountRun([], []);
    await flushPromises();
    expect(wrapper.find('[data-test=distillation-warning]').exists()).toBe(false);
    expect(wrapper.text()).toContain('No distillation signal recorded');
    wrapper.unmount();
  });
});
