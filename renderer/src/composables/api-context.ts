import { inject, onScopeDispose, type InjectionKey } from 'vue';
import type { ApiEvent } from '../../../contract/api';
import type { WorkbenchClient } from '../api/client';

/** The backend client, provided once by the app (main.ts) and by tests. */
export const API_KEY: InjectionKey<WorkbenchClient> = Symbol('api');

export function useApi(): WorkbenchClient {
  const client = inject(API_KEY);
  if (!client) throw new Error('useApi() needs the client provided under API_KEY (app.provide)');
  return client;
}

/** Listens to backend events for as long as the calling component (or effect scope) lives. */
export function useEvents(listener: (event: ApiEvent) => void): void {
  const stop = useApi().subscribe(listener);
  onScopeDispose(stop);
}

/**
 * Calls `resync` each time the event stream opens again after it was down (or not yet open):
 * events sent meanwhile never arrived, so views that follow them must fetch what they missed.
 */
export function useReconnect(resync: () => void): void {
  const connection = useApi().connection;
  let state = connection.state;
  const stop = connection.onChange((next) => {
    const wasDown = state !== 'open';
    state = next;
    if (next === 'open' && wasDown) resync();
  });
  onScopeDispose(stop);
}
