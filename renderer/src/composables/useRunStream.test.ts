// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import type { ApiEvent, EpochMetricRow, RunDetail, StudentBest } from '../../../contract/api';
import { makeRun } from '../test-fixtures';
import { mountComposable } from './testing/mount-composable';
import { lastEpochOf, mergeRows, placeEpoch, useRunStream, withBest } from './useRunStream';

const row = (epoch: number, student: number): EpochMetricRow => ({
  epoch,
  student,
  taskLoss: 1 / epoch,
  distillLoss: 0.1,
  trainMetric: 0.5,
  valMetric: 0.5 + 0.01 * epoch,
  testMetric: null,
  epochMs: 10,
  elapsedMs: 10 * epoch,
});
const epochRows = (epoch: number) => [row(epoch, 0), row(epoch, 1)];
const rowsUpTo = (last: number) => Array.from({ length: last }, (_, i) => epochRows(i + 1)).flat();
const best = (epoch: number): StudentBest[] => [0, 1].map((idx) => ({ idx, bestVal: 0.5 + 0.01 * epoch, bestEpoch: epoch, testAtBest: null }));
const epochEvent = (epoch: number): ApiEvent => ({ type: 'run.epoch', runId: 1, epoch, plannedEpochs: 10, metrics: epochRows(epoch), best: best(epoch) });

const epochsOf = (rows: readonly EpochMetricRow[]) => [...new Set(rows.map((r) => r.epoch))];

describe('gap refill, the pure parts', () => {
  it('places an event after the rows held: next, already held, or past a gap', () => {
    expect(lastEpochOf([])).toBe(0);
    expect(lastEpochOf(rowsUpTo(3))).toBe(3);
    expect(placeEpoch([], 1)).toBe('next');
    expect(placeEpoch(rowsUpTo(3), 4)).toBe('next');
    expect(placeEpoch(rowsUpTo(3), 3)).toBe('held');
    expect(placeEpoch(rowsUpTo(3), 1)).toBe('held');
    expect(placeEpoch(rowsUpTo(3), 5)).toBe('gap');
    expect(placeEpoch([], 2)).toBe('gap');
  });

  it('merges fetched rows after those held, each epoch once', () => {
    const merged = mergeRows(rowsUpTo(2), rowsUpTo(4).slice(2));
    expect(merged.map((r) => [r.epoch, r.student])).toEqual([1, 2, 3, 4].flatMap((e) => [[e, 0], [e, 1]]));
    // a refill that answers with rows the events already brought adds nothing
    expect(mergeRows(rowsUpTo(4), rowsUpTo(4).slice(4))).toEqual(rowsUpTo(4));
    expect(mergeRows(rowsUpTo(4), rowsUpTo(3).slice(2))).toEqual(rowsUpTo(4));
  });

  it('replaces only the best fields of the detail\'s students', () => {
    const detail = { ...makeRun({ id: 1 }), students: [0, 1].map((idx) => ({ idx, bestVal: 0.1, bestEpoch: 1, testAtBest: null, epochsTo95: 7, secondsTo95: 1, epochsTo99: 9, secondsTo99: 2 })) } as unknown as RunDetail;
    expect(withBest(detail, best(4))).toEqual([0, 1].map((idx) => ({ idx, bestVal: 0.54, bestEpoch: 4, testAtBest: null, epochsTo95: 7, secondsTo95: 1, epochsTo99: 9, secondsTo99: 2 })));
  });
});

/** A promise the test settles when it wants: a request held in flight. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * The stream of run 1 over a fake backend holding `stored` rows. A runs.metrics answer is taken
 * when asked; `holdMetrics` keeps the next one in flight until released (`holdFirstLoad`: the first
 * load's).
 */
function streamOver(stored: EpochMetricRow[], options: { holdFirstLoad?: boolean } = {}) {
  let held: ReturnType<typeof deferred> | null = null;
  const firstLoad = options.holdFirstLoad ? (held = deferred()) : null;
  const students = [0, 1].map((idx) => ({ idx, bestVal: null, bestEpoch: null, testAtBest: null, epochsTo95: null, secondsTo95: null, epochsTo99: null, secondsTo99: null }));
  const detail = { ...makeRun({ id: 1, status: 'running', plannedEpochs: 10 }), students, config: {}, notes: '', backend: null, backendReport: null, versions: null, cancelRequested: false, planPairs: [] };
  const runId = ref<number | null>(1);
  const mounted = mountComposable(() => useRunStream(runId), {
    'runs.get': () => ({ ...detail, epochs: lastEpochOf(stored) }),
    'runs.events': () => [],
    'runs.metrics': async (input) => {
      const { afterEpoch = 0 } = input as { afterEpoch?: number };
      const answer = stored.filter((r) => r.epoch > afterEpoch);
      const gate = held;
      held = null;
      if (gate) await gate.promise;
      return answer;
    },
  });
  const stream = mounted.result;
  /** the trainer records these epochs (their events are the test's to send) */
  const record = (...epochs: number[]) => stored.push(...epochs.flatMap(epochRows));
  return { ...mounted, stream, runId, firstLoad, record, holdMetrics: () => (held = deferred()) };
}

