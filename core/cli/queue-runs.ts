import type { ApiEvent, StudentConvergence } from '../../contract/api';
import type { RunConfig } from '../../contract/run-config';
import { resolve } from 'node:path';
import { defaultDatabasePath, openStore, type ExperimentStore } from '../store';
import { newRunRecord } from '../runs/new-run';
import { planOf } from '../train/run-config';
import { printJson, type CliIo } from './command';
import { createProgress, type Progress } from './progress';
import { formatSweepTable, summariseSweep } from './sweep-command';
import { cancelOnInterrupt, formatMetric } from './train-commands';

/**
 * `train --queue` and `sweep --queue`: this process is the coordinator. It records the runs in its
 * database as queued, sends them to the workers, applies their results as they stream back (each
 * epoch recorded as a local run records it), and returns once every run has ended. Ctrl-C cancels
 * the runs (each stops after its current epoch); a second Ctrl-C leaves at once, and the results
 * still on their way wait in Redis for the next coordinator on this database (serve --queue, or
 * another --queue command).
 */

export interface QueueRunsOptions {
  store: ExperimentStore;
  databasePath: string;
  queueUrl: string;
  cacheDir?: string;
  io: CliIo;
  quiet?: boolean;
  signal: AbortSignal;
  /** new runs to create and send... */
  configs?: RunConfig[];
  group?: string | null;
  /** ...or an existing run to continue from its last checkpoint */
  resumeId?: number;
}

/** A finished remote run as the results table and `--json` read it, from the store. */
export interface StoredResult {
  runId: number;
  status: string;
  worker: string | null;
  backend: string | null;
  epochsDone: number;
  epochMsMedian: number;
  plan: string;
  students: StudentConvergence[];
}

export async function runOnQueue(options: QueueRunsOptions): Promise<StoredResult[]> {
  const { store, io } = options;
  const { parseQueueUrl } = await import('../queue/redis-url');
  const { startCoordinator } = await import('../queue/coordinator');
  const address = parseQueueUrl(options.queueUrl);
  const bars = new Map<number, Progress>();
  const coordinator = await startCoordinator({
    address,
    store,
    databasePath: options.databasePath,
    cacheDir: options.cacheDir,
    log: (line) => io.err(line),
    onEvent: options.quiet ? undefined : (event) => report(io, store, bars, event),
  });
  const ids: number[] = [];
  const cancelAll = () => {
    io.err('\ncancelling the remote runs after their current epoch (Ctrl-C again to leave now; results wait in Redis)');
    for (const id of ids) void coordinator.cancel(id).catch(() => {});
  };
  options.signal.addEventListener('abort', cancelAll, { once: true });
  try {
    // Data too large to send refuses the whole submission before any run is created.
    const memo = await coordinator.prepare(options.resumeId !== undefined ? [] : (options.configs ?? []).map((c) => c.data));
    if (options.resumeId !== undefined) {
      store.setStatus(options.resumeId, 'queued', { reason: 'resume requested on the queue' });
      ids.push(options.resumeId);
      await coordinator.submit(options.resumeId, { resume: true, memo });
    } else {
      for (const config of options.configs ?? []) {
        const run = store.createRun(newRunRecord(config, { group: options.group ?? null }));
        ids.push(run.id);
        await coordinator.submit(run.id, { memo });
      }
    }
    if (!options.quiet) io.err(`sent ${ids.length} run(s) to ${address.redacted} as coordinator ${coordinator.id}; waiting for workers`);
    await coordinator.whenEnded(ids);
    const refused = coordinator.stats().refused;
    if (refused > 0 && !options.quiet) io.err(`${refused} result message(s) were refused (see above)`);
    return ids.map((id) => storedResult(store, id));
  } finally {
    options.signal.removeEventListener('abort', cancelAll);
    await coordinator.close();
  }
}

