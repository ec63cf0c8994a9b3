import { onMounted, ref, shallowRef } from 'vue';
import type { DownloadCheck } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi } from './api-context';

/**
 * Whether each catalog download can succeed now (the backend asks the servers for headers and the
 * disk for space), fetched when the catalog opens, so the view says so before anyone clicks.
 */
export function useDownloadChecks() {
  const api = useApi();
  const checks = shallowRef<ReadonlyMap<string, DownloadCheck>>(new Map());
  const checking = ref(false);
  const error = ref<string | null>(null);

  async function check(refresh = false): Promise<void> {
    checking.value = true;
    try {
      const answers = await api.call('datasets.checkDownloads', refresh ? { refresh } : {});
      checks.value = new Map(answers.map((answer) => [answer.name, answer]));
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      checking.value = false;
    }
  }
  onMounted(() => void check());

  return { checks, checking, error, check };
}
