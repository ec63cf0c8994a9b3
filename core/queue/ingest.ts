import type { ApiEvent, EpochMetricRow } from '../../contract/api';
import { DISTILLATION_SIGNAL_COLUMNS, type DistillationSignalRow } from '../../contract/distillation-signal';
import type { ExperimentStore, RunRecord } from '../store';
import { base64ToBytes, base64ToFloats, type ResultMessage, type WorkerIdentity } from './messages';

/**
 * The coordinator's side of a remote run: one result message becomes the same store calls a local
 * trainer makes (setStatus, recordEpoch, recordAlignment, recordSignal, saveCheckpoint, logEvent, ...), so a remote
 * run is recorded exactly like a local one. Applying is idempotent:
 *   - a message is applied at most once: each carries its worker lease and a sequence number, and
 *     the run keeps the lease and the last number applied (a redelivered message is skipped);
 *   - an epoch is recorded at most once: one that is already there with the same numbers is
 *     acknowledged and skipped, one with other numbers is refused;
 *   - a worker that takes a job over announces itself (`started`): the run passes through
 *     `interrupted` if it was running under the lost worker, the records after the checkpoint it
 *     resumes from are dropped (as a local resume drops them), and from then on only the new
 *     lease's results are accepted;
 *   - an `interrupted` run (its worker's heartbeats did not reach this store for a while, e.g. the
 *     coordinator was down) goes back to `running` when results of its current lease arrive.
 * Results for a completed run are skipped (the queue may run a job again after its run has ended);
 * results for a run that is gone, failed, cancelled, or handed to another job are refused.
 */

export type IngestOutcome =
  | { result: 'applied'; events: ApiEvent[] }
  | { result: 'skipped'; reason: string }
  | { result: 'refused'; error: string };

const applied = (events: ApiEvent[] = []): IngestOutcome => ({ result: 'applied', events });
const skipped = (reason: string): IngestOutcome => ({ result: 'skipped', reason });
const refused = (error: string): IngestOutcome => ({ result: 'refused', error });

/** Applies one validated result message in one transaction (nothing of a refused message stays). */
export function applyResult(store: ExperimentStore, message: ResultMessage): IngestOutcome {
  try {
    return store.batch(() => {
      const outcome = applyUnchecked(store, message);
      // a refusal must leave nothing behind: throw to roll back this message's savepoint
      if (outcome.result === 'refused') throw new RefusedResult(outcome.error);
      return outcome;
    });
  } catch (error) {
    return refused(error instanceof RefusedResult ? error.message : `run ${message.run}: ${(error as Error).message}`);
  }
}

class RefusedResult extends Error {}

function applyUnchecked(store: ExperimentStore, message: ResultMessage): IngestOutcome {
  const { body } = message;
  const run = store.getRun(message.run);
  const where = `run ${message.run} (${message.body.kind} #${message.seq} from worker ${message.by.worker})`;
  if (!run) return refused(`${where}: no such run in this database (deleted?)`);
  if (run.queue?.job !== message.job) return refused(`${where}: the run is ${run.queue ? `trained by job ${run.queue.job}` : 'not a queued run'}, not by job ${message.job}`);

  // The queue delivers at least once: a job that ran again after its run was recorded complete (its
  // worker could not report the job done before Redis went away) has nothing to add.
  if (run.status === 'completed') return skipped(`run ${run.id} is completed; late results of a repeated job are not needed`);

  if (body.kind === 'refused') {
    if (run.status === 'failed' || run.status === 'cancelled') return skipped(`run already ${run.status}`);
    if (run.status === 'running') store.setStatus(run.id, 'interrupted', { reason: `worker ${message.by.worker} refused the job` });
    const updated = store.setStatus(run.id, 'failed', { error: `worker ${message.by.worker}: ${body.error}` });
    return applied([statusEvent(updated)]);
  }

  if (body.kind === 'withdrawn') {
    // A cancellation asked for while the job changed hands (its worker died mid-run).
    if (run.status !== 'running' && run.status !== 'queued') return skipped(`run ${run.id} is ${run.status}`);
    return applied([statusEvent(store.setStatus(run.id, 'cancelled', { reason: `cancelled; worker ${message.by.worker} did not start it again` }))]);
  }

  if (body.kind === 'started') {
    if (run.queue.lease === message.lease) return skipped('this worker lease has already started');
    if (run.status === 'failed' || run.status === 'cancelled') return refused(`${where}: the run is ${run.status}; a worker cannot restart it`);
    if (run.status === 'running') {
      store.setStatus(run.id, 'interrupted', { reason: `job taken over by worker ${message.by.worker} (the previous worker stopped answering)` });
    }
    store.discardAfterEpoch(run.id, body.startEpoch);
    store.setStatus(run.id, 'running', { owner: ownerOf(message.by), reason: `on worker ${message.by.worker}${body.startEpoch > 0 ? `, from the checkpoint of epoch ${body.startEpoch}` : ''}` });
    const updated = store.updateRunInfo(run.id, {
      worker: message.by.worker,
      datasetSha256: body.datasetSha256,
      queue: { job: message.job, lease: message.lease, seq: message.seq },
    });
    return applied([statusEvent(updated)]);
  }

  if (run.queue.lease !== message.lease) return refused(`${where}: from lease ${message.lease}, but the run's results now come from lease ${run.queue.lease ?? '(none)'}`);
  if (run.queue.seq !== null && message.seq <= run.queue.seq) return skipped(`message ${message.seq} of this lease is already applied`);
  const events: ApiEvent[] = [];
  if (run.status === 'interrupted') {
    // Its worker kept training while this store heard nothing (the coordinator was away).
    events.push(statusEvent(store.setStatus(run.id, 'running', { owner: ownerOf(message.by), reason: `results of worker ${message.by.worker} arrived` })));
  } else if (run.status !== 'running') {
    return refused(`${where}: the run is ${run.status}, not running`);
  }
  if (run.queue.seq !== null && message.seq > run.queue.seq + 1) {
    const missing = message.seq === run.queue.seq + 2 ? `message ${run.queue.seq + 1}` : `messages ${run.queue.seq + 1}..${message.seq - 1}`;
    store.logEvent(run.id, 'warn', 'queue', `${missing} of worker ${message.by.worker} never arrived (Redis lost them?)`);
  }
  const outcome = applyBody(store, run, message);
  if (outcome.result === 'refused') return outcome;
  store.updateRunInfo(run.id, { queue: { job: message.job, lease: message.lease, seq: message.seq } });
  if (outcome.result === 'skipped') return events.length > 0 ? applied(events) : outcome;
  return applied([...events, ...outcome.events]);
}

