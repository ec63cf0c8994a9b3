import type { AlignmentMatrixInput, EventLevel, RunInfoUpdate, RunStatus, StudentEpochInput, StudentSummaryUpdate } from '../store';
import type { RunRecorder } from '../train/run-experiment';
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

  recordEpoch(_runId: number, epoch: number, rows: StudentEpochInput[]): void {
    this.send({
      kind: 'epoch',
      epoch,
      rows: rows.map((r) => ({
        student: r.student,
        taskLoss: finite(r.taskLoss),
        distillLoss: finite(r.distillLoss),
        trainMetric: finite(r.trainMetric),
        valMetric: finite(r.valMetric),
        testMetric: finite(r.testMetric),
        epochMs: r.epochMs,
        elapsedMs: r.elapsedMs,
      })),
    });
  }

  recordAlignment(_runId: number, epoch: number, matrices: AlignmentMatrixInput[]): void {
    this.send({ kind: 'alignment', epoch, matrices: matrices.map((m) => ({ student: m.student, peer: m.peer, rows: m.rows, cols: m.cols, data: floatsToBase64(m.data) })) });
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

  updateStudentSummary(_runId: number, idx: number, summary: StudentSummaryUpdate): void {
    this.send({ kind: 'summary', student: idx, summary });
  }

  setStatus(_runId: number, status: RunStatus, options: { error?: string } = {}): void {
    if (status !== 'completed' && status !== 'cancelled' && status !== 'failed') throw new Error(`a remote trainer cannot set status ${status}`);
    this.send({ kind: 'status', status, error: options.error ?? null });
  }
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
