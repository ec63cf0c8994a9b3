import { ref, shallowRef, watch, type Ref } from 'vue';
import type { AlignmentMatrixRow, RunDetail } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi, useEvents } from './api-context';

/**
 * A run's alignment matrices for every recorded epoch, fetched up front so the epoch slider and
 * the play button move without waiting, and so one colour scale can span all epochs.
 */
export function useAlignment(runId: Ref<number | null>) {
  const api = useApi();
  const detail = shallowRef<RunDetail | null>(null);
  const epochs = shallowRef<number[]>([]);
  const byEpoch = shallowRef(new Map<number, AlignmentMatrixRow[]>());
  const loading = ref(false);
  const error = ref<string | null>(null);
  let generation = 0;

  async function fetchEpoch(id: number, epoch: number, mine: number): Promise<void> {
    const result = await api.call('runs.alignment', { id, epoch });
    if (mine !== generation) return;
    const next = new Map(byEpoch.value);
    next.set(epoch, result.matrices);
    byEpoch.value = next;
  }

  async function load(id: number): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const [d, latest] = await Promise.all([api.call('runs.get', { id }), api.call('runs.alignment', { id })]);
      if (mine !== generation) return;
      detail.value = d;
      epochs.value = latest.epochs;
      const initial = new Map<number, AlignmentMatrixRow[]>();
      if (latest.epoch !== null) initial.set(latest.epoch, latest.matrices);
      byEpoch.value = initial;
      // a few requests at a time: the rest of the epochs arrive while the first one is shown
      const missing = latest.epochs.filter((e) => e !== latest.epoch);
      const queue = [...missing];
      await Promise.all(
        Array.from({ length: Math.min(4, queue.length) }, async () => {
          while (queue.length > 0 && mine === generation) await fetchEpoch(id, queue.shift()!, mine);
        }),
      );
    } catch (e) {
      if (mine === generation) error.value = errorMessage(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  useEvents((event) => {
    if (event.type !== 'run.alignment' || event.runId !== runId.value) return;
    if (!epochs.value.includes(event.epoch)) epochs.value = [...epochs.value, event.epoch].sort((a, b) => a - b);
    void fetchEpoch(event.runId, event.epoch, generation).catch(() => undefined);
  });

  watch(
    runId,
    (id) => {
      generation++;
      detail.value = null;
      epochs.value = [];
      byEpoch.value = new Map();
      if (id !== null) void load(id);
    },
    { immediate: true },
  );

  return { detail, epochs, byEpoch, loading, error };
}
