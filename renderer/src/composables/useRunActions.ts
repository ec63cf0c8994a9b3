import { ref } from 'vue';
import { errorMessage } from '../api/api-error';
import { useApi } from './api-context';

/** Cancel, resume and re-run from the run view; `error` holds why the last action failed. */
export function useRunActions(reload: () => Promise<unknown>) {
  const api = useApi();
  const error = ref<string | null>(null);

  async function act<T>(action: () => Promise<T>): Promise<T | null> {
    error.value = null;
    try {
      const result = await action();
      await reload();
      return result;
    } catch (e) {
      error.value = errorMessage(e);
      return null;
    }
  }

  return {
    error,
    cancel: (id: number) => act(() => api.call('runs.cancel', { id })),
    resume: (id: number) => act(() => api.call('runs.resume', { id })),
    /** the new run's id */
    rerun: async (id: number) => (await act(() => api.call('runs.rerun', { id })))?.id ?? null,
  };
}
