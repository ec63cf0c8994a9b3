/**
 * The GPU check: everything a machine with a GPU should run, in one go, in minutes.
 *   node bin/run-ts.js bench/gpu-check.ts [--out FILE] [--cases a,b] [--quick | --epochs N] [--cora FILE]
 *                                         [--skip-ops] [--budget-s 450] [--case-timeout-s 150]
 * or, without a checkout, the bundle `npm run gpu-check:pack` builds: `node gpu-check.mjs ...`.
 *
 * It prints the adapter, checks every graph op and its gradients on the GPU against the CPU
 * kernels (1e-4), then times the cases of bench/gpu-check-cases.ts, each in a child process of its
 * own (so each has its own device and memory figure, and a hung case is killed at its timeout),
 * and writes everything as JSON (--out, default gpu-check-<time>.json). Exit code 0 when the ops
 * agree and every case ran.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '../core/tensor/backend';
import { SHARED_CORA } from './cases';
import { gpuCases, measureCase, type CaseResult } from './gpu-check-cases';
import { checkOps, OP_TOLERANCE } from './gpu-check-ops';
import { gpuTargets } from './gpu-check-targets';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    cases: { type: 'string' },
    case: { type: 'string' },
    epochs: { type: 'string' },
    quick: { type: 'boolean' },
    cora: { type: 'string' },
    'skip-ops': { type: 'boolean' },
    'budget-s': { type: 'string', default: '450' },
    'case-timeout-s': { type: 'string', default: '150' },
  },
});

const started = performance.now();
const script = resolve(process.argv[1]);
const bundled = !script.endsWith('.ts');
const here = dirname(script);

function coraPath(): string | null {
  const candidates = [values.cora, join(here, 'cora.npz'), SHARED_CORA].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p)) ?? null;
}

const cases = gpuCases(coraPath());

const EPOCH_LINE = 'epoch-ms ';

/** Child mode: one case; a line per finished epoch, then the result as one JSON line, on stdout. */
async function runChild(name: string): Promise<void> {
  const gpuCase = cases.find((c) => c.name === name);
  if (!gpuCase) throw new Error(`unknown case '${name}'; cases: ${cases.map((c) => c.name).join(', ')}`);
  const onEpoch = (ms: number) => process.stdout.write(`${EPOCH_LINE}${Math.round(ms)}\n`);
  const result = await measureCase(gpuCase, values.epochs ? Number(values.epochs) : undefined, onEpoch);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** A case that did not finish still reports the epochs it did (`epochMs`). */
type CaseOutcome = ({ status: 'ok' } & CaseResult) | { name: string; status: 'failed' | 'timeout' | 'skipped'; error: string; epochMs?: number[] };

function runCaseProcess(name: string, epochs: number | undefined, timeoutS: number): Promise<CaseOutcome> {
  const args = [...(bundled ? [] : [fileURLToPath(new URL('../bin/run-ts.js', import.meta.url))]), script, '--case', name];
  if (epochs !== undefined) args.push('--epochs', String(epochs));
  if (values.cora) args.push('--cora', values.cora);
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.trim().split('\n');
      const line = lines[lines.length - 1] ?? '';
      if (code === 0 && line.startsWith('{')) return done({ status: 'ok', ...(JSON.parse(line) as CaseResult) });
      const epochMs = lines.filter((l) => l.startsWith(EPOCH_LINE)).map((l) => Number(l.slice(EPOCH_LINE.length)));
      const lastError = stderr.trim().split('\n').filter((l) => !l.startsWith('Warning: max')).slice(-3).join(' | ');
      if (signal === 'SIGKILL') return done({ name, status: 'timeout', error: `killed after ${timeoutS} s`, epochMs });
      done({ name, status: 'failed', error: lastError || `exit code ${code}`, epochMs });
    });
  });
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

async function runParent(): Promise<number> {
  const report = await initBackend({ prefer: 'webgpu' });
  const adapter = report.adapter!;
  const label = adapter.fallback ? 'software adapter' : 'GPU';
  console.log(`adapter: ${adapter.vendor} ${adapter.device} via ${adapter.backendType} (${label})${adapter.description ? ` — ${adapter.description}` : ''}`);
  const quick = values.quick === true;

  let opsOk = true;
  let ops: Awaited<ReturnType<typeof checkOps>> = [];
  if (!values['skip-ops']) {
    const opsStarted = performance.now();
    ops = await checkOps();
    opsOk = ops.every((o) => o.ok);
    const worst = ops.reduce((w, o) => Math.max(w, o.value, o.gradient), 0);
    console.log(`ops: ${ops.filter((o) => o.ok).length}/${ops.length} agree with the CPU kernels to ${OP_TOLERANCE} (worst ${worst.toExponential(1)}), ${((performance.now() - opsStarted) / 1000).toFixed(1)} s`);
    for (const o of ops.filter((c) => !c.ok)) console.log(`  DIFFERS ${o.graph} ${o.op}: value ${o.value.toExponential(1)}, gradient ${o.gradient.toExponential(1)}`);
  }

  const wanted = values.cases ? values.cases.split(',') : cases.map((c) => c.name);
  const budgetS = Number(values['budget-s']);
  const outcomes: CaseOutcome[] = [];
  if (!coraPath() && wanted.includes('cora-gcn')) outcomes.push({ name: 'cora-gcn', status: 'skipped', error: 'cora.npz not found (--cora FILE)' });
  for (const gpuCase of cases.filter((c) => wanted.includes(c.name))) {
    const leftS = budgetS - (performance.now() - started) / 1000;
    if (leftS < 20) {
      outcomes.push({ name: gpuCase.name, status: 'skipped', error: `the ${budgetS} s budget is spent` });
      continue;
    }
    const epochs = values.epochs ? Number(values.epochs) : quick ? 3 : undefined;
    const outcome = await runCaseProcess(gpuCase.name, epochs, Math.min(Number(values['case-timeout-s']), leftS));
    outcomes.push(outcome);
    console.log(
      outcome.status === 'ok'
        ? `${outcome.name}: ${outcome.epochMsMedian} ms/epoch (${outcome.studentEpochMs} ms per student-epoch; epochs ${outcome.epochMs.join(', ')}), GPU memory ${mib(outcome.peakGpuBytes)} [${label}]`
        : `${outcome.name}: ${outcome.status}: ${outcome.error}${outcome.epochMs?.length ? ` (epochs done: ${outcome.epochMs.join(', ')} ms) [${label}]` : ''}`,
    );
  }

  const measured = outcomes.filter((o): o is Extract<CaseOutcome, { status: 'ok' }> => o.status === 'ok');
  const targets = gpuTargets(measured, adapter.fallback);
  for (const t of targets) console.log(`target ${t.name}: ${t.verdict}`);
  const totalSeconds = (performance.now() - started) / 1000;
  const out = values.out ?? `gpu-check-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  const json = {
    tool: 'alignahead gpu-check',
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg(),
    adapter,
    label,
    quick,
    ops: { tolerance: OP_TOLERANCE, passed: opsOk, checks: ops },
    cases: outcomes,
    targets,
    totalSeconds: Math.round(totalSeconds),
  };
  writeFileSync(out, `${JSON.stringify(json, null, 1)}\n`);
  console.log(`wrote ${basename(out)} (${totalSeconds.toFixed(0)} s in all)`);
  return opsOk && outcomes.every((o) => o.status === 'ok' || (o.status === 'skipped' && o.name === 'cora-gcn' && !coraPath())) ? 0 : 1;
}

if (values.case) {
  await runChild(values.case);
  process.exit(0);
} else {
  process.exit(await runParent());
}
