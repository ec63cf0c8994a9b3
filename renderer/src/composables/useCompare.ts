import { ref, shallowRef, watch, type Ref } from 'vue';
import type { CompareEntry } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi } from './api-context';

/** Everything the compare view needs for the chosen runs, in one runs.compare call. */
export function useCompare(ids: Ref<number[]>) {
  const api = useApi();
  const entries = shallowRef<CompareEntry[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let generation = 0;

  async function load(list: number[]): Promise<void> {
    const mine = ++generation;
    if (list.length === 0) {
      entries.value = [];
      error.value = null;
      return;
    }
    loading.value = true;
    try {
      const result = await api.call('runs.compare', { ids: list.slice(0, 100) });
      if (mine === generation) {
        entries.value = result;
        error.value = null;
      }
    } catch (e) {
      if (mine === generation) error.value = errorMessage(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  watch(ids, (list) => void load(list), { immediate: true, deep: true });
  return { entries, loading, error, reload: () => load(ids.value) };
}
