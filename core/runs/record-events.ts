import type { ApiEvent } from '../../contract/api';
import type { RunRecorder } from './run-experiment';
import type { TrainEvent } from '../train/trainer';

/** What training tells the UI: the events of its run, and the backend it trains on. */
export type ExperimentEvent = Extract<ApiEvent, { type: 'run.status' | 'run.epoch' | 'run.alignment' | 'run.signal' | 'run.log' | 'backend' }>;

/**
 * The one path by which training enters the store and reaches the UI. Each trainer event is written
 * (one transaction each), and what the UI must hear about it comes back as the ApiEvent to publish,
 * built from what the store stored: an epoch's rows as stored (non-finite values null) and each
 * student's best as the store now decides it. Whoever trains, here or on another machine, records
 * through this function, so the live view and the stored history can never disagree.
 */
export function recordTrainEvent(store: RunRecorder, runId: number, plannedEpochs: number, event: TrainEvent): ExperimentEvent | null {
  switch (event.type) {
    case 'epoch': {
      const recorded = store.recordEpoch(runId, event.metrics);
      return { type: 'run.epoch', runId, epoch: recorded.epoch, plannedEpochs, metrics: recorded.metrics, best: recorded.best };
    }
    case 'alignment':
      store.recordAlignment(runId, event.matrices);
      return { type: 'run.alignment', runId, epoch: event.epoch };
    case 'signal':
      store.recordSignal(runId, event.rows);
      return { type: 'run.signal', runId, epoch: event.epoch };
    case 'checkpoint':
      store.saveCheckpoint(runId, event.epoch, event.bytes);
      return null;
    case 'log': {
      const kind = event.kind ?? 'log';
      store.logEvent(runId, event.level, kind, event.message);
      return { type: 'run.log', runId, level: event.level, message: event.message, kind };
    }
  }
}
