import { computed, onMounted, onUnmounted, ref, watch } from 'vue';
import type { RunSummary } from '../../../contract/api';
import { useApi } from './api-context';
import { useAsyncState } from './async-state';

/** Runs a picker lists at most: the newest that match its filter (the store searches, as in the manager). */
export const CHOICES_LIMIT = 500;
const FILTER_DEBOUNCE_MS = 200;

/**
 * The choices of the compare and heatmap pickers: the newest runs matching `filter` (the manager's
 * search language, done by the store), and the sweep groups; `runsOfGroup` fetches a whole group.
 * The history may hold 10,000 runs: a picker never loads them all.
 */
export function useRunChoices() {
  const api = useApi();
  const filter = ref('');
  const state = useAsyncState<{ runs: RunSummary[]; groups: string[] }>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const load = () =>
    state.run(async () => {
      const result = await api.call('runs.list', { search: filter.value.trim() || undefined, limit: CHOICES_LIMIT, sort: 'createdAt', descending: true, facets: true });
      return { runs: result.runs, groups: result.facets?.groups ?? [] };
    });
  watch(filter, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void load(), FILTER_DEBOUNCE_MS);
  });
  onMounted(load);
  onUnmounted(() => timer && clearTimeout(timer));

  async function runsOfGroup(group: string): Promise<number[]> {
    const result = await api.call('runs.list', { group, limit: 10_000, sort: 'id', descending: false });
    return result.runs.map((r) => r.id);
  }

  return {
    filter,
    runs: computed(() => state.data.value?.runs ?? []),
    groups: computed(() => state.data.value?.groups ?? []),
    error: state.error,
    runsOfGroup,
  };
}
