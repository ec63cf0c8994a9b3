import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sleep, spawnCli, type ChildResult } from '../reliability/harness';

/**
 * Real redis-server processes for the queue tests: each on a random loopback port, in a folder of
 * its own (AOF there when asked), stopped by the test. Real worker processes (`alignahead worker`)
 * with a short job lock, so a killed worker's job is taken over within seconds.
 */

export const REDIS_SERVER = process.env.ALIGNAHEAD_REDIS_SERVER ?? '/usr/bin/redis-server';
/** Missing redis-server skips the queue tests here; in CI (`.ci/run` installs it) it fails them. */
export const HAVE_REDIS = existsSync(REDIS_SERVER);
if (!HAVE_REDIS && process.env.CI) throw new Error(`${REDIS_SERVER} is missing: .ci/run installs redis-server for the queue tests`);

/** The job lock the test workers use: a killed worker's job is taken over about this long after. */
export const TEST_LOCK_MS = 2000;

export interface RedisOptions {
  dir: string;
  /** append-only file with fsync on every write: nothing acknowledged is lost by a kill */
  aof?: boolean;
  password?: string;
  tls?: { cert: string; key: string; ca: string };
}

export interface TestRedis {
  port: number;
  /** redis://127.0.0.1:PORT (rediss:// with TLS; the password in it when there is one) */
  url: string;
  readonly process: ChildProcess;
  /** SIGKILL: no chance to write anything more */
  kill(): Promise<void>;
  /** starts again on the same port and folder (the AOF, if any, is replayed) */
  restart(): Promise<void>;
  stop(): Promise<void>;
  client(): Redis;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(options: RedisOptions): Promise<TestRedis> {
  mkdirSync(options.dir, { recursive: true });
  const port = await freePort();
  const args = [
    '--bind', '127.0.0.1', '--dir', options.dir, '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
    '--appendonly', options.aof ? 'yes' : 'no', '--appendfsync', 'always',
  ];
  if (options.password) args.push('--requirepass', options.password);
  if (options.tls) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  const url = `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`;
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output}`);
      if (await pingable()) return;
      if (Date.now() - started > 10_000) throw new Error(`redis-server did not answer on ${port}: ${output}`);
      await sleep(50);
    }
  };
  const pingable = async () => {
    const probe = clientFor();
    try {
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  };
  const clientFor = () =>
    new Redis({
      host: '127.0.0.1',
      port,
      password: options.password,
      tls: options.tls ? { ca: readFileSync(options.tls.ca) } : undefined,
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    }).on('error', () => {});
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  await launch();
  return {
    port,
    url,
    get process() {
      return child;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited();
    },
    async restart() {
      await launch();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited();
      }
    },
    client: clientFor,
  };
}

export interface TestWorker {
  name: string;
  child: ChildProcess;
  done: Promise<ChildResult>;
  /** everything it printed so far */
  output(): string;
}

/** `alignahead worker` as a separate process, on the CPU backend, with the tests' short job lock. */
export function startWorker(url: string, name: string, options: { dataDir: string; concurrency?: number; env?: NodeJS.ProcessEnv } ): TestWorker {
  let output = '';
  const { child, done } = spawnCli(['worker', '--queue', url, '--name', name, '--backend', 'cpu', '--concurrency', String(options.concurrency ?? 1), '--cache', join(options.dataDir, `cache-${name}`)], {
    env: { ...process.env, ALIGNAHEAD_QUEUE_LOCK_MS: String(TEST_LOCK_MS), ...options.env },
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return { name, child, done, output: () => output };
}

/** Waits for a worker to say it takes jobs (it has connected and registered). */
export async function workerReady(worker: TestWorker, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!worker.output().includes('takes jobs from')) {
    if (worker.child.exitCode !== null) throw new Error(`worker ${worker.name} exited: ${worker.output()}`);
    if (Date.now() - started > timeoutMs) throw new Error(`worker ${worker.name} did not start: ${worker.output()}`);
    await sleep(50);
  }
}

export async function stopWorker(worker: TestWorker): Promise<ChildResult> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
  return worker.done;
}

/** Waits until the async `condition` holds, checking every `intervalMs`; throws after `timeoutMs`. */
export async function waitForAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000, intervalMs = 100): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
