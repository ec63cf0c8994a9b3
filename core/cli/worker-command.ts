import { hostname } from 'node:os';
import { BACKENDS } from '../../contract/run-config';
import { defaultCacheDir } from '../datasets/load';
import { UserError } from '../errors';
import { numberOption, parseOptions, type CliIo, type Command } from './command';
import { createProgress, type Progress } from './progress';
import { formatMetric } from './train-commands';
import type { JobProgress } from '../queue/worker-loop';

/**
 * `alignahead worker --queue URL`: trains runs that coordinators put on the queue, each with the
 * same trainer as a local run, and streams everything it records back through Redis. Ctrl-C stops
 * taking jobs and lets the running ones finish; a second Ctrl-C (or SIGTERM) leaves them at once,
 * to be taken over by another worker from their last checkpoint.
 */
const workerCommand: Command = {
  path: ['worker'],
  summary: 'train runs from a Redis queue (BullMQ) and stream their records back to the coordinator',
  usage: `usage: alignahead worker --queue redis://[user:pass@]HOST:PORT[/DB] [--concurrency N] [--name NAME] [--backend B] [--cache DIR]
  --queue URL        the queue's Redis (rediss:// for TLS; a password may also come from $ALIGNAHEAD_REDIS_PASSWORD,
                     a private CA from $ALIGNAHEAD_REDIS_CA)
  --concurrency N    runs trained at once, each in its own process [1]
  --name NAME        how this worker is shown in the Workers panel and in the runs it trains [the hostname]
  --backend B        ${BACKENDS.join('|')}: for runs that leave the backend to the machine [auto]
  --cache DIR        where catalog datasets are found and sent datasets are kept [$ALIGNAHEAD_DATA_DIR or ~/.alignahead/datasets]
  --prefix P         the queue's key prefix in Redis [alignahead]`,
  async run(argv, io) {
    const { values } = parseOptions(
      argv,
      { queue: { type: 'string' }, concurrency: { type: 'string' }, name: { type: 'string' }, backend: { type: 'string' }, cache: { type: 'string' }, prefix: { type: 'string' } },
      false,
    );
    if (!values.queue) throw new UserError('--queue URL is required (e.g. redis://127.0.0.1:6379)');
    const concurrency = numberOption('concurrency', values.concurrency, 1, (v) => Number.isInteger(v) && v >= 1 && v <= 64);
    const backend = values.backend ?? null;
    if (backend !== null && !(BACKENDS as readonly string[]).includes(backend)) throw new UserError(`--backend: '${backend}' is not one of ${BACKENDS.join(', ')}`);
    const name = (values.name ?? hostname()).trim();
    if (!/^[\w.@-]{1,100}$/.test(name)) throw new UserError(`--name: '${name.slice(0, 100)}' (letters, digits, '.', '_', '-', '@'; at most 100)`);
    const { parseQueueUrl } = await import('../queue/redis-url');
    const address = parseQueueUrl(values.queue);
    const { startQueueWorker } = await import('../queue/worker-loop');
    const bars = new Map<string, Progress>();
    const worker = await startQueueWorker({
      address,
      name,
      concurrency,
      backend: backend === 'auto' ? null : backend,
      cacheDir: values.cache ?? defaultCacheDir(),
      prefix: values.prefix,
      log: (line) => io.err(line),
      onJob: (event) => jobLine(io, bars, event),
    });
    const first = await stopSignal();
    if (first === 'SIGTERM') {
      io.err('stopping now: running jobs are left to other workers (they resume from their last checkpoint)');
      await worker.close({ force: true });
    } else {
      io.err('stopping: no new jobs; running jobs finish (Ctrl-C again to leave them to other workers)');
      const forced = stopSignal().then(() => worker.close({ force: true }));
      await Promise.race([worker.close({ force: false }), forced]);
    }
    // Redis clients that were reconnecting to a Redis that is gone may still hold timers: leave anyway.
    setTimeout(() => process.exit(0), 1000).unref();
    return 0;
  },
};

/** One progress line per job, labelled with its run. */
function jobLine(io: CliIo, bars: Map<string, Progress>, event: JobProgress): void {
  if (event.type === 'start') {
    io.err(`job ${event.job}: ${event.label}${event.startEpoch > 0 ? `, resuming after epoch ${event.startEpoch}` : ''}`);
    bars.set(event.job, createProgress(io, `  run ${event.runId}`, event.plannedEpochs));
  } else if (event.type === 'epoch') {
    bars.get(event.job)?.update(event.epoch, `val ${event.valMetrics.map(formatMetric).join(' ')}`);
  } else {
    bars.delete(event.job);
    io.err(`job ${event.job}: run ${event.runId} ${event.status}${event.error ? `: ${event.error}` : ''}`);
  }
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

export const workerCommands: Command[] = [workerCommand];
