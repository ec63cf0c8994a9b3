import { shallowRef, watch, type Ref } from 'vue';
import type { DistillationSignalRow } from '../../../contract/distillation-signal';
import { useApi, useEvents, useReconnect } from './api-context';
import { useAsyncState } from './async-state';

/** The newest epoch held; −1 when none (the diagnostic starts at epoch 0). */
const lastEpochOf = (rows: readonly DistillationSignalRow[]) => (rows.length === 0 ? -1 : rows[rows.length - 1].epoch);

/**
 * A run's distillation-signal rows (runs.signal), growing as the run records them: each run.signal
 * event, status change and reconnection fetches the epochs after the newest held.
 */
export function useSignal(runId: Ref<number | null>) {
  const api = useApi();
  const state = useAsyncState<DistillationSignalRow[]>();
  const rows = shallowRef<DistillationSignalRow[]>([]);
  let fetching = false;
  /** asked again while fetching: fetch once more when done */
  let again = false;

  async function fetchNewer(id: number): Promise<void> {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    again = false;
    try {
      const after = lastEpochOf(rows.value);
      const newer = await api.call('runs.signal', after < 0 ? { id } : { id, afterEpoch: after });
      if (runId.value === id) rows.value = [...rows.value, ...newer.filter((r) => r.epoch > lastEpochOf(rows.value))];
    } catch {
      // the next event or reconnection tries again
    } finally {
      fetching = false;
      if (again && runId.value !== null) void fetchNewer(runId.value);
    }
  }

  useEvents((event) => {
    if (!('runId' in event) || event.runId !== runId.value) return;
    if (event.type === 'run.signal' && event.epoch > lastEpochOf(rows.value)) void fetchNewer(event.runId);
    // a run that ends (or resumes) may have recorded rows whose events were missed
    if (event.type === 'run.status') void fetchNewer(event.runId);
  });
  useReconnect(() => {
    if (runId.value !== null) void fetchNewer(runId.value);
  });

  watch(
    runId,
    (id) => {
      state.reset();
      rows.value = [];
      if (id !== null) {
        void state.run(async (isCurrent) => {
          const loaded = await api.call('runs.signal', { id });
          if (isCurrent()) rows.value = loaded;
          return loaded;
        });
      }
    },
    { immediate: true },
  );

  return { rows, loading: state.loading, error: state.error };
}
