import { computed, onMounted } from 'vue';
import type { RunSummary } from '../../../contract/api';
import { useApi } from './api-context';
import { useAsyncState } from './async-state';

/** Every run, loaded once when the view opens: the choices of the compare and heatmap pickers. */
export function useRunChoices() {
  const api = useApi();
  const state = useAsyncState<RunSummary[]>();
  onMounted(() => state.run(async () => (await api.call('runs.list', { limit: 10_000 })).runs));
  return { runs: computed(() => state.data.value ?? []), error: state.error };
}
