import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../../contract/api';
import { currentOwner, hostId, openStore, type ExperimentStore } from '../store';
import { createTrainingHost, type TrainingHost } from './training-host';
import type { HostToWorker, WorkerExit, WorkerHandle, WorkerToHost } from './worker-protocol';

/** A worker that does what the test tells it: start the run in the store, report, exit. */
class FakeWorker implements WorkerHandle {
  readonly received: HostToWorker[] = [];
  private messageListeners: ((m: WorkerToHost) => void)[] = [];
  private exitListeners: ((e: WorkerExit) => void)[] = [];
  killedWith: string | null = null;
  constructor(
    readonly runId: number,
    readonly pid: number,
    private readonly store: ExperimentStore,
  ) {}
  send(message: HostToWorker) {
    this.received.push(message);
  }
  onMessage(listener: (m: WorkerToHost) => void) {
    this.messageListeners.push(listener);
  }
  onExit(listener: (e: WorkerExit) => void) {
    this.exitListeners.push(listener);
  }
  kill(signal: NodeJS.Signals = 'SIGTERM') {
    this.killedWith = signal;
    this.exit({ code: null, signal });
  }
  /** what runExperiment does when it starts */
  begin() {
    this.store.setStatus(this.runId, 'running', { owner: { host: hostId(), pid: this.pid, startToken: null } });
    this.post({ type: 'backend', backend: { backend: 'cpu', graphOps: 'kernels', threads: 1, skipped: [] } });
    this.post({ type: 'run.status', runId: this.runId, status: 'running', error: null });
  }
  complete() {
    this.store.setStatus(this.runId, 'completed');
    this.post({ type: 'run.status', runId: this.runId, status: 'completed', error: null });
    this.exit({ code: 0, signal: null });
  }
  post(message: WorkerToHost) {
    for (const listener of this.messageListeners) listener(message);
  }
  exit(exit: WorkerExit) {
    const listeners = this.exitListeners;
    this.exitListeners = [];
    for (const listener of listeners) listener(exit);
  }
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

let dir: string;
let store: ExperimentStore;
let workers: FakeWorker[];
let events: ApiEvent[];
let host: TrainingHost;

function newRun(): number {
  return store.createRun({ config: { data: 'demo' }, dataset: 'demo', model: 'gcn', strategy: 'oc', numStudents: 2, numLayers: 2, seed: 0 }).id;
}

function startHost(maxConcurrent: number, requeueQueued = true): TrainingHost {
  return createTrainingHost({
    databasePath: join(dir, 'db.sqlite'),
    cacheDir: join(dir, 'cache'),
    maxConcurrent,
    store,
    requeueQueued,
    // fake workers' pids do not exist: only the start-up sweep runs, unless a test asks
    livenessSweepMs: 3_600_000,
    spawnWorker: (runId) => {
      const worker = new FakeWorker(runId, 10_000 + workers.length, store);
      workers.push(worker);
      return worker;
    },
    onEvent: (event) => events.push(event),
    log: () => {},
  });
}

const workerOf = (runId: number) => workers.find((w) => w.runId === runId)!;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-host-'));
  store = openStore(join(dir, 'db.sqlite'));
  workers = [];
  events = [];
});
afterEach(async () => {
  await host?.dispose({ graceMs: 10 });
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('training host queue', () => {
  it('runs at most maxConcurrent workers, in queue order, starting the next when one ends', async () => {
    host = startHost(2);
    const ids = [newRun(), newRun(), newRun(), newRun()];
    for (const id of ids) host.enqueue(id);
    expect(workers.map((w) => w.runId)).toEqual(ids.slice(0, 2));
    expect(host.queuedRunIds()).toEqual(ids.slice(2));
    expect(workers[0].received[0]).toMatchObject({ type: 'start', runId: ids[0], resume: false });

    workerOf(ids[1]).begin();
    workerOf(ids[1]).complete();
    expect(workers.map((w) => w.runId)).toEqual([ids[0], ids[1], ids[2]]);
    expect(host.activeRuns().map((r) => r.runId).sort()).toEqual([ids[0], ids[2]]);

    host.setMaxConcurrent(3);
    expect(workers.map((w) => w.runId)).toEqual(ids);
    expect(host.activeRuns()).toHaveLength(3);

    for (const id of [ids[0], ids[2], ids[3]]) {
      workerOf(id).begin();
      workerOf(id).complete();
    }
    await host.whenIdle();
    expect(ids.map((id) => store.getRun(id)!.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
  });

  it('forwards the events its workers post unchanged, and only those of their own runs', () => {
    host = startHost(1);
    const id = newRun();
    host.enqueue(id);
    const worker = workerOf(id);
    worker.begin();
    const metrics = [0, 1].map((student) => ({ epoch: 1, student, taskLoss: 1, distillLoss: 0, trainMetric: 0.5, valMetric: 0.5, testMetric: null, epochMs: 5, elapsedMs: 5 }));
    const best = [0, 1].map((idx) => ({ idx, bestVal: 0.5, bestEpoch: 1, testAtBest: null }));
    const epoch: WorkerToHost = { type: 'run.epoch', runId: id, epoch: 1, plannedEpochs: 3, metrics, best };
    worker.post(epoch);
    worker.post({ type: 'run.alignment', runId: id, epoch: 1 });
    worker.post({ type: 'run.epoch', runId: id + 1, epoch: 1, plannedEpochs: 3, metrics, best }); // not its run: dropped
    expect(events).toEqual([
      { type: 'backend', backend: { backend: 'cpu', graphOps: 'kernels', threads: 1, skipped: [] } },
      { type: 'run.status', runId: id, status: 'running', error: null },
      epoch,
      { type: 'run.alignment', runId: id, epoch: 1 },
    ]);
    expect(events[2]).toBe(epoch);
    expect(host.lastBackend()?.backend).toBe('cpu');
  });

  it('marks the run failed when its worker dies while running, and keeps serving the queue', () => {
    host = startHost(1);
    const [a, b] = [newRun(), newRun()];
    host.enqueue(a);
    host.enqueue(b);
    workerOf(a).begin();
    workerOf(a).exit({ code: null, signal: 'SIGKILL' });
    const run = store.getRun(a)!;
    expect(run.status).toBe('failed');
    expect(run.error).toBe('training process exited with signal SIGKILL');
    expect(events.at(-1)).toEqual({ type: 'run.status', runId: a, status: 'failed', error: 'training process exited with signal SIGKILL' });
    expect(workers.map((w) => w.runId)).toEqual([a, b]);

    // a worker that never got as far as starting its run fails it too
    workerOf(b).exit({ code: 3, signal: null });
    expect(store.getRun(b)!.status).toBe('failed');
    expect(store.getRun(b)!.error).toMatch(/exited with code 3/);
  });

  it('cancels queued runs at once and asks running ones to stop', () => {
    host = startHost(1);
    const [a, b] = [newRun(), newRun()];
    host.enqueue(a);
    host.enqueue(b);
    workerOf(a).begin();
    expect(host.cancel(b).status).toBe('cancelled');
    expect(host.queuedRunIds()).toEqual([]);
    const running = host.cancel(a);
    expect(running.status).toBe('running');
    expect(running.cancelRequested).toBe(true);
    expect(workerOf(a).received.at(-1)).toEqual({ type: 'cancel' });
    expect(() => host.cancel(b)).toThrow(/only queued or running/);
    // the trainer stops and records the ending; the host then has nothing left to start
    store.setStatus(a, 'cancelled');
    workerOf(a).exit({ code: 0, signal: null });
    expect(workers).toHaveLength(1);
    expect(store.getRun(a)!.status).toBe('cancelled');
  });

  it('cancelling a run whose worker is still loading stops that worker and records cancelled, not failed', () => {
    host = startHost(1);
    const id = newRun();
    host.enqueue(id);
    expect(host.cancel(id).status).toBe('cancelled');
    expect(workerOf(id).killedWith).toBe('SIGKILL');
    expect(store.getRun(id)!.status).toBe('cancelled');
    expect(host.activeRuns()).toEqual([]);
  });

  it('on start marks runs whose owner is gone as interrupted, leaves live ones running, and picks up runs left queued', () => {
    const [left, live, waiting] = [newRun(), newRun(), newRun()];
    store.setStatus(left, 'running', { owner: { ...currentOwner(), pid: deadPid() } });
    // e.g. a CLI trainer on the same database: this test process stands in for it
    store.setStatus(live, 'running');
    host = startHost(1);
    expect(store.getRun(left)!.status).toBe('interrupted');
    expect(store.getRun(live)!.status).toBe('running');
    expect(workers.map((w) => w.runId)).toEqual([waiting]);
    expect(workers[0].received[0]).toMatchObject({ type: 'start', runId: waiting, resume: true });
  });

  it('keeps checking: a run whose owner dies later is interrupted within the sweep interval, with an event', async () => {
    host = createTrainingHost({ databasePath: join(dir, 'db.sqlite'), cacheDir: join(dir, 'cache'), store, livenessSweepMs: 20, spawnWorker: () => { throw new Error('unused'); }, onEvent: (event) => events.push(event), log: () => {} });
    const orphan = newRun();
    store.setStatus(orphan, 'running', { owner: { ...currentOwner(), pid: deadPid() } });
    await vi.waitFor(() => expect(store.getRun(orphan)!.status).toBe('interrupted'), { timeout: 5_000 });
    expect(events).toContainEqual(expect.objectContaining({ type: 'run.status', runId: orphan, status: 'interrupted' }));
  });

  it('leaves alone a run another process claimed when its own worker exits (two apps on one database)', () => {
    host = startHost(1);
    const id = newRun();
    host.enqueue(id);
    // the other app's trainer (this live test process) claimed the run first
    store.setStatus(id, 'running');
    workerOf(id).exit({ code: 2, signal: null });
    expect(store.getRun(id)!.status).toBe('running');
  });

  it('dispose stops workers and leaves their runs interrupted, so they can be resumed', async () => {
    host = startHost(1);
    const id = newRun();
    host.enqueue(id);
    workerOf(id).begin();
    await host.dispose({ graceMs: 10 });
    expect(workerOf(id).killedWith).toBe('SIGTERM');
    expect(store.getRun(id)!.status).toBe('interrupted');
    expect(() => host.enqueue(newRun())).toThrow(/shut down/);
  });

  it('refuses a concurrency outside 1..16', () => {
    host = startHost(1);
    expect(() => host.setMaxConcurrent(0)).toThrow(/maxConcurrentRuns/);
    expect(() => host.setMaxConcurrent(1.5)).toThrow(/maxConcurrentRuns/);
    expect(host.maxConcurrent).toBe(1);
  });
});
