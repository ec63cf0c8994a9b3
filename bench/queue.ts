/**
 * `node bin/run-ts.js bench/queue.ts [--part ingest|sweep|overhead] [--runs 20 --epochs 500 --students 3]`:
 * the queue's figures, one JSON line per part, each against its own redis-server on a random
 * loopback port (test/queue/redis-harness.ts).
 *   ingest:   the coordinator's sustained ingest rate, in epoch rows (one per student) per second:
 *             result messages as workers write them wait in Redis, then one coordinator applies them
 *             all; the event loop's delay meanwhile says whether the UI (same process) stays responsive.
 *   sweep:    a 12-run sweep of short runs on 1 worker, then on 3 workers on this machine.
 *   overhead: queue overhead per run: from submit to the first epoch stored, median of 5, idle worker.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCoordinator } from '../core/queue/coordinator';
import { queueKeys } from '../core/queue/keys';
import { MESSAGE_VERSION, type ResultBody, type ResultMessage } from '../core/queue/messages';
import { parseQueueUrl } from '../core/queue/redis-url';
import { openStore, type ExperimentStore } from '../core/store';
import { newRunRecord } from '../core/runs/new-run';
import { parseRunConfig } from '../core/train/run-config';
import { sleep, tempDir } from '../test/reliability/harness';
import { startRedis, startWorker, stopWorker, workerReady } from '../test/queue/redis-harness';

const { values } = parseArgs({
  options: { part: { type: 'string', multiple: true }, runs: { type: 'string' }, epochs: { type: 'string' }, students: { type: 'string' }, batch: { type: 'string' } },
});
const parts = values.part?.length ? values.part : ['ingest', 'sweep', 'overhead'];
const dir = tempDir('bench-queue');
const SHORT = { data: 'csbm:200:800:3:8', hidden: 8, epochs: 30, checkpointEvery: 10, heatmapEvery: 10, backend: 'cpu' as const };

function createRemoteRun(store: ExperimentStore, config: object, job: string): number {
  const run = store.createRun(newRunRecord(parseRunConfig(config)));
  store.updateRunInfo(run.id, { queue: { job, lease: null, seq: null } });
  return run.id;
}

async function ingest(): Promise<Record<string, unknown>> {
  const runs = Number(values.runs ?? 20);
  const epochs = Number(values.epochs ?? 500);
  const students = Number(values.students ?? 3);
  const redis = await startRedis({ dir: join(dir, 'redis-ingest') });
  const path = join(dir, 'ingest.sqlite');
  const store = openStore(path);
  const client = redis.client();
  // the messages a worker would write for `runs` runs of `epochs` epochs, waiting in Redis
  const coordinatorId = (await import('../core/queue/coordinator')).coordinatorIdFor(path);
  const stream = queueKeys().results(coordinatorId);
  const by = { worker: 'bench', host: 'bench-host', pid: 1, start: null };
  let written = 0;
  for (let r = 0; r < runs; r++) {
    const job = `${coordinatorId}-r${r + 1}-bench`;
    const runId = createRemoteRun(store, { ...SHORT, students, epochs }, job);
    const bodies: ResultBody[] = [{ kind: 'started', startEpoch: 0, datasetSha256: 'a'.repeat(64) }];
    for (let e = 1; e <= epochs; e++) {
      bodies.push({
        kind: 'epoch',
        epoch: e,
        rows: Array.from({ length: students }, (_, student) => ({ student, taskLoss: 1 / e, distillLoss: 0.01, trainMetric: 0.5, valMetric: 0.5 + e / (10 * epochs), testMetric: e % 10 === 0 ? 0.6 : null, epochMs: 12.5, elapsedMs: 12.5 * e })),
      });
    }
    bodies.push({ kind: 'status', status: 'completed', error: null });
    const pipeline = client.pipeline();
    bodies.forEach((body, i) => {
      const message: ResultMessage = { v: MESSAGE_VERSION, job, run: runId, lease: 'benchLease01', seq: i + 1, by, body };
      pipeline.xadd(stream, '*', 'm', JSON.stringify(message));
    });
    await pipeline.exec();
    written += bodies.length;
  }
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const started = performance.now();
  const coordinator = await startCoordinator({ address: parseQueueUrl(redis.url), store, databasePath: path, batchSize: values.batch ? Number(values.batch) : undefined, log: () => {} });
  while (coordinator.stats().applied + coordinator.stats().skipped + coordinator.stats().refused < written) await sleep(20);
  const seconds = (performance.now() - started) / 1000;
  lag.disable();
  const rows = runs * epochs * students;
  const stored = store.listRuns({ limit: 10_000 }).reduce((sum, r) => sum + r.epochs, 0) * students;
  await coordinator.close();
  client.disconnect();
  store.close();
  await redis.stop();
  return {
    part: 'ingest',
    messages: written,
    epochRows: rows,
    storedRows: stored,
    seconds: Number(seconds.toFixed(2)),
    epochRowsPerSecond: Math.round(rows / seconds),
    epochsPerSecond: Math.round((runs * epochs) / seconds),
    eventLoopDelayMs: { p50: Number((lag.percentile(50) / 1e6).toFixed(1)), p99: Number((lag.percentile(99) / 1e6).toFixed(1)), max: Number((lag.max / 1e6).toFixed(1)) },
  };
}

async function sweep(workerCount: number): Promise<number> {
  const redis = await startRedis({ dir: join(dir, `redis-sweep-${workerCount}`) });
  const workers = Array.from({ length: workerCount }, (_, i) => startWorker(redis.url, `w${i + 1}`, { dataDir: dir }));
  await Promise.all(workers.map((w) => workerReady(w)));
  const path = join(dir, `sweep-${workerCount}.sqlite`);
  const store = openStore(path);
  const coordinator = await startCoordinator({ address: parseQueueUrl(redis.url), store, databasePath: path, log: () => {} });
  const started = performance.now();
  const ids: number[] = [];
  for (const strategy of ['independent', 'alignahead'] as const) {
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const run = store.createRun(newRunRecord(parseRunConfig({ ...SHORT, strategy, seed })));
      await coordinator.submit(run.id);
      ids.push(run.id);
    }
  }
  await coordinator.whenEnded(ids, 50);
  const seconds = (performance.now() - started) / 1000;
  const completed = ids.filter((id) => store.getRun(id)!.status === 'completed').length;
  if (completed !== ids.length) throw new Error(`only ${completed} of ${ids.length} runs completed`);
  await coordinator.close();
  await Promise.all(workers.map(stopWorker));
  store.close();
  await redis.stop();
  return seconds;
}

async function overhead(): Promise<Record<string, unknown>> {
  const redis = await startRedis({ dir: join(dir, 'redis-overhead') });
  const worker = startWorker(redis.url, 'w1', { dataDir: dir });
  await workerReady(worker);
  const path = join(dir, 'overhead.sqlite');
  const store = openStore(path);
  const coordinator = await startCoordinator({ address: parseQueueUrl(redis.url), store, databasePath: path, log: () => {} });
  const toRunning: number[] = [];
  const toFirstEpoch: number[] = [];
  for (let i = 0; i < 5; i++) {
    const run = store.createRun(newRunRecord(parseRunConfig({ ...SHORT, seed: i })));
    const submitted = performance.now();
    await coordinator.submit(run.id);
    while (store.getRun(run.id)!.status === 'queued') await sleep(2);
    toRunning.push(performance.now() - submitted);
    while (store.finishedEpochs(run.id) === 0) await sleep(2);
    toFirstEpoch.push(performance.now() - submitted);
    await coordinator.whenEnded([run.id], 20);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  await coordinator.close();
  await stopWorker(worker);
  store.close();
  await redis.stop();
  return { part: 'overhead', runs: 5, submitToRunningMsMedian: Math.round(median(toRunning)), submitToFirstEpochMsMedian: Math.round(median(toFirstEpoch)) };
}

for (const part of parts) {
  if (part === 'ingest') console.log(JSON.stringify(await ingest()));
  else if (part === 'sweep') {
    const one = await sweep(1);
    const three = await sweep(3);
    console.log(JSON.stringify({ part: 'sweep', runs: 12, oneWorkerSeconds: Number(one.toFixed(1)), threeWorkersSeconds: Number(three.toFixed(1)), speedup: Number((one / three).toFixed(2)) }));
  } else if (part === 'overhead') console.log(JSON.stringify(await overhead()));
  else throw new Error(`unknown part '${part}' (ingest, sweep, overhead)`);
}
process.exit(0);
