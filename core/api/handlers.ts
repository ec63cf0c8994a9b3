import type { z } from 'zod';
import {
  isCallName,
  parseCallInput,
  type AppInfo,
  type ApiEvent,
  type CallName,
  type CallOutput,
  type CallResult,
  type callInputs,
  type RunEventRow,
  type Settings,
} from '../../contract/api';
import { metricsCsv, signalCsv } from '../../contract/csv';
import type { RunConfig } from '../../contract/run-config';
import { UserError } from '../errors';
import type { ExperimentStore } from '../store';
import { newRunRecord } from '../runs/new-run';
import { parseRunConfig, refuseUnrunnableConfig } from '../train/run-config';
import type { TrainingHost } from '../host/training-host';
import { appVersion } from '../version';
import type { QueueService } from '../queue/queue-service';
import { createDatasetApi } from './datasets-api';
import { createHistoryApi } from './history-api';
import { createQueueApi } from './queue-api';
import { ApiStatusError, errorBodyOf, statusOfUserError } from './errors';
import { requireRun, runDetailOf } from './run-views';
import { readSettings, writeSettings } from './settings';

/**
 * Every call of the API contract, implemented over the experiment store, the training host and
 * the dataset modules. `dispatch` is the one entry both transports use (Electron IPC, HTTP): it
 * checks the call name and input against the contract and never throws; failures come back as
 * { ok: false, error: { error, status } } with 400/404/409 for the caller's mistakes and a generic
 * 500 for bugs (whose stack goes to the log only).
 */

export interface ApiHandlerDeps {
  store: ExperimentStore;
  host: Pick<TrainingHost, 'enqueue' | 'cancel' | 'terminate' | 'setMaxConcurrent' | 'lastBackend'>;
  /** settings.json lives here */
  dataDir: string;
  /** dataset download/import cache */
  cacheDir: string;
  databasePath: string;
  mode: 'electron' | 'serve';
  /** folders datasets.import (and path references) may read from */
  importRoots: string[];
  /** where exports may be written (reserved for the shell; exports are returned as text) */
  exportRoot?: string;
  /** events for every window/connection (dataset downloads publish here) */
  publish?: (event: ApiEvent) => void;
  log?: (line: string) => void;
  /** downloads: replaces fetch / the catalog host (tests, mirrors) */
  fetchImpl?: typeof fetch;
  downloadBaseUrl?: string;
  /** the queue for remote runs; default: one on the URL saved in dataDir (none until configured) */
  queue?: QueueService;
}

type ParsedInput<K extends CallName> = z.output<(typeof callInputs)[K]>;
type Implementations = { [K in CallName]: (input: ParsedInput<K>) => CallOutput<K> | Promise<CallOutput<K>> };

export interface ApiHandlers {
  /** validates and runs a call; never throws */
  dispatch(name: unknown, rawInput: unknown): Promise<CallResult<unknown>>;
  settings(): Settings;
  /** cancels dataset downloads in progress */
  dispose(): Promise<void>;
  /** resolves when background downloads have ended (tests) */
  settle(): Promise<void>;
}

