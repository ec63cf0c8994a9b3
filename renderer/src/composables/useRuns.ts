import { onMounted, ref, shallowRef, triggerRef } from 'vue';
import type { ApiEvent, RunSummary } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi, useEvents, useReconnect } from './api-context';

/**
 * All runs, kept live: run.epoch events move progress and each student's best in place (the best
 * as the store decided it, carried by the event), run.status events change the status and schedule
 * a (debounced) reload for what the event does not carry. After the event stream was down, the
 * list is reloaded: what happened meanwhile never arrived as events.
 */
export function useRuns() {
  const api = useApi();
  const runs = shallowRef<RunSummary[]>([]);
  const loading = ref(true);
  const error = ref<string | null>(null);
  let reloadTimer: ReturnType<typeof setTimeout> | null = null;

  async function refresh(): Promise<void> {
    try {
      const result = await api.call('runs.list', { limit: 10_000 });
      runs.value = result.runs;
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  function scheduleRefresh(): void {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      void refresh();
    }, 400);
  }

  function apply(event: ApiEvent): void {
    if (event.type !== 'run.status' && event.type !== 'run.epoch') return;
    const run = runs.value.find((r) => r.id === event.runId);
    if (!run) {
      scheduleRefresh();
      return;
    }
    if (event.type === 'run.status') {
      run.status = event.status;
      run.error = event.error;
      scheduleRefresh();
    } else {
      run.epochs = Math.max(run.epochs, event.epoch);
      run.plannedEpochs = event.plannedEpochs;
      if (run.status === 'queued') run.status = 'running';
      run.students = event.best;
    }
    triggerRef(runs);
  }

  useEvents(apply);
  useReconnect(scheduleRefresh);
  onMounted(refresh);

  /** Runs a mutation, then reloads; returns the error message or null. */
  async function mutate(action: () => Promise<unknown>): Promise<string | null> {
    try {
      await action();
      await refresh();
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  }

  return {
    runs,
    loading,
    error,
    refresh,
    rename: (id: number, name: string) => mutate(() => api.call('runs.rename', { id, name })),
    tag: (id: number, tags: string[]) => mutate(() => api.call('runs.tag', { id, tags })),
    note: (id: number, notes: string) => mutate(() => api.call('runs.note', { id, notes })),
    remove: (ids: number[], force = false) => mutate(() => api.call('runs.delete', { ids, force })),
    cancel: (id: number) => mutate(() => api.call('runs.cancel', { id })),
    resume: (id: number) => mutate(() => api.call('runs.resume', { id })),
    rerun: (id: number) => mutate(() => api.call('runs.rerun', { id })),
    exportRuns: (ids: number[], format: 'csv' | 'json') => api.call('runs.export', { ids, format }),
  };
}
