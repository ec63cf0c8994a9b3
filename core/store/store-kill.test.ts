import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from './store';

const runTs = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const writer = fileURLToPath(new URL('./testing/epoch-writer.ts', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alignahead-kill-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the writer and SIGKILLs it once it has reported `epochs` epochs; resolves the last one seen. */
function writeThenKill(path: string, students: number, epochs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runTs, writer, path, String(students)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastEpoch = 0;
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      const seen = [...chunk.toString().matchAll(/epoch (\d+)/g)].map((m) => Number(m[1]));
      if (seen.length > 0) lastEpoch = seen[seen.length - 1];
      if (lastEpoch >= epochs && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastEpoch);
      else reject(new Error(`writer exited with ${code} before it was killed: ${stderr}`));
    });
  });
}

it('a trainer killed with SIGKILL mid-run leaves a consistent database of whole epochs', async () => {
  const path = join(dir, 'store.sqlite');
  const students = 3;
  const reported = await writeThenKill(path, students, 25);

  const store = openStore(path);
  try {
    expect(store.integrityCheck()).toBe('ok');
    const [run] = store.listRuns();
    expect(run.status).toBe('running');

    // Whole epochs only, numbered without gaps, at least as many as the writer reported.
    const metrics = store.getMetrics(run.id);
    const perEpoch = new Map<number, number>();
    for (const m of metrics) perEpoch.set(m.epoch, (perEpoch.get(m.epoch) ?? 0) + 1);
    const epochs = [...perEpoch.keys()];
    expect(epochs.length).toBeGreaterThanOrEqual(reported);
    expect(epochs).toEqual(epochs.map((_, i) => i + 1));
    for (const count of perEpoch.values()) expect(count).toBe(students);
    expect(run.epochs).toBe(epochs.length);

    // Heatmap sets are whole too, and hold what was written.
    for (const epoch of store.alignmentEpochs(run.id)) {
      const set = store.getAlignment(run.id, { epoch });
      expect(set).toHaveLength(students * (students - 1));
      for (const m of set) expect(m.data.every((v) => v === epoch)).toBe(true);
    }

    // Retention held, and the latest checkpoint is intact.
    const checkpoints = store.listCheckpoints(run.id);
    expect(checkpoints.length).toBeGreaterThanOrEqual(1);
    expect(checkpoints.length).toBeLessThanOrEqual(2);
    const latest = store.latestCheckpoint(run.id)!;
    expect(latest.data.length).toBe(256 * 1024);
    expect(latest.data.every((b) => b === latest.epoch % 256)).toBe(true);

    // Its process is gone: the run is recognised as interrupted.
    expect(store.markInterruptedRuns().map((r) => r.id)).toEqual([run.id]);
    expect(store.getRun(run.id)!.status).toBe('interrupted');
  } finally {
    store.close();
  }
});
