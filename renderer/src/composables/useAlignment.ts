import { shallowRef, watch, type Ref } from 'vue';
import type { AlignmentMatrixRow, RunDetail } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi, useEvents } from './api-context';
import { useAsyncState } from './async-state';

/**
 * A run's alignment matrices for every recorded epoch, fetched up front so the epoch slider and
 * the play button move without waiting, and so one colour scale can span all epochs.
 */
export function useAlignment(runId: Ref<number | null>) {
  const api = useApi();
  const state = useAsyncState<RunDetail>();
  const epochs = shallowRef<number[]>([]);
  const byEpoch = shallowRef(new Map<number, AlignmentMatrixRow[]>());

  async function fetchEpoch(id: number, epoch: number, isCurrent: () => boolean): Promise<void> {
    const result = await api.call('runs.alignment', { id, epoch });
    if (isCurrent()) byEpoch.value = new Map(byEpoch.value).set(epoch, result.matrices);
  }

  /** A few requests at a time: the other epochs arrive while the latest one is shown. */
  async function fetchEpochs(id: number, missing: number[], isCurrent: () => boolean): Promise<void> {
    const queue = [...missing];
    try {
      await Promise.all(
        Array.from({ length: Math.min(4, queue.length) }, async () => {
          while (queue.length > 0 && isCurrent()) await fetchEpoch(id, queue.shift()!, isCurrent);
        }),
      );
    } catch (e) {
      if (isCurrent()) state.error.value = errorMessage(e);
    }
  }

  /** The run and its latest matrices; the rest of the epochs follow. */
  async function load(id: number, isCurrent: () => boolean): Promise<RunDetail> {
    const [detail, latest] = await Promise.all([api.call('runs.get', { id }), api.call('runs.alignment', { id })]);
    if (isCurrent()) {
      epochs.value = latest.epochs;
      byEpoch.value = latest.epoch === null ? new Map() : new Map([[latest.epoch, latest.matrices]]);
      void fetchEpochs(id, latest.epochs.filter((e) => e !== latest.epoch), isCurrent);
    }
    return detail;
  }

  useEvents((event) => {
    if (event.type !== 'run.alignment' || event.runId !== runId.value) return;
    if (!epochs.value.includes(event.epoch)) epochs.value = [...epochs.value, event.epoch].sort((a, b) => a - b);
    void fetchEpoch(event.runId, event.epoch, () => runId.value === event.runId).catch(() => undefined);
  });

  watch(
    runId,
    (id) => {
      state.reset();
      epochs.value = [];
      byEpoch.value = new Map();
      if (id !== null) void state.run((isCurrent) => load(id, isCurrent));
    },
    { immediate: true },
  );

  return { detail: state.data, epochs, byEpoch, loading: state.loading, error: state.error };
}
