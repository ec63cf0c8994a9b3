import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type ExperimentStore, type RunRecord } from '../../core/store';
import { epochRows, finalMetrics, REPO_ROOT, RUN_FLAGS, runCli, spawnCli, tempDir, tryOpenStore, waitFor, type ChildResult } from './harness';

/**
 * Disk and lock faults: a database on a full file system, a database locked by another process
 * for longer than a writer waits, a database in a read-only folder. Each time: one clear line for
 * the user (exit code 2, naming the database and the problem), the run ends failed when the store
 * can still record it (interrupted, i.e. resumable, when it cannot), and nothing recorded earlier
 * is lost.
 */

const dir = tempDir('faults');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isRoot = process.getuid?.() === 0;

function expectOneClearLine(result: ChildResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter((line) => line.startsWith('alignahead '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
}

/** Trains the standard run into `db` (in this process) and returns what it recorded. */
async function recordedRun(db: string, epochs = 3): Promise<{ run: RunRecord; metrics: unknown }> {
  const trained = await runCli(['train', ...RUN_FLAGS, '--epochs', String(epochs), '--db', db, '--json', '--quiet']);
  expect(trained.code, trained.io.stderr.join('\n')).toBe(0);
  const store = openStore(db, { mustExist: true });
  try {
    const [item] = store.listRuns();
    return { run: store.getRun(item.id)!, metrics: store.getMetrics(item.id) };
  } finally {
    store.close();
  }
}

function tryMountTmpfs(target: string, size: string): string | null {
  mkdirSync(target, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', target], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

/** Writes zeros until the file system says it is full. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe('a full disk', () => {
  const mountPoint = join(dir, 'small-disk');
  const cannotMount = tryMountTmpfs(mountPoint, '16m');
  afterAll(() => {
    if (cannotMount === null) execFileSync('umount', [mountPoint]);
  });

  it.skipIf(cannotMount !== null)(
    `stops training with a clear error, keeps every earlier record, and the run resumes once there is space${cannotMount ? ` (skipped: cannot mount a tmpfs here: ${cannotMount})` : ''}`,
    async () => {
      const db = join(mountPoint, 'db.sqlite');
      const earlier = await recordedRun(db);
      const runId = earlier.run.id + 1;
      const { done } = spawnCli(['train', ...RUN_FLAGS, '--epochs', '40', '--db', db, '--json', '--quiet']);
      let watcher: ExperimentStore | null = null;
      const before = await waitFor(() => {
        watcher ??= tryOpenStore(db);
        const n = watcher?.getRun(runId) ? watcher.finishedEpochs(runId) : 0;
        return n >= 2 ? n : null;
      }, 'two recorded epochs');
      (watcher as ExperimentStore | null)?.close();
      // The disk fills up under the running trainer.
      const filler = join(mountPoint, 'filler');
      fillDisk(filler);
      const result = await done;
      // SQLite reports a full disk as SQLITE_FULL or, when the shared-memory or WAL file cannot grow, as an I/O error.
      const escaped = db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expectOneClearLine(result, new RegExp(`^alignahead train: ${escaped}: (the disk holding the database is full|a disk error stopped a write \\(is the disk full)`));

      // While the disk is full to the last byte even reading may fail (SQLite needs its -shm file):
      // then with one clear line, never an internal error.
      const listed = await runCli(['runs', 'list', '--db', db, '--json']);
      if (listed.code !== 0) {
        expect(listed.code).toBe(2);
        expect(listed.io.stderr).toHaveLength(1);
        expect(listed.io.stderr[0]).toMatch(/disk holding the database is full|a disk error stopped a write \(is the disk full/);
      }
      rmSync(filler);
      const store = openStore(db, { mustExist: true });
      try {
        expect(store.integrityCheck()).toBe('ok');
        expect(store.getRun(earlier.run.id)).toEqual(earlier.run);
        expect(store.getMetrics(earlier.run.id)).toEqual(earlier.metrics);
        // The failed run keeps whole epochs, at least those recorded before the disk filled...
        expect(store.finishedEpochs(runId)).toBeGreaterThanOrEqual(before);
        for (const count of epochRows(store, runId).values()) expect(count).toBe(2);
        // ...could not record its failure on a full disk, so it reads as interrupted (resumable).
        store.markInterruptedRuns();
        expect(['interrupted', 'failed']).toContain(store.getRun(runId)!.status);
        const resumed = await runCli(['train', '--resume', String(runId), '--db', db, '--json', '--quiet']);
        expect(resumed.code, resumed.io.stderr.join('\n')).toBe(0);
        expect(store.getRun(runId)!.status).toBe('completed');
        expect(store.finishedEpochs(runId)).toBe(40);
        expect(store.integrityCheck()).toBe('ok');
        // ...to the numbers of the same run never interrupted.
        const referencePath = join(dir, 'full-disk-reference.sqlite');
        const reference = await recordedRun(referencePath, 40);
        const referenceStore = openStore(referencePath, { mustExist: true });
        expect(finalMetrics(store, runId)).toEqual(finalMetrics(referenceStore, reference.run.id));
        referenceStore.close();
      } finally {
        store.close();
      }
    },
    120_000,
  );
});

describe('a database locked by another process', () => {
  it('fails the run with a clear error once the lock outlasts the wait, keeping every earlier epoch', async () => {
    const db = join(dir, 'locked.sqlite');
    const earlier = await recordedRun(db);
    const { done } = spawnCli(['train', ...RUN_FLAGS, '--epochs', '100000', '--db', db, '--json', '--quiet']);
    let store: ExperimentStore | null = null;
    let child: ReturnType<typeof spawn> | null = null;
    try {
      const runId = earlier.run.id + 1;
      const before = await waitFor(() => {
        store ??= tryOpenStore(db);
        const n = store?.getRun(runId) ? store.finishedEpochs(runId) : 0;
        return n >= 2 ? n : null;
      }, 'two recorded epochs');
      // Another process takes the write lock and keeps it 7 s: past the trainer's 5 s wait, then lets go.
      const holder = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('busy_timeout = 10000');
        db.exec('BEGIN EXCLUSIVE'); process.stdout.write('locked\\n'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, 7000);`;
      child = spawn(process.execPath, ['-e', holder, db], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child!.stdout!.once('data', () => resolve()));
      const result = await done;
      expectOneClearLine(result, /: the database is locked by another process/);

      const s = store!;
      expect(s.integrityCheck()).toBe('ok');
      const run = s.getRun(runId)!;
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/locked by another process/);
      expect(s.finishedEpochs(runId)).toBeGreaterThanOrEqual(before);
      for (const count of epochRows(s, runId).values()) expect(count).toBe(2);
      expect(s.getRun(earlier.run.id)).toEqual(earlier.run);
      expect(s.getMetrics(earlier.run.id)).toEqual(earlier.metrics);
    } finally {
      (store as ExperimentStore | null)?.close();
      if (child && child.exitCode === null) await new Promise((resolve) => child!.once('exit', resolve));
    }
  }, 90_000);
});

describe('a read-only data folder', () => {
  it('refuses to train with a clear error and leaves the database as it was', async () => {
    chmodSync(dir, 0o755); // mkdtemp made it private; the other user must be able to reach the folder
    const folder = join(dir, 'read-only');
    const db = join(folder, 'db.sqlite');
    const earlier = await recordedRun(db);
    // Root ignores file modes: run the CLI as nobody when we are root.
    const asUser = isRoot ? { uid: 65534, gid: 65534 } : {};
    if (isRoot) {
      chownSync(folder, 65534, 65534);
      chownSync(db, 65534, 65534);
    }
    chmodSync(folder, 0o555);
    try {
      const train = await spawnCli(['train', ...RUN_FLAGS, '--db', db, '--json', '--quiet'], asUser).done;
      expectOneClearLine(train, /: the database cannot be written \(the file or its folder is read-only\)/);
      const list = await spawnCli(['runs', 'list', '--db', db], asUser).done;
      expect(list.stderr).not.toMatch(/internal error|\n\s+at /);
      if (list.code !== 0) expectOneClearLine(list, /read-only/);
    } finally {
      chmodSync(folder, 0o755);
    }
    const store = openStore(db, { mustExist: true });
    try {
      expect(store.integrityCheck()).toBe('ok');
      expect(store.listRuns().map((r) => r.id)).toEqual([earlier.run.id]);
      expect(store.getRun(earlier.run.id)).toEqual(earlier.run);
      expect(store.getMetrics(earlier.run.id)).toEqual(earlier.metrics);
    } finally {
      store.close();
    }
  }, 60_000);
});
