import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { errorMessage } from '../api/api-error';

/** loading / error / data for one async load; a newer load wins over a slower older one. */
export interface AsyncState<T> {
  data: ShallowRef<T | null>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  run: (load: () => Promise<T>) => Promise<T | null>;
}

export function useAsyncState<T>(): AsyncState<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let generation = 0;
  async function run(load: () => Promise<T>): Promise<T | null> {
    const mine = ++generation;
    loading.value = true;
    try {
      const value = await load();
      if (mine === generation) {
        data.value = value;
        error.value = null;
      }
      return value;
    } catch (e) {
      if (mine === generation) error.value = errorMessage(e);
      return null;
    } finally {
      if (mine === generation) loading.value = false;
    }
  }
  return { data, loading, error, run };
}
