import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type ExperimentStore } from '../store';
import { applyResult } from './ingest';
import { floatsToBase64, parseResultMessage, type ResultBody, type ResultMessage, type WorkerIdentity } from './messages';

/**
 * The coordinator's ingest against a real store: remote results become the same records a local run
 * makes, each message applies once, an epoch is never recorded twice, and a takeover by another
 * worker replaces the records after its checkpoint.
 */

const JOB = 'abcdef0123-r1-k1';
const WORKER_A: WorkerIdentity = { worker: 'a', host: 'host-a', pid: 4242, start: null };
const WORKER_B: WorkerIdentity = { worker: 'b', host: 'host-b', pid: 777, start: 'tok' };

let store: ExperimentStore;
afterEach(() => store?.close());

function newRemoteRun(): number {
  store = openStore(':memory:');
  const run = store.createRun({ config: { data: 'demo' }, dataset: 'demo', model: 'gcn', strategy: 'alignahead', numStudents: 2, numLayers: 2, seed: 0, plannedEpochs: 10 });
  store.updateRunInfo(run.id, { queue: { job: JOB, lease: null, seq: null } });
  return run.id;
}

function message(lease: string, seq: number, body: ResultBody, by = WORKER_A, run = 1, job = JOB): ResultMessage {
  return { v: 1, job, run, lease, seq, by, body };
}

const rows = (epoch: number, val = 0.5 + epoch / 100) => [0, 1].map((student) => ({ student, taskLoss: 1 / epoch, distillLoss: 0.1, trainMetric: val, valMetric: val, testMetric: null, epochMs: 10, elapsedMs: 10 * epoch }));
const started = (startEpoch = 0): ResultBody => ({ kind: 'started', startEpoch, datasetSha256: 'a'.repeat(64) });

