import { onMounted, onUnmounted, ref, shallowRef, triggerRef, watch, type Ref } from 'vue';
import type { ApiEvent, RunFacets, RunSummary } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { listInput, type TableQuery } from '../runs-table';
import { useApi, useEvents, useReconnect } from './api-context';

/** Typing in the search box reloads after this pause, not on every key. */
const SEARCH_DEBOUNCE_MS = 200;

/**
 * One page of runs as the store filters, sorts and pages them (runs.list), kept live: run.epoch
 * events move progress and each student's best in place (as the store decided it, carried by the
 * event), run.status events change the status and schedule a (debounced) reload for what the event
 * does not carry (a run may enter or leave the page). A changed query reloads from its first page,
 * a changed page reloads; an answer to an older query is dropped. After the event stream was down, the page is reloaded: what happened
 * meanwhile never arrived as events.
 */
export function useRuns(query: Ref<TableQuery>, page: Ref<number>) {
  const api = useApi();
  const runs = shallowRef<RunSummary[]>([]);
  const total = ref(0);
  const facets = shallowRef<RunFacets | null>(null);
  const loading = ref(true);
  const error = ref<string | null>(null);
  let reloadTimer: ReturnType<typeof setTimeout> | null = null;
  let searchTimer: ReturnType<typeof setTimeout> | null = null;
  let latest = 0;

  async function refresh(): Promise<void> {
    const request = ++latest;
    try {
      const result = await api.call('runs.list', listInput(query.value, page.value));
      if (request !== latest) return;
      runs.value = result.runs;
      total.value = result.total;
      facets.value = result.facets ?? null;
      error.value = null;
    } catch (e) {
      if (request === latest) error.value = errorMessage(e);
    } finally {
      if (request === latest) loading.value = false;
    }
  }

  function scheduleRefresh(): void {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      void refresh();
    }, 400);
  }

  watch(
    [query, page],
    ([next, nextPage], [previous, previousPage]) => {
      if (searchTimer) clearTimeout(searchTimer);
      // a new query starts on its first page (setting it comes back here and loads)
      if (next !== previous && nextPage === previousPage && nextPage !== 0) {
        page.value = 0;
        return;
      }
      const onlySearch = nextPage === previousPage && next.search !== previous.search && JSON.stringify({ ...next, search: '' }) === JSON.stringify({ ...previous, search: '' });
      if (onlySearch) searchTimer = setTimeout(() => void refresh(), SEARCH_DEBOUNCE_MS);
      else void refresh();
    },
  );

  function apply(event: ApiEvent): void {
    if (event.type === 'history.imported') return scheduleRefresh();
    if (event.type !== 'run.status' && event.type !== 'run.epoch') return;
    const run = runs.value.find((r) => r.id === event.runId);
    if (!run) {
      // a new run, or one on another page: only the first page of the default order shows new runs
      if (event.type === 'run.status') scheduleRefresh();
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
  onUnmounted(() => {
    if (reloadTimer) clearTimeout(reloadTimer);
    if (searchTimer) clearTimeout(searchTimer);
  });

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
    total,
    facets,
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
