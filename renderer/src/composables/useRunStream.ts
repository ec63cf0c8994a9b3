import { ref, shallowRef, watch, type Ref } from 'vue';
import type { EpochMetricRow, RunDetail, RunEventRow, StudentBest } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi, useEvents, useReconnect } from './api-context';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);
const MAX_LOG_LINES = 2000;

/** The newest epoch held; 0 when none (epochs are numbered from 1). */
export function lastEpochOf(rows: readonly EpochMetricRow[]): number {
  return rows.length === 0 ? 0 : rows[rows.length - 1].epoch;
}

/**
 * How a run.epoch event fits the rows held: the next epoch is appended; one already held (a refill
 * got it first) is dropped; one further ahead means epochs were missed (a dropped connection) and
 * the rows in between must be refilled from the store.
 */
export function placeEpoch(held: readonly EpochMetricRow[], epoch: number): 'next' | 'held' | 'gap' {
  const last = lastEpochOf(held);
  if (epoch <= last) return 'held';
  return epoch === last + 1 ? 'next' : 'gap';
}

/** The rows held plus those fetched after them, each epoch once, in epoch order. */
export function mergeRows(held: readonly EpochMetricRow[], fetched: readonly EpochMetricRow[]): EpochMetricRow[] {
  const last = lastEpochOf(held);
  return [...held, ...fetched.filter((row) => row.epoch > last)];
}

/** The detail's students with each one's best replaced by the one the store just decided. */
export function withBest(detail: RunDetail, best: readonly StudentBest[]): RunDetail['students'] {
  return detail.students.map((s) => ({ ...s, ...best.find((b) => b.idx === s.idx) }));
}

/**
 * One run as it trains: its detail, its metric rows growing with every run.epoch event (the event
 * carries the rows as stored and each student's best, so nothing is recomputed or polled here), its
 * log, and the latest epoch with alignment matrices. Epochs missed while the event stream was down
 * or while loading are refilled from runs.metrics, so the curves never silently skip epochs.
 */
export function useRunStream(runId: Ref<number | null>) {
  const api = useApi();
  const detail = shallowRef<RunDetail | null>(null);
  const metrics = shallowRef<EpochMetricRow[]>([]);
  const log = shallowRef<RunEventRow[]>([]);
  const alignmentEpoch = ref<number | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** bumped on every (re)load: answers for an earlier one are dropped */
  let generation = 0;
  let loaded = false;
  let refilling = false;
  /** an event could not be placed (still loading, refilling, or a gap): refill once free */
  let behind = false;

  async function load(id: number): Promise<void> {
    const mine = ++generation;
    loaded = false;
    refilling = false;
    behind = false;
    loading.value = true;
    error.value = null;
    try {
      const [d, m, events] = await Promise.all([api.call('runs.get', { id }), api.call('runs.metrics', { id }), api.call('runs.events', { id, limit: MAX_LOG_LINES })]);
      if (mine !== generation) return;
      detail.value = d;
      metrics.value = m;
      log.value = events;
      loaded = true;
      if (behind) {
        // events came while loading: what they said may be newer than what was loaded
        void refill(id);
        void resync(id);
      }
    } catch (e) {
      if (mine === generation) error.value = errorMessage(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  /** Fetches the rows after the newest held, again while events keep arriving that could not be placed. */
  async function refill(id: number): Promise<void> {
    if (!loaded || refilling) {
      behind = true;
      return;
    }
    const mine = generation;
    refilling = true;
    behind = false;
    try {
      const rows = await api.call('runs.metrics', { id, afterEpoch: lastEpochOf(metrics.value) });
      if (mine === generation) metrics.value = mergeRows(metrics.value, rows);
    } catch {
      // the next event or reconnection tries again
    } finally {
      if (mine === generation) {
        refilling = false;
        if (behind) void refill(id);
      }
    }
  }

  /** Detail and log from the store: for what events do not carry, and what was missed while disconnected. */
  async function resync(id: number): Promise<void> {
    const mine = generation;
    try {
      const [d, events] = await Promise.all([api.call('runs.get', { id }), api.call('runs.events', { id, limit: MAX_LOG_LINES })]);
      if (mine !== generation) return;
      detail.value = d;
      log.value = events;
    } catch {
      // keep what is shown; the next status event or reconnection tries again
    }
  }

  useEvents((event) => {
    const id = runId.value;
    if (id === null || !('runId' in event) || event.runId !== id) return;
    switch (event.type) {
      case 'run.epoch': {
        const place = loaded && !refilling ? placeEpoch(metrics.value, event.epoch) : 'gap';
        if (place === 'next') metrics.value = [...metrics.value, ...event.metrics];
        else if (place === 'gap') void refill(id);
        const d = detail.value;
        if (d && event.epoch >= d.epochs) {
          const status = d.status === 'queued' ? 'running' : d.status;
          detail.value = { ...d, epochs: event.epoch, plannedEpochs: event.plannedEpochs, status, students: withBest(d, event.best) };
        }
        break;
      }
      case 'run.status':
        if (detail.value) detail.value = { ...detail.value, status: event.status, error: event.error };
        if (TERMINAL.has(event.status) || event.status === 'running') void resync(id);
        break;
      case 'run.log': {
        const row: RunEventRow = { id: Date.now(), at: new Date().toISOString(), level: event.level, kind: event.kind ?? 'log', message: event.message };
        log.value = [...log.value.slice(-MAX_LOG_LINES + 1), row];
        break;
      }
      case 'run.alignment':
        alignmentEpoch.value = event.epoch;
        break;
    }
  });

  useReconnect(() => {
    const id = runId.value;
    if (id === null) return;
    void refill(id);
    void resync(id);
  });

  watch(
    runId,
    (id) => {
      detail.value = null;
      metrics.value = [];
      log.value = [];
      alignmentEpoch.value = null;
      if (id !== null) void load(id);
      else generation++;
    },
    { immediate: true },
  );

  return { detail, metrics, log, alignmentEpoch, loading, error, reload: () => (runId.value !== null ? load(runId.value) : Promise.resolve()) };
}
