import { ref, shallowRef, triggerRef, watch, type Ref } from 'vue';
import type { EpochMetricRow, RunDetail, RunEventRow } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi, useEvents } from './api-context';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
const MAX_LOG_LINES = 2000;
/** the detail (best metric per student) is refetched during training at most this often */
const DETAIL_REFRESH_MS = 1000;

/**
 * One run as it trains: its detail, metrics rows growing with every run.epoch event, its log, and
 * the epochs that have alignment matrices. A gap in the stream (missed events) is refilled from
 * runs.metrics with afterEpoch, so the curves never silently skip epochs.
 */
export function useRunStream(runId: Ref<number | null>) {
  const api = useApi();
  const detail = shallowRef<RunDetail | null>(null);
  const metrics = shallowRef<EpochMetricRow[]>([]);
  const log = shallowRef<RunEventRow[]>([]);
  const alignmentEpoch = ref<number | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let lastEpoch = -1;
  let generation = 0;
  let detailRefreshPending = false;

  async function load(id: number): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const [d, m, events] = await Promise.all([api.call('runs.get', { id }), api.call('runs.metrics', { id }), api.call('runs.events', { id, limit: MAX_LOG_LINES })]);
      if (mine !== generation) return;
      detail.value = d;
      metrics.value = m;
      log.value = events;
      lastEpoch = m.reduce((max, row) => Math.max(max, row.epoch), -1);
    } catch (e) {
      if (mine === generation) error.value = errorMessage(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  async function refill(id: number): Promise<void> {
    try {
      const rows = await api.call('runs.metrics', { id, afterEpoch: Math.max(0, lastEpoch) });
      const fresh = rows.filter((row) => row.epoch > lastEpoch);
      if (id !== runId.value || fresh.length === 0) return;
      metrics.value = [...metrics.value, ...fresh];
      lastEpoch = fresh.reduce((max, row) => Math.max(max, row.epoch), lastEpoch);
    } catch {
      // the next event retries
    }
  }

  async function reloadDetail(id: number): Promise<void> {
    try {
      const d = await api.call('runs.get', { id });
      if (id === runId.value) detail.value = d;
    } catch {
      // keep the last good detail
    }
  }

  useEvents((event) => {
    const id = runId.value;
    if (id === null || !('runId' in event) || event.runId !== id) return;
    switch (event.type) {
      case 'run.epoch':
        if (event.epoch <= lastEpoch) return;
        if (event.epoch > lastEpoch + 1 && lastEpoch >= 0) {
          void refill(id);
          return;
        }
        metrics.value.push(...event.metrics);
        lastEpoch = event.epoch;
        triggerRef(metrics);
        if (detail.value) {
          detail.value = { ...detail.value, epochs: event.epoch, plannedEpochs: event.plannedEpochs, status: detail.value.status === 'queued' ? 'running' : detail.value.status };
        }
        // The store keeps each student's best validation metric as epochs land; show it live, refetched
        // once per window (trailing, so the last epoch's state is always shown).
        if (!detailRefreshPending) {
          detailRefreshPending = true;
          setTimeout(() => {
            detailRefreshPending = false;
            void reloadDetail(id);
          }, DETAIL_REFRESH_MS);
        }
        break;
      case 'run.status':
        if (detail.value) detail.value = { ...detail.value, status: event.status, error: event.error };
        if (TERMINAL.has(event.status) || event.status === 'running') void reloadDetail(id);
        break;
      case 'run.log': {
        const row: RunEventRow = { id: Date.now(), at: new Date().toISOString(), level: event.level, kind: 'log', message: event.message };
        log.value = [...log.value.slice(-MAX_LOG_LINES + 1), row];
        break;
      }
      case 'run.alignment':
        alignmentEpoch.value = event.epoch;
        break;
    }
  });

  watch(
    runId,
    (id) => {
      detail.value = null;
      metrics.value = [];
      log.value = [];
      lastEpoch = -1;
      if (id !== null) void load(id);
    },
    { immediate: true },
  );

  return { detail, metrics, log, alignmentEpoch, loading, error, reload: () => (runId.value !== null ? load(runId.value) : Promise.resolve()) };
}
