// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { DEFAULT_QUERY } from '../runs-table';
import type { EpochMetricRow, RunSummary } from '../../../contract/api';
import { makeRun } from '../test-fixtures';
import { mountComposable } from './testing/mount-composable';
import { useRuns } from './useRuns';

function runsOver(list: RunSummary[]) {
  const mounted = mountComposable(() => useRuns(ref({ ...DEFAULT_QUERY }), ref(0)), { 'runs.list': () => ({ runs: list, total: list.length }) });
  return { ...mounted, runs: () => mounted.result.runs.value, listCalls: () => mounted.calls('runs.list').length };
}

const metrics: EpochMetricRow[] = [0, 1].map((student) => ({ epoch: 7, student, taskLoss: 0.2, distillLoss: 0.1, trainMetric: 0.9, valMetric: 0.4, testMetric: 0.3, epochMs: 5, elapsedMs: 35 }));

afterEach(() => {
  vi.useRealTimers();
});

describe('useRuns', () => {
  it('takes progress and each student\'s best from run.epoch events as they come, without recomputing', async () => {
    const s = runsOver([makeRun({ id: 4, status: 'queued', epochs: 0, plannedEpochs: 20 })]);
    await flushPromises();
    // the store's best is not this epoch's value (an earlier epoch was better): the event says so
    const best = [0, 1].map((idx) => ({ idx, bestVal: 0.6, bestEpoch: 3, testAtBest: 0.55 }));
    s.emit({ type: 'run.epoch', runId: 4, epoch: 7, plannedEpochs: 20, metrics, best });
    expect(s.runs()[0]).toMatchObject({ status: 'running', epochs: 7, plannedEpochs: 20, students: best });
    s.wrapper.unmount();
  });

  it('reloads the list once the event stream is back after being down', async () => {
    vi.useFakeTimers();
    const list = [makeRun({ id: 4, status: 'running', epochs: 2, plannedEpochs: 20, finishedAt: null })];
    const s = runsOver(list);
    await vi.advanceTimersByTimeAsync(0);
    expect(s.listCalls()).toBe(1);
    s.setConnection('reconnecting');
    list[0] = { ...list[0], status: 'completed', epochs: 20 }; // what happened meanwhile
    s.setConnection('open');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(s.listCalls()).toBe(2);
    expect(s.runs()[0]).toMatchObject({ status: 'completed', epochs: 20 });
    // and nothing polls after that
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.listCalls()).toBe(2);
    s.wrapper.unmount();
  });

  it('reloads after a history import added runs', async () => {
    vi.useFakeTimers();
    const s = runsOver([makeRun({ id: 1 })]);
    await vi.advanceTimersByTimeAsync(0);
    s.emit({ type: 'history.imported', runs: 40 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(s.listCalls()).toBe(2);
    s.wrapper.unmount();
  });
});
