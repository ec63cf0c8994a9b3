import type { BackendInfo } from '../../contract/api';
import { defaultDatabasePath, openStore } from '../store';
import type { BackendPreference } from '../tensor/backend';
import { UserError } from '../errors';
import { parseRunnableConfig } from '../train/run-config';
import type { ExperimentEvent } from '../runs/record-events';
import type { ExperimentResult } from '../runs/run-experiment';
import { adapterLabel } from '../api/adapter-label';
import { parseOptions, printJson, type CliIo, type Command } from './command';
import { createProgress, type Progress } from './progress';
import { cachedIn, configFromFlags, RUN_FLAG_OPTIONS, RUN_FLAGS_USAGE } from './train-flags';

/** Formats a metric for progress lines and tables: 0.8123 → "0.812", null/NaN → "-". */
export function formatMetric(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(3);
}

/** Reports run progress on stderr: the backend once, then a bar with per-student validation metrics. */
export function progressReporter(io: CliIo, label: string): (event: ExperimentEvent) => void {
  let progress: Progress | null = null;
  let backend: BackendInfo | null = null;
  return (event) => {
    if (event.type === 'backend') {
      backend = event.backend;
    } else if (event.type === 'run.status' && event.status === 'running' && backend) {
      const skipped = backend.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
      const kernelThreads = backend.kernelThreads ? ` on ${backend.kernelThreads} threads` : '';
      const gpu = backend.adapter ? ` on ${adapterLabel(backend.adapter)}` : '';
      io.err(`run ${event.runId}: backend ${backend.backend}${gpu} (${backend.graphOps} graph ops${kernelThreads})${skipped ? ` — skipped ${skipped}` : ''}`);
    } else if (event.type === 'run.epoch') {
      progress ??= createProgress(io, label, event.plannedEpochs);
      const vals = event.metrics.map((m) => formatMetric(m.valMetric)).join(' ');
      progress.update(event.epoch, `val ${vals}  ${event.metrics[0].epochMs.toFixed(0)} ms/epoch`);
    } else if (event.type === 'run.log') {
      io.err(event.message);
    }
  };
}

/** The summary object `train --json` prints (and sweeps collect). */
export function resultJson(result: ExperimentResult) {
  return {
    runId: result.runId,
    status: result.status,
    backend: result.backend.backend,
    graphOps: result.backend.graphOps,
    kernelThreads: result.backend.kernelThreads,
    adapter: result.backend.adapter ?? null,
    epochs: result.epochsDone,
    epochMsMedian: Number(result.epochMsMedian.toFixed(3)),
    plan: result.plan.pairs.map((p) => `${p.student + 1}<-${p.peer + 1}`).join(','),
    students: result.students.map((s) => ({
      bestVal: s.bestVal,
      test: s.testAtBest,
      bestEpoch: s.bestEpoch,
      epochsTo95: s.epochsTo95,
      epochsTo99: s.epochsTo99,
      secondsTo95: s.secondsTo95,
      secondsTo99: s.secondsTo99,
    })),
  };
}

/** Ctrl-C stops the run after the current epoch, recorded as cancelled; a second Ctrl-C exits at once. */
export function cancelOnInterrupt(io: CliIo): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    io.err('\ncancelling after this epoch (Ctrl-C again to quit now)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

const trainCommand: Command = {
  path: ['train'],
  summary: 'train K student GNNs with online distillation and record the run',
  usage: `usage: alignahead train [run options] [--db FILE] [--cache DIR] [--json] [--quiet]
       alignahead train --resume RUN_ID [--db FILE]
${RUN_FLAGS_USAGE}
  --db FILE      experiment database [$ALIGNAHEAD_DB or ~/.alignahead/workbench.sqlite]
  --resume ID    continue run ID from its last checkpoint to its planned epochs
                 (with --backend B: on backend B instead of the run's own)
  --json         print one JSON summary as the last stdout line
  --queue URL    train on remote workers (alignahead worker) through this Redis; the run is recorded here`,
  async run(argv, io) {
    const { values } = parseOptions(
      argv,
      { ...RUN_FLAG_OPTIONS, db: { type: 'string' }, cache: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, resume: { type: 'string' }, queue: { type: 'string' } },
      false,
    );
    const resumeId = values.resume !== undefined ? Number(values.resume) : undefined;
    if (resumeId !== undefined && !(Number.isInteger(resumeId) && resumeId > 0)) throw new UserError(`--resume: '${values.resume}' is not a run id`);
    // Validate before opening anything, so a bad flag costs nothing.
    const config = resumeId === undefined ? parseRunnableConfig(configFromFlags(values, { available: cachedIn(values.cache) })) : undefined;
    if (values.queue !== undefined) return (await import('./queue-runs')).trainOnQueue({ values, config, resumeId, io });
    // initBackend checks the name (a UserError listing the valid ones)
    const backend = resumeId !== undefined ? (values.backend as BackendPreference | undefined) : undefined;
    // Loaded on demand: the tensor engine takes seconds to load and other commands do not need it.
    const { runExperiment } = await import('../runs/run-experiment');
    const store = openStore(values.db ?? defaultDatabasePath());
    const interrupt = cancelOnInterrupt(io);
    try {
      const result = await runExperiment({
        store,
        config,
        runId: resumeId,
        resume: resumeId !== undefined,
        backend,
        cacheDir: values.cache,
        signal: interrupt.signal,
        onEvent: values.quiet ? undefined : progressReporter(io, 'train'),
      });
      if (!values.quiet) io.err('');
      const summary = resultJson(result);
      if (values.json) printJson(io, summary);
      else {
        const gpu = summary.adapter ? ` on ${adapterLabel(summary.adapter)}` : '';
        io.out(`run ${summary.runId} ${summary.status}: ${summary.epochs} epochs, ${summary.epochMsMedian} ms/epoch (median), backend ${summary.backend}${gpu}`);
        summary.students.forEach((s, k) =>
          io.out(`  student ${k + 1}: best val ${formatMetric(s.bestVal)} at epoch ${s.bestEpoch}, test ${formatMetric(s.test)}`),
        );
      }
      return result.status === 'completed' ? 0 : 130;
    } finally {
      interrupt.dispose();
      store.close();
    }
  },
};

export const trainCommands: Command[] = [trainCommand];