export function createApiHandlers(deps: ApiHandlerDeps): ApiHandlers {
  const { store, host } = deps;
  const log = deps.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const publish = deps.publish ?? (() => {});
  const datasets = createDatasetApi({
    store,
    cacheDir: deps.cacheDir,
    importRoots: deps.importRoots,
    publish,
    fetchImpl: deps.fetchImpl,
    downloadBaseUrl: deps.downloadBaseUrl,
    log,
  });
  const queue = createQueueApi({ store, databasePath: deps.databasePath, dataDir: deps.dataDir, cacheDir: deps.cacheDir, publish, log, queue: deps.queue });
  const history = createHistoryApi({ store, roots: deps.importRoots, publish });
  let settings = readSettings(deps.dataDir, log);
  host.setMaxConcurrent(settings.maxConcurrentRuns);

  /**
   * Checks every config before any run is created, so a bad sweep entry creates nothing. Remote runs
   * leave 'auto' to the worker's machine and catalog data to the worker's cache.
   */
  function prepareConfigs(configs: RunConfig[], remote = false): RunConfig[] {
    return configs.map((config, i) => {
      const where = configs.length > 1 ? `configs[${i}]: ` : '';
      try {
        const data = datasets.resolveRef(config.data, { requireAvailable: !remote });
        // 'auto' defers to the app's backend setting.
        const backend = config.backend === 'auto' && !remote ? settings.backend : config.backend;
        const prepared = { ...config, data, backend };
        // what the trainer would refuse (plan, students, a generator spec's split) refuses the call
        refuseUnrunnableConfig(prepared);
        return prepared;
      } catch (error) {
        if (error instanceof UserError && where) throw new ApiStatusError(statusOfUserError(error), where + error.message);
        throw error;
      }
    });
  }

  function createQueuedRun(config: RunConfig, group: string | null, name?: string): number {
    const run = store.createRun(newRunRecord(config, { name, group, datasetId: store.getDataset(config.data)?.id ?? null }));
    publish({ type: 'run.status', runId: run.id, status: run.status, error: null });
    return run.id;
  }

  const calls: Implementations = {
    'app.info': (): AppInfo => ({
      version: appVersion(),
      mode: deps.mode,
      dataDir: deps.dataDir,
      databasePath: deps.databasePath,
      backend: host.lastBackend(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    }),

    'runs.list': (input) => {
      const filter = { status: input.status, strategies: input.strategies, search: input.search, group: input.group };
      const runs = store.listRuns({ ...filter, sort: input.sort, descending: input.descending, limit: input.limit, offset: input.offset });
      return { runs, total: store.countRuns(filter), ...(input.facets ? { facets: store.runFacets(filter) } : {}) };
    },
    'runs.get': ({ id }) => runDetailOf(store, id),
    'runs.create': async ({ configs, group, runOn }) => {
      const remote = runOn === 'remote';
      const prepared = prepareConfigs(configs, remote);
      // A queue that is not there, or data too large to send, refuses the runs before any is created.
      const memo = remote ? await queue.service.prepare(prepared.map((c) => c.data)) : undefined;
      const groupName = group ?? (prepared.length > 1 ? `sweep ${new Date().toISOString().slice(0, 19).replace('T', ' ')}` : null);
      const ids = prepared.map((config) => createQueuedRun(config, groupName));
      for (const id of ids) await (remote ? queue.service.submit(id, { memo }) : host.enqueue(id));
      return { ids };
    },
    'runs.rename': ({ id, name }) => store.runSummary(store.renameRun(id, name)),
    'runs.tag': ({ id, tags }) => store.runSummary(store.setTags(id, tags)),
    'runs.note': ({ id, notes }) => store.runSummary(store.setNotes(id, notes)),
    'runs.delete': async ({ ids, force }) => {
      const unique = [...new Set(ids)];
      // All checks first: one missing or running run deletes nothing.
      const runs = unique.map((id) => requireRun(store, id));
      const running = runs.find((run) => run.status === 'running');
      if (running && !force) throw new ApiStatusError(409, `run ${running.id} is running: cancel it first (or force the deletion)`);
      for (const run of runs) {
        // a remote run's worker stops after its epoch; its late results are refused (the run is gone)
        if (queue.isRemote(run) && run.status === 'running') await queue.service.cancel(run.id).catch(() => {});
        else await host.terminate(run.id);
        store.deleteRun(run.id, { force: true });
      }
      return { deleted: unique };
    },
    'runs.cancel': async ({ id }) => {
      const run = requireRun(store, id);
      if (queue.isRemote(run) && (run.status === 'queued' || run.status === 'running')) {
        const cancelled = await queue.service.cancel(id);
        if (cancelled.status !== run.status) publish({ type: 'run.status', runId: id, status: cancelled.status, error: cancelled.error });
        return store.runSummary(cancelled);
      }
      return store.runSummary(host.cancel(id));
    },
    'runs.resume': async ({ id }) => {
      const remote = queue.isRemote(requireRun(store, id));
      if (remote) await queue.service.connected();
      const run = store.setStatus(id, 'queued', { reason: 'resume requested' });
      publish({ type: 'run.status', runId: id, status: run.status, error: null });
      await (remote ? queue.service.submit(id, { resume: true }) : host.enqueue(id, { resume: true }));
      return store.runSummary(requireRun(store, id));
    },
    'runs.rerun': async ({ id }) => {
      const run = requireRun(store, id);
      const remote = queue.isRemote(run);
      if (remote) await queue.service.connected();
      const [config] = prepareConfigs([parseRunConfig(run.config)], remote);
      const newId = createQueuedRun(config, run.group, `${run.name} (rerun)`.slice(0, 200));
      await (remote ? queue.service.submit(newId) : host.enqueue(newId));
      return { id: newId };
    },
    'runs.export': ({ ids, format, table }) => {
      const unique = [...new Set(ids)];
      const runs = unique.map((id) => requireRun(store, id));
      const stem = unique.length === 1 ? `run-${unique[0]}` : `runs-${unique.length}`;
      if (format === 'csv' && table === 'signal') {
        return { filename: `${stem}-signal.csv`, mimeType: 'text/csv', content: signalCsv(runs.map((run) => ({ runId: run.id, runName: run.name, rows: store.getSignal(run.id) }))) };
      }
      if (format === 'csv') {
        return { filename: `${stem}-metrics.csv`, mimeType: 'text/csv', content: metricsCsv(runs.map((run) => ({ runId: run.id, runName: run.name, metrics: store.getMetrics(run.id) }))) };
      }
      const content = JSON.stringify(
        { runs: runs.map((run) => ({ run: runDetailOf(store, run.id), metrics: store.getMetrics(run.id), signal: store.getSignal(run.id) })) },
        null,
        2,
      );
      return { filename: `${stem}.json`, mimeType: 'application/json', content };
    },
    'runs.metrics': ({ id, afterEpoch }) => store.getMetrics(id, { afterEpoch }),
    'runs.alignment': ({ id, epoch }) => {
      const epochs = store.alignmentEpochs(id);
      const chosen = epoch ?? (epochs.length > 0 ? epochs[epochs.length - 1] : null);
      const matrices = chosen === null ? [] : store.getAlignment(id, { epoch: chosen });
      return { epochs, epoch: chosen, matrices: matrices.map((m) => ({ ...m, data: Array.from(m.data) })) };
    },
    'runs.signal': ({ id, afterEpoch }) => store.getSignal(id, { afterEpoch }),
    'runs.events': ({ id, afterId, limit }) =>
      store.getEvents(id, { afterId, limit }).map((e): RunEventRow => ({ id: e.id, at: e.at, level: e.level, kind: e.kind, message: e.message })),
    'runs.compare': ({ ids }) => [...new Set(ids)].map((id) => ({ run: runDetailOf(store, id), metrics: store.getMetrics(id) })),

    'datasets.catalog': () => datasets.catalog(),
    'datasets.checkDownloads': (input) => datasets.checkDownloads(input),
    'datasets.inspect': ({ ref }) => datasets.inspect(ref),
    'datasets.download': ({ name }) => datasets.download(name),
    'datasets.import': (input) => datasets.import(input),
    'datasets.generate': (input) => datasets.generate(input),

    ...queue.calls,

    'history.backup': ({ path }) => history.backup(path),
    'history.import': ({ path }) => history.import(path),

    'settings.get': () => ({ ...settings }),
    'settings.set': (input) => {
      const next: Settings = { backend: input.backend ?? settings.backend, maxConcurrentRuns: input.maxConcurrentRuns ?? settings.maxConcurrentRuns };
      host.setMaxConcurrent(next.maxConcurrentRuns);
      writeSettings(deps.dataDir, next);
      settings = next;
      return { ...settings };
    },
  };

  return {
    async dispatch(name, rawInput) {
      try {
        if (!isCallName(name)) {
          const shown = typeof name === 'string' ? `'${name.slice(0, 100)}'` : `of type ${name === null ? 'null' : typeof name}`;
          throw new ApiStatusError(404, `unknown call ${shown}`);
        }
        const parsed = parseCallInput(name, rawInput);
        if (!parsed.ok) throw new ApiStatusError(400, parsed.error);
        const implementation = calls[name] as (input: unknown) => unknown;
        return { ok: true, value: await implementation(parsed.value) };
      } catch (error) {
        return { ok: false, error: errorBodyOf(error, log) };
      }
    },
    settings: () => ({ ...settings }),
    dispose: async () => {
      await datasets.dispose();
      await queue.dispose();
    },
    settle: () => datasets.settle(),
  };
}
