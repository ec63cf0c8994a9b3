import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent, AppInfo } from '../../contract/api';
import type { HostToWorker, WorkerHandle } from '../../core/host/worker-protocol';
import { desktopDataPaths } from './data-paths';
import { createDesktopBackend } from './desktop-backend';

vi.mock('electron', () => ({}));

/** The real core backend behind the desktop shell, with a scripted worker instead of a process. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-desktop-backend-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function scriptedWorker(sent: HostToWorker[]): WorkerHandle {
  let exit: ((e: { code: number; signal: null }) => void) | null = null;
  return {
    pid: undefined,
    send: (message) => sent.push(message),
    onMessage: () => undefined,
    onExit: (listener) => (exit = listener),
    // a real process exits some time after the signal, never inside kill()
    kill: () => void setTimeout(() => exit?.({ code: 0, signal: null }), 1),
  };
}

describe('createDesktopBackend', () => {
  it('serves the API in electron mode over the database in the data folder, training through the injected spawner', async () => {
    const paths = desktopDataPaths(dir);
    const events: ApiEvent[] = [];
    const sent: HostToWorker[] = [];
    const spawnWorker = vi.fn(() => scriptedWorker(sent));
    const backend = createDesktopBackend({ ...paths, homeDir: dir, spawnWorker, onEvent: (e) => events.push(e), log: () => undefined });
    try {
      const info = await backend.dispatch('app.info', {});
      expect(info.ok).toBe(true);
      const value = (info as { ok: true; value: AppInfo }).value;
      expect(value.mode).toBe('electron');
      expect(value.databasePath).toBe(paths.databasePath);

      const created = await backend.dispatch('runs.create', { configs: [{ data: 'demo', epochs: 1 }] });
      expect(created.ok).toBe(true);
      const [runId] = (created as { ok: true; value: { ids: number[] } }).value.ids;
      expect(spawnWorker).toHaveBeenCalledWith(runId);
      expect(sent[0]).toMatchObject({ type: 'start', runId, databasePath: paths.databasePath, cacheDir: paths.cacheDir });

      const cancelled = await backend.dispatch('runs.cancel', { id: runId });
      expect(cancelled).toMatchObject({ ok: true, value: { status: 'cancelled' } });
      expect(events.some((e) => e.type === 'run.status' && e.runId === runId)).toBe(true);
    } finally {
      await backend.dispose();
    }
  });

  it('lets the Import dialog grant a folder outside the default ones', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'alignahead-outside-'));
    const backend = createDesktopBackend({ ...desktopDataPaths(dir), homeDir: dir, spawnWorker: vi.fn(), onEvent: () => undefined, log: () => undefined });
    try {
      const before = await backend.dispatch('datasets.import', { path: join(outside, 'missing.npz'), name: 'x' });
      expect(before.ok === false && before.error.error).toMatch(/outside the folders/);
      backend.allowImportsFrom(outside);
      const after = await backend.dispatch('datasets.import', { path: join(outside, 'missing.npz'), name: 'x' });
      expect(after.ok === false && after.error.error).toMatch(/no such file/);
    } finally {
      await backend.dispose();
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
