// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QueueStatus, WorkerInfo } from '../../../contract/api';
import { ApiError } from '../api/api-error';
import { WORKERS_POLL_MS } from '../composables/useQueue';
import { mountView } from '../fake-client.testutil';
import WorkersView from './WorkersView.vue';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const CONNECTED: QueueStatus = {
  url: 'redis://lab:***@10.0.0.5:6379',
  state: 'connected',
  error: null,
  coordinator: 'coord-1',
  depth: { waiting: 3, active: 1, delayed: 0, failed: 2 },
  ingest: { applied: 120, skipped: 4, refused: 1 },
};
const OFF: QueueStatus = { url: null, state: 'off', error: null, coordinator: null, depth: null, ingest: null };

const gpuBox: WorkerInfo = {
  id: 'w-1',
  name: 'gpu-box-1',
  host: 'box-a',
  backend: 'webgpu',
  adapter: 'NVIDIA RTX 4090 (vulkan)',
  concurrency: 2,
  jobs: [{ runId: 7, epoch: 12, plannedEpochs: 40, startedAt: '2026-03-01T11:59:00Z' }],
  lastHeartbeat: '2026-03-01T11:59:59.500Z',
};
const slowBox: WorkerInfo = { ...gpuBox, id: 'w-2', name: 'slow-box', host: 'box-b', backend: 'multicore', adapter: null, concurrency: 1, jobs: [], lastHeartbeat: '2026-03-01T11:59:54Z' };

function mountWorkers(answers: { list: () => { queue: QueueStatus; workers: WorkerInfo[] }; configure?: (input: unknown) => unknown }) {
  return mountView(WorkersView, {
    handlers: {
      'workers.list': answers.list,
      'queue.configure': answers.configure ?? (() => CONNECTED),
    },
  });
}

