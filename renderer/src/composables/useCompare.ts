import { computed, watch, type Ref } from 'vue';
import type { CompareEntry } from '../../../contract/api';
import { useApi } from './api-context';
import { useAsyncState } from './async-state';

/** Everything the compare view needs for the chosen runs, in one runs.compare call. */
export function useCompare(ids: Ref<number[]>) {
  const api = useApi();
  const state = useAsyncState<CompareEntry[]>();

  function load(list: number[]): void {
    if (list.length === 0) state.reset([]);
    else void state.run(() => api.call('runs.compare', { ids: list.slice(0, 100) }));
  }

  watch(ids, load, { immediate: true, deep: true });
  return { entries: computed(() => state.data.value ?? []), loading: state.loading, error: state.error, reload: () => load(ids.value) };
}
