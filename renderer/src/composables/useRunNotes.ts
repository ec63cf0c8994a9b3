import { watch, type Ref } from 'vue';
import { useApi } from './api-context';
import { useAsyncState } from './async-state';

/** A run's notes, which the run list does not carry: fetched for the inspector. */
export function useRunNotes(runId: Ref<number>) {
  const api = useApi();
  const state = useAsyncState<string>();
  watch(runId, (id) => state.run(async () => (await api.call('runs.get', { id })).notes), { immediate: true });
  return state.data;
}
