import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { UtilityProcess } from 'electron';
import type { WorkerExit, WorkerToHost } from '../../core/host/worker-protocol';
import { utilityProcessSpawner, wrapUtilityProcess } from './utility-spawner';

vi.mock('electron', () => ({}));

function fakeChild() {
  const child = Object.assign(new EventEmitter(), { pid: 4242 as number | undefined, postMessage: vi.fn(), kill: vi.fn(() => true) });
  return child;
}

describe('utilityProcessSpawner', () => {
  it('forks the worker entry once per run, with a name that says which run', () => {
    const child = fakeChild();
    const fork = vi.fn(() => child as unknown as UtilityProcess);
    const handle = utilityProcessSpawner(fork, '/app/dist/electron/worker.cjs')(17);
    expect(fork).toHaveBeenCalledWith('/app/dist/electron/worker.cjs', [], { serviceName: 'Alignahead training (run 17)', stdio: 'inherit' });
    expect(handle.pid).toBe(4242);
  });
});

describe('wrapUtilityProcess', () => {
  it('sends host messages with postMessage and passes on only well-formed worker messages', () => {
    const child = fakeChild();
    const handle = wrapUtilityProcess(child as unknown as UtilityProcess);
    handle.send({ type: 'cancel' });
    expect(child.postMessage).toHaveBeenCalledWith({ type: 'cancel' });
    const received: WorkerToHost[] = [];
    handle.onMessage((message) => received.push(message));
    const good: WorkerToHost = { type: 'run.alignment', runId: 3, epoch: 2 };
    child.emit('message', good);
    child.emit('message', { type: 'run.alignment', runId: 'three' });
    child.emit('message', { type: 'dataset.progress', name: 'cora' });
    child.emit('message', 'garbage');
    expect(received).toEqual([good]);
  });

  it('reports the exit once, with the fatal error when there was one, also to late listeners', () => {
    const child = fakeChild();
    const handle = wrapUtilityProcess(child as unknown as UtilityProcess);
    const exits: WorkerExit[] = [];
    handle.onExit((exit) => exits.push(exit));
    child.emit('error', 'FatalError', 'v8::OOM', '');
    child.emit('exit', 134);
    child.emit('exit', 134);
    handle.onExit((exit) => exits.push(exit));
    expect(exits).toEqual([
      { code: 134, signal: null, error: 'FatalError at v8::OOM' },
      { code: 134, signal: null, error: 'FatalError at v8::OOM' },
    ]);
  });

  it('stops sending and killing once the process is gone', () => {
    const child = fakeChild();
    const handle = wrapUtilityProcess(child as unknown as UtilityProcess);
    handle.kill();
    expect(child.kill).toHaveBeenCalledTimes(1);
    child.emit('exit', 0);
    handle.kill();
    handle.send({ type: 'cancel' });
    expect(child.kill).toHaveBeenCalledTimes(1);
    expect(child.postMessage).not.toHaveBeenCalled();
  });
});
