import { onScopeDispose, ref, shallowRef } from 'vue';
import type { AppInfo, BackendInfo, Settings } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import type { ConnectionState } from '../api/connection';
import { useApi, useEvents } from './api-context';

/** App info, the compute backend (updated by backend events), settings and the event connection. */
export function useSettings() {
  const api = useApi();
  const info = shallowRef<AppInfo | null>(null);
  const backend = shallowRef<BackendInfo | null>(null);
  const settings = shallowRef<Settings | null>(null);
  const error = ref<string | null>(null);
  const connection = ref<ConnectionState>(api.connection.state);

  onScopeDispose(api.connection.onChange((state) => (connection.value = state)));
  useEvents((event) => {
    if (event.type === 'backend') backend.value = event.backend;
  });

  async function load(): Promise<void> {
    try {
      const [i, s] = await Promise.all([api.call('app.info', {}), api.call('settings.get', {})]);
      info.value = i;
      if (!backend.value) backend.value = i.backend;
      settings.value = s;
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  async function update(patch: Partial<Settings>): Promise<string | null> {
    try {
      settings.value = await api.call('settings.set', patch);
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  }

  return { info, backend, settings, error, connection, load, update };
}