describe('WorkersView', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it('lists each worker with its backend, adapter, jobs and the age of its heartbeat, and the queue counters', async () => {
    const { wrapper } = mountWorkers({ list: () => ({ queue: CONNECTED, workers: [gpuBox, slowBox] }) });
    await flushPromises();
    const row = wrapper.find('tr[data-worker="gpu-box-1"]');
    expect(row.text()).toContain('box-a');
    expect(row.text()).toContain('webgpu');
    expect(row.text()).toContain('NVIDIA RTX 4090 (vulkan)');
    expect(row.text()).toContain('1/2');
    const job = row.find('[data-job-run="7"]');
    expect(job.find('a').attributes('href')).toBe('/runs/7');
    expect(job.text()).toContain('epoch 12/40');
    expect(job.find('[role=progressbar]').attributes('aria-valuenow')).toBe('30');
    expect(job.text()).toContain('for 1m 0s');
    expect(row.find('[data-test=heartbeat]').text()).toBe('just now');
    // 6 s without a beat: missed beats even allowing for the polling, shown as late
    const late = wrapper.find('tr[data-worker="slow-box"] [data-test=heartbeat]');
    expect(late.text()).toBe('6.0 s ago');
    expect(late.classes()).toContain('warn-text');
    expect(wrapper.find('tr[data-worker="slow-box"]').text()).toContain('idle');
    expect(wrapper.find('[data-test=workers-summary]').text()).toContain('2 connected · 1 of 3 job slots busy');
    expect(wrapper.find('[data-test=queue-state]').text()).toBe('connected');
    expect(wrapper.find('[data-test=queue-url]').text()).toBe('redis://lab:***@10.0.0.5:6379');
    const counters = wrapper.find('[data-test=queue-settings] table').text();
    expect(counters).toContain('3 waiting · 1 active · 0 delayed · 2 failed');
    expect(counters).toContain('120 applied · 4 duplicates skipped · 1 refused');
    wrapper.unmount();
  });

  it('polls the workers: a new job, a worker gone, ages ticking', async () => {
    let answer = { queue: CONNECTED, workers: [gpuBox, slowBox] };
    const { wrapper, fake } = mountWorkers({ list: () => answer });
    await flushPromises();
    expect(wrapper.findAll('tr[data-worker]')).toHaveLength(2);
    answer = { queue: CONNECTED, workers: [{ ...gpuBox, jobs: [...gpuBox.jobs, { runId: 8, epoch: 1, plannedEpochs: null, startedAt: '2026-03-01T12:00:01Z' }] }] };
    await vi.advanceTimersByTimeAsync(WORKERS_POLL_MS);
    await flushPromises();
    expect(fake.call.mock.calls.filter(([name]) => name === 'workers.list')).toHaveLength(2);
    expect(wrapper.findAll('tr[data-worker]')).toHaveLength(1);
    expect(wrapper.find('[data-job-run="8"]').text()).toContain('epoch 1/?');
    // the beat of 11:59:59.5 is now 3.5 s old: within a poll interval, not late
    expect(wrapper.find('[data-test=heartbeat]').text()).toBe('3.0 s ago');
    expect(wrapper.find('[data-test=heartbeat]').classes()).not.toContain('warn-text');
    wrapper.unmount();
    // unmounted: no more polling
    const calls = fake.call.mock.calls.length;
    await vi.advanceTimersByTimeAsync(WORKERS_POLL_MS * 3);
    expect(fake.call.mock.calls.length).toBe(calls);
  });

  it('without a queue: says so, connects on a typed URL and clears the field so the password leaves the screen', async () => {
    let queue = OFF;
    const { wrapper, fake } = mountWorkers({
      list: () => ({ queue, workers: queue === OFF ? [] : [gpuBox] }),
      configure: () => (queue = CONNECTED),
    });
    await flushPromises();
    expect(wrapper.find('[data-test=queue-state]').text()).toBe('no queue');
    expect(wrapper.find('[data-test=no-workers]').text()).toContain('Set the queue');
    const field = wrapper.find('input[name=queue-url]');
    await field.setValue('redis://lab:s3cret@10.0.0.5:6379');
    await wrapper.find('[data-test=queue-settings] form').trigger('submit');
    await flushPromises();
    expect(fake.call).toHaveBeenCalledWith('queue.configure', { url: 'redis://lab:s3cret@10.0.0.5:6379' });
    expect((field.element as HTMLInputElement).value).toBe('');
    expect(wrapper.text()).not.toContain('s3cret');
    expect(wrapper.find('tr[data-worker="gpu-box-1"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it("refuses the redacted *** as a password and a non-Redis URL before asking the server; shows the server's refusal", async () => {
    const { wrapper, fake } = mountWorkers({
      list: () => ({ queue: CONNECTED, workers: [] }),
      configure: () => {
        throw new ApiError("queue.configure: invalid queue URL 'redis://:***@host:99999': port out of range", 400);
      },
    });
    await flushPromises();
    expect(wrapper.find('[data-test=no-workers]').text()).toContain('alignahead worker --queue redis://lab:***@10.0.0.5:6379');
    const field = wrapper.find('input[name=queue-url]');
    const save = () => wrapper.find('[data-test=queue-settings] form').trigger('submit');
    await field.setValue('redis://lab:***@10.0.0.5:6379');
    await save();
    expect(wrapper.find('[data-test=queue-problem]').text()).toContain('hidden password');
    await field.setValue('http://10.0.0.5:6379');
    await save();
    expect(wrapper.find('[data-test=queue-problem]').text()).toContain('redis://');
    expect(fake.call).not.toHaveBeenCalledWith('queue.configure', expect.anything());
    await field.setValue('redis://h:99999');
    await save();
    await flushPromises();
    expect(wrapper.find('[data-test=queue-problem]').text()).toContain('port out of range');
    // refused: the field keeps what was typed, to be corrected
    expect((field.element as HTMLInputElement).value).toBe('redis://h:99999');
    wrapper.unmount();
  });

  it('shows why the queue is unreachable, and removes the queue with null', async () => {
    let queue: QueueStatus = { ...CONNECTED, state: 'unreachable', error: 'connect ECONNREFUSED 10.0.0.5:6379', depth: null, ingest: null };
    const { wrapper, fake } = mountWorkers({ list: () => ({ queue, workers: [] }), configure: () => (queue = OFF) });
    await flushPromises();
    expect(wrapper.find('[data-test=queue-state]').text()).toBe('unreachable');
    expect(wrapper.find('[data-test=queue-error]').text()).toBe('connect ECONNREFUSED 10.0.0.5:6379');
    expect(wrapper.find('[data-test=no-workers]').text()).toContain('unreachable');
    await wrapper.find('[data-test=queue-remove]').trigger('click');
    await flushPromises();
    expect(fake.call).toHaveBeenCalledWith('queue.configure', { url: null });
    expect(wrapper.find('[data-test=queue-state]').text()).toBe('no queue');
    expect(wrapper.find('[data-test=queue-remove]').exists()).toBe(false);
    wrapper.unmount();
  });
});
