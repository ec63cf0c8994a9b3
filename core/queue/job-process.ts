/**
 * One remote run, in a process of its own: `node bin/run-ts.js core/queue/job-process.ts`, forked by
 * the queue worker (worker-loop.ts) with an IPC channel. Training keeps a thread busy for a whole
 * epoch; here that thread is not the worker's, whose BullMQ lock renewals and heartbeats go on.
 *
 * It receives `start` (the job, the checkpoint to resume from, where the data is), trains with the
 * same trainer as a local run (trainClaimed) writing to a RemoteRecorder, and posts every result
 * body to the worker, which sends them to the coordinator. `cancel` stops it after the epoch.
 * Before training it checks the data: a dataset hashing otherwise than the job says is refused.
 */
import { readFileSync } from 'node:fs';
import { decodeCanonicalDataset, datasetSha256 } from '../datasets/canonical';
import { loadDataset } from '../datasets/load';
import type { Dataset } from '../datasets/types';
import { UserError } from '../errors';
import { parentChannel } from '../host/ipc-channel';
import { Rng } from '../random';
import { initBackend } from '../tensor/backend';
import { trainClaimed } from '../runs/run-experiment';
import { prepareTrainingData } from '../train/training-data';
import { base64ToBytes, parseRunJob, type ResultBody } from './messages';
import { RemoteRecorder } from './remote-recorder';

export interface JobStart {
  type: 'start';
  job: unknown;
  /** the job's latest checkpoint (base64), when it is resumed or taken over */
  checkpoint: { epoch: number; data: string } | null;
  /** the transported dataset's canonical bytes on disk; null: resolve the job's ref here */
  datasetFile: string | null;
  /** the worker's --backend, used when the run's config leaves the backend to the machine */
  backend: string | null;
  cacheDir: string;
}

export type JobToWorker = { type: 'result'; body: ResultBody } | { type: 'done' };
export type WorkerToJob = JobStart | { type: 'cancel' };

// A worker that is gone ends this process: the job's lock expires and another worker takes it over.
const channel = parentChannel<JobToWorker>('job-process');
// Ctrl-C in the worker's terminal reaches this process too: the worker decides when a job stops.
process.on('SIGINT', () => {});
const post = channel.post;
const flushed = channel.flush;

let recorder: RemoteRecorder | null = null;
let started = false;
process.on('message', (message: WorkerToJob) => {
  if (message?.type === 'cancel') recorder?.requestCancel();
  else if (message?.type === 'start' && !started) {
    started = true;
    void runJob(message).finally(async () => {
      post({ type: 'done' });
      await flushed();
      process.exit(0);
    });
  }
});

async function runJob(start: JobStart): Promise<void> {
  const send = (body: ResultBody) => post({ type: 'result', body });
  const parsed = parseRunJob(start.job);
  if (!parsed.ok) return send({ kind: 'refused', error: parsed.error });
  const job = parsed.value;
  const checkpoint = start.checkpoint ? { epoch: start.checkpoint.epoch, data: base64ToBytes(start.checkpoint.data) } : null;
  recorder = new RemoteRecorder(send, checkpoint);
  let training = false;
  try {
    const config = job.config.backend === 'auto' && start.backend ? { ...job.config, backend: start.backend as typeof job.config.backend } : job.config;
    const backend = await initBackend({ prefer: config.backend });
    const dataset = await resolveDataset(job.dataset, start);
    const sha256 = datasetSha256(dataset);
    if (job.dataset.sha256 !== null && sha256 !== job.dataset.sha256) {
      throw new UserError(`dataset '${job.dataset.ref}' hashes to ${sha256.slice(0, 12)}… on this worker, but the run was submitted with data hashing to ${job.dataset.sha256.slice(0, 12)}…`);
    }
    const data = prepareTrainingData(dataset, config, new Rng(config.seed).fork('split'));
    try {
      send({ kind: 'started', startEpoch: checkpoint?.epoch ?? 0, datasetSha256: sha256 });
      training = true;
      await trainClaimed(recorder, job.runId, { config, data, report: backend, datasetSha256: sha256, resume: checkpoint !== null, cacheDir: start.cacheDir });
    } finally {
      data.dispose();
    }
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    // Once training, trainClaimed has recorded the failure itself.
    if (!training) send({ kind: 'refused', error: message });
    if (!(error instanceof UserError)) process.stderr.write(`alignahead worker (run ${job.runId}): ${(error as Error)?.stack ?? message}\n`);
  }
}

async function resolveDataset(ref: { ref: string; sha256: string | null; transported: boolean }, start: JobStart): Promise<Dataset> {
  if (!ref.transported) return loadDataset(ref.ref, { cacheDir: start.cacheDir });
  if (!start.datasetFile) throw new UserError(`dataset '${ref.ref}': its bytes did not reach this worker`);
  return decodeCanonicalDataset(readFileSync(start.datasetFile), `dataset '${ref.ref}' (sent by the coordinator)`, { name: ref.ref, source: ref.ref });
}
