/**
 * `npm run bench [-- --case NAME ...] [--backend B] [--no-peer]`: every case of bench/cases.ts (or the
 *   named ones), ours and the PyTorch peer (when /usr/bin/python3 has torch) in the same run; one JSON
 *   line per case, then a table with ours ÷ peer ratios.
 * `npm run bench -- --scaling [--sizes 10000,25000,...]`: the same GAT at growing sizes (10 drawn edges
 *   per node); a table of epoch time, time per edge and peak RSS, and bench/scaling.svg + .json.
 * `npm run bench -- --peer-memory [--sizes 10000,25000,50000]`: the peer's peak RSS at 20 drawn edges
 *   per node (the csbm targets' density), fitted linearly in edges and extrapolated to 100k and 200k nodes.
 * Each measurement runs in its own process, so that peak RSS is the case's own.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { parseArgs } from 'node:util';
import { BENCH_CASES, SCALING_NODES, scalingCase } from './cases';
import { failed, loadNow, machineLine, peerAvailable, runOurs, runPeer, type Figures } from './processes';
import { scalingSvg, type ScalingPoint } from './scaling-plot';

const { values } = parseArgs({
  options: {
    case: { type: 'string', multiple: true },
    backend: { type: 'string' },
    'no-peer': { type: 'boolean' },
    scaling: { type: 'boolean' },
    'peer-memory': { type: 'boolean' },
    sizes: { type: 'string' },
  },
});

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const fixed = (x: number | null, digits: number, unit = '') => (x === null ? '–' : `${x.toFixed(digits)}${unit}`);
const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function sizes(defaults: number[]): number[] {
  return values.sizes ? values.sizes.split(',').map((s) => Number(s.trim())) : defaults;
}

function header(): void {
  console.log(`machine: ${machineLine()}`);
  console.log(`load average at start: ${loadNow()}`);
}

function compareWithPeer(): void {
  const selected = values.case?.length ? BENCH_CASES.filter((c) => values.case!.includes(c.name)) : BENCH_CASES;
  if (values.case?.length && selected.length !== values.case.length) {
    console.error(`unknown case; cases: ${BENCH_CASES.map((c) => c.name).join(', ')}`);
    process.exit(2);
  }
  const withPeer = !values['no-peer'] && peerAvailable();
  if (!withPeer && !values['no-peer']) console.error('bench: PyTorch peer not run (needs /usr/bin/python3 with torch: apt-get install -y python3-torch, and ../shared/bench)');
  header();
  const rows: string[][] = [];
  for (const benchCase of selected) {
    if (benchCase.data.startsWith('/') && !existsSync(benchCase.data)) {
      console.log(JSON.stringify({ case: benchCase.name, skipped: `${benchCase.data} not found` }));
      continue;
    }
    const ours = runOurs(benchCase, values.backend);
    const peer = withPeer && !benchCase.peerSkip ? runPeer(benchCase.peerArgs) : null;
    const peerEpochMs = peer && !failed(peer) && num(peer.epoch_s_median) !== null ? num(peer.epoch_s_median)! * 1000 : null;
    const peerRss = peer && !failed(peer) ? num(peer.peakRssMB) : null;
    const line: Figures = {
      ...ours,
      peer: peer && !failed(peer) ? { epochMsMedian: peerEpochMs, peakRssMB: peerRss, testAcc: peer.test_acc } : (peer ?? benchCase.peerSkip ?? null),
      epochRatio: ratio(num(ours.epochMsMedian), peerEpochMs),
      memoryRatio: ratio(num(ours.peakRssMB), peerRss),
      loadAverage: loadNow(),
    };
    console.log(JSON.stringify(line));
    rows.push([
      benchCase.name,
      failed(ours) ? `error: ${ours.error}` : `${fixed(num(ours.fwdBwdMsMedian), 0, ' ms')}`,
      fixed(num(ours.epochMsMedian), 0, ' ms'),
      fixed(num(ours.epochCpuMsMedian), 0, ' ms'),
      fixed(peerEpochMs, 0, ' ms'),
      fixed(ratio(num(ours.epochMsMedian), peerEpochMs), 3),
      fixed(num(ours.peakRssMB), 0, ' MB'),
      fixed(peerRss, 0, ' MB'),
      fixed(ratio(num(ours.peakRssMB), peerRss), 3),
      loadNow().split(',')[0],
    ]);
  }
  console.log();
  console.log(table(['case', 'ours: fwd+bwd', 'ours: epoch', 'ours: epoch CPU', 'peer: epoch', 'epoch ratio', 'ours: peak RSS', 'peer: peak RSS', 'memory ratio', 'load (1 min)'], rows));
}

function scaling(): void {
  header();
  const points: ScalingPoint[] = [];
  const rows: string[][] = [];
  for (const nodes of sizes(SCALING_NODES)) {
    const ours = runOurs(scalingCase(nodes), values.backend);
    console.log(JSON.stringify({ ...ours, loadAverage: loadNow() }));
    if (failed(ours)) {
      rows.push([String(nodes), '–', `error: ${ours.error}`, '', '', '', '', '']);
      continue;
    }
    const point: ScalingPoint = { nodes, edges: num(ours.edges)!, epochMs: num(ours.epochMsMedian)!, epochCpuMs: num(ours.epochCpuMsMedian)!, peakRssMB: num(ours.peakRssMB)! };
    points.push(point);
    rows.push([
      String(nodes),
      String(point.edges),
      fixed(point.epochMs / 1000, 2, ' s'),
      fixed(point.epochCpuMs / 1000, 2, ' s'),
      fixed((point.epochMs * 1000) / point.edges, 2, ' µs'),
      fixed((point.epochCpuMs * 500) / point.edges, 2, ' µs'),
      fixed(point.peakRssMB, 0, ' MB'),
      loadNow().split(',')[0],
    ]);
  }
  console.log();
  console.log(table(['nodes', 'message edges', 'epoch', 'epoch CPU', 'per edge', 'per edge, CPU ÷ 2', 'peak RSS', 'load (1 min)'], rows));
  if (points.length > 0) {
    const caption = `${machineLine()}; load ${loadNow()}; ${new Date().toISOString().slice(0, 10)}`;
    writeFileSync(new URL('./scaling.svg', import.meta.url), scalingSvg(points, caption));
    writeFileSync(new URL('./scaling.json', import.meta.url), `${JSON.stringify({ machine: machineLine(), points }, null, 1)}\n`);
    console.log('\nwrote bench/scaling.svg and bench/scaling.json');
  }
}

/** Least-squares line through (x, y). */
function fitLine(points: [number, number][]): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const slope = sxx > 0 ? points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : 0;
  return { slope, intercept: my - slope * mx };
}

