import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { errorMessage } from '../api/api-error';

/** loading / error / data of one async load; a newer load wins over a slower older one. */
export interface AsyncState<T> {
  data: ShallowRef<T | null>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  /**
   * Starts a load; what an older load still in flight returns is dropped. `isCurrent` tells the
   * loader, between its own awaits, whether it is still the newest (and may write what it fetched).
   */
  run: (load: (isCurrent: () => boolean) => Promise<T>) => Promise<void>;
  /** Forgets the data and any load in flight, and sets the data to `value`. */
  reset: (value?: T | null) => void;
}

export function useAsyncState<T>(): AsyncState<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let generation = 0;

  async function run(load: (isCurrent: () => boolean) => Promise<T>): Promise<void> {
    const mine = ++generation;
    const isCurrent = () => mine === generation;
    loading.value = true;
    error.value = null;
    try {
      const value = await load(isCurrent);
      if (isCurrent()) data.value = value;
    } catch (e) {
      if (isCurrent()) error.value = errorMessage(e);
    } finally {
      if (isCurrent()) loading.value = false;
    }
  }

  function reset(value: T | null = null): void {
    generation++;
    data.value = value;
    loading.value = false;
    error.value = null;
  }

  return { data, loading, error, run, reset };
}