describe('ingest', () => {
  it('records a remote run through the store calls a local run makes', () => {
    const runId = newRemoteRun();
    const lease = 'leaseAAAA1';
    const bodies: ResultBody[] = [
      started(),
      { kind: 'info', backend: 'cpu', backendReport: { backend: 'cpu' }, versions: { app: 'x' }, plannedEpochs: 2 },
      { kind: 'epoch', epoch: 1, rows: rows(1) },
      { kind: 'alignment', epoch: 1, matrices: [{ student: 0, peer: 1, rows: 2, cols: 2, data: floatsToBase64(new Float32Array([0.1, 0.2, 0.3, 0.4])) }] },
      { kind: 'epoch', epoch: 2, rows: rows(2) },
      { kind: 'checkpoint', epoch: 2, data: Buffer.from([1, 2, 3]).toString('base64') },
      { kind: 'event', level: 'info', event: 'log', message: 'hello' },
      { kind: 'convergence', student: 0, figures: { epochsTo95: 2 } },
      { kind: 'status', status: 'completed', error: null },
    ];
    const outcomes = bodies.map((body, i) => applyResult(store, message(lease, i + 1, body)));
    expect(outcomes.map((o) => o.result)).toEqual(bodies.map(() => 'applied'));
    const run = store.getRun(runId)!;
    expect(run.status).toBe('completed');
    expect(run.worker).toBe('a');
    expect(run.datasetSha256).toBe('a'.repeat(64));
    expect(run.queue).toEqual({ job: JOB, lease, seq: bodies.length });
    expect(store.finishedEpochs(runId)).toBe(2);
    expect(Array.from(store.getAlignment(runId, { epoch: 1 })[0].data)).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3, 0.4])));
    expect(Array.from(store.latestCheckpoint(runId)!.data)).toEqual([1, 2, 3]);
    expect(store.getStudents(runId)[0]).toMatchObject({ bestVal: 0.52, bestEpoch: 2, epochsTo95: 2 });
    const epochEvent = outcomes[2].result === 'applied' ? outcomes[2].events[0] : null;
    expect(epochEvent).toMatchObject({ type: 'run.epoch', runId, epoch: 1, metrics: [{ student: 0, valMetric: 0.51 }, { student: 1 }] });
  });

  it('records the distillation signal a worker measured, once, including its epoch 0', () => {
    const runId = newRemoteRun();
    const lease = 'leaseAAAA1';
    const signalRow = (contrast: number) => ({ student: 0, peer: 1, studentLayer: 1, peerLayer: 0, tau: 0.5, distanceOverTauQ1: 0.8, distanceOverTauMedian: 1, distanceOverTauQ3: 1.3, meanKl: 0.01, contrast, studentContrast: null, state: 'active' as const });
    applyResult(store, message(lease, 1, started()));
    const first = applyResult(store, message(lease, 2, { kind: 'signal', epoch: 0, rows: [signalRow(0.03)] }));
    expect(first).toMatchObject({ result: 'applied', events: [{ type: 'run.signal', runId, epoch: 0 }] });
    expect(applyResult(store, message(lease, 3, { kind: 'signal', epoch: 0, rows: [signalRow(0.03)] })).result).toBe('skipped');
    expect(applyResult(store, message(lease, 4, { kind: 'signal', epoch: 0, rows: [signalRow(0.5)] }))).toMatchObject({ result: 'refused', error: expect.stringMatching(/signal of epoch 0 is already recorded with other values/) });
    expect(store.getSignal(runId)).toEqual([{ epoch: 0, ...signalRow(0.03) }]);
    // the message schema refuses a state the store does not know
    const hostile = { ...message(lease, 5, { kind: 'signal', epoch: 1, rows: [signalRow(0.03)] }) } as ResultMessage;
    (hostile.body as { rows: { state: string }[] }).rows[0].state = 'exploded';
    expect(parseResultMessage(JSON.stringify(hostile))).toMatchObject({ ok: false, error: expect.stringMatching(/state/) });
  });

  it('applies a redelivered message once, and an epoch once however it arrives', () => {
    const runId = newRemoteRun();
    const lease = 'leaseAAAA1';
    applyResult(store, message(lease, 1, started()));
    expect(applyResult(store, message(lease, 2, { kind: 'epoch', epoch: 1, rows: rows(1) })).result).toBe('applied');
    applyResult(store, message(lease, 3, { kind: 'event', level: 'info', event: 'log', message: 'once' }));
    const eventsBefore = store.getEvents(runId).length;
    // the same messages again (a batch read twice, an append retried)
    expect(applyResult(store, message(lease, 1, started())).result).toBe('skipped');
    expect(applyResult(store, message(lease, 2, { kind: 'epoch', epoch: 1, rows: rows(1) })).result).toBe('skipped');
    expect(applyResult(store, message(lease, 3, { kind: 'event', level: 'info', event: 'log', message: 'once' })).result).toBe('skipped');
    // the same epoch under a new number: identical content is acknowledged and skipped...
    expect(applyResult(store, message(lease, 4, { kind: 'epoch', epoch: 1, rows: rows(1) }))).toMatchObject({ result: 'skipped' });
    // ...other numbers for a recorded epoch are refused, and change nothing
    const conflict = applyResult(store, message(lease, 5, { kind: 'epoch', epoch: 1, rows: rows(1, 0.9) }));
    expect(conflict).toMatchObject({ result: 'refused', error: expect.stringMatching(/epoch 1 is already recorded with other values/) });
    expect(store.getMetrics(runId).map((m) => m.valMetric)).toEqual([0.51, 0.51]);
    expect(store.getEvents(runId).length).toBe(eventsBefore);
    expect(store.getRun(runId)!.queue!.seq).toBe(4);
  });

  it('hands a job taken over by another worker to the new lease: records after its checkpoint are replaced', () => {
    const runId = newRemoteRun();
    applyResult(store, message('leaseAAAA1', 1, started()));
    for (let e = 1; e <= 5; e++) applyResult(store, message('leaseAAAA1', e + 1, { kind: 'epoch', epoch: e, rows: rows(e) }));
    applyResult(store, message('leaseAAAA1', 7, { kind: 'checkpoint', epoch: 4, data: 'AAEC' }));
    // worker a is killed after epoch 5; worker b resumes from the checkpoint of epoch 4
    expect(applyResult(store, message('leaseBBBB1', 1, started(4), WORKER_B)).result).toBe('applied');
    let run = store.getRun(runId)!;
    expect(run).toMatchObject({ status: 'running', worker: 'b', owner: { host: 'host-b', pid: 777, startToken: 'tok' } });
    expect(store.finishedEpochs(runId)).toBe(4);
    const statuses = store.getEvents(runId).filter((e) => e.kind === 'status').map((e) => e.message);
    expect(statuses.slice(-2)).toEqual([expect.stringMatching(/running → interrupted: job taken over by worker b/), expect.stringMatching(/interrupted → running: on worker b, from the checkpoint of epoch 4/)]);
    // a late message of the lost worker is refused; the new worker's epoch 5 is recorded
    expect(applyResult(store, message('leaseAAAA1', 8, { kind: 'epoch', epoch: 6, rows: rows(6) }))).toMatchObject({ result: 'refused', error: expect.stringMatching(/lease leaseAAAA1/) });
    expect(applyResult(store, message('leaseBBBB1', 2, { kind: 'epoch', epoch: 5, rows: rows(5, 0.7) }, WORKER_B)).result).toBe('applied');
    run = store.getRun(runId)!;
    expect(store.getMetrics(runId).filter((m) => m.epoch === 5).map((m) => m.valMetric)).toEqual([0.7, 0.7]);
  });

  it('brings an interrupted run back to running when results of its current worker arrive', () => {
    const runId = newRemoteRun();
    applyResult(store, message('leaseAAAA1', 1, started()));
    store.setStatus(runId, 'interrupted', { error: 'process 4242 on host host-a sent no heartbeat for 61 s (limit 60 s)' });
    const outcome = applyResult(store, message('leaseAAAA1', 2, { kind: 'epoch', epoch: 1, rows: rows(1) }));
    expect(outcome).toMatchObject({ result: 'applied', events: [{ type: 'run.status', status: 'running' }, { type: 'run.epoch', epoch: 1 }] });
    expect(store.getRun(runId)).toMatchObject({ status: 'running', owner: { host: 'host-a', pid: 4242 } });
    expect(applyResult(store, message('leaseAAAA1', 3, { kind: 'status', status: 'completed', error: null })).result).toBe('applied');
    expect(store.getRun(runId)!.status).toBe('completed');
  });

  it('refuses results for runs that are gone, finished, local or another job', () => {
    const runId = newRemoteRun();
    expect(applyResult(store, message('leaseAAAA1', 1, started(), WORKER_A, 99))).toMatchObject({ result: 'refused', error: expect.stringMatching(/run 99.*no such run/) });
    expect(applyResult(store, message('leaseAAAA1', 1, started(), WORKER_A, runId, 'abcdef0123-r1-other'))).toMatchObject({ result: 'refused', error: expect.stringMatching(/not by job/) });
    expect(applyResult(store, message('leaseAAAA1', 1, { kind: 'epoch', epoch: 1, rows: rows(1) }))).toMatchObject({ result: 'refused' });
    applyResult(store, message('leaseAAAA1', 1, started()));
    applyResult(store, message('leaseAAAA1', 2, { kind: 'status', status: 'cancelled', error: null }));
    expect(applyResult(store, message('leaseBBBB1', 1, started(), WORKER_B))).toMatchObject({ result: 'refused', error: expect.stringMatching(/cancelled; a worker cannot restart it/) });
    expect(store.finishedEpochs(runId)).toBe(0);
    expect(store.integrityCheck()).toBe('ok');
  });

  it('fails a queued run its worker refused, with the worker and the reason', () => {
    const runId = newRemoteRun();
    expect(applyResult(store, message('leaseAAAA1', 1, { kind: 'refused', error: "dataset 'x' hashes to 0123… here" })).result).toBe('applied');
    expect(store.getRun(runId)).toMatchObject({ status: 'failed', error: "worker a: dataset 'x' hashes to 0123… here" });
  });

  it('cancels a run whose cancellation a worker found when the job came to it', () => {
    const runId = newRemoteRun();
    applyResult(store, message('leaseAAAA1', 1, started()));
    store.requestCancel(runId);
    // its worker died before seeing the flag; the next worker finds it and does not start the run
    expect(applyResult(store, message('leaseBBBB1', 1, { kind: 'withdrawn' }, WORKER_B)).result).toBe('applied');
    expect(store.getRun(runId)!.status).toBe('cancelled');
    expect(applyResult(store, message('leaseBBBB1', 1, { kind: 'withdrawn' }, WORKER_B)).result).toBe('skipped');
  });

  it('names what is wrong with a malformed message', () => {
    expect(parseResultMessage('{not json')).toMatchObject({ ok: false, error: expect.stringMatching(/^malformed result: not JSON/) });
    expect(parseResultMessage(JSON.stringify({ v: 1 }))).toMatchObject({ ok: false, error: expect.stringMatching(/^malformed result: job: /) });
    const bad = message('leaseAAAA1', 1, { kind: 'epoch', epoch: 0, rows: [] });
    expect(parseResultMessage(JSON.stringify(bad))).toMatchObject({ ok: false, error: expect.stringMatching(/body\.epoch.*>=1|body\.rows/) });
    expect(parseResultMessage(JSON.stringify({ ...bad, body: { kind: 'explode' } }))).toMatchObject({ ok: false, error: expect.stringMatching(/body\.kind/) });
    expect(parseResultMessage(42)).toMatchObject({ ok: false, error: /no message text/ });
  });
});