function peerMemory(): void {
  if (!peerAvailable()) {
    console.error('bench: the peer needs /usr/bin/python3 with torch and ../shared/bench/peer_torch.py');
    process.exit(2);
  }
  header();
  const measured: { nodes: number; edges: number; rssMB: number }[] = [];
  const rows: string[][] = [];
  for (const nodes of sizes([10_000, 25_000, 50_000])) {
    const data = `csbm:${nodes}:${20 * nodes}:5`;
    // ~330 bytes per drawn edge at 50k: do not start what the machine cannot hold
    const needGB = (nodes * 20 * 330) / 2 ** 30;
    if (needGB > freemem() / 2 ** 30) {
      rows.push([data, '–', `skipped: needs ~${needGB.toFixed(0)} GB, ${(freemem() / 2 ** 30).toFixed(0)} GB free`, '']);
      continue;
    }
    const peer = runPeer([data, '--model', 'gat', '--layers', '2', '--heads', '3', '--hidden', '64', '--dropout', '0', '--strategy', 'alignahead', '--epochs', '1']);
    console.log(JSON.stringify({ data, ...peer, loadAverage: loadNow() }));
    if (failed(peer) || num(peer.peakRssMB) === null) {
      rows.push([data, '–', failed(peer) ? `error: ${peer.error}` : 'no RSS', '']);
      continue;
    }
    measured.push({ nodes, edges: num(peer.edges)!, rssMB: num(peer.peakRssMB)! });
    rows.push([data, String(peer.edges), `${peer.peakRssMB} MB`, 'measured']);
  }
  if (measured.length >= 2) {
    const { slope, intercept } = fitLine(measured.map((m) => [m.edges, m.rssMB]));
    const largest = measured[measured.length - 1];
    for (const nodes of [100_000, 200_000]) {
      // message edges per node stay as at the largest measured size
      const edges = Math.round((largest.edges / largest.nodes) * nodes);
      rows.push([`csbm:${nodes}:${20 * nodes}:5`, `≈ ${edges}`, `≈ ${Math.round(intercept + slope * edges)} MB`, `extrapolated (${(slope * 1e6 / 1024).toFixed(2)} GB per million edges)`]);
    }
  }
  console.log();
  console.log(table(['peer dataset', 'message edges', 'peak RSS', ''], rows));
}

if (values.scaling) scaling();
else if (values['peer-memory']) peerMemory();
else compareWithPeer();
