/**
 * Each measurement in its own process, so that peak RSS is the case's own: ours (measure-case.ts)
 * and the PyTorch peer (../shared/bench/peer_torch.py under /usr/bin/python3), plus the facts about
 * the machine a table of figures must carry.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './cases';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PEER = fileURLToPath(new URL('../../shared/bench/peer_torch.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

export type Figures = Record<string, unknown>;
export type Failure = { error: string } & Figures;

export function failed(result: Figures | Failure | null): result is Failure {
  return result !== null && typeof result.error === 'string';
}

function lastJsonLine(text: string): Figures | null {
  const line = text.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as Figures) : null;
}

function tail(text: string, status: number | null): string {
  return (text || `exit ${status}`).trim().split('\n').slice(-3).join(' | ');
}

/** Our figures for `benchCase` (measure-case.ts in a fresh Node process). */
export function runOurs(benchCase: BenchCase, backend?: string): Figures | Failure {
  const args = ['bin/run-ts.js', 'bench/measure-case.ts', benchCase.name, ...(backend ? ['--backend', backend] : [])];
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  return lastJsonLine(child.stdout) ?? { error: tail(child.stderr, child.status) };
}

/** Whether the peer can run here: its script beside the repository and a python3 with torch. */
export function peerAvailable(): boolean {
  if (!existsSync(PEER) || !existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** The peer on `peerArgs` with 2 threads, under a wrapper that reports its peak RSS (ru_maxrss, KiB on Linux). */
export function runPeer(peerArgs: string[]): Figures | Failure {
  const wrapper = [
    'import resource, runpy, sys, atexit',
    `sys.argv = ${JSON.stringify([PEER, ...peerArgs, '--threads', '2'])}`,
    'atexit.register(lambda: print("PEAK_RSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))',
    `runpy.run_path(${JSON.stringify(PEER)}, run_name="__main__")`,
  ].join('\n');
  const child = spawnSync(PYTHON, ['-c', wrapper], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const result = lastJsonLine(child.stdout.split('PEAK_RSS_KB')[0]);
  const rss = /PEAK_RSS_KB (\d+)/.exec(child.stdout);
  if (!result) return { error: tail(child.stderr, child.status) };
  return { ...result, peakRssMB: rss ? Math.round(Number(rss[1]) / 1024) : null };
}

/** CPU model, cores, memory, L3, Node version: the line every table of figures is headed with. */
export function machineLine(): string {
  const cache = (() => {
    try {
      const l3 = readFileSync('/sys/devices/system/cpu/cpu0/cache/index3/size', 'utf8').trim();
      return `, L3 ${l3}`;
    } catch {
      return '';
    }
  })();
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores${cache}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** The 1-minute load average now, as `uptime` prints it. */
export function loadNow(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
}
