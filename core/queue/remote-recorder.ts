import type { EpochMetricRow, EventLevel, RunStatus } from '../../contract/api';
import type { DistillationSignalRow } from '../../contract/distillation-signal';
import type { RunRecorder } from '../runs/run-experiment';
import type { AlignmentMatrix, ConvergenceUpdate, RecordedEpoch, RunInfoUpdate } from '../store';
import { bytesToBase64, floatsToBase64, type ResultBody } from './messages';

/**
 * The recorder a remote worker's trainer writes to: each store call becomes a result body, in call
 * order, which the worker sends to the coordinator (see ingest.ts for the other end). It keeps only
 * what the trainer reads back: the checkpoint the job resumes from, and whether cancellation was
 * asked for. Values are normalised as the store would (non-finite metrics become null), so what the
 * coordinator compares and records is what a local store would hold.
 */
export class RemoteRecorder implements RunRecorder {
  private cancelRequested = false;

  constructor(
    private readonly send: (body: ResultBody) => void,
    private readonly checkpoint: { epoch: number; data: Uint8Array } | null,
  ) {}

  requestCancel(): void {
    this.cancelRequested = true;
  }

  latestCheckpoint(): { epoch: number; data: Uint8Array } | null {
    return this.checkpoint;
  }

  /** The coordinator drops the records after the checkpoint when it applies `started`. */
  discardAfterEpoch(): number {
    return 0;
  }

  updateRunInfo(_runId: number, info: RunInfoUpdate): void {
    this.send({ kind: 'info', backend: info.backend, backendReport: info.backendReport, versions: info.versions, plannedEpochs: info.plannedEpochs });
  }

  /**
   * The rows as the coordinator's store will hold them (non-finite values null). Which epoch is a
   * student's best is the coordinator's store's to decide: none is claimed here.
   */
  recordEpoch(_runId: number, rows: readonly EpochMetricRow[]): RecordedEpoch {
    const metrics = rows.map((r) => ({
      epoch: r.epoch,
      student: r.student,
      taskLoss: finite(r.taskLoss),
      distillLoss: finite(r.distillLoss),
      trainMetric: finite(r.trainMetric),
      valMetric: finite(r.valMetric),
      testMetric: finite(r.testMetric),
      epochMs: r.epochMs,
      elapsedMs: r.elapsedMs,
    }));
    const epoch = metrics[0]?.epoch ?? 0;
    this.send({ kind: 'epoch', epoch, rows: metrics.map(({ epoch: _, ...row }) => row) });
    return { epoch, metrics, best: [] };
  }

  recordAlignment(_runId: number, matrices: readonly AlignmentMatrix[]): void {
    const epoch = matrices[0]?.epoch ?? 0;
    this.send({ kind: 'alignment', epoch, matrices: matrices.map((m) => ({ student: m.student, peer: m.peer, rows: m.rows, cols: m.cols, data: floatsToBase64(m.data) })) });
  }

  recordSignal(_runId: number, rows: readonly DistillationSignalRow[]): void {
    const epoch = rows[0]?.epoch ?? 0;
    this.send({ kind: 'signal', epoch, rows: rows.map(({ epoch: _, ...row }) => ({ ...row, tau: finite(row.tau), distanceOverTauQ1: finite(row.distanceOverTauQ1), distanceOverTauMedian: finite(row.distanceOverTauMedian), distanceOverTauQ3: finite(row.distanceOverTauQ3), meanKl: finite(row.meanKl), contrast: finite(row.contrast), studentContrast: finite(row.studentContrast) })) });
  }

  saveCheckpoint(_runId: number, epoch: number, bytes: Uint8Array): void {
    this.send({ kind: 'checkpoint', epoch, data: bytesToBase64(bytes) });
  }

  logEvent(_runId: number, level: EventLevel, kind: string, message: string, data?: unknown): void {
    this.send({ kind: 'event', level, event: kind, message, ...(data === undefined ? {} : { data }) });
  }

  heartbeat(): { status: RunStatus; cancelRequested: boolean } {
    return { status: 'running', cancelRequested: this.cancelRequested };
  }

  setConvergence(_runId: number, idx: number, figures: ConvergenceUpdate): void {
    this.send({ kind: 'convergence', student: idx, figures });
  }

  setStatus(_runId: number, status: RunStatus, options: { error?: string } = {}): void {
    if (status !== 'completed' && status !== 'cancelled' && status !== 'failed') throw new Error(`a remote trainer cannot set status ${status}`);
    this.send({ kind: 'status', status, error: options.error ?? null });
  }
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
