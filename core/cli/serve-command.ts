import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend } from '../api/backend';
import { UserError } from '../errors';
import { isLoopbackHost } from '../server/security';
import { startServer } from '../server/serve';
import { defaultDatabasePath } from '../store';
import { defaultCacheDir } from '../datasets/load';
import { numberOption, parseOptions, type CliIo, type Command } from './command';

/**
 * `alignahead serve`: the workbench in a browser. Starts the API server, the training host and the
 * built UI on one port, prints the URL with its access token, and runs until SIGINT/SIGTERM, when it
 * stops the workers (their runs become resumable) and closes the database.
 */

const DEFAULT_RENDERER_DIST = fileURLToPath(new URL('../../renderer/dist', import.meta.url));

export interface ServeSettings {
  databasePath: string;
  hostname: string;
  port: number;
  /** ports tried upward from `port` when it is taken (1: only `port`, as when --port is given) */
  portAttempts?: number;
  dataDir: string;
  cacheDir: string;
  importRoots: string[];
  staticDir: string;
  token: string;
  maxConcurrent?: number;
  /** a queue URL for remote runs (saved as the queue setting) */
  queueUrl?: string;
}

/** Runs the server until `stop` resolves; returns once everything is closed. */
export async function runServe(settings: ServeSettings, io: CliIo, stop: Promise<unknown>): Promise<void> {
  mkdirSync(settings.dataDir, { recursive: true });
  for (const root of settings.importRoots) mkdirSync(root, { recursive: true });
  const backend = createBackend({
    mode: 'serve',
    databasePath: settings.databasePath,
    dataDir: settings.dataDir,
    cacheDir: settings.cacheDir,
    importRoots: settings.importRoots,
    log: (line) => io.err(line),
  });
  try {
    if (settings.maxConcurrent !== undefined) {
      const result = await backend.dispatch('settings.set', { maxConcurrentRuns: settings.maxConcurrent });
      if (!result.ok) throw new UserError(`--max-concurrent: ${result.error.error}`);
    }
    if (settings.queueUrl !== undefined) {
      const result = await backend.dispatch('queue.configure', { url: settings.queueUrl });
      if (!result.ok) throw new UserError(`--queue: ${result.error.error}`);
      const status = result.value as { url: string; state: string; error: string | null };
      io.err(`queue: ${status.url} (${status.state}${status.error ? `: ${status.error}` : ''})`);
    }
    const server = await listenOnFreePort(settings.port, settings.portAttempts ?? 1, (port) =>
      startServer({
        handlers: backend,
        events: backend.events,
        hostname: settings.hostname,
        port,
        token: settings.token,
        staticDir: settings.staticDir,
        log: (line) => io.err(line),
      }),
    );
    if (settings.port !== 0 && server.port !== settings.port) io.err(`port ${settings.port} is in use; serving on ${server.port} instead`);
    if (!isLoopbackHost(settings.hostname)) io.err(`warning: --host ${settings.hostname} makes the workbench reachable from other machines`);
    io.err(`database: ${settings.databasePath}`);
    io.err(`imports are read from: ${settings.importRoots.join(', ')}`);
    io.out(`${server.origin}/?token=${settings.token}`);
    await stop;
    io.err('shutting down: stopping training workers (their runs can be resumed)');
    await server.close();
  } finally {
    await backend.dispose();
  }
}

/** The default port may be taken (another workbench, TensorBoard's neighbour): the next free one is used, like Jupyter does. */
export const DEFAULT_PORT = 7860;
const DEFAULT_PORT_ATTEMPTS = 10;

/** Starts on `first`, or on the next ports when it is in use; other errors are not retried. */
export async function listenOnFreePort<T>(first: number, attempts: number, start: (port: number) => Promise<T>): Promise<T> {
  for (let offset = 0; ; offset++) {
    try {
      return await start(first + offset);
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!inUse || first === 0 || offset + 1 >= attempts) {
        if (inUse) throw new UserError(`port ${first + offset} is in use${attempts > 1 ? ` (tried ${first}–${first + offset})` : ''}; pick another with --port`);
        throw error;
      }
    }
  }
}

const serveCommand: Command = {
  path: ['serve'],
  summary: 'serve the workbench UI and API to a browser (loopback only by default)',
  usage: `usage: alignahead serve [--db FILE] [--port 7860] [--host 127.0.0.1] [--data-dir DIR] [--max-concurrent N]
                       [--cache DIR] [--import-root DIR]... [--static DIR] [--token TOKEN]
  --db FILE          experiment database [$ALIGNAHEAD_DB or ~/.alignahead/workbench.sqlite]
  --port N           port (0 picks a free one) [7860, or the next free one up to 7869]
  --host ADDR        address to listen on [127.0.0.1]; anything else is reachable from the network
  --data-dir DIR     settings and import folder [~/.alignahead]
  --cache DIR        dataset cache [$ALIGNAHEAD_DATA_DIR, DATA_DIR/datasets with --data-dir, else ~/.alignahead/datasets]
  --import-root DIR  a folder datasets may be imported from (repeatable) [DATA_DIR/imports]
  --static DIR       the built UI [renderer/dist]
  --token TOKEN      access token [$ALIGNAHEAD_TOKEN, else a random one]
  --max-concurrent N runs trained at once (saved as the setting)
  --queue URL        Redis of remote workers (alignahead worker): runs created with "run on: remote workers"
                     go there and their results come back here (saved as the queue setting)`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseOptions(
      argv,
      {
        db: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        cache: { type: 'string' },
        'import-root': { type: 'string', multiple: true },
        static: { type: 'string' },
        token: { type: 'string' },
        'max-concurrent': { type: 'string' },
        queue: { type: 'string' },
      },
      false,
    );
    const port = numberOption('port', values.port, DEFAULT_PORT, (v) => Number.isInteger(v) && v >= 0 && v <= 65535);
    const maxConcurrent = values['max-concurrent'] === undefined ? undefined : numberOption('max-concurrent', values['max-concurrent'], 1, (v) => Number.isInteger(v) && v >= 1 && v <= 16);
    const token = values.token ?? process.env.ALIGNAHEAD_TOKEN?.trim() ?? randomBytes(32).toString('hex');
    if (token.length < 16 || !/^[\x21-\x7e]+$/.test(token)) throw new UserError('--token: expected at least 16 printable characters without spaces');
    const dataDir = resolve(values['data-dir'] ?? join(homedir(), '.alignahead'));
    const settings: ServeSettings = {
      databasePath: resolve(values.db ?? defaultDatabasePath()),
      hostname: values.host ?? '127.0.0.1',
      port,
      portAttempts: values.port === undefined ? DEFAULT_PORT_ATTEMPTS : 1,
      dataDir,
      cacheDir: values.cache ? resolve(values.cache) : values['data-dir'] && !process.env.ALIGNAHEAD_DATA_DIR ? join(dataDir, 'datasets') : defaultCacheDir(),
      importRoots: (values['import-root'] ?? [join(dataDir, 'imports')]).map((root) => resolve(root)),
      staticDir: resolve(values.static ?? DEFAULT_RENDERER_DIST),
      token,
      maxConcurrent,
      queueUrl: values.queue,
    };
    const stop = new Promise<string>((done) => {
      process.once('SIGINT', () => done('SIGINT'));
      process.once('SIGTERM', () => done('SIGTERM'));
    });
    await runServe(settings, io, stop);
    return 0;
  },
};

export const serveCommands: Command[] = [serveCommand];
