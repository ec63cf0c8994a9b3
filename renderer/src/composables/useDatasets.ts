import { onMounted, reactive, ref, shallowRef } from 'vue';
import type { CallInput, CatalogItem, DatasetStatsView } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi, useEvents } from './api-context';

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | null;
  done: boolean;
  error: string | null;
}

/** The dataset catalog with live download progress, plus inspect / import / generate. */
export function useDatasets() {
  const api = useApi();
  const catalog = shallowRef<CatalogItem[]>([]);
  const loading = ref(true);
  const error = ref<string | null>(null);
  const downloads = reactive(new Map<string, DownloadProgress>());

  async function refresh(): Promise<void> {
    try {
      catalog.value = await api.call('datasets.catalog', {});
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  useEvents((event) => {
    if (event.type !== 'dataset.progress') return;
    downloads.set(event.name, { receivedBytes: event.receivedBytes, totalBytes: event.totalBytes, done: event.done, error: event.error });
    if (event.done) void refresh();
  });
  onMounted(refresh);

  async function download(name: string): Promise<string | null> {
    try {
      downloads.set(name, { receivedBytes: 0, totalBytes: null, done: false, error: null });
      await api.call('datasets.download', { name });
      return null;
    } catch (e) {
      downloads.delete(name);
      return errorMessage(e);
    }
  }

  return {
    catalog,
    loading,
    error,
    downloads,
    refresh,
    download,
    inspect: (ref: string): Promise<DatasetStatsView> => api.call('datasets.inspect', { ref }),
    importDataset: (input: CallInput<'datasets.import'>) => api.call('datasets.import', input),
    generate: (input: CallInput<'datasets.generate'>) => api.call('datasets.generate', input),
  };
}
