/**
 * `npm run bench [-- --case NAME | --all] [--backend B] [--no-peer]`: one JSON line per case with our
 * figures, the PyTorch peer's (when /usr/bin/python3 has torch), and ours ÷ peer ratios measured in
 * the same run. Each side runs in its own process so that peak RSS is the case's own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_CASES, type BenchCase } from './cases';

const root = fileURLToPath(new URL('..', import.meta.url));
const PEER = fileURLToPath(new URL('../../shared/bench/peer_torch.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

const { values } = parseArgs({
  options: { case: { type: 'string', multiple: true }, all: { type: 'boolean' }, backend: { type: 'string' }, 'no-peer': { type: 'boolean' } },
});
const selected = values.case?.length ? BENCH_CASES.filter((c) => values.case!.includes(c.name)) : BENCH_CASES;
if (values.case?.length && selected.length !== values.case.length) {
  console.error(`unknown case; cases: ${BENCH_CASES.map((c) => c.name).join(', ')}`);
  process.exit(2);
}

function peerAvailable(): boolean {
  if (values['no-peer'] || !existsSync(PEER) || !existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function lastJsonLine(text: string): Record<string, unknown> | null {
  const line = text.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : null;
}

function runOurs(benchCase: BenchCase): Record<string, unknown> | { error: string } {
  const args = ['bin/run-ts.js', 'bench/measure-case.ts', benchCase.name, ...(values.backend ? ['--backend', values.backend] : [])];
  const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  return lastJsonLine(child.stdout) ?? { error: (child.stderr || `exit ${child.status}`).trim().split('\n').slice(-3).join(' | ') };
}

/** Runs the peer under a tiny wrapper that reports its peak RSS (ru_maxrss, KiB on Linux) on exit. */
function runPeer(benchCase: BenchCase): Record<string, unknown> | { error: string } {
  const wrapper = [
    'import resource, runpy, sys, atexit',
    `sys.argv = ${JSON.stringify([PEER, ...benchCase.peerArgs, '--threads', '2'])}`,
    'atexit.register(lambda: print("PEAK_RSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))',
    `runpy.run_path(${JSON.stringify(PEER)}, run_name="__main__")`,
  ].join('\n');
  const child = spawnSync(PYTHON, ['-c', wrapper], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const result = lastJsonLine(child.stdout.split('PEAK_RSS_KB')[0]);
  const rss = /PEAK_RSS_KB (\d+)/.exec(child.stdout);
  if (!result) return { error: (child.stderr || `exit ${child.status}`).trim().split('\n').slice(-3).join(' | ') };
  return { ...result, peakRssMB: rss ? Math.round(Number(rss[1]) / 1024) : null };
}

const withPeer = peerAvailable();
if (!withPeer) console.error('bench: PyTorch peer not run (needs /usr/bin/python3 with torch: apt-get install -y python3-torch, and ../shared/bench)');
for (const benchCase of selected) {
  if (benchCase.data.startsWith('/') && !existsSync(benchCase.data)) {
    console.log(JSON.stringify({ case: benchCase.name, skipped: `${benchCase.data} not found` }));
    continue;
  }
  const ours = runOurs(benchCase);
  const peer = withPeer ? runPeer(benchCase) : null;
  const ratio = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? Number((a / b).toFixed(3)) : null);
  const peerEpochMs = peer && 'epoch_s_median' in peer ? (peer.epoch_s_median as number) * 1000 : null;
  console.log(
    JSON.stringify({
      ...ours,
      peer: peer && 'epoch_s_median' in peer ? { epochMsMedian: peerEpochMs, peakRssMB: peer.peakRssMB, testAcc: peer.test_acc } : peer,
      epochRatio: ratio((ours as { epochMsMedian?: number }).epochMsMedian, peerEpochMs),
      memoryRatio: ratio((ours as { peakRssMB?: number }).peakRssMB, peer && 'peakRssMB' in peer ? peer.peakRssMB : null),
    }),
  );
}