/**
 * Records `what` arrived again, where the store has it already: the same content (in any order) is
 * a redelivery, acknowledged and skipped; other content is refused and changes nothing.
 */
function againOrConflict<T>(stored: readonly T[], incoming: readonly T[], key: (record: T) => string, what: string, run: string, from: string): IngestOutcome {
  const same = stored.map(key).sort().join('|') === incoming.map(key).sort().join('|');
  return same ? skipped(`${what} is already recorded with these values`) : refused(`${run}: ${what} is already recorded with other values (${from})`);
}

function applyBody(store: ExperimentStore, run: RunRecord, message: ResultMessage): IngestOutcome {
  const { body } = message;
  switch (body.kind) {
    case 'info':
      store.updateRunInfo(run.id, { backend: body.backend, backendReport: body.backendReport, versions: body.versions, plannedEpochs: body.plannedEpochs });
      return applied();
    case 'epoch': {
      const rows: EpochMetricRow[] = body.rows.map((r) => ({ ...r, epoch: body.epoch }));
      const existing = store.getMetrics(run.id, { afterEpoch: body.epoch - 1 }).filter((m) => m.epoch === body.epoch);
      if (existing.length > 0) {
        const key = (m: EpochMetricRow) => JSON.stringify([m.student, m.taskLoss, m.distillLoss, m.trainMetric, m.valMetric, m.testMetric, m.epochMs, m.elapsedMs]);
        return againOrConflict(existing, rows, key, `epoch ${body.epoch}`, `run ${run.id}`, `message ${message.seq} of worker ${message.by.worker}`);
      }
      // The event is what the store recorded: its rows as stored and each student's best as it decided.
      const recorded = store.recordEpoch(run.id, rows);
      return applied([{ type: 'run.epoch', runId: run.id, epoch: recorded.epoch, plannedEpochs: run.plannedEpochs ?? 0, metrics: recorded.metrics, best: recorded.best }]);
    }
    case 'alignment': {
      const matrices = body.matrices.map((m, i) => {
        const data = base64ToFloats(m.data);
        if (data === null) throw new RefusedResult(`run ${run.id}: heatmap ${i} of epoch ${body.epoch} is not whole float32 values`);
        return { epoch: body.epoch, student: m.student, peer: m.peer, rows: m.rows, cols: m.cols, data };
      });
      if (store.alignmentEpochs(run.id).includes(body.epoch)) {
        const key = (m: { student: number; peer: number; rows: number; cols: number; data: Float32Array }) => `${m.student}/${m.peer}/${m.rows}/${m.cols}/${Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('base64')}`;
        return againOrConflict(store.getAlignment(run.id, { epoch: body.epoch }), matrices, key, `the heatmaps of epoch ${body.epoch}`, `run ${run.id}`, `message ${message.seq} of worker ${message.by.worker}`);
      }
      store.recordAlignment(run.id, matrices);
      return applied([{ type: 'run.alignment', runId: run.id, epoch: body.epoch }]);
    }
    case 'signal': {
      const rows: DistillationSignalRow[] = body.rows.map((r) => ({ ...r, epoch: body.epoch }));
      const existing = store.getSignal(run.id, body.epoch > 0 ? { afterEpoch: body.epoch - 1 } : {}).filter((r) => r.epoch === body.epoch);
      if (existing.length > 0) {
        const key = (r: DistillationSignalRow) => JSON.stringify(DISTILLATION_SIGNAL_COLUMNS.map((c) => r[c]));
        return againOrConflict(existing, rows, key, `the distillation signal of epoch ${body.epoch}`, `run ${run.id}`, `message ${message.seq} of worker ${message.by.worker}`);
      }
      store.recordSignal(run.id, rows);
      return applied([{ type: 'run.signal', runId: run.id, epoch: body.epoch }]);
    }
    case 'checkpoint':
      store.saveCheckpoint(run.id, body.epoch, base64ToBytes(body.data));
      return applied();
    case 'event': {
      store.logEvent(run.id, body.level, body.event, body.message, body.data);
      const shown = body.event === 'log' && body.level !== 'debug';
      return applied(shown ? [{ type: 'run.log', runId: run.id, level: body.level as 'info' | 'warn' | 'error', message: body.message }] : []);
    }
    case 'convergence':
      store.setConvergence(run.id, body.student, body.figures);
      return applied();
    case 'status':
      return applied([statusEvent(store.setStatus(run.id, body.status, body.error ? { error: body.error } : {}))]);
    case 'started':
    case 'refused':
    case 'withdrawn':
      return refused('handled before');
  }
}

function ownerOf(by: WorkerIdentity) {
  return { host: by.host, pid: by.pid, startToken: by.start };
}

function statusEvent(run: RunRecord): ApiEvent {
  return { type: 'run.status', runId: run.id, status: run.status, error: run.error };
}