function report(io: CliIo, store: ExperimentStore, bars: Map<number, Progress>, event: ApiEvent): void {
  if (event.type === 'run.status') {
    const run = store.getRun(event.runId);
    if (event.status === 'running') {
      io.err(`run ${event.runId}: running on worker ${run?.worker ?? '?'}`);
      bars.set(event.runId, createProgress(io, `  run ${event.runId}`, run?.plannedEpochs ?? null));
    } else if (event.status !== 'queued') {
      bars.delete(event.runId);
      const tests = store.getStudents(event.runId).map((s) => formatMetric(s.testAtBest)).join(' ');
      io.err(`run ${event.runId}: ${event.status}${event.error ? `: ${event.error}` : ''}${event.status === 'completed' ? `  test ${tests}` : ''}`);
    }
  } else if (event.type === 'run.epoch') {
    bars.get(event.runId)?.update(event.epoch, `val ${event.metrics.map((m) => formatMetric(m.valMetric)).join(' ')}`);
  } else if (event.type === 'run.log') {
    io.err(`run ${event.runId}: ${event.message}`);
  }
}

/** What a run reached, read back from the store (the same numbers a local run reports). */
export function storedResult(store: ExperimentStore, runId: number): StoredResult {
  const run = store.getRun(runId)!;
  let plan = '';
  try {
    plan = planOf(run.config as RunConfig).pairs.map((p) => `${p.student + 1}<-${p.peer + 1}`).join(',');
  } catch {
    plan = '';
  }
  return {
    runId,
    status: run.status,
    worker: run.worker,
    backend: run.backend,
    epochsDone: store.finishedEpochs(runId),
    epochMsMedian: epochMsMedianOf(store, runId),
    plan,
    students: store.getStudents(runId),
  };
}

/** The median epoch time the trainer logged when the run ended (the figure a local run reports). */
function epochMsMedianOf(store: ExperimentStore, runId: number): number {
  const ending = store
    .getEvents(runId, { limit: 100_000 })
    .filter((e) => e.kind === 'status' && typeof (e.data as { epochMsMedian?: unknown } | null)?.epochMsMedian === 'number')
    .pop();
  return ending ? (ending.data as { epochMsMedian: number }).epochMsMedian : Number.NaN;
}

/** `train --queue URL`: one run (or `--resume ID`) on the workers; prints what a local `train` prints. */
export async function trainOnQueue(args: { values: { db?: string; cache?: string; json?: boolean; quiet?: boolean; queue?: string }; config: RunConfig | undefined; resumeId: number | undefined; io: CliIo }): Promise<number> {
  const { values, io } = args;
  const databasePath = resolve(values.db ?? defaultDatabasePath());
  const store = openStore(databasePath);
  const interrupt = cancelOnInterrupt(io);
  try {
    const [result] = await runOnQueue({
      store,
      databasePath,
      queueUrl: values.queue!,
      cacheDir: values.cache,
      io,
      quiet: values.quiet,
      signal: interrupt.signal,
      configs: args.config ? [args.config] : undefined,
      resumeId: args.resumeId,
    });
    if (values.json) printJson(io, result);
    else {
      io.out(`run ${result.runId} ${result.status} on worker ${result.worker ?? '?'}: ${result.epochsDone} epochs, ${result.epochMsMedian.toFixed(3)} ms/epoch (median), backend ${result.backend ?? '?'}`);
      result.students.forEach((s, k) => io.out(`  student ${k + 1}: best val ${formatMetric(s.bestVal)} at epoch ${s.bestEpoch}, test ${formatMetric(s.testAtBest)}`));
    }
    return result.status === 'completed' ? 0 : result.status === 'cancelled' ? 130 : 1;
  } finally {
    interrupt.dispose();
    store.close();
  }
}

/** `sweep --queue URL`: the grid on the workers, then the same results table as a local sweep. */
export async function sweepOnQueue(args: { values: { db?: string; cache?: string; json?: boolean; quiet?: boolean; queue?: string }; configs: RunConfig[]; group: string; io: CliIo }): Promise<number> {
  const { values, io, configs, group } = args;
  const databasePath = resolve(values.db ?? defaultDatabasePath());
  const store = openStore(databasePath);
  const interrupt = cancelOnInterrupt(io);
  try {
    const results = await runOnQueue({ store, databasePath, queueUrl: values.queue!, cacheDir: values.cache, io, quiet: values.quiet, signal: interrupt.signal, configs, group });
    const finished = results.flatMap((result, i) => (result.status === 'completed' ? [{ config: configs[i], result }] : []));
    const cells = summariseSweep(finished);
    io.out(formatSweepTable(cells));
    if (values.json) printJson(io, { group, runs: finished.length, cells });
    return finished.length === configs.length ? 0 : 130;
  } finally {
    interrupt.dispose();
    store.close();
  }
}