/** A stream that has loaded epochs 1..`epochs`. */
async function loadedStream(epochs: number) {
  const s = streamOver(rowsUpTo(epochs));
  await flushPromises();
  return s;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('useRunStream', () => {
  it('appends each epoch from its event and shows the best the event carries, with no polling', async () => {
    vi.useFakeTimers();
    const s = await loadedStream(2);
    expect(epochsOf(s.stream.metrics.value)).toEqual([1, 2]);
    s.record(3);
    s.emit(epochEvent(3));
    expect(epochsOf(s.stream.metrics.value)).toEqual([1, 2, 3]);
    expect(s.stream.detail.value).toMatchObject({ epochs: 3, plannedEpochs: 10 });
    expect(s.stream.detail.value!.students.map((st) => [st.idx, st.bestVal, st.bestEpoch, st.epochsTo95])).toEqual([
      [0, 0.53, 3, null],
      [1, 0.53, 3, null],
    ]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.calls('runs.get')).toHaveLength(1);
    expect(s.calls('runs.metrics')).toEqual([{ id: 1 }]);
    s.wrapper.unmount();
  });

  it('refills the epochs between the rows held and an event past a gap', async () => {
    const s = await loadedStream(2);
    s.record(3, 4, 5);
    s.emit(epochEvent(5)); // 3 and 4 never arrived
    await flushPromises();
    expect(s.calls('runs.metrics').at(-1)).toEqual({ id: 1, afterEpoch: 2 });
    expect(epochsOf(s.stream.metrics.value)).toEqual([1, 2, 3, 4, 5]);
    expect(s.stream.metrics.value).toHaveLength(10);
    s.wrapper.unmount();
  });

  it('refills again for events that arrive while a refill is in flight, and never holds an epoch twice', async () => {
    const s = await loadedStream(2);
    s.record(3, 4, 5);
    const gate = s.holdMetrics();
    s.emit(epochEvent(5));
    // while the refill waits, epochs 6 and 7 are recorded and announced
    s.record(6, 7);
    s.emit(epochEvent(6));
    s.emit(epochEvent(7));
    gate.resolve();
    await flushPromises();
    expect(epochsOf(s.stream.metrics.value)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.stream.metrics.value).toHaveLength(14);
    expect(s.calls('runs.metrics').slice(1)).toEqual([
      { id: 1, afterEpoch: 2 },
      { id: 1, afterEpoch: 5 },
    ]);
    // an event for an epoch already held changes nothing
    s.emit(epochEvent(6));
    expect(s.stream.metrics.value).toHaveLength(14);
    s.wrapper.unmount();
  });

  it('catches up after the event stream was down: missing epochs, detail and log', async () => {
    const s = await loadedStream(2);
    s.setConnection('reconnecting');
    s.record(3, 4); // recorded while nothing reached the page
    s.setConnection('open');
    await flushPromises();
    expect(epochsOf(s.stream.metrics.value)).toEqual([1, 2, 3, 4]);
    expect(s.stream.detail.value).toMatchObject({ epochs: 4 });
    expect(s.calls('runs.get')).toHaveLength(2);
    expect(s.calls('runs.events')).toHaveLength(2);
    // the next event follows on
    s.record(5);
    s.emit(epochEvent(5));
    expect(epochsOf(s.stream.metrics.value)).toEqual([1, 2, 3, 4, 5]);
    s.wrapper.unmount();
  });

  it('keeps an epoch announced while the first load was in flight', async () => {
    // the first load's metrics were read before epoch 3 was recorded, and answer late
    const s = streamOver(rowsUpTo(2), { holdFirstLoad: true });
    s.record(3);
    s.emit(epochEvent(3));
    s.firstLoad!.resolve();
    await flushPromises();
    expect(epochsOf(s.stream.metrics.value)).toEqual([1, 2, 3]);
    expect(s.calls('runs.metrics')).toEqual([{ id: 1 }, { id: 1, afterEpoch: 2 }]);
    s.wrapper.unmount();
  });

  it('drops late answers for a run no longer shown', async () => {
    const s = streamOver(rowsUpTo(2), { holdFirstLoad: true });
    await flushPromises();
    s.runId.value = null;
    await flushPromises();
    s.firstLoad!.resolve();
    await flushPromises();
    expect(s.stream.metrics.value).toEqual([]);
    expect(s.stream.detail.value).toBeNull();
    s.wrapper.unmount();
  });
});
