import { describe, expect, it } from 'vitest';
import { useAsyncState } from './async-state';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('useAsyncState', () => {
  it('keeps the newest load when an older one answers last', async () => {
    const state = useAsyncState<string>();
    const slow = deferred<string>();
    const fast = deferred<string>();
    const first = state.run(() => slow.promise);
    const second = state.run(() => fast.promise);
    fast.resolve('new');
    await second;
    expect([state.data.value, state.loading.value]).toEqual(['new', false]);
    slow.resolve('old');
    await first;
    expect(state.data.value).toBe('new');
  });

  it("reports the newest load's error and ignores an older one's", async () => {
    const state = useAsyncState<number>();
    const older = deferred<number>();
    const olderRun = state.run(() => older.promise);
    await state.run(async () => {
      throw new Error('runs.get: run 9 not found');
    });
    expect([state.error.value, state.loading.value]).toEqual(['runs.get: run 9 not found', false]);
    older.reject(new Error('stale'));
    await olderRun;
    expect(state.error.value).toBe('runs.get: run 9 not found');
    await state.run(async () => 3);
    expect([state.data.value, state.error.value]).toEqual([3, null]);
  });

  it('tells a loader when it stopped being the newest, and reset drops the load in flight', async () => {
    const state = useAsyncState<number>();
    const gate = deferred<void>();
    let stillCurrent: boolean | null = null;
    const running = state.run(async (isCurrent) => {
      await gate.promise;
      stillCurrent = isCurrent();
      return 1;
    });
    state.reset(0);
    gate.resolve();
    await running;
    expect(stillCurrent).toBe(false);
    expect([state.data.value, state.loading.value]).toEqual([0, false]);
  });
});
