import { onMounted, onScopeDispose, ref, shallowRef } from 'vue';
import type { QueueStatus, WorkerInfo } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi } from './api-context';

/**
 * The queue of remote runs as the UI sees it: its status, changing its URL, and (while a view
 * asks for it) the connected workers, refreshed by polling. Workers announce themselves only in
 * Redis, by records that expire, so nothing on the backend notices a change without asking Redis;
 * polling `workers.list` while the panel is open costs one Redis round trip every few seconds and
 * nothing when nobody looks, where a pushed event would make every coordinator poll Redis always.
 */

export const WORKERS_POLL_MS = 3000;

export function useQueue(options: { workers?: boolean; pollMs?: number } = {}) {
  const api = useApi();
  const status = shallowRef<QueueStatus | null>(null);
  const workers = shallowRef<WorkerInfo[]>([]);
  const error = ref<string | null>(null);
  let inFlight = false;

  async function refresh(): Promise<void> {
    // a slow Redis never piles up calls: the next tick waits for this one
    if (inFlight) return;
    inFlight = true;
    try {
      if (options.workers) {
        const listed = await api.call('workers.list', {});
        status.value = listed.queue;
        workers.value = listed.workers;
      } else {
        status.value = await api.call('queue.status', {});
      }
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      inFlight = false;
    }
  }

  /** Saves the URL (null removes the queue); the server's message when it refuses it. */
  async function configure(url: string | null): Promise<string | null> {
    try {
      status.value = await api.call('queue.configure', { url });
      if (options.workers) await refresh();
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  }

  onMounted(refresh);
  // The workers list is polled; the status alone only while the queue is on its way (a form opened
  // as the app starts sees the queue connect) or unreachable (the server retries it).
  const due = () => options.workers || status.value?.state === 'connecting' || status.value?.state === 'unreachable';
  const timer = setInterval(() => {
    // a hidden window (minimised app, background tab) does not poll
    if (due() && (typeof document === 'undefined' || document.visibilityState !== 'hidden')) void refresh();
  }, options.pollMs ?? WORKERS_POLL_MS);
  onScopeDispose(() => clearInterval(timer));

  return { status, workers, error, refresh, configure };
}

/** A heartbeat's age for display: never negative (the worker's clock may run ahead of ours). */
export function heartbeatAgeMs(lastHeartbeat: string, now: number): number | null {
  const at = Date.parse(lastHeartbeat);
  return Number.isFinite(at) ? Math.max(0, now - at) : null;
}
